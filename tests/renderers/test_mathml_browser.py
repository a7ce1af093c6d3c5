"""The pages' captions and walkthroughs as MathML, rendered by Chromium at a blog's 760 px.

Run with ``pytest -m browser``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import adviz
from adviz.renderers.player import player_html
from adviz.text.labels import stage_title
from tests.conftest import SEED_EXPRESSION, same_text

pytestmark = pytest.mark.browser


def test_player_shows_math_and_wraps_captions_between_terms(
        browser: Any, tmp_path: Path) -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    path = tmp_path / "player.html"
    path.write_text(player_html(t), encoding="utf-8")
    page = browser.new_page(viewport={"width": 760, "height": 1100})
    try:
        page.goto(path.as_uri())
        page.click('.adviz-phases button[data-phase="reverse"]')
        for _ in range(5):
            page.click(".adviz-next")
        # the walkthrough row of reverse stage 3: g_{t_3} += g_{t_4} · ∂t_4/∂t_3 as MathML
        row = page.locator('.adviz-table tr[data-phase="reverse"][data-stage="3"] td').nth(2)
        maths = row.locator("math")
        assert maths.count() == 1
        assert maths.first.locator("msub").count() >= 6
        assert same_text("g_t₃ += g_t₄ · ∂t₄/∂t₃ = 1 · (−sin(t₃)) = −0.14112",
                         maths.first.text_content())
        assert page.locator(".adviz-table math").count() > 15
        # math is laid out by the browser: subscripts sit lower than their base
        low = maths.first.evaluate("m => { const s = m.querySelector('msub');"
                                   " return s.lastElementChild.getBoundingClientRect().bottom -"
                                   " s.firstElementChild.getBoundingClientRect().bottom; }")
        assert low > 1.0
        # the caption: the stage's MathML, on several lines, no term part broken
        caption = page.locator(".adviz-caption")
        assert same_text(stage_title(t, "reverse", 5), caption.text_content())
        assert caption.locator("math").count() >= 3
        lines = caption.evaluate("c => { const r = c.getBoundingClientRect();"
                                 " return r.height / parseFloat(getComputedStyle(c).lineHeight); }")
        assert lines > 2.0  # wrapped at 760 px
        parts = caption.locator(".adviz-part")
        assert parts.count() == 5
        for k in range(parts.count()):
            rects = parts.nth(k).evaluate("p => p.getClientRects().length")
            assert rects == 1, k  # each part on one line: breaks only between terms
        page.screenshot(path=str(tmp_path / "player-760.png"), full_page=True)
    finally:
        page.close()
