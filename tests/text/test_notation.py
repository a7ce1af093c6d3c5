"""One notation, the seed's, in every output: the same tokens written as Unicode (SVG, PNG),
mathtext (Matplotlib), LaTeX (TikZ, Beamer, walkthroughs) and MathML (the pages)."""

from __future__ import annotations

import re
import unicodedata

import pytest

import adviz
import adviz.examples
from adviz.renderers import tikz
from adviz.renderers.player import caption_markup
from adviz.renderers.svg import paint, painted
from adviz.scene.picture import figure, wrap
from adviz.text.labels import stage_text
from adviz.text.mathml import caption_html, caption_terms, mathml_text
from adviz.text.tokens import Text, split_lines
from tests.conftest import SEED_EXPRESSION


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKD", text).replace(" ", "").replace("_", "")


@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace(SEED_EXPRESSION, x1=1, x2=2)


def test_reverse_stage_3_has_the_same_notation_in_every_output(seed: adviz.Trace) -> None:
    tokens = stage_text(seed, "reverse", 3)
    unicode, latex, mathtext, mathml = (tokens.unicode(), tokens.latex(), tokens.mathtext(),
                                        tokens.mathml())
    # the seed page: g_{t_3} += g_{t_4} · ∂t_4/∂t_3, names with subscripts
    assert "process parents of t₄: g_t₃ += g_t₄ · ∂t₄/∂t₃ = −0.14112" in unicode
    for tex in (latex, mathtext):
        assert r"g_{t_{3}}" in tex and r"g_{t_{4}}" in tex
        assert r"\partial t_{4}/\partial t_{3} = -0.14112" in tex
        assert "t4" not in tex and "t3" not in tex
    assert "<msub><mi>g</mi><msub><mi>t</mi><mn>3</mn></msub></msub>" in mathml
    assert '<mi mathvariant="normal">∂</mi><msub><mi>t</mi><mn>4</mn></msub>' in mathml
    assert "t3" not in re.sub(r"<[^>]*>", " ", mathml)  # every name's digit a subscript
    # the same characters in every notation (subscripts as digits, spaces dropped)
    assert _normal(mathml_text(mathml)) == _normal(unicode)
    assert _normal(mathml_text(caption_html(tokens))) == _normal(unicode)
    # what each output shows: SVG frame, TikZ picture, the player's caption
    fig = figure(seed)
    frame = fig.frame("reverse", 3)
    assert frame.title == unicode
    assert " ".join(painted(paint(fig, frame))["caption"].texts) == unicode
    assert tikz.stage_caption(seed, "reverse", 3) == latex
    assert caption_markup(fig, "reverse", 3, frame.title) == caption_html(tokens)


def test_plain_text_keeps_ascii(seed: adviz.Trace) -> None:
    """Screen readers, the command line and the stage records keep g_t3 and dt4/dt3."""
    assert stage_text(seed, "reverse", 3).plain().endswith(
        "process parents of t4: g_t3 += g_t4 * dt4/dt3 = -0.14112")
    assert seed.reverse_stages[3].caption == "g_t3 += g_t4 * dt4/dt3 = 1 * (-sin(t3)) = -0.14112"


@pytest.mark.parametrize("name", ["seed", "rnn", "network"])
def test_every_caption_says_the_same_in_mathml_and_unicode(name: str) -> None:
    t = {"seed": lambda: adviz.trace(SEED_EXPRESSION, x1=1, x2=2),
         "rnn": lambda: adviz.examples.rnn(3), "network": adviz.examples.network}[name]()
    for phase in ("forward", "reverse", "summary"):
        for k in range(len(t.stages(phase)) if phase != "summary" else 1):
            tokens = stage_text(t, phase, k)
            assert _normal(mathml_text(caption_html(tokens))) == _normal(tokens.unicode())


@pytest.mark.parametrize("width", [120.0, 260.0, 400.0, 2000.0])
def test_captions_cut_into_lines_as_pictures_wrap_them(seed: adviz.Trace, width: float) -> None:
    """Matplotlib typesets each wrapped line from the caption's own tokens."""
    for phase in ("forward", "reverse"):
        for k in range(len(seed.stages(phase))):
            tokens = stage_text(seed, phase, k)
            lines = wrap(tokens.unicode(), width)
            cut = split_lines(tokens, lines)
            if cut is None:  # a line broken inside a name or a number: drawn as plain text
                assert width < 260.0
                continue
            assert [c.unicode().strip() for c in cut] == lines


def test_caption_terms_break_between_updates_and_before_running_sums(
        seed: adviz.Trace) -> None:
    terms = caption_terms(stage_text(seed, "reverse", 5))
    shown = [[Text(tuple(p)).unicode() for p in term] for term in terms]
    assert shown == [
        ["Stage 5 of 5 — process parents of t₃:"],
        ["g_x₁ += g_t₃ · ∂t₃/∂x₁ = −0.14112", "→ g_x₁ = −2 + (−0.14112) = −2.14112;"],
        ["g_x₂ += g_t₃ · ∂t₃/∂x₂ = −0.14112", "→ g_x₂ = 2 + (−0.14112) = 1.85888"],
    ]
