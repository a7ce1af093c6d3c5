"""MathML pieces with shared fragments: joined, they are the markup `mathml` and
`caption_html` write; each fragment is a token's markup, a part of a partial or the
markup around tokens."""

from __future__ import annotations

import pytest

import adviz
import adviz.examples
from adviz.text.labels import stage_text
from adviz.text.mathml import (
    PARTIAL_MATHML,
    Fragment,
    caption_html,
    caption_pieces,
    mathml,
    mathml_pieces,
    mo,
    name_mathml,
    token_mathml,
    token_pieces,
)
from adviz.text.tables import final_texts, text_rows, title_text
from adviz.text.tokens import Grad, Name, Num, Op, Partial, Text, text

TRACES = {
    "seed": lambda: adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2),
    "mlp": lambda: adviz.examples.mlp((2, 3, 1)),
    "hostile": lambda: adviz.trace(
        lambda x: adviz.name(x * 2.0, "<b>&amp;</b>") + 1.0, x=1.0),
}


def texts_of(t: adviz.Trace) -> list[Text]:
    out = [title_text(t)]
    for row in text_rows(t):
        out += [row.step, *row.updates]
    for label, value in final_texts(t):
        out += [label, value]
    return out


@pytest.mark.parametrize("name", sorted(TRACES))
def test_joined_pieces_are_the_markup(name: str) -> None:
    t = TRACES[name]()
    for item in texts_of(t):
        assert "".join(p for p in mathml_pieces(item, holes=False)) == mathml(item)
        assert "".join(p for p in mathml_pieces(item) if isinstance(p, str)) == "".join(
            p for p in item.template("mathml") if isinstance(p, str))
    for phase in ("forward", "reverse"):
        for k in range(len(t.stages(phase))):
            caption = stage_text(t, phase, k)
            assert "".join(p for p in caption_pieces(caption, holes=False)) == \
                caption_html(caption)


@pytest.mark.parametrize("name", sorted(TRACES))
def test_fragments_are_tokens_parts_of_partials_or_the_markup_around_them(name: str) -> None:
    t = TRACES[name]()
    partial_parts = {PARTIAL_MATHML, mo("/")} | {name_mathml(n) for n in t.graph}
    around = {"<math>", "</math>", "</span>", '<span class="adviz-term">',
              ' <span class="adviz-term">', '<span class="adviz-part">',
              ' <span class="adviz-part">'}
    seen = 0
    for phase in ("forward", "reverse"):
        for k in range(len(t.stages(phase))):
            caption = stage_text(t, phase, k)
            tokens = {token_mathml(token) for token in caption.tokens if not isinstance(token, Num)}
            for piece in caption_pieces(caption):
                if type(piece) is Fragment:
                    seen += 1
                    assert piece in tokens or piece in partial_parts or piece in around, piece
                elif isinstance(piece, str):
                    assert "<math>" not in piece and "<span" not in piece  # words only
    assert seen > 0


def test_a_partial_is_shared_by_its_parts() -> None:
    pieces = token_pieces(Partial("t12", "x1"))
    assert pieces == (PARTIAL_MATHML, name_mathml("t12"), mo("/"), PARTIAL_MATHML,
                      name_mathml("x1"))
    assert all(type(p) is Fragment for p in pieces)
    assert "".join(pieces) == token_mathml(Partial("t12", "x1"))
    # any other token is one piece: its whole markup
    for token in (Grad("t3"), Name("w1_2"), Op(" += ")):
        assert token_pieces(token) == (token_mathml(token),)


def test_fragments_are_plain_strings_to_every_other_reader() -> None:
    pieces = mathml_pieces(text(Grad("t3"), Op(" = "), Num(2.0, key="adjoint:t3")))
    assert isinstance(pieces[1], str) and pieces[1] == "<msub><mi>g</mi><msub><mi>t</mi>" \
        "<mn>3</mn></msub></msub>"
    # what Text.template gives is joined into plain strings
    template = text(Grad("t3"), Op(" = "), Num(2.0, key="adjoint:t3")).template("mathml")
    assert [type(p).__name__ for p in template] == ["str", "Hole", "str"]
