"""Sphinx configuration: the notebooks as papers (rendered from their committed outputs,
never executed here) and the API reference from the docstrings. `make docs` builds it;
tests/test_docs.py builds it with warnings as errors and checks every link."""

import estimators

project = "estimators"
author = "the estimators contributors"
copyright = "2026, " + author  # noqa: A001 (Sphinx's name)
release = version = estimators.__version__

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]

# The notebooks' outputs are what CI checks with nbval: show those, run nothing.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
suppress_warnings = ["myst.header"]  # notebooks number their sections from ##

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
default_role = "py:obj"  # `Estimate` in a docstring links where it can

html_theme = "alabaster"
html_title = "estimators: counting the dead honestly"
html_show_sourcelink = False
html_last_updated_fmt = None  # no date: the built site is the same on every build
# Our docstrings' own numpy-style sections (a header napoleon does not know would be read
# as more parameters).
napoleon_custom_sections = ["Model", "Model and assumptions", "Interval",
                            "The model (one event e, sources s of kind k(s))"]
# Wide enough for the notebooks' printed tables (alabaster's default is 940 px).
html_theme_options = {"page_width": "1280px", "sidebar_width": "250px", "body_max_width": "none"}
# MathJax comes from its CDN: online readers see typeset formulas, offline ones the LaTeX.
