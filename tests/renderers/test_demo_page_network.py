"""The demonstration page's neuron view (``view="network"``): its data, without a browser.

The page's script fills each line and caption template with the values and
adjoints it computes; here the same templates are filled, in Python, with the
numbers of a trace retraced at another point, and must give that trace's own
neuron-view frames (`adviz.scene.network.network_figure`) stage by stage.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

import adviz
import adviz.examples
from adviz.errors import InputError
from adviz.renderers.demo import demo_html
from adviz.renderers.demo_network import network_data, table_stages
from adviz.scene.content import Frame, Line
from adviz.scene.focus import focus_of
from adviz.scene.network import NetworkLines, network_figure
from adviz.text.mathml import mathml_text
from adviz.text.network import short
from adviz.text.tokens import number_text
from tests.conftest import same_text


def page_data(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" class="adviz-data">(.*?)</script>',
                      page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def filled(template: list[Any], trace: adviz.Trace, fragments: list[str] | None = None) -> str:
    """A template's text with the numbers of ``trace`` and the page's shared ``fragments``
    (what the page's script does)."""
    nodes = trace.program.nodes
    out = ""
    for piece in template:
        if isinstance(piece, str):
            out += piece
            continue
        if isinstance(piece, int):
            assert fragments is not None, "a fragment number outside a MathML text"
            out += fragments[piece]
            continue
        quantity, index, parens, rounded = piece
        node = nodes[index].id
        value = float(trace.graph.nodes[node]["value"]) if quantity == "value" else \
            float(trace.adjoints.get(node, 0.0))
        out += number_text(short(value) if rounded else value, "unicode", bool(parens))
    return out


def replayed(data: dict[str, Any], phase: str, stage: int, trace: adviz.Trace
             ) -> dict[str, Any]:
    """Every element's state and lines at a stage, replayed from the page's changes."""
    net = data["network"]
    states, lines, scene = net["states"], net["lines"], net["scene"]
    shown: dict[str, Any] = {}
    for k in range(stage + 1):
        nodes, edges = net["phases"][phase]["stages"][k]
        for change in nodes:
            shown[f"node:{scene['nodes'][change[0]][0]}"] = [
                states[change[1]], [filled(lines[r][2], trace) for r in change[2:]]]
        for change in edges:
            edge = scene["edges"][change[0]]
            shown[f"edge:{edge[0]}->{edge[1]}"] = [
                states[change[1]], bool(change[2]),
                [filled(lines[r][2], trace) for r in change[3:]]]
    return shown


def _where(lines: NetworkLines, line: Line) -> tuple[str, Any]:
    """Which of a figure's lines ``line`` is: the table holding it and its key there."""
    for table in fields(lines):
        for key, candidate in getattr(lines, table.name).items():
            if candidate is line:
                return table.name, key
    raise AssertionError(f"{line.text!r} is none of the figure's lines")


def shown(frame: Frame) -> dict[str, Any]:
    out: dict[str, Any] = {f"node:{n}": [v.state, [line.text for line in v.lines]]
                           for n, v in frame.nodes.items()}
    out.update({f"edge:{p}->{c}": [v.state, v.toward_parent, [line.text for line in v.lines]]
                for (p, c), v in frame.edges.items()})
    return out


def expected(traced: adviz.Trace, at: adviz.Trace, phase: str, stage: int,
             granularity: str) -> dict[str, Any]:
    """The neuron view's frame at a stage as the page keeps it: the traced point's layout
    (it decides which lines each element shows, where labels fit), with the texts the trace
    at the page's point gives those lines, and that trace's states. When the trace at the
    page's point has the same layout, that is exactly its own frame."""
    old = network_figure(traced, granularity=granularity)
    new = network_figure(at, granularity=granularity)
    frame, now = old.frame(phase, stage), new.frame(phase, stage)

    def texts(lines: tuple[Line, ...]) -> list[str]:
        out = []
        for line in lines:
            table, key = _where(old.lines, line)
            out.append(getattr(new.lines, table)[key].text)
        return out

    result: dict[str, Any] = {f"node:{n}": [now.nodes[n].state, texts(v.lines)]
                              for n, v in frame.nodes.items()}
    result.update({f"edge:{p}->{c}": [now.edges[p, c].state, v.toward_parent, texts(v.lines)]
                   for (p, c), v in frame.edges.items()})
    if new.labelled == old.labelled:
        assert result == shown(now)
    return result


CASES = [((2, 4, 1), "tanh", "neuron"), ((2, 8, 1), "sigmoid", "neuron"),
         ((2, 3, 2), "relu", "layer")]


@pytest.mark.parametrize(("sizes", "activation", "granularity"), CASES)
def test_templates_at_other_points_give_the_frames_of_the_trace_there(
        sizes: tuple[int, ...], activation: str, granularity: str) -> None:
    t = adviz.examples.mlp(sizes, activation)
    data = page_data(demo_html(t, view="network", granularity=granularity, analytic=False))
    phases = data["network"]["phases"]
    rng = random.Random(f"network-demo-{sizes}")
    points = [dict(t.inputs)]
    for _ in range(2):
        point = dict(t.inputs)
        for name in ("x1", "x2", "w1_11", "b1_1"):
            point[name] = round(point[name] + rng.uniform(-1.5, 1.5), 3)
        points.append(point)
    for point in points:
        at = t.retrace(point)
        fig = network_figure(at, granularity=granularity)
        for phase in ("forward", "reverse"):
            assert len(phases[phase]["stages"]) == fig.stage_count(phase)
            for k in range(fig.stage_count(phase)):
                assert replayed(data, phase, k, at) == expected(t, at, phase, k, granularity)
                title = fig.frame(phase, k).title
                assert filled(phases[phase]["titles"][k], at) == title
                markup = filled(phases[phase]["captions"][k], at, data["fragments"])
                assert same_text(title, mathml_text(markup)), (phase, k)


def test_crowded_columns_round_the_numbers_they_recompute() -> None:
    t = adviz.examples.mlp((2, 8, 1))
    data, _, fig = network_data(t)
    rounded = [row for row in data["lines"] if any(
        isinstance(p, list) and p[3] for p in row[2])]
    assert {fig.trace.program.nodes[p[1]].id for row in rounded for p in row[2]
            if isinstance(p, list)} == set(fig.columns[1].nodes)


def test_each_stage_lists_only_what_it_changes() -> None:
    """The page grows with elements + changes: stage 0 lists every element, then each stage
    only the elements whose state or text differ from the stage before."""
    t = adviz.examples.mlp((2, 6, 6, 1))
    data, _, fig = network_data(t)
    elements = len(fig.view.nodes) + len(fig.view.edges)
    for phase in ("forward", "reverse"):
        stages = data["phases"][phase]["stages"]
        frames = list(fig.frames(phase))
        assert sum(map(len, stages[0])) == elements
        for k in range(1, len(frames)):
            differ = sum(frames[k].nodes[n] != frames[k - 1].nodes[n] for n in fig.view.nodes)
            differ += sum(frames[k].edges[e] != frames[k - 1].edges[e] for e in fig.view.edges)
            assert sum(map(len, stages[k])) == differ


def test_walkthrough_rows_are_reached_with_their_neuron() -> None:
    t = adviz.examples.mlp((2, 2, 1))
    fig = network_figure(t)
    stages = table_stages(t, fig)
    net = t.network
    finishing = {"a2_1": 1, "a1_1": 2, "a1_2": 3}
    for k, stage in enumerate(t.reverse_stages):
        neuron = net.neuron_of(stage.node)
        assert stages["reverse"][k] == (0 if neuron is None else finishing[neuron.activation])
    for k, stage in enumerate(t.forward_stages):
        neuron = None if stage.node is None else net.neuron_of(stage.node)
        want = 0 if stage.node is None else neuron.layer if neuron is not None else 3
        assert stages["forward"][k] == want
    page = demo_html(t, view="network", analytic=False)
    columns = page_data(page)["table"]["rows"]  # shared keys, as the script reads them
    rows = [dict(zip(columns["keys"], row, strict=True)) for row in columns["rows"]]
    assert [row["at"] for row in rows] == [stages[row["phase"]][row["stage"]] for row in rows]


def test_the_page_embeds_the_neuron_view_once() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    page = demo_html(t, view="network", analytic=False)
    assert page == demo_html(t, view="network", analytic=False)
    assert page.count("<svg") == page.count("</svg>")
    svg = page[page.index('<div class="adviz-frame"'):page.index("</figure>")]
    assert svg.count('class="node"') == len(network_figure(t).view.nodes)
    assert "<title>a1_4</title>" in svg and "<title>t1</title>" not in svg
    data = page_data(page)
    assert data["network"]["granularity"] == "neuron"
    assert "start" not in data["network"] and "focus" not in data  # opens without focus
    assert "rev" not in data["edges"]["keys"]


def test_options_the_neuron_view_refuses() -> None:
    seed = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    with pytest.raises(adviz.InputError, match="network"):
        demo_html(seed, view="network", analytic=False)
    mlp = adviz.examples.mlp((2, 2, 1))
    with pytest.raises(adviz.InputError, match="granularity='layer' applies to view='network'"):
        demo_html(mlp, granularity="layer", analytic=False)
    with pytest.raises(adviz.InputError, match="unknown view"):
        demo_html(mlp, view="neurons", analytic=False)
    with pytest.raises(adviz.InputError, match="rankdir does not apply to view='network'"):
        demo_html(mlp, view="network", rankdir="TB", analytic=False)


def test_save_writes_the_neuron_view_page(tmp_path: Path) -> None:
    t = adviz.examples.mlp((2, 3, 1))
    path = adviz.save(t, tmp_path / "net.html", interactive=True, view="network",
                      granularity="layer", analytic=False)
    data = page_data(path.read_text(encoding="utf-8"))
    assert len(data["network"]["phases"]["reverse"]["stages"]) == \
        network_figure(t, granularity="layer").stage_count("reverse")
    assert [p.name for p in tmp_path.iterdir()] == ["net.html"]


NETWORK_SOURCE = '''
import adviz

def f(x1, x2, w1=0.5, w2=-0.3, b=0.1, v=1.2):
    with adviz.scope("layer 1"):
        with adviz.scope("neuron 1"):
            a = adviz.tanh(w1 * x1 + w2 * x2 + b)
    with adviz.scope("layer 2"):
        with adviz.scope("neuron 1"):
            out = v * a
    return (out - 1) ** 2
'''


def test_the_command_line_writes_the_neuron_view_page(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from adviz.faces.cli import main

    source = tmp_path / "net.py"
    source.write_text(NETWORK_SOURCE, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", f"{source}:f", "--at", "x1=1", "--at", "x2=2",
                                       "--format", "demo", "--view", "network",
                                       "--granularity", "layer", "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    data = page_data((out / "demo.html").read_text(encoding="utf-8"))
    assert data["network"]["granularity"] == "layer"
    namespace: dict[str, Any] = {}
    exec(compile(NETWORK_SOURCE, str(source), "exec"), namespace)  # the same function, here
    t = adviz.trace(namespace["f"], x1=1.0, x2=2.0)
    assert [node[0] for node in data["network"]["scene"]["nodes"]] == \
        list(network_figure(t, granularity="layer").view.nodes)


# ---------------------------------------------------------------- focus

def test_focus_targets_are_the_drawn_circles_and_the_weights_of_the_edges() -> None:
    t = adviz.examples.mlp((2, 3, 2, 1))
    net = t.network
    data = network_data(t)[0]
    ids = [node.id for node in t.program.nodes]
    targets = data["focus"]
    assert [ids[k] for k in targets["nodes"]] == [n[0] for n in data["scene"]["nodes"]]
    weight = {(value, neuron.activation): w for neuron in net.neurons
              for w, value in zip(neuron.weights, neuron.inputs)}
    drawn = [(e[0], e[1]) for e in data["scene"]["edges"]]
    assert [ids[k] if k >= 0 else None for k in targets["edges"]] == \
        [weight.get(edge) for edge in drawn]
    assert sorted(ids[k] for k in targets["edges"] if k >= 0) == sorted(weight.values())


def test_focus_opens_on_the_drawn_element_and_refuses_what_is_not_drawn() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    for focus, element in (("w1_22", "x2->a1_2"), ("a1_3", "a1_3"), ("x1", "x1")):
        data = page_data(demo_html(t, view="network", focus=focus, analytic=False))
        net = data["network"]
        scene = net["scene"]
        names = [n[0] for n in scene["nodes"]] + [f"{e[0]}->{e[1]}" for e in scene["edges"]]
        assert names[net["start"]] == element
        texts = data["focusTexts"]
        node = t.program.index[focus]
        assert texts[node] is not None
        # the caption's template, its holes filled with Python's own path products
        paths = focus_of(t, focus).paths
        total = sum(p.product for p in paths)
        text = "".join(piece if isinstance(piece, str) else number_text(
            paths[piece[1]].product if piece[0] == "path" else total, "unicode", bool(piece[2]))
            for piece in texts[node])
        assert text == focus_of(t, focus).line
        inner = t.program.index["z1_2"]
        assert texts[inner] is None  # not clickable: no caption shipped
    for focus in ("b1_2", "z1_2"):
        with pytest.raises(InputError, match=f"focus='{focus}' does not apply to the demo "
                                             f"page's neuron view.*'w1_11'"):
            demo_html(t, view="network", focus=focus, analytic=False)
    with pytest.raises(InputError, match="not a node of this trace"):
        demo_html(t, view="network", focus="w9_99", analytic=False)


# ---------------------------------------------------------------- zoom

def zoom_numbers(trace: adviz.Trace, zoom: dict[str, Any], phase: str,
                 stage: int) -> Callable[[str, int], float]:
    """What the page's script computes for a zoom's holes at a neuron-view stage: values,
    running adjoints and running sums after the scalar stage the zoom shows."""
    nodes, edges = trace.program.nodes, list(trace.graph.edges)
    scalar = zoom["map"][phase][stage]
    upto = scalar if phase == "reverse" else len(trace.reverse_stages) - 1
    adjoints = {trace.graph.graph["output"]: 1.0}
    sums = [0.0] * len(zoom["sums"])
    members = [{edges[e] for e in listed} for listed in zoom["sums"]]
    contributions = {}
    for k, s in enumerate(trace.reverse_stages):
        for c in s.contributions:
            contributions[c.parent, c.child] = c
            if k <= upto:
                adjoints[c.parent] = c.after
                for j, edge_set in enumerate(members):
                    if (c.parent, c.child) in edge_set:
                        sums[j] += c.delta

    def number(quantity: str, index: int) -> float:
        if quantity == "value":
            return float(trace.graph.nodes[nodes[index].id]["value"])
        if quantity == "adjoint":
            return adjoints.get(nodes[index].id, 0.0)
        if quantity == "sum":
            return sums[index]
        if quantity == "partial":
            return float(trace.graph.edges[edges[index]]["partial"])
        return float(getattr(contributions[edges[index]], quantity))
    return number


def replayed_zoom(zoom: dict[str, Any], phase: str, stage: int, trace: adviz.Trace
                  ) -> dict[str, Any]:
    """Every element's state and lines in a zoom at a stage, replayed from the page's data."""
    number = zoom_numbers(trace, zoom, phase, stage)
    states, lines, scene = zoom["states"], zoom["lines"], zoom["scene"]

    def text(template: list[Any]) -> str:
        return "".join(piece if isinstance(piece, str) else
                       number_text(number(piece[0], piece[1]), "unicode", bool(piece[2]))
                       for piece in template)
    shown: dict[str, Any] = {}
    for k in range(stage + 1):
        nodes, edges = zoom["phases"][phase]["stages"][k]
        for change in nodes:
            shown[f"node:{scene['nodes'][change[0]][0]}"] = [
                states[change[1]], [text(lines[r][2]) for r in change[2:]]]
        for change in edges:
            edge = scene["edges"][change[0]]
            shown[f"edge:{edge[0]}->{edge[1]}"] = [
                states[change[1]], bool(change[2]), [text(lines[r][2]) for r in change[3:]]]
    return shown


@pytest.mark.parametrize(("sizes", "granularity"), [((2, 3, 1), "neuron"),
                                                    ((2, 3, 2, 1), "layer")])
def test_zoom_templates_give_the_zoom_frames_of_the_trace_at_other_points(
        sizes: tuple[int, ...], granularity: str) -> None:
    from adviz.renderers.demo_network import unpack
    from adviz.scene.network import zoom_figure

    t = adviz.examples.mlp(sizes)
    net = page_data(demo_html(t, view="network", granularity=granularity,
                              analytic=False))["network"]
    found = unpack(net["pack"])
    scene = net["scene"]
    assert [z["scope"] for z in net["zooms"]] == ["/".join(n.scope) for n in t.network.neurons]
    assert [scene["nodes"][z["node"]][0] for z in net["zooms"]] == \
        [n.activation for n in t.network.neurons]
    rng = random.Random(f"network-zoom-{sizes}")
    point = dict(t.inputs)
    for name in ("x1", "x2", "w1_11", "b1_1"):
        point[name] = round(point[name] + rng.uniform(-1.5, 1.5), 3)
    for at in (t, t.retrace(point)):
        for entry, zoom in zip(net["zooms"], found):
            fig = zoom_figure(at, entry["scope"], granularity=granularity)
            assert zoom["svg"].startswith("<svg") and zoom["svg"].count('class="node"') == \
                len(fig.view.nodes)
            for phase in ("forward", "reverse"):
                assert zoom["map"][phase] == list(fig.stages[phase])
                assert len(zoom["phases"][phase]["stages"]) == fig.stage_count(phase)
                for k in range(fig.stage_count(phase)):
                    assert replayed_zoom(zoom, phase, k, at) == shown(fig.frame(phase, k)), \
                        (entry["scope"], phase, k)


def test_a_box_sum_a_stage_leaves_printed_alike_is_recomputed_as_shown() -> None:
    """Where a stage changes a box's running sum without changing its printed form, the
    frame keeps the line it had; the page's recomputed sum prints the same text."""
    from adviz.renderers.demo_network import zoom_data
    from adviz.scene.network import zoom_figure

    t = adviz.examples.mlp((3, 10, 10, 1))  # [layer 2]'s Σ g out at scalar stage 265
    data, _ = zoom_data(t, ("layer 1", "neuron 3"))
    fig = zoom_figure(t, "layer 1/neuron 3")
    for k in range(fig.stage_count("reverse")):
        assert replayed_zoom(data, "reverse", k, t) == shown(fig.frame("reverse", k)), k


def test_zooms_are_included_when_cheap_or_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from adviz.renderers import demo_network
    from adviz.renderers.demo_network import ZOOM_BUDGET, zoom_cost

    small = adviz.examples.mlp((2, 2, 1))
    assert zoom_cost(small) <= ZOOM_BUDGET
    assert "zooms" in page_data(demo_html(small, view="network", analytic=False))["network"]
    assert "zooms" not in page_data(demo_html(small, view="network", zooms=False,
                                              analytic=False))["network"]
    # micrograd's demo network (2-16-16-1) gets its zooms by default
    assert zoom_cost(adviz.examples.mlp((2, 16, 16, 1))) <= ZOOM_BUDGET
    larger = adviz.examples.mlp((2, 3, 1))
    monkeypatch.setattr(demo_network, "ZOOM_BUDGET", zoom_cost(larger) - 1)
    assert "zooms" not in page_data(demo_html(larger, view="network",
                                              analytic=False))["network"]
    assert "zooms" in page_data(demo_html(larger, view="network", zooms=True,
                                          analytic=False))["network"]
    with pytest.raises(adviz.InputError, match="zooms does not apply to view='graph'"):
        demo_html(small, zooms=True, analytic=False)
