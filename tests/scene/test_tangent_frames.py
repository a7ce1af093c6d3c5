"""Forward-mode (tangent) frames: what each stage shows, checked against finite differences."""

from __future__ import annotations

import math

import pytest

import adviz
import adviz.examples
import adviz.text.tokens
from adviz.scene.content import Line, frame, frame_count
from adviz.scene.picture import figure
from adviz.text.labels import text_width
from adviz.text.tokens import Num

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


def _number(line: Line, quantity: str) -> float:
    """The number a line shows for ``quantity`` (read from its tokens, not its text)."""
    assert line.tokens is not None
    found = [t.value for t in line.tokens.tokens
             if isinstance(t, Num) and t.key is not None and t.key.startswith(quantity + ":")]
    assert len(found) == 1, line.text
    return found[0]


def _central(expression: str, point: dict[str, float], seed: dict[str, float],
             h: float = 1e-6) -> dict[str, float]:
    """Every node's derivative along ``seed`` by central differences of its value."""
    up = adviz.trace(expression, {n: v + h * seed.get(n, 0.0) for n, v in point.items()})
    down = adviz.trace(expression, {n: v - h * seed.get(n, 0.0) for n, v in point.items()})
    return {n: (up.graph.nodes[n]["value"] - down.graph.nodes[n]["value"]) / (2 * h)
            for n in up.graph.nodes}


CASES = [
    (SEED, {"x1": 1.0, "x2": 2.0}, {"x2": 1.0}),
    (SEED, {"x1": 1.0, "x2": 2.0}, {"x1": 1.0, "x2": -0.5}),
    ("tanh(w1*x1 + w2*x2 + b) * exp(-x1)", {"w1": 0.5, "x1": 1.0, "w2": -1.0, "x2": 2.0,
                                            "b": 0.1}, {"w2": 1.0}),
    ("log(a*a + 1) / (a + b) + a*b*b", {"a": 0.7, "b": -1.3}, {"a": 1.0}),
]


@pytest.mark.parametrize(("expression", "point", "seed"), CASES)
def test_each_stage_shows_the_tangent_of_its_node(expression: str, point: dict[str, float],
                                                  seed: dict[str, float]) -> None:
    t = adviz.trace(expression, point)
    reference = _central(expression, point, seed)
    count = frame_count(t, "tangent")
    assert count == len(t.forward_stages)
    shown: set[str] = set()
    for k in range(count):
        content = frame(t, "tangent", k, seed=seed)
        active = [n for n, v in content.nodes.items() if v.state == "active"]
        assert active == list(t.forward_stages[k].nodes)  # stage k concerns forward stage k's
        for node, view in content.nodes.items():
            tangents = [line for line in view.lines if line.role == "tangent"]
            if node in active:
                shown.add(node)
            if node not in shown:
                assert not tangents and view.state == "muted"
                continue
            (line,) = tangents
            assert math.isclose(_number(line, "tangent"), reference[node], rel_tol=1e-6,
                                abs_tol=1e-6), (k, node)
            assert line.text.startswith(adviz.text.tokens.Tangent(node).unicode() + " = ")
        for (parent, child), view in content.edges.items():
            if child in active and k > 0 and t.graph.nodes[parent]["kind"] != "const":
                assert view.state == "tangent" and view.toward_parent is False
                partial, product = view.lines
                assert (partial.role, product.role) == ("partial", "tangent")
                expected = t.graph.edges[parent, child]["partial"] * reference[parent]
                assert math.isclose(_number(product, "product"), expected, rel_tol=1e-6,
                                    abs_tol=1e-6)
            else:
                assert view.state in ("pending", "done")
    assert shown == set(t.graph.nodes)


def test_caption_names_the_seed_and_sums_the_terms() -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    titles = [c.title for c in figure(t, seed="x1").frames("tangent")]
    assert titles[0] == "Stage 0 of 5 — forward mode, seed ẋ₁ = 1, ẋ₂ = 0"
    assert all(title.startswith(f"Stage {k} of 5 — forward mode, seed ẋ₁ = 1, ẋ₂ = 0")
               for k, title in enumerate(titles))
    assert titles[5].endswith(": ẏ = ṫ₂ · ∂y/∂t₂ + ṫ₄ · ∂y/∂t₄ = −2 · 1 + (−0.14112) · 1 "
                              "= −2.14112")
    assert figure(t).seed == {"x1": 1.0, "x2": 0.0}  # the default seed: the first input


def test_every_seed_fits_the_room_reserved_for_it() -> None:
    """Node boxes and edge labels are sized once; each input's unit seed fits them."""
    from adviz.scene.view import graph_view

    t = adviz.trace("tanh(w1*x1 + w2*x2 + b) * exp(-x1)", w1=0.5, x1=1, w2=-1, x2=2, b=0.1)
    view = graph_view(t)
    for seed in t.graph.graph["inputs"]:
        fig = figure(t, seed=seed)
        for content in fig.frames("tangent"):
            for node, node_view in content.nodes.items():
                for line, room in zip(node_view.lines, view.node_lines[node], strict=False):
                    assert text_width(line.text, line.size) <= text_width(room, line.size)
            for key, edge_view in content.edges.items():
                for line, room in zip(edge_view.lines, view.edge_lines[key], strict=False):
                    assert text_width(line.text, line.size) <= text_width(room, line.size)
            assert len(fig.caption_lines(content.title)) + len(fig.caption.notice) <= \
                fig.caption.lines


def test_collapsed_and_compact_views_show_tangents() -> None:
    net = adviz.examples.network()
    fig = figure(net, seed=net.graph.graph["inputs"][0])  # large: collapsed by default
    last = fig.frame("tangent", -1)
    assert any(v.state == "tangent" for v in last.edges.values())
    output = last.nodes[net.output]
    assert [line.role for line in output.lines][-1] == "tangent"


def test_a_seed_for_an_unknown_input_is_refused() -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    with pytest.raises(adviz.InputError, match="the seed names 'x3'"):
        figure(t, seed="x3")
    with pytest.raises(adviz.InputError, match="seed does not apply to phase 'reverse'"):
        adviz.to_svg(t, "reverse", seed="x1")
