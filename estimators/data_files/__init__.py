"""Data files shipped inside the package (links to the canonical copies in data/)."""
