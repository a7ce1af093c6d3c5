"""The neuron view: what each stage shows, against the scalar trace and finite differences,
and the geometry of the 2-16-16-1 network on a 1280x720 slide."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from typing import Any

import pytest

import adviz
import adviz.examples
from adviz.renderers.svg import paint, to_svg
from adviz.scene.network import NetworkFigure, network_figure
from adviz.scene.picture import figure
from adviz.text.labels import text_width
from adviz.text.network import short
from adviz.text.tokens import Num

NS = "{http://www.w3.org/2000/svg}"


def _numbers(line: object) -> list[float]:
    tokens = getattr(line, "tokens", None)
    assert tokens is not None
    return [t.value for t in tokens.tokens if isinstance(t, Num)]


def _check_adjoints(fig: NetworkFigure) -> int:
    """Every adjoint a reverse frame shows equals the scalar trace's; returns how many."""
    t = fig.trace
    g = t.adjoints
    checked = 0
    roomy = {n for c in fig.columns if c.roomy for n in c.nodes}
    for content in fig.frames("reverse"):
        for node, view in content.nodes.items():
            for line in view.lines:
                if line.role == "adjoint":
                    want = g[node] if node in roomy else short(g[node])
                    assert _numbers(line) == [pytest.approx(want, abs=5e-6)], (node, line)
                    checked += 1
        for key, view in content.edges.items():
            for line in view.lines:
                if line.role == "contribution":
                    weight = fig.weights[key]
                    assert weight is not None
                    assert _numbers(line) == [pytest.approx(g[weight], abs=5e-6)]
                    checked += 1
    return checked


@pytest.mark.parametrize(("sizes", "activation", "granularity"), [
    ((2, 4, 1), "tanh", "neuron"), ((3, 2, 2), "relu", "neuron"),
    ((2, 3, 1), "sigmoid", "layer"), ((2, 16, 16, 1), "tanh", "neuron"),
])
def test_every_shown_adjoint_is_the_scalar_traces(sizes: tuple[int, ...], activation: str,
                                                   granularity: str) -> None:
    t = adviz.examples.mlp(sizes, activation)
    fig = network_figure(t, granularity=granularity)
    assert _check_adjoints(fig) > sum(sizes)


def test_stage_counts() -> None:
    t = adviz.examples.mlp((2, 16, 16, 1))
    neurons, inputs, layers = 33, 2, 3
    fig = network_figure(t)
    assert fig.stage_count("reverse") == 1 + neurons + inputs  # the loss, neurons, inputs
    assert fig.stage_count("forward") == 1 + layers + 1  # inputs, layers, loss
    assert network_figure(t, granularity="layer").stage_count("reverse") == 1 + layers + 1
    finished = [c.title.split(":")[0] for c in fig.frames("reverse")]
    assert finished[1] == "neuron 1 of layer 3" and finished[-3] == "neuron 16 of layer 1"


def test_weight_gradients_match_finite_differences() -> None:
    t = adviz.examples.mlp((2, 3, 1), "tanh")
    fig = network_figure(t)
    final = fig.frame("reverse", -1)
    f = t.function
    point = dict(t.inputs)
    h = 1e-6
    checked = 0
    for key, weight in fig.weights.items():
        if weight is None:
            continue
        up, down = dict(point), dict(point)
        up[weight] += h
        down[weight] -= h
        numeric = (f(*up.values()) - f(*down.values())) / (2 * h)
        (shown,) = [_numbers(line)[0] for line in final.edges[key].lines
                    if line.role == "contribution"]
        assert shown == pytest.approx(numeric, rel=1e-5, abs=1e-8)
        checked += 1
    assert checked == 2 * 3 + 3


def test_neuron_adjoints_match_finite_differences_through_the_bias() -> None:
    # g_z of a neuron is the loss's derivative by its bias; g_a = g_z / f'(z).
    t = adviz.examples.mlp((2, 3, 1), "tanh")
    f, point, h = t.function, dict(t.inputs), 1e-6
    values = t.graph.nodes
    final = network_figure(t).frame("reverse", -1)
    for neuron in t.network.neurons:
        up, down = dict(point), dict(point)
        assert neuron.bias is not None
        up[neuron.bias] += h
        down[neuron.bias] -= h
        g_z = (f(*up.values()) - f(*down.values())) / (2 * h)
        a = values[neuron.activation]["value"]
        (shown,) = [_numbers(line)[0] for line in final.nodes[neuron.activation].lines
                    if line.role == "adjoint"]
        assert shown * (1 - a * a) == pytest.approx(g_z, rel=1e-4, abs=1e-8)


def test_positions_never_move_and_every_phase_paints() -> None:
    t = adviz.examples.mlp((2, 4, 1))
    fig = figure(t, view="network")
    assert isinstance(fig, NetworkFigure)
    seen: dict[str, tuple[str, ...]] = {}
    for phase in ("forward", "reverse", "summary"):
        for content in fig.frames(phase):
            root = ET.fromstring(paint(fig, content))
            for group in root.iter(f"{NS}g"):
                if group.get("class") == "node":
                    title = group.find(f"{NS}title")
                    rect = group.find(f"{NS}rect")
                    assert title is not None and rect is not None and title.text is not None
                    box = tuple(rect.get(k, "") for k in ("x", "y", "width", "height"))
                    assert seen.setdefault(title.text, box) == box
    assert len(seen) == 2 + 4 + 1 + 1


def test_circles_are_circles_where_there_is_room() -> None:
    fig = network_figure(adviz.examples.mlp((2, 4, 1)))
    for shape in fig.nodes.values():
        assert shape.shape == "circle" and shape.width == shape.height
        assert shape.corner == (shape.width / 2, shape.height / 2)


def test_bad_view_and_granularity_say_what_to_use() -> None:
    t = adviz.examples.mlp((2, 2, 1))
    with pytest.raises(adviz.InputError, match="unknown view 'neurons'"):
        to_svg(t, view="neurons")
    with pytest.raises(adviz.InputError, match="granularity='layer' applies to view='network'"):
        to_svg(t, granularity="layer")
    with pytest.raises(adviz.InputError, match="'forward', 'reverse' and 'summary'"):
        to_svg(t, "tangent", view="network")
    with pytest.raises(adviz.InputError, match="not a network"):
        to_svg(adviz.trace("x * x", x=2.0), view="network")


# ---------------------------------------------------------------- geometry

def _texts(svg: str) -> tuple[float, list[tuple[str, str, tuple[float, float, float, float]]],
                              list[tuple[str, tuple[float, float, float, float]]]]:
    """The page scale, every text's (owner, text, box) and every node's (id, box)."""
    root = ET.fromstring(svg)
    width_px = float(root.get("width", "0").removesuffix("px"))
    scale = width_px / float(root.get("viewBox", "0 0 1 1").split()[2])
    texts = []
    nodes = []
    for group in root.iter(f"{NS}g"):
        kind = group.get("class")
        if kind not in ("node", "edge", "caption"):
            continue
        title = group.find(f"{NS}title")
        owner = f"{kind}:{title.text if title is not None else ''}"
        anchor = group.get("text-anchor", "start")
        if kind == "node":
            rect = group.find(f"{NS}rect")
            assert rect is not None
            x, y = float(rect.get("x", "0")), float(rect.get("y", "0"))
            nodes.append((owner, (x, y, x + float(rect.get("width", "0")),
                                  y + float(rect.get("height", "0")))))
        for element in group.findall(f"{NS}text"):
            size = float(element.get("font-size", "0"))
            body = "".join(element.itertext())
            w = text_width(body, size)
            x, y = float(element.get("x", "0")), float(element.get("y", "0"))
            left = x - w / 2 if anchor == "middle" else x
            texts.append((owner, body, (left, y - 0.75 * size, left + w, y + 0.2 * size)))
            assert size * scale >= 12.0 - 1e-6, (owner, body, size * scale)
    return scale, texts, nodes


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_2_16_16_1_network_is_legible_on_a_slide() -> None:
    t = adviz.examples.mlp((2, 16, 16, 1))
    fig = figure(t, view="network", size="16:9")
    assert (fig.page.width, fig.page.height) == (1280.0, 720.0)  # type: ignore[union-attr]
    frames = 0
    for phase in ("forward", "reverse", "summary"):
        for content in fig.frames(phase):
            _, texts, nodes = _texts(paint(fig, content))
            for (o1, t1, b1), (o2, t2, b2) in itertools.combinations(texts, 2):
                if o1 != o2:
                    assert not _overlap(b1, b2), (phase, content.index, t1, t2)
            for owner, body, box in texts:
                for node, rect in nodes:
                    if node != owner and not owner.startswith("caption"):
                        assert not _overlap(box, rect), (phase, content.index, body, node)
            frames += 1
    assert frames == 5 + 36 + 1


def _segment_meets(box: tuple[float, ...], p: tuple[float, float],
                   q: tuple[float, float]) -> bool:
    """Whether the straight segment p-q passes through the box (sampled every half point)."""
    steps = max(int(max(abs(q[0] - p[0]), abs(q[1] - p[1])) * 2), 1)
    return any(box[0] < p[0] + (q[0] - p[0]) * k / steps < box[2]
               and box[1] < p[1] + (q[1] - p[1]) * k / steps < box[3]
               for k in range(steps + 1))


def _legend_geometry(svg: str) -> tuple[list[tuple[float, ...]], dict[str, list[object]]]:
    """The legend entries' boxes (swatch and text) and everything else drawn: node boxes,
    edge segments, label and caption text boxes, label plates, read from an SVG frame."""
    root = ET.fromstring(svg)
    entries: list[tuple[float, ...]] = []
    drawn: dict[str, list[object]] = {"node": [], "edge": [], "text": [], "plate": []}

    def text_box(element: ET.Element, anchor: str) -> tuple[float, ...]:
        size = float(element.get("font-size", "0"))
        w = text_width("".join(element.itertext()), size)
        x, y = float(element.get("x", "0")), float(element.get("y", "0"))
        left = x - w / 2 if anchor == "middle" else x
        return (left, y - 0.75 * size, left + w, y + 0.2 * size)

    def rect_box(rect: ET.Element) -> tuple[float, ...]:
        x, y = float(rect.get("x", "0")), float(rect.get("y", "0"))
        return (x, y, x + float(rect.get("width", "0")), y + float(rect.get("height", "0")))

    for group in root.iter(f"{NS}g"):
        kind = group.get("class")
        anchor = group.get("text-anchor", "start")
        if kind == "legend-item":
            boxes = [text_box(t, "start") for t in group.findall(f"{NS}text")]
            boxes += [rect_box(r) for r in group.findall(f"{NS}rect")]
            entries.append((min(b[0] for b in boxes), min(b[1] for b in boxes),
                            max(b[2] for b in boxes), max(b[3] for b in boxes)))
        elif kind == "node":
            rect = group.find(f"{NS}rect")
            assert rect is not None
            drawn["node"].append(rect_box(rect))
            drawn["text"] += [text_box(t, anchor) for t in group.findall(f"{NS}text")]
        elif kind == "edge":
            path = group.find(f"{NS}path")
            assert path is not None
            numbers = [tuple(float(v) for v in pair.split(","))
                       for pair in path.get("d", "").replace("M", "").replace("C", " ").split()]
            drawn["edge"].append((numbers[0], numbers[-1]))
            drawn["text"] += [text_box(t, anchor) for t in group.findall(f"{NS}text")]
            drawn["plate"] += [rect_box(r) for r in group.findall(f"{NS}rect")]
        elif kind == "caption":
            drawn["text"] += [text_box(t, "start") for t in group.findall(f"{NS}text")]
    return entries, drawn


@pytest.mark.parametrize(("sizes", "size"), [
    ((2, 4, 1), "16:9"), ((2, 16, 16, 1), "16:9"), ((2, 2, 1), "16:9"), ((3, 2, 2), None),
    ((2, 8, 1), None),
])
def test_the_legend_sits_in_a_free_corner_of_the_network(sizes: tuple[int, ...],
                                                        size: str | None) -> None:
    """``legend=True`` in the neuron view: at every stage, no legend entry touches a neuron,
    an edge, an edge label or its plate, or the caption (read from the SVG), the legend lies
    within the frame, in one of its corner quarters, and its text is at least 12 px."""
    t = adviz.examples.mlp(sizes)
    fig = figure(t, view="network", size=size, legend=True)
    assert fig.legend is not None
    frames = 0
    for phase in ("forward", "reverse", "summary"):
        for content in fig.frames(phase):
            svg = paint(fig, content)
            entries, drawn = _legend_geometry(svg)
            assert entries, (phase, content.index)
            for entry in entries:
                assert 0.0 <= entry[0] and entry[2] <= fig.width
                assert 0.0 <= entry[1] and entry[3] <= fig.height
                for kind in ("node", "text", "plate"):
                    for box in drawn[kind]:
                        assert not _overlap(entry, box), (phase, content.index, kind, box)  # type: ignore[arg-type]
                for p, q in drawn["edge"]:  # type: ignore[misc]
                    assert not _segment_meets(entry, p, q), (phase, content.index, p, q)
            frames += 1
    # In a corner: against the left or right margin, and the top or bottom of the drawing.
    from adviz.scene.picture import MARGIN

    box = fig.legend.box()
    bottom = max(n.y + n.height / 2 for n in fig.nodes.values())
    assert box[0] <= MARGIN + 0.5 or box[2] >= fig.width - MARGIN - 0.5, box
    assert box[1] <= fig.dy + 0.5 or box[3] >= min(bottom, fig.height - MARGIN) - 0.5, box
    if fig.page is not None:
        from adviz.scene.legend import LEGEND_SIZE

        assert LEGEND_SIZE * fig.page.scale >= 12.0
    assert frames == sum(fig.stage_count(p) for p in ("forward", "reverse", "summary"))


def test_labels_of_the_dense_view_sit_on_plates_above_the_mesh() -> None:
    """2-16-16-1 at 1280x720: every shown weight label has a plate of the background colour
    under all its text, drawn after (over) every edge that is not highlighted."""
    t = adviz.examples.mlp((2, 16, 16, 1))
    fig = figure(t, view="network", size="16:9")
    checked = 0
    for k in (1, 5, 20, 34):
        root = ET.fromstring(paint(fig, fig.frame("reverse", k)))
        groups = [g for g in root.iter(f"{NS}g") if g.get("class") == "edge"]
        for order, group in enumerate(groups):
            texts = group.findall(f"{NS}text")
            if not texts:
                continue
            plate = group.find(f"{NS}rect")
            assert plate is not None and plate.get("class") == "plate"
            assert plate.get("style") == f"fill:{fig.styles['background']};stroke:none"
            x0, y0 = float(plate.get("x", "0")), float(plate.get("y", "0"))
            x1, y1 = x0 + float(plate.get("width", "0")), y0 + float(plate.get("height", "0"))
            for element in texts:
                size = float(element.get("font-size", "0"))
                w = text_width("".join(element.itertext()), size)
                x, y = float(element.get("x", "0")), float(element.get("y", "0"))
                assert x0 <= x - w / 2 and x + w / 2 <= x1 and y0 <= y - 0.75 * size \
                    and y + 0.2 * size <= y1
            later = {g.get("data-state") for g in groups[order + 1:]}
            assert later <= {"gradient", "forward"}, later  # the mesh is drawn before it
            checked += 1
    assert checked >= 4


@pytest.mark.parametrize("option", [{"collapse": ["neuron 1"]}, {"full": True}, {"copies": True},
                                    {"rankdir": "TB"}, {"engine": "neato"}])
def test_scalar_layout_options_are_refused_in_the_neuron_view(option: dict[str, Any]) -> None:
    """Options of the scalar graph's layout say they do not apply, never pass silently."""
    t = adviz.examples.mlp((2, 2, 1))
    (name,) = option
    with pytest.raises(adviz.InputError, match=f"{name} does not apply to view='network'"):
        adviz.to_svg(t, view="network", **option)
