"""The surface of f on the demonstration page (a canvas, no plotting library), in Chromium.

For two inputs the descent panel draws f in 3D beside the contour; these
tests check it draws (pixels of more than the background), turns when
dragged or with the arrow keys, and shows the descent path. Screenshots go
to ``$ADVIZ_SCREENSHOTS`` when set. Run with ``pytest -m browser``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import adviz
from adviz.renderers.demo import demo_html
from tests.conftest import BrowserPage, page_opener

pytestmark = pytest.mark.browser

SEED = "(x1 - x2)**2 + cos(x1 + x2)"

PIXELS = """(selector) => {
    const canvas = document.querySelector(selector);
    const ctx = canvas.getContext("2d");
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    let ink = 0, path = 0;
    for (let i = 0; i < d.length; i += 4) {
        if (d[i] !== 255 || d[i + 1] !== 255 || d[i + 2] !== 255) { ink += 1; }
        // the descent path's colour (#b34a00) and nothing of the blue ramp is that red
        if (d[i] > 150 && d[i + 1] < 110 && d[i + 2] < 60) { path += 1; }
        if (i % 64 === 0) { colours.add(d[i] + "," + d[i + 1] + "," + d[i + 2]); }
    }
    return {ink: ink / (d.length / 4), path: path, colours: colours.size,
            hash: Array.from(d.filter((_, i) => i % 97 === 0)).join(",")};
}"""


class Page(BrowserPage):
    def __init__(self, browser: Any, path: Path, *, width: int = 1280, height: int = 800,
                 ready: str = ".adviz-demo[data-adviz-ready]"):
        super().__init__(browser, path, width=width, height=height, ready=ready)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Page]]:
    yield from page_opener(browser, Page)


def _page(tmp_path: Path, source: Any, **inputs: float) -> Path:
    path = tmp_path / "demo.html"
    path.write_text(demo_html(adviz.trace(source, **inputs), analytic=False), encoding="utf-8")
    return path


def test_the_surface_draws_and_turns_when_dragged(open_page: Callable[..., Page],
                                                   tmp_path: Path) -> None:
    page = open_page(_page(tmp_path, SEED, x1=1.0, x2=2.0))
    canvas = page.page.locator("canvas.adviz-surface")
    assert canvas.count() == 1
    before = page.page.evaluate(PIXELS, "canvas.adviz-surface")
    assert before["ink"] > 0.15  # a surface, not a blank canvas
    assert before["colours"] > 20  # shaded by value, not one fill
    azimuth = float(canvas.get_attribute("data-azimuth"))
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.page.mouse.move(cx, cy)
    page.page.mouse.down()
    page.page.mouse.move(cx + 60, cy + 20, steps=6)
    page.page.mouse.up()
    after = page.page.evaluate(PIXELS, "canvas.adviz-surface")
    assert float(canvas.get_attribute("data-azimuth")) == pytest.approx(azimuth + 0.6, abs=1e-3)
    assert after["hash"] != before["hash"]  # drawn again from another side
    assert after["ink"] > 0.15
    canvas.focus()
    page.page.keyboard.press("ArrowLeft")
    assert float(canvas.get_attribute("data-azimuth")) == pytest.approx(azimuth + 0.5, abs=1e-3)
    # the arrow key turned the surface and did not step the demonstration
    assert page.page.locator(".adviz-demo").get_attribute("data-stage") == "0"
    shots = os.environ.get("ADVIZ_SCREENSHOTS")
    if shots:
        page.page.locator(".adviz-descent").scroll_into_view_if_needed()
        page.page.screenshot(path=str(Path(shots) / "demo-surface.png"))


def test_the_surface_shows_the_descent_path(open_page: Callable[..., Page],
                                            tmp_path: Path) -> None:
    page = open_page(_page(tmp_path, "(x - 3)**2 + (y + 1)**2", x=0.0, y=0.0))
    start = page.page.evaluate(PIXELS, "canvas.adviz-surface")
    page.page.evaluate("() => window.adviz.descend(0.2, 12)")
    moved = page.page.evaluate(PIXELS, "canvas.adviz-surface")
    assert moved["path"] > start["path"] + 50  # a path of twelve steps, not one dot
    assert len(page.page.evaluate("() => window.adviz.history()")) == 13


def test_one_input_has_no_surface(open_page: Callable[..., Page], tmp_path: Path) -> None:
    page = open_page(_page(tmp_path, "x * x", x=1.0))
    assert page.page.locator("canvas.adviz-surface").count() == 0


def test_the_exported_page_says_it_replays_the_recorded_branch(
        open_page: Callable[..., Page], tmp_path: Path) -> None:
    def branchy(a: Any, b: Any) -> Any:
        return a * b if a.value > 0 else a + b

    page = open_page(_page(tmp_path, branchy, a=1.0, b=2.0))
    note = page.page.locator(".adviz-branch-note")
    assert note.is_hidden()
    page.page.evaluate("() => window.adviz.set({a: -1})")
    assert note.is_visible()
    assert "keeps the recorded branch" in note.text_content()
    # and it does: a * b at a = -1, b = 2, where the function itself takes a + b
    assert page.page.evaluate("() => window.adviz.forward().values.y") == -2.0
