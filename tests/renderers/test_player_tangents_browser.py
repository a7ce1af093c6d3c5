"""Phase ``"tangents"`` in a real headless browser: stepping through one forward sweep per
input, the output's tangent on the page is dy/dx_i after sweep i (central differences),
then the gradient. Run with ``pytest -m browser``."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import adviz
from adviz.renderers.svg import painted
from tests.conftest import BrowserPage, page_opener
from tests.renderers.test_player_browser import shown_svg
from tests.renderers.test_player_tangents import central, number

pytestmark = pytest.mark.browser

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


def _seed_math(x1: float, x2: float) -> tuple[float, ...]:
    return ((x1 - x2)**2 + math.cos(x1 + x2),)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    yield from page_opener(browser, BrowserPage)


def _tangent(page: Any, node: str) -> float:
    """The tangent the page shows on ``node`` now (its ``ẋ = ...`` line)."""
    texts = painted(shown_svg(page, ".adviz-player"))[f"node:{node}"].texts
    tangent = [t for t in texts if "\u0307" in t.split("=")[0] or "ẏ" in t or "ẋ" in t]
    assert tangent, texts
    return number(tangent[-1].split("=")[-1])


def test_stepping_through_the_sweeps_shows_each_gradient_component(
        open_page: Any, tmp_path: Path) -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    path = adviz.save(t, tmp_path / "tangents.html", phase="tangents")
    page = open_page(path, width=1280, height=720).page
    player = page.locator(".adviz-player")
    point = {"x1": 1.0, "x2": 2.0}
    last = len(t.forward_stages) - 1
    for k, name in enumerate(("x1", "x2"), start=1):
        for stage in range(last + 1):
            if (k, stage) != (1, 0):
                page.click(".adviz-next")
            assert player.get_attribute("data-phase") == f"tangent-{name}"
            assert player.get_attribute("data-stage") == str(stage)
            caption = player.locator(".adviz-caption").inner_text()
            seeded = "₁₂"[k - 1]
            assert caption.startswith(f"Forward sweep {k} of 2, seed ẋ{seeded} = 1: "
                                      f"stage {stage} of {last}")
            # the seed on the inputs: 1 on this sweep's input, 0 on the other
            for other in point:
                assert _tangent(page, other) == (1.0 if other == name else 0.0)
        (expected,) = central(_seed_math, point, name)
        assert _tangent(page, "y") == pytest.approx(expected, abs=1e-5)
        pressed = page.locator('.adviz-phases button[aria-pressed="true"]')
        assert pressed.get_attribute("data-phase") == f"tangent-{name}"
        row = player.locator("tr.adviz-current")
        assert row.count() == 1 and row.get_attribute("data-phase") == f"tangent-{name}"
        assert number(row.locator("td").nth(2).inner_text().split("=")[-1]) == \
            pytest.approx(expected, abs=1e-5)
    page.click(".adviz-next")  # after the last sweep: the gradient
    caption = player.locator(".adviz-caption").inner_text()
    assert caption.startswith("After 2 forward sweeps: ∇y = ")
    shown = [number(v) for v in caption.rsplit("(", 1)[1].rstrip(")").split(",")]
    assert shown == pytest.approx([central(_seed_math, point, n)[0] for n in point],
                                  abs=1e-5)
    assert page.locator(".adviz-next").is_disabled()
    folder = os.environ.get("ADVIZ_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / "tangents-seed-1280x720.png"))
    # a sweep's button shows that sweep where it was left; a row shows the sweep's end
    page.click('.adviz-phases button[data-phase="tangent-x1"]')
    assert player.get_attribute("data-phase") == "tangent-x1"
    assert _tangent(page, "y") == pytest.approx(central(_seed_math, point, "x1")[0],
                                                abs=1e-5)
    page.click('tr[data-phase="tangent-x2"]')
    assert (player.get_attribute("data-phase"), player.get_attribute("data-stage")) == (
        "tangent-x2", str(last))
    assert _tangent(page, "y") == pytest.approx(central(_seed_math, point, "x2")[0],
                                                abs=1e-5)
