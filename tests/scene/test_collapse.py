"""Collapsed scopes: one box per scope, merged edges with summed contributions, same gradient."""

from __future__ import annotations

import contextlib
import math
import random
import xml.etree.ElementTree as ET

import pytest

import adviz
from adviz.errors import InputError
from adviz.examples import network
from adviz.scene.collapse import collapsed_view, scope_labels
from adviz.scene.content import frame, frame_count
from adviz.scene.layout import compute_layout
from adviz.scene.view import flow_lines, graph_view, sum_line, view_frame

SVG = "{http://www.w3.org/2000/svg}"


def _apply(op: str, u, v):
    if op == "add":
        return u + v
    if op == "mul":
        return u * v
    if op == "sub":
        return u - v
    return adviz.sin(u) if op == "sin" else adviz.tanh(u)


def random_scoped_trace(seed: int, size: int = 14) -> adviz.Trace:
    """A random graph whose ops sit in random (sometimes nested, sometimes repeated) scopes."""
    rng = random.Random(seed)
    plan = []
    for _ in range(size):
        op = rng.choice(["add", "mul", "sub", "sin", "tanh"])
        scope = rng.choice([(), ("s1",), ("s2",), ("s1", "inner"), ("s3",), ("s3", "inner")])
        plan.append((op, scope, rng.random(), rng.random()))

    def f(a, b, c):
        pool = [a, b, c]
        for op, scope, r1, r2 in plan:
            u, v = pool[int(r1 * len(pool))], pool[int(r2 * len(pool))]
            with contextlib.ExitStack() as stack:
                for label in scope:
                    stack.enter_context(adviz.scope(label))
                value = _apply(op, u, v)
            pool.append(value)
        total = pool[-1]
        for value in pool[-4:-1]:
            total = total + value
        return total

    return adviz.trace(f, a=0.3, b=-0.7, c=1.1)


def check_flows(t: adviz.Trace, labels: list[str]) -> None:
    view = collapsed_view(t, labels)
    graph = t.graph
    # every node is drawn once: itself or its box
    assert set(view.owner) == set(graph.nodes)
    assert set(view.nodes) == set(view.owner.values())
    # inputs and the output are never hidden
    for name in (*t.grad, t.output):
        assert view.owner[name] == name
    # each input's merged outgoing contributions sum to its gradient
    for name, gradient in t.grad.items():
        total = sum(e.contribution or 0.0 for e in view.edges.values() if e.parent == name)
        assert math.isclose(total, gradient, rel_tol=1e-12, abs_tol=1e-12), name
    # every merged edge sums its underlying contributions
    for edge in view.edges.values():
        values = [graph.edges[e]["contribution"] for e in edge.edges]
        assert math.isclose(edge.contribution or 0.0, sum(v or 0.0 for v in values),
                            rel_tol=1e-12, abs_tol=1e-12)
        assert all(view.owner[p] == edge.parent and view.owner[c] == edge.child
                   for p, c in edge.edges)
    # flows across each box border equal the underlying contributions crossing it
    for box_id, box in view.boxes.items():
        members = set(box.members)
        leaving = sum(d["contribution"] or 0.0 for p, c, d in graph.edges(data=True)
                      if p in members and c not in members)
        entering = sum(d["contribution"] or 0.0 for p, c, d in graph.edges(data=True)
                       if c in members and p not in members)
        assert math.isclose(view.inflow(box_id), leaving, rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(view.outflow(box_id), entering, rel_tol=1e-12, abs_tol=1e-12)
    # every edge of the trace is either merged or inside one box
    merged = {e for edge in view.edges.values() for e in edge.edges}
    for p, c in graph.edges:
        assert ((p, c) in merged) != (view.owner[p] == view.owner[c])


def test_network_neurons_collapse_with_the_same_gradient() -> None:
    t = network()
    labels = [label for label in scope_labels(t) if label.startswith("neuron")]
    check_flows(t, labels)
    view = collapsed_view(t, labels)
    assert [b.label for b in view.boxes.values()] == ["neuron 1", "neuron 2", "neuron 3",
                                                      "neuron 4"]
    assert all(len(b.members) == 5 for b in view.boxes.values())


@pytest.mark.parametrize("seed", range(12))
def test_random_scoped_graphs_keep_gradients_and_flows(seed: int) -> None:
    t = random_scoped_trace(seed)
    labels = list(scope_labels(t))
    for chosen in (labels, labels[:1], ["inner"] if "inner" in labels else labels[-1:]):
        check_flows(t, chosen)


def test_same_label_under_two_scopes_gives_two_boxes() -> None:
    def f(x):
        with adviz.scope("a"):
            with adviz.scope("inner"):
                u = adviz.sin(x)
        with adviz.scope("b"):
            with adviz.scope("inner"):
                v = adviz.cos(x)
        return u * v

    t = adviz.trace(f, x=0.4)
    view = collapsed_view(t, ["inner"])
    assert [(b.id, b.scope) for b in view.boxes.values()] == [
        ("[inner]", ("a", "inner")), ("[inner] (2)", ("b", "inner"))]
    assert view.scopes["[inner]"] == ("a",) and view.scopes["[inner] (2)"] == ("b",)
    layout = compute_layout(t, collapse=["inner"])
    assert [c.label for c in layout.clusters.values()] == ["a", "b"]
    check_flows(t, ["inner"])


def test_unknown_scope_is_an_input_error() -> None:
    t = network()
    with pytest.raises(InputError, match="not a scope.*neuron 1"):
        collapsed_view(t, ["neuron 9"])
    with pytest.raises(InputError):
        adviz.to_svg(t, collapse=["neuron 9"])


def test_collapsed_frames_show_running_sums_that_end_at_the_totals() -> None:
    t = network()
    labels = ["neuron 1", "neuron 2", "neuron 3", "neuron 4"]
    view = graph_view(t, labels)
    collapsed = view.collapsed
    assert collapsed is not None
    last = view_frame(t, view, frame(t, "reverse", -1))
    for box_id in collapsed.boxes:
        lines = [line.text for line in last.nodes[box_id].lines]
        assert lines[2:] == list(flow_lines(collapsed.inflow(box_id), collapsed.outflow(box_id)))
    for key, edge in collapsed.edges.items():
        if edge.merged:
            assert [line.text for line in last.edges[key].lines] == [sum_line(edge.contribution)]
    summary = view_frame(t, view, frame(t, "summary"))
    for name, gradient in t.grad.items():
        assert summary.nodes[name].lines[-1].text == adviz.text.labels.adjoint_line(gradient)
    # every frame's nodes and edges are the view's, and fit the reserved lines
    for phase in ("forward", "reverse", "summary"):
        for k in range(frame_count(t, phase)):
            content = view_frame(t, view, frame(t, phase, k))
            assert tuple(content.nodes) == view.nodes
            assert tuple(content.edges) == view.edges
            for node, node_view in content.nodes.items():
                assert len(node_view.lines) <= len(view.node_lines[node])


def test_box_state_follows_its_members() -> None:
    t = network()
    view = graph_view(t, ["neuron 1"])
    states = []
    for k in range(frame_count(t, "forward")):
        states.append(view_frame(t, view, frame(t, "forward", k)).nodes["[neuron 1]"].state)
    assert states[0] == "muted" and "active" in states and states[-1] == "done"


def test_collapsed_svg_draws_one_box_and_keeps_the_gradient() -> None:
    t = network()
    svg = adviz.to_svg(t, "summary", collapse=["hidden layer"])
    root = ET.fromstring(svg)
    nodes = {g.find(f"{SVG}title").text: g for g in root.iter(f"{SVG}g")
             if g.get("class") == "node"}
    assert "[hidden layer]" in nodes and "t1" not in nodes
    texts = [t.text for t in nodes["[hidden layer]"].iter(f"{SVG}text")]
    assert texts[0] == "hidden layer" and texts[1] == "20 nodes hidden"
    for name, gradient in t.grad.items():
        shown = [t.text for t in nodes[name].iter(f"{SVG}text")]
        assert adviz.text.labels.adjoint_line(gradient) in shown
    edges = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    assert "x1->[hidden layer]" in edges
    assert len(edges) == len(set(edges))


def test_save_frames_with_collapse(tmp_path) -> None:
    t = network()
    paths = adviz.save_frames(t, tmp_path, phase="reverse", collapse=["output neuron"])
    assert len(paths) == frame_count(t, "reverse")
    assert all("[output neuron]" in p.read_text(encoding="utf-8") for p in paths)
