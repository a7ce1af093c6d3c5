"""Gallery helpers: embed the GIF and SVG files a gallery cell wrote, order the examples.

The gallery scripts write into ``$ADVIZ_GALLERY_OUT/<example>/``; after each
cell, `scrape` copies the GIF and SVG files that appeared (or changed) at the
top of that folder into the gallery's image folder and returns the
reStructuredText that shows them. Matplotlib figures are collected by
sphinx-gallery's own Matplotlib scraper.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from sphinx_gallery.scrapers import figure_rst

SUFFIXES = (".gif", ".svg")
ORDER = (
    "plot_seed_example.py",
    "plot_fan_out.py",
    "plot_single_neuron.py",
    "plot_logistic_loss.py",
    "plot_two_two_one_network.py",
    "plot_micrograd_mlp.py",
    "plot_custom_op.py",
)

_seen: dict[Path, float] = {}


def _pictures() -> list[Path]:
    root = Path(os.environ.get("ADVIZ_GALLERY_OUT", "gallery-out"))
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("*/*") if p.suffix in SUFFIXES and p.is_file())


def scrape(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any],
           **kwargs: Any) -> str:
    """Copy the pictures written by the last cell next to the gallery's images."""
    new = []
    for path in _pictures():
        stamp = path.stat().st_mtime
        if _seen.get(path) != stamp:
            _seen[path] = stamp
            new.append(path)
    names = []
    for path, target in zip(new, block_vars["image_path_iterator"]):
        destination = Path(target).with_suffix(path.suffix)
        shutil.copyfile(path, destination)
        names.append(str(destination))
    return figure_rst(names, gallery_conf["src_dir"])


def example_order(filename: str) -> tuple[int, str]:
    """Sort key of the examples: the order of `ORDER`, then by name."""
    name = Path(filename).name
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)
