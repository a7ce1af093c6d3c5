"""Sphinx configuration of the adviz documentation.

Build with ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
Nothing is fetched from the network at build time, and nothing when a page is
opened: MathJax is copied into the site (``sphinx-mathjax-offline``).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import adviz

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

# The gallery scripts write their pictures here; the scraper in
# _ext/adviz_gallery_scraper.py embeds the new GIF and SVG files of each cell.
if not os.environ.get("ADVIZ_GALLERY_OUT"):
    os.environ["ADVIZ_GALLERY_OUT"] = tempfile.mkdtemp(prefix="adviz-gallery-")
os.environ.setdefault("MPLBACKEND", "Agg")

project = "adviz"
author = "adviz developers"
copyright = "adviz developers"
version = release = adviz.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "matplotlib.sphinxext.plot_directive",
    "sphinx-mathjax-offline",  # MathJax 3 from the package, served with the site
    "sphinx_click",
    "sphinx_gallery.gen_gallery",
    "adviz.sphinxext",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
default_role = "py:obj"
smartquotes = False  # keep "--at" and straight quotes in command examples

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
napoleon_preprocess_types = False

# -- Matplotlib's plot directive (the cost charts) ------------------------------
plot_formats = [("png", 100)]
plot_html_show_formats = False
plot_html_show_source_link = False
plot_include_source = False

# -- The adviz directive -----------------------------------------------------
adviz_default_output = "player"
adviz_default_theme = "light"

# -- Gallery -----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../gallery",
    "gallery_dirs": "auto_gallery",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|^_cards\.py$",  # the card helper is not an example
    "image_scrapers": ("matplotlib", "adviz_gallery_scraper.scrape"),
    "within_subsection_order": "adviz_gallery_scraper.example_order",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "show_memory": False,
    "show_signature": False,
    "remove_config_comments": True,
    "capture_repr": ("_repr_html_", "__repr__"),
    "ignore_repr_types": r"matplotlib|pathlib",
    "min_reported_time": 60,
    # No execution-times pages: they load their table scripts from a CDN.
    "write_computation_times": False,
    # Square cards: each example draws its own card as its last figure
    # (gallery/_cards.py), 400 x 400 pixels like the thumbnail.
    "thumbnail_size": (400, 400),
}

# -- HTML --------------------------------------------------------------------
html_theme = "furo"
html_title = f"adviz {release}"
html_static_path = ["_static"]
html_css_files = ["adviz-docs.css"]
html_theme_options = {"navigation_with_keys": True}
html_show_sourcelink = False


def _escape_bars(app: Any, what: str, name: str, obj: Any, options: Any,
                 lines: list[str]) -> None:
    """Keep ``|a|`` (absolute value) in a docstring from reading as a substitution."""
    for i, line in enumerate(lines):
        lines[i] = re.sub(r"(?<![\w`|\\])\|(\w+)\|(?![\w`|])", r"\\|\1\\|", line)


def setup(app: Any) -> None:
    app.connect("autodoc-process-docstring", _escape_bars)
