"""Record linkage of named-victim lists into capture histories (Splink on DuckDB)."""
