"""Matplotlib's subscripts read on a slide: measured from the glyphs Matplotlib draws."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

import pytest

import adviz
from adviz.renderers.mpl.scripts import SCRIPT_SCALE
from adviz.renderers.mpl.stage import still
from adviz.scene.sizes import MIN_TEXT, PAGE_DPI
from tests.conftest import SEED_EXPRESSION

LEAST_SCRIPT = 12.0
"""Least height, in pixels of the page, of any subscript on a page of `MIN_TEXT` text."""


def _glyph_sizes(figure: matplotlib.figure.Figure) -> list[float]:
    """The font size of every glyph drawn, in pixels of the page (SVG with text as text)."""
    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(out, format="svg")
    points = [float(v) for v in re.findall(r"font-size:\s*([\d.]+)px", out.getvalue())]
    return [p * PAGE_DPI / 72.0 for p in points]  # SVG user units are points


@pytest.mark.parametrize("size", ["16:9", "blog"])
def test_every_subscript_of_the_seed_is_at_least_12_pixels(size: str) -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    figure, scene = still(t, size=size, dpi=PAGE_DPI)
    scene.show("reverse", 5)  # every edge label, g_x₁'s running sum, a two-line caption
    sizes = _glyph_sizes(figure)
    lines = min(text.get_fontsize() for text in scene.ax.texts if text.get_visible())
    assert lines * PAGE_DPI / 72.0 >= MIN_TEXT - 0.05  # the page's promise for text
    assert len(sizes) > 100
    assert min(sizes) >= LEAST_SCRIPT
    # the subscripts are there, set at SCRIPT_SCALE of their line (not Matplotlib's 70 %)
    heights = {text.get_fontsize() * PAGE_DPI / 72.0 for text in scene.ax.texts
               if text.get_visible()}
    scripts = [g for g in sizes if any(g == pytest.approx(SCRIPT_SCALE * h, rel=1e-3)
                                       for h in heights)]
    assert scripts and not any(g == pytest.approx(0.7 * h, rel=1e-3) for g in sizes
                               for h in heights)


def test_the_caption_is_mathtext_in_the_seed_notation() -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    _figure, scene = still(t, size="16:9", dpi=50)
    scene.show("reverse", 3)
    shown = [text.get_text() for text in scene.captions if text.get_visible()]
    assert any(r"$g_{t_{3}} {+}\!\!= g_{t_{4}} \cdot \partial t_{4}/\partial t_{3} = -0.14112$"
               in line for line in shown), shown
    assert [scene.unicode[text] for text in scene.captions if text.get_visible()] == \
        scene.fig.caption_lines(scene.fig.frame("reverse", 3).title)


def test_matplotlib_is_as_it_was_outside_adviz_labels() -> None:
    from matplotlib.mathtext import MathTextParser

    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    figure, scene = still(t, size="16:9", dpi=50)
    scene.show("reverse", 3)
    _glyph_sizes(figure)
    glyphs = MathTextParser("path").parse("$g_{t_{1}}$", 72).glyphs
    size = matplotlib.rcParams["font.size"]
    assert min(g[1] for g in glyphs) == pytest.approx(0.49 * size)  # Matplotlib's own
