"""Focus and zoom: the focused paths are exactly adviz.paths', their sum is the adjoint
(checked against central finite differences), zoom opens exactly the scope's members."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

import adviz
import adviz.examples
from adviz.errors import InputError
from adviz.renderers import tikz
from adviz.renderers.svg import paint
from adviz.renderers.svg import painted as svg_painted
from adviz.scene.focus import focus_of, members, resolve_scope
from adviz.scene.picture import figure
from adviz.scene.style import THEMES, style_table
from tests.scene.test_style import contrast

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


def _path_edges(t: adviz.Trace, node: str) -> set[tuple[str, str]]:
    """The union of the edges of adviz.paths (an input) or of paths through the graph."""
    return {edge for p in adviz.paths(t, node) for edge in zip(p.nodes, p.nodes[1:])}


def _loss(values: dict[str, float]) -> float:
    """The 2-4-1 tanh network with squared error to 1, written out in plain floats."""
    hidden = [math.tanh(values[f"b1_{j}"] + values[f"w1_{j}1"] * values["x1"]
                        + values[f"w1_{j}2"] * values["x2"]) for j in range(1, 5)]
    out = math.tanh(values["b2_1"] + sum(values[f"w2_1{j}"] * hidden[j - 1]
                                         for j in range(1, 5)))
    return (out - 1.0) ** 2


def _central_difference(t: adviz.Trace, weight: str, h: float = 1e-6) -> float:
    """dy/dweight by central differences of `_loss` (independent of the trace's sweep)."""
    point = dict(t.inputs)
    assert math.isclose(_loss(point), t.value, rel_tol=1e-12)
    up, down = dict(point), dict(point)
    up[weight] += h
    down[weight] -= h
    return (_loss(up) - _loss(down)) / (2 * h)


@pytest.mark.parametrize("weight", ["w1_22", "b1_3", "w2_14", "x1"])
def test_highlighted_edges_are_the_union_of_the_paths(weight: str) -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, focus=weight, full=True)
    content = fig.frame("reverse", -1)
    highlighted = {key for key, view in content.edges.items() if view.state != "unfocused"}
    assert highlighted == _path_edges(t, weight)
    coloured = {n for n, view in content.nodes.items() if view.state != "unfocused"}
    assert coloured == {n for p in adviz.paths(t, weight) for n in p.nodes}


@pytest.mark.parametrize("weight", ["w1_22", "w1_11", "b2_1"])
def test_the_caption_sum_is_the_adjoint_and_the_finite_difference(weight: str) -> None:
    t = adviz.examples.mlp((2, 4, 1))
    focus = focus_of(t, weight)
    total = sum(p.product for p in focus.paths)
    assert math.isclose(total, t.grad[weight], rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(total, _central_difference(t, weight), rel_tol=1e-5,
                        abs_tol=1e-8)
    fig = figure(t, focus=weight)
    assert fig.caption.notice[0].startswith(f"g_{weight} = Σ over {len(focus.paths)} path")
    assert focus.line in " ".join(fig.caption.notice)


def test_the_seed_caption_sums_two_paths() -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    fig = figure(t, focus="x1")
    assert fig.caption.notice == ("g_x₁ = Σ over 2 paths = −2 + (−0.14112) = −2.14112",)
    svg = adviz.to_svg(t, "reverse", 3, focus="x1")
    assert "g_x₁ = Σ over 2 paths" in svg
    # x2 is on no path from x1; its edges neither
    frame = fig.frame("reverse", 3)
    assert frame.nodes["x2"].state == "unfocused"
    assert frame.edges["x2", "t1"].state == "unfocused"
    assert frame.nodes["t2"].state != "unfocused"


def test_an_intermediate_node_sums_its_paths_to_its_adjoint() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    focus = focus_of(t, "a1_2")
    assert math.isclose(sum(p.product for p in focus.paths), t.graph.nodes["a1_2"]["adjoint"])
    assert all(p.nodes[0] == "a1_2" and p.nodes[-1] == t.output for p in focus.paths)


def test_collapsed_boxes_carry_the_focused_paths() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, focus="w1_22")  # a large graph: its neurons are boxes
    content = fig.frame("reverse", -1)
    assert content.nodes["[neuron 2]"].state != "unfocused"
    assert content.nodes["[neuron 1]"].state == "unfocused"
    assert content.edges["w1_22", "[neuron 2]"].state != "unfocused"
    assert content.edges["w1_21", "[neuron 2]"].state == "unfocused"


def test_changes_replay_to_the_focused_frames() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, focus="w1_22", full=True)
    nodes: dict[str, object] = {}
    edges: dict[object, object] = {}
    for change, content in zip(fig.changes("reverse"), fig.frames("reverse"), strict=True):
        nodes.update(change.nodes)
        edges.update(change.edges)
        assert nodes == dict(content.nodes) and edges == dict(content.edges)


@pytest.mark.parametrize("theme", list(THEMES))
def test_svg_and_tikz_paint_the_focus_the_same(theme: str) -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, theme=theme, focus="w1_22")
    muted = fig.styles["edge"]["unfocused"]["colour"].lower()
    for phase in ("forward", "reverse"):
        for content in fig.frames(phase):
            records = svg_painted(paint(fig, content))
            got = tikz.painted(fig, content)
            assert got == {k: v for k, v in records.items() if k != "caption"}
            assert records["edge:w1_21->[neuron 2]"].stroke == muted


@pytest.mark.parametrize("name", list(THEMES))
def test_unfocused_numbers_stay_readable(name: str) -> None:
    table = style_table(THEMES[name])
    for kind, states in table["node"].items():
        style = states["unfocused"]
        assert contrast(style["text"], style["fill"]) >= 4.5, kind
    edge = table["edge"]["unfocused"]
    assert contrast(edge["text"], table["background"]) >= 4.5
    assert edge["layer"] < min(v["layer"] for k, v in table["edge"].items() if k != "unfocused")


def test_zoom_opens_exactly_the_scopes_members() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, zoom="neuron 2")
    inside = set(members(t, ("layer 1", "neuron 2")))
    drawn = set(fig.view.nodes)
    assert inside <= drawn
    scoped = {n.id for n in t.program.nodes if n.scope} - {t.output}
    assert (scoped & drawn) == inside  # every other scoped node is inside a box
    boxes = {n for n in drawn if n.startswith("[")}
    assert boxes == {"[neuron 1]", "[neuron 3]", "[neuron 4]", "[layer 2]", "[loss]"}
    assert figure(t, zoom="layer 1/neuron 2").view.nodes == fig.view.nodes


def test_zoom_and_focus_together_draw_the_paths_through_the_boxes() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    content = figure(t, zoom="neuron 2", focus="w1_22").frame("reverse", -1)
    assert content.nodes["t6"].state != "unfocused"
    assert content.nodes["t4"].state == "unfocused"
    assert content.nodes["[layer 2]"].state != "unfocused"


def test_errors_name_the_input_and_the_fix() -> None:
    t = adviz.examples.mlp((2, 2, 2, 1))
    with pytest.raises(InputError, match=r"'w1_23'.*close: 'w1_22'"):
        figure(t, focus="w1_23")
    with pytest.raises(InputError, match=r"ambiguous.*'layer 1/neuron 1', 'layer 2/neuron 1'"):
        figure(t, zoom="neuron 1")
    with pytest.raises(InputError, match="not a scope"):
        resolve_scope(t, "neuron 9")
    with pytest.raises(InputError, match="collapse="):
        figure(t, zoom="layer 2/neuron 1", collapse=["loss"])
    with pytest.raises(InputError, match="focus"):
        adviz.save(t, "never.svg", focus=3)  # type: ignore[arg-type]


def test_every_writer_and_face_takes_focus_and_zoom_from_one_declaration() -> None:
    from adviz.writers import writers
    from adviz.writers.options import FOCUS, ZOOM

    for name in ("svg", "html", "gif", "mp4", "webp", "png", "pdf", "tex", "pptx"):
        writer = writers()[name]
        assert writer.option("focus") is FOCUS and writer.option("zoom") is ZOOM, name
    assert writers()["demo"].option("focus") is FOCUS  # the demonstration draws every node


# ---------------------------------------------------------------- the neuron view

def _element(net: adviz.Network, node: str) -> str | tuple[str, str]:
    """Which circle or edge of the neuron view holds a scalar node, read off the network's
    structure: a weight its edge, a neuron's scope and bias its circle, the rest the loss."""
    for neuron in net.neurons:
        if node in neuron.weights:
            return (neuron.inputs[neuron.weights.index(node)], neuron.activation)
        if node in neuron.nodes or node == neuron.bias:
            return neuron.activation
    return node if node in net.inputs else net.loss


def _expected_elements(t: adviz.Trace, node: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The circles and edges on the paths `adviz.paths` (or `paths_from`) lists."""
    from adviz.core.pathsum import paths_from

    net = t.network
    found = adviz.paths(t, node) if node in t.grad else paths_from(t, node)
    circles: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for p in found:
        held = [_element(net, n) for n in p.nodes]
        for where in held:
            if isinstance(where, tuple):
                edges.add(where)
            else:
                circles.add(where)
        for a, b in itertools.pairwise(held):
            if isinstance(a, str) and isinstance(b, str) and a != b:
                edges.add((a, b))
    return circles, edges


@pytest.mark.parametrize(("sizes", "node"), [
    ((2, 4, 1), "w1_22"), ((2, 4, 1), "b1_3"), ((2, 4, 1), "x1"), ((2, 4, 1), "a1_2"),
    ((2, 3, 2, 1), "w2_12"), ((2, 3, 2, 1), "z1_3"), ((2, 3, 2, 1), "t5")])
def test_the_neuron_view_keeps_exactly_the_paths_elements(sizes: tuple[int, ...],
                                                           node: str) -> None:
    t = adviz.examples.mlp(sizes)
    fig = figure(t, view="network", focus=node)
    circles, edges = _expected_elements(t, node)
    assert circles and edges
    for phase in ("forward", "reverse", "summary"):
        for content in fig.frames(phase):
            kept = {n for n, v in content.nodes.items() if v.state != "unfocused"}
            assert kept == circles, (phase, content.index)
            assert {e for e, v in content.edges.items() if v.state != "unfocused"} == edges
    assert fig.stage_count("reverse") == figure(t, view="network").stage_count("reverse")


@pytest.mark.parametrize("weight", ["w1_22", "w2_13", "b2_1"])
def test_the_neuron_view_caption_sums_to_the_adjoint_and_the_difference(weight: str) -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, view="network", focus=weight)
    focus = focus_of(t, weight)
    line = " ".join(fig.caption.notice)
    assert line == focus.line and line.startswith(f"g_{weight} = Σ over ")
    total = sum(p.product for p in focus.paths)
    assert math.isclose(total, t.grad[weight], rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(total, _central_difference(t, weight), rel_tol=1e-5, abs_tol=1e-8)
    svg = adviz.to_svg(t, view="network", focus=weight)
    assert line in svg and svg != adviz.to_svg(t, view="network")


def test_the_neuron_view_changes_replay_to_its_focused_frames() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, view="network", focus="w1_22")
    for phase in ("forward", "reverse"):
        nodes: dict[str, object] = {}
        edges: dict[object, object] = {}
        for change, content in zip(fig.changes(phase), fig.frames(phase), strict=True):
            nodes.update(change.nodes)
            edges.update(change.edges)
            assert nodes == dict(content.nodes) and edges == dict(content.edges)


def test_zoom_in_the_neuron_view_draws_the_neurons_scalar_graph_at_its_stages() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, view="network", zoom="neuron 2")
    assert fig.view.nodes == figure(t, zoom="layer 1/neuron 2").view.nodes
    network_fig = figure(t, view="network")
    scalar = figure(t, zoom="layer 1/neuron 2")
    inside = members(t, ("layer 1", "neuron 2"))
    for phase in ("forward", "reverse"):
        count = network_fig.stage_count(phase)
        assert fig.stage_count(phase) == count
        frames = list(fig.frames(phase))
        assert [f.title for f in frames] == [f.title for f in network_fig.frames(phase)]
        for k, content in enumerate(frames):  # the scalar frame at the mapped stage
            mapped = scalar.frame(phase, fig.stages[phase][k])
            assert content.nodes == mapped.nodes and content.edges == mapped.edges
    # the zoomed neuron's inner nodes get their gradient exactly at its own stage
    stage = [f.title.split(":")[0] for f in network_fig.frames("reverse")].index(
        "neuron 2 of layer 1")
    before, at = fig.frame("reverse", stage - 1), fig.frame("reverse", stage)
    assert all(before.nodes[n].state in ("muted", "receiving") for n in inside if n != "a1_2")
    assert all(at.nodes[n].state == "done" for n in inside)
    # ... and each forward stage shows every scalar stage's values up to its layer
    assert fig.frame("forward", 1).nodes["a1_2"].state != "muted"
    assert fig.frame("forward", 0).nodes["a1_2"].state == "muted"


def test_zoom_and_focus_in_the_neuron_view_and_their_refusals(tmp_path: Path) -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, view="network", zoom="neuron 2", focus="w1_22")
    content = fig.frame("reverse", -1)
    assert content.nodes["t6"].state != "unfocused" and content.nodes["t4"].state == "unfocused"
    assert fig.caption.notice[0].startswith(focus_of(t, "w1_22").line)
    svg = adviz.to_svg(t, view="network", zoom="neuron 2", focus="w1_22", stage=3)
    assert "neuron 2 of layer 1" in svg and "Σ over 1 path" in svg
    with pytest.raises(InputError, match=r"phase='tangent' does not apply to view='network'"):
        fig.frame("tangent", 0)
    with pytest.raises(InputError, match=r"output=.* does not apply to view='network'"):
        figure(t, view="network", focus="w1_22", output="y")
    with pytest.raises(InputError, match="not a scope"):
        figure(t, view="network", zoom="neuron 9")
    with pytest.raises(InputError, match="not a network"):
        figure(adviz.trace(SEED, x1=1, x2=2), view="network", focus="x1")


def test_every_format_paints_the_focused_neuron_view(tmp_path: Path) -> None:
    t = adviz.examples.mlp((2, 2, 1))
    line = focus_of(t, "w1_22").line
    frames = adviz.save_frames(t, tmp_path / "frames", view="network", focus="w1_22")
    assert len(frames) == figure(t, view="network").stage_count("forward") + \
        figure(t, view="network").stage_count("reverse")
    assert all(line in p.read_text(encoding="utf-8") for p in frames)
    tex = Path(adviz.save(t, tmp_path / "net.tex", view="network", focus="w1_22"))
    assert r"$\Sigma$ over 1 path" in tex.read_text(encoding="utf-8")


def test_focus_on_a_trace_with_several_outputs_takes_the_chosen_one() -> None:
    t = adviz.trace(lambda a, b: (a * b, adviz.sin(a * b)), a=2.0, b=3.0)
    with pytest.raises(adviz.TraceError, match=r"takes one output.*output='y1'"):
        figure(t, focus="a")
    for output in ("y1", "y2", 2):
        fig = figure(t, focus="a", output=output)
        chosen = fig.trace.output
        h = 1e-6

        def f(a: float, chosen: str = chosen) -> float:
            return a * 3.0 if chosen == "y1" else math.sin(a * 3.0)

        total = sum(p.product for p in focus_of(t, "a", output).paths)
        assert math.isclose(total, (f(2.0 + h) - f(2.0 - h)) / (2 * h), rel_tol=1e-6)
        assert math.isclose(total, t.jacobian[chosen]["a"], rel_tol=1e-12)
        content = fig.frame("reverse", -1)
        other = "y1" if chosen == "y2" else "y2"
        assert content.nodes[other].state == "unfocused"
        assert content.nodes[chosen].state != "unfocused"
    svg = adviz.to_svg(t, focus="a", output="y2")
    assert focus_of(t, "a", "y2").line in svg
