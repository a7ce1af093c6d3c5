"""Templates from tokens: a text with holes for its numbers, filled with other numbers."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import pytest

import adviz
from adviz.text.labels import (
    accumulation_texts,
    adjoint_text,
    contribution_text,
    partial_text,
    stage_caption_text,
    stage_text,
    summary_text,
    value_text,
)
from adviz.text.tables import final_texts, text_rows, title_text
from adviz.text.tokens import (
    TEMPLATE_NOTATIONS,
    Formula,
    Grad,
    Hole,
    Name,
    Num,
    Op,
    Partial,
    Text,
    Token,
    Word,
    fill,
    num_key,
)

SEED = "(x1 - x2)**2 + cos(x1 + x2)"

_WORDS = ["Stage 1 of 5 — ", "evaluate ", "; ", "<b>&\"'", "100% {a_b} ~^\\", "→ ✓ ", " ", ""]
_NAMES = ["x1", "t12", "alpha2", "w_3", "a_b & 100%", "<i>"]
_OPS = [" = ", "= ", " += ", " + ", " - ", " · ", "/", "(", ")", "Σ ", " ? "]


def _number(rng: random.Random) -> float:
    pick = rng.random()
    if pick < 0.05:
        return rng.choice([math.nan, math.inf, -math.inf, 0.0, -0.0])
    return rng.choice([-1, 1]) * 10 ** rng.uniform(-9, 9)


def _random_text(rng: random.Random) -> tuple[Text, Callable[[random.Random], Text]]:
    """A random text and a function writing the same text with other numbers."""
    shape: list[Callable[[float], Token] | Token] = []
    for k in range(rng.randint(1, 9)):
        kind = rng.randrange(7)
        if kind == 0:
            shape.append(Word(rng.choice(_WORDS)))
        elif kind == 1:
            shape.append(Name(rng.choice(_NAMES), rng.random() < 0.5))
        elif kind == 2:
            shape.append(Op(rng.choice(_OPS)))
        elif kind == 3:
            shape.append(Grad(rng.choice(_NAMES)))
        elif kind == 4:
            shape.append(Partial(rng.choice(_NAMES), rng.choice(_NAMES), rng.random() < 0.5))
        elif kind == 5:
            shape.append(Formula("2t₁ < 3", r"2 t_{1} < 3", "2*t1 < 3"))
        else:
            parens = rng.choice([False, True, "tex"])
            shape.append(lambda v, parens=parens, k=k: Num(v, parens, key=f"n{k}"))

    def build(r: random.Random) -> Text:
        return Text(tuple(s(_number(r)) if callable(s) else s for s in shape))

    return build(rng), build


def _numbers(text: Text) -> dict[str | None, float]:
    return {t.key: t.value for t in text.tokens if isinstance(t, Num)}


@pytest.mark.parametrize("notation", TEMPLATE_NOTATIONS)
def test_a_template_filled_with_other_numbers_is_the_text_with_those_numbers(
        notation: str) -> None:
    rng = random.Random(f"templates-{notation}")
    for _ in range(2000):
        first, build = _random_text(rng)
        template = first.template(notation)
        assert [p.key for p in template if isinstance(p, Hole)] == [
            t.key for t in first.tokens if isinstance(t, Num)]
        for text in (first, build(rng), build(rng)):
            assert fill(template, _numbers(text), notation) == getattr(text, notation)()


def test_templates_join_literal_text_and_keep_the_parentheses_rule() -> None:
    line = Text((Grad("t1"), Op(" += "), Num(1.0, parens="tex", key="upstream:"), Op(" · "),
                 Num(-2.0, parens=True, key="delta:")))
    assert line.template("unicode") == ["g_t₁ += ", Hole("upstream:", False), " · ",
                                        Hole("delta:", True)]
    assert line.template("latex")[1] == Hole("upstream:", True)  # "tex": in LaTeX only
    assert fill(line.template("latex"), {"upstream:": -1.0, "delta:": 2.0}, "latex") == \
        r"$g_{t_{1}} \mathrel{+}= (-1) \cdot 2$"
    with pytest.raises(ValueError, match="mathtext"):
        line.template("mathtext")


def test_keys_name_one_quantity() -> None:
    names = ["a", "b", "a->b", "b->c", "c", "a\\", "\\>", ">", "-"]
    keys = {num_key("delta", p, c) for p in names for c in names}
    assert len(keys) == len(names) ** 2
    assert num_key("value", "t1") == "value:t1" and num_key("after") == "after:"


def _keys(text: Text) -> list[str | None]:
    return [t.key for t in text.tokens if isinstance(t, Num)]


def test_labels_key_every_number() -> None:
    """Each number a label or caption shows says which quantity it is."""
    t = adviz.trace(SEED, x1=1, x2=2)
    c = t.reverse_stages[2].contributions[0]
    assert _keys(value_text(-1.0, "t1")) == ["value:t1"]
    assert _keys(value_text(-1.0)) == ["value:"]
    assert _keys(adjoint_text(1.0, "y")) == ["adjoint:y"]
    assert _keys(accumulation_texts(1.0, 2.0, 3.0, ("x1", "t1"))[0]) == [
        "before:x1->t1", "delta:x1->t1"]
    assert _keys(partial_text(t, "t1", "t2")) == ["partial:t1->t2"]
    assert _keys(contribution_text(t, c)) == ["upstream:t1->t2", "delta:t1->t2"]
    assert _keys(stage_text(t, "forward", 0)) == ["value:x1", "value:x2"]
    assert _keys(stage_text(t, "reverse", 0)) == ["adjoint:y"]
    assert _keys(stage_text(t, "reverse", 1)) == ["delta:t2->y", "delta:t4->y"]
    assert _keys(summary_text(t)) == ["value:y", "adjoint:x1", "adjoint:x2"]
    assert _keys(stage_caption_text(t, "reverse", 2)) == ["upstream:t1->t2", "delta:t1->t2"]
    assert _keys(title_text(t)) == ["value:x1", "value:x2"]
    assert [_keys(b) for _, b in final_texts(t)] == [["adjoint:x1"], ["adjoint:x2"]]
    for row in text_rows(t):
        for update in row.updates:
            assert None not in _keys(update)


@pytest.mark.parametrize("options", [{}, {"order": "tape", "granularity": "edge"}])
def test_stage_captions_as_tokens_are_the_stage_captions(options: dict) -> None:
    def f(x, w, b):
        h = adviz.name(adviz.tanh(w * x + b), "h")
        return 2.5 * h * h - h / 3 + adviz.exp(-x)

    for t in (adviz.trace(SEED, x1=0.3, x2=-4.5, **options),
              adviz.trace(f, x=1.5, w=-0.4, b=1e-7, **options)):
        for phase in ("forward", "reverse"):
            for k, stage in enumerate(t.stages(phase)):
                assert stage_caption_text(t, phase, k).plain() == stage.caption
