"""Leaves that feed only one collapsed box are drawn inside it (``absorb_leaves``); a zoom
does this, so its size grows with the zoomed neuron, not with the network."""

from __future__ import annotations

import math

import pytest

import adviz
import adviz.examples
from adviz.core.network import network
from adviz.scene.collapse import collapsed_view
from adviz.scene.content import frame
from adviz.scene.focus import zoom_collapse
from adviz.scene.network import zoom_figure
from adviz.scene.view import flow_lines, graph_view, sum_line, view_frame


def scoped(x, w1, w2, b, s):
    with adviz.scope("a"):
        u = adviz.tanh(w1 * x + b) * s
    with adviz.scope("b"):
        v = adviz.sin(u * w2 + s)
    return v * x + u


def reference(x, w1, w2, b, s):
    """``scoped`` on plain floats, for finite differences."""
    u = math.tanh(w1 * x + b) * s
    return math.sin(u * w2 + s) * x + u


VALUES = {"x": 0.7, "w1": -1.3, "w2": 0.4, "b": 0.25, "s": 1.9}


def _trace() -> adviz.Trace:
    return adviz.trace(scoped, **VALUES)


def _inside(t: adviz.Trace, label: str) -> set[str]:
    """The box's members found from the scopes and the graph's edges alone: the scope's
    nodes and the inputs all of whose children are among them."""
    inside = {n.id for n in t.program.nodes if label in n.scope}
    inputs = {t.program.nodes[i].id for i in t.program.inputs}
    for leaf in inputs:
        children = set(t.graph.successors(leaf))
        if children and children <= inside:
            inside.add(leaf)
    return inside


def test_leaves_feeding_only_one_box_are_its_members() -> None:
    t = _trace()
    view = collapsed_view(t, ["a", "b"], absorb_leaves=True)
    box_a, box_b = view.boxes["[a]"], view.boxes["[b]"]
    assert {"w1", "b"} <= set(box_a.members) and "w2" in box_b.members
    assert set(box_a.members) == _inside(t, "a") and set(box_b.members) == _inside(t, "b")
    # x feeds box a and an open node, s feeds two boxes: both stay drawn; so does the output
    unscoped = [n.id for n in t.program.nodes if not n.scope and n.id not in VALUES]
    assert [n for n in view.nodes if n in t.program.index] == ["x", "s", *unscoped]
    assert unscoped[-1] == "y"
    assert view.owner["w1"] == "[a]" and view.owner["w2"] == "[b]"
    order = t.program.index
    for box in (box_a, box_b):
        assert list(box.members) == sorted(box.members, key=order.__getitem__)
    # default: every input drawn, as before
    plain = collapsed_view(t, ["a", "b"])
    assert {"x", "w1", "w2", "b", "s"} <= set(plain.nodes)
    assert not any(leaf in box.members for box in plain.boxes.values()
                   for leaf in ("w1", "w2", "b"))


def test_box_lines_sum_the_edges_crossing_the_border() -> None:
    t = _trace()
    view = graph_view(t, ["a", "b"], absorb_leaves=True)
    collapsed = view.collapsed
    assert collapsed is not None and view.absorb_leaves
    last = view_frame(t, view, frame(t, "reverse", -1))
    graph = t.graph
    for box_id, label in (("[a]", "a"), ("[b]", "b")):
        inside = _inside(t, label)
        # contributions g_child * d child / d parent, from the graph's adjoints and partials
        leaving = [(p, c) for p, c in graph.edges if p in inside and c not in inside]
        entering = [(p, c) for p, c in graph.edges if p not in inside and c in inside]
        assert entering and leaving
        into = sum(graph.nodes[c]["adjoint"] * graph.edges[p, c]["partial"]
                   for p, c in leaving)
        out = sum(graph.nodes[c]["adjoint"] * graph.edges[p, c]["partial"]
                  for p, c in entering)
        assert math.isclose(collapsed.inflow(box_id), into, abs_tol=1e-12)
        assert math.isclose(collapsed.outflow(box_id), out, abs_tol=1e-12)
        lines = [line.text for line in last.nodes[box_id].lines]
        assert lines[2:] == list(flow_lines(into, out))
    # the weights' edges are inside their boxes: no edge is drawn from them
    assert not any("w1" in key or "w2" in key or "b" in key for key in view.edges)
    for key, edge in collapsed.edges.items():
        if edge.merged:
            total = sum(graph.nodes[c]["adjoint"] * graph.edges[p, c]["partial"]
                        for p, c in edge.edges)
            assert [line.text for line in last.edges[key].lines] == [sum_line(total)]


def test_the_drawn_gradient_stays_the_finite_difference() -> None:
    t = _trace()
    view = graph_view(t, ["a", "b"], absorb_leaves=True)
    summary = view_frame(t, view, frame(t, "summary"))
    h = 1e-6
    for name in ("x", "s"):  # the inputs still drawn show their true gradient
        up = dict(VALUES, **{name: VALUES[name] + h})
        down = dict(VALUES, **{name: VALUES[name] - h})
        numeric = (reference(**up) - reference(**down)) / (2 * h)
        assert math.isclose(t.grad[name], numeric, rel_tol=1e-6, abs_tol=1e-8)
        assert summary.nodes[name].lines[-1].text == adviz.text.labels.adjoint_line(
            t.grad[name])


@pytest.mark.parametrize("zoom", ["layer 1/neuron 2", "layer 2/neuron 5", "layer 3/neuron 1"])
def test_each_zoom_of_the_2_16_16_1_network_grows_with_the_neuron(zoom: str) -> None:
    t = adviz.examples.mlp((2, 16, 16, 1))
    fig = zoom_figure(t, zoom)
    collapsed = fig.view.collapsed
    assert collapsed is not None and fig.view.absorb_leaves
    assert len(collapsed.boxes) >= len(zoom_collapse(t, zoom))
    fan_in = 16
    assert len(fig.view.nodes) <= 2 * fan_in + 2 * (16 + 16 + 1) + 10
    # the zoomed neuron's own weights and bias stay drawn, outside every box
    net = network(t)
    layer, neuron = (int(part.split()[-1]) for part in zoom.split("/"))
    own = net.layers[layer - 1].neurons[neuron - 1]
    for leaf in (*own.weights, own.bias):
        assert leaf in fig.view.nodes
    # every other weight and bias is inside the box of the neuron that reads it
    for other in (n for lay in net.layers for n in lay.neurons if n is not own):
        for leaf in (*other.weights, other.bias):
            assert leaf not in fig.view.nodes
            assert collapsed.owner[leaf] == collapsed.owner[other.pre]
    # the same network's zoom without absorbing draws every weight: ~360 nodes
    plain = graph_view(t, fig.view.collapse, fig.view.compact)
    assert len(plain.nodes) > 300
