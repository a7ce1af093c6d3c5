"""Subscripts large enough to read on a slide: Matplotlib's mathtext with a larger script size.

Matplotlib sets a subscript at 70 % of its line and a subscript's subscript
at 49 %: on a 16:9 slide, where an edge label is 14 to 15 pixels high, the
``1`` of ``g_{t_{1}}`` would be 7 pixels. The labels a `ScriptText` draws set
every subscript and superscript at `SCRIPT_SCALE` of its line, and a script
inside a script at the same size as its own script (still lowered), so the
smallest glyph of a label is `SCRIPT_SCALE` times the label's size: at least
12 pixels when the label keeps the page's 14 pixel minimum
(`adviz.scene.sizes.MIN_TEXT`).

Matplotlib reads its script size from module constants of its private
``matplotlib._mathtext`` while it lays out a formula; `script_sizes` sets them
only while a `ScriptText` is measured or drawn, with a parse cache of its own
(so no formula laid out at one size is reused at the other), and puts
Matplotlib back as it was afterwards. A Matplotlib without those constants
draws Matplotlib's own sizes.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from matplotlib.mathtext import MathTextParser
>>> def smallest(tex):
...     return min(g[1] for g in MathTextParser("path").parse(tex, 72).glyphs)
>>> with script_sizes():
...     ours = smallest("$g_{t_{1}}$")
>>> size = matplotlib.rcParams["font.size"]
>>> round(ours / size, 3), round(smallest("$g_{t_{1}}$") / size, 3)
(0.875, 0.49)
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

SCRIPT_SCALE = 0.875
"""Size of a subscript or superscript relative to its line (Matplotlib's own: 0.7)."""

SCRIPT_LEVELS = 1
"""Levels of scripts that shrink; deeper ones keep the size of the level above."""

PARSE_CACHE_SIZE = 4096
"""Formulas laid out at `SCRIPT_SCALE` kept for reuse."""


@functools.cache
def _cache() -> Any:
    from matplotlib.mathtext import MathTextParser

    original = MathTextParser.__dict__.get("_parse_cached")
    wrapped = getattr(original, "__wrapped__", None)
    return None if wrapped is None else functools.lru_cache(PARSE_CACHE_SIZE)(wrapped)


@contextlib.contextmanager
def script_sizes() -> Iterator[None]:
    """Lay out mathtext with `SCRIPT_SCALE` and `SCRIPT_LEVELS` while inside (see the module)."""
    from matplotlib import _mathtext
    from matplotlib.mathtext import MathTextParser

    cache = _cache()
    known = hasattr(_mathtext, "SHRINK_FACTOR") and hasattr(_mathtext, "NUM_SIZE_LEVELS")
    if cache is None or not known:
        yield
        return
    parser: Any = MathTextParser
    saved = (_mathtext.SHRINK_FACTOR, _mathtext.NUM_SIZE_LEVELS,
             MathTextParser.__dict__.get("_parse_cached"))
    _mathtext.SHRINK_FACTOR = SCRIPT_SCALE
    _mathtext.NUM_SIZE_LEVELS = SCRIPT_LEVELS + 1
    parser._parse_cached = cache
    try:
        yield
    finally:
        _mathtext.SHRINK_FACTOR, _mathtext.NUM_SIZE_LEVELS = saved[:2]
        parser._parse_cached = saved[2]


@functools.cache
def script_text() -> type:
    """The Matplotlib ``Text`` class whose mathtext has the scripts of `script_sizes`."""
    from matplotlib.text import Text

    class ScriptText(Text):
        """A Matplotlib ``Text`` measured and drawn inside `script_sizes`."""

        def draw(self, renderer: Any) -> None:
            with script_sizes():
                super().draw(renderer)

        def get_window_extent(self, renderer: Any = None, dpi: Any = None) -> Any:
            with script_sizes():
                return super().get_window_extent(renderer, dpi)

    return ScriptText
