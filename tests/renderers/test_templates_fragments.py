"""Shared MathML fragments in the demonstration page's data: each written once, referred to
by number, and the page's texts filled from them equal to the texts made without them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import adviz
import adviz.examples
from adviz.renderers.demo import demo_data, demo_parts
from adviz.renderers.demo_network import network_data
from adviz.renderers.templates import fill, intern_fragments
from adviz.text.mathml import Fragment


def number(quantity: str, index: int | None) -> float:
    """Any number will do: both templates are filled with the same ones."""
    return -1.5 if quantity in ("delta", "partial") else 2.25 + (index or 0)


def math_texts(data: dict[str, Any]) -> list[list[Any]]:
    """The scalar page's MathML templates: the walkthrough's cells and the captions."""
    table = data["table"]
    out = [table["title"]]
    rows = table["rows"]
    if isinstance(rows, dict):  # the page's: shared keys and rows
        rows = [dict(zip(rows["keys"], row, strict=True)) for row in rows["rows"]]
    for row in rows:
        out += [row["step"], *row["updates"]]
    for label, value in table["finals"]:
        out += [label, value]
    for phase in ("forward", "reverse"):
        out += data["titlesMath"][phase]
    return out


def walk(item: Any) -> list[Any]:
    found = []
    stack = [item]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        else:
            found.append(value)
    return found


EXAMPLES: dict[str, Callable[[], adviz.Trace]] = {
    "seed": lambda: adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2),
    "tape-edges": lambda: adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2,
                                      order="tape", granularity="edge"),
    "mlp": lambda: adviz.examples.mlp((2, 4, 1)),
    "hostile": lambda: adviz.trace(lambda x: adviz.name(x * 2.0, "</script><!--") + 1.0, x=1.0),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_page_s_texts_filled_from_its_fragments_are_the_texts(name: str) -> None:
    t = EXAMPLES[name]()
    made = demo_data(t, analytic=False)[0]  # templates with each fragment in place
    packed = demo_parts(t, analytic=False).data
    fragments = packed["fragments"]
    assert len(set(fragments)) == len(fragments) and fragments
    assert not any(type(v) is Fragment for v in walk(packed))
    expected = [fill(template, number, "mathml") for template in math_texts(made)]
    shown = [fill(template, number, "mathml", fragments) for template in math_texts(packed)]
    assert shown == expected
    # every fragment is used, and the MathML templates are where they are used
    used = {p for template in math_texts(packed) for p in template if type(p) is int}
    assert used == set(range(len(fragments)))
    # the texts in other notations carry no fragment numbers
    for phase in ("forward", "reverse"):
        for template in packed["titles"][phase] + packed["captions"][phase]:
            assert not any(type(p) is int for p in template)


def test_the_neuron_view_s_captions_filled_from_the_fragments_are_its_captions() -> None:
    t = adviz.examples.mlp((2, 3, 1))
    made = network_data(t)[0]["phases"]
    packed = demo_parts(t, view="network", analytic=False).data
    fragments = packed["fragments"]
    for phase in ("forward", "reverse"):
        expected = [fill(c, lambda q, i: 0.5, "mathml") for c in made[phase]["captions"]]
        shown = [fill(c, lambda q, i: 0.5, "mathml", fragments)
                 for c in packed["network"]["phases"][phase]["captions"]]
        assert shown == expected
        assert any(type(p) is int for c in packed["network"]["phases"][phase]["captions"]
                   for p in c)


def test_each_fragment_is_written_once_the_most_used_first() -> None:
    a, b, c = Fragment("<mi>a</mi>"), Fragment("<mi>b</mi>"), Fragment("<mi>c</mi>")
    shared = ["x", c, b]
    data = {"one": [a, "text", b, ["value", 0, 0]], "two": [[b, c], [b]], "same": shared,
            "again": shared, "numbers": [1, 2.5, None]}
    fragments = intern_fragments(data)
    assert fragments == ["<mi>b</mi>", "<mi>c</mi>", "<mi>a</mi>"]
    assert data["one"] == [2, "text", 0, ["value", 0, 0]]
    assert data["two"] == [[0, 1], [0]]
    assert data["same"] == ["x", 1, 0] and data["again"] is data["same"]
    assert data["numbers"] == [1, 2.5, None]  # numbers of the data are left alone
    assert intern_fragments({"none": ["<mi>a</mi>"]}) == []  # plain strings stay text


def test_fragments_make_the_math_texts_much_smaller() -> None:
    t = adviz.examples.mlp((2, 6, 6, 1))
    made = demo_data(t, analytic=False)[0]
    packed = demo_parts(t, analytic=False).data

    def size(item: Any) -> int:
        return len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode())

    before = size(made["table"]) + size(made["titlesMath"])
    after = size(packed["table"]) + size(packed["titlesMath"]) + size(packed["fragments"])
    assert after < 0.45 * before, (after, before)
