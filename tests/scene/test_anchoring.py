"""Anchoring: every edge label sits against its own edge's route, in every renderer.

For the worked example, the gallery examples, a fully drawn network and a
collapsed MLP, in LR and TB, the text block of every edge label (one
rectangle per drawn line, its width estimated with the same metric the
layout reserves) is read back from what each renderer drew: the SVG text
positions, the TikZ label nodes, the Matplotlib text artists. For each:

- the block's nearest point is at most `REACH` points from its own route;
- its own route is nearer to it than any other edge's route;
- it overlaps no node box and no other label's block.

The same holds for random expressions, and for networks drawn in full with
more than `ROUNDS_FROM` labels (placed in rounds scored together, up to the
1,150-node network of ``benchmarks/anchors.py``: 1,297 labels), except for
the few labels the placement reports unmet: every label of every graph is
placed, however large.
"""

from __future__ import annotations

import math
import re
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings

import adviz
import adviz.examples
from adviz.renderers import svg, tikz
from adviz.renderers.tikz import CM_PER_POINT
from adviz.scene import picture
from adviz.scene.anchors import (
    ROUNDS_FROM,
    Label,
    densify,
    densify_many,
    place_labels,
)
from adviz.scene.curves import Route
from adviz.scene.layout import BOLD_FACTOR, compute_layout
from adviz.scene.picture import Figure, _label_anchors, figure
from adviz.scene.style import LINE_SPACING
from adviz.text.labels import text_width
from tests.gallery_traces import gallery_traces
from tests.strategies import Tree, to_text, trees

REACH = 12.0
"""The guaranteed distance (points) from a label's text block to its own route."""

SVG_NS = "{http://www.w3.org/2000/svg}"
Rect = tuple[float, float, float, float]
Key = tuple[str, str]


def _line_rect(x: float, centre: float, text: str, size: float, bold: bool,
               centred: bool) -> Rect:
    width = text_width(text, size) * (BOLD_FACTOR if bold else 1.0)
    height = size * LINE_SPACING
    x0 = x - width / 2 if centred else x
    return (x0, centre - height / 2, x0 + width, centre + height / 2)


def _dense(points: np.ndarray) -> np.ndarray:
    """The polyline with points at most half a point apart (each piece cut evenly)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(points) < 2:
        return points
    steps = np.diff(points, axis=0)
    counts = np.maximum(np.ceil(np.hypot(steps[:, 0], steps[:, 1]) / 0.5), 1).astype(int)
    piece = np.repeat(np.arange(len(steps)), counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    return np.vstack([points[:1], points[piece] + steps[piece] * (k / counts[piece])[:, None]])


def _routes(fig: Figure) -> dict[Key, np.ndarray]:
    out = {}
    for key, shape in fig.edges.items():
        tip = shape.forward_head.tip if shape.forward_head is not None else None
        out[key] = _dense(Route(shape.forward, tip).polyline)
    return out


CELL = 16.0
"""Side (points) of the grid cells the route points are looked up in."""


class _Geometry:
    """A figure's routes (densified) and their points bucketed in square cells, made once
    per figure: the points near a rectangle are those of the cells it covers."""

    def __init__(self, fig: Figure) -> None:
        self.routes = _routes(fig)
        keys = list(self.routes)
        self.number = {key: k for k, key in enumerate(keys)}
        points = np.concatenate([np.zeros((0, 2)), *self.routes.values()])
        owner = np.repeat(np.arange(len(keys)), [len(r) for r in self.routes.values()])
        self.low = points.min(axis=0) if len(points) else np.zeros(2)
        cells = np.floor((points - self.low) / CELL).astype(np.int64)
        self.rows = int(cells[:, 1].max()) + 1 if len(points) else 1
        key = cells[:, 0] * self.rows + cells[:, 1]
        order = np.argsort(key, kind="stable")
        self.key, self.points, self.owner = key[order], points[order], owner[order]

    def near(self, box: Rect, grow: float) -> tuple[np.ndarray, np.ndarray]:
        """The route points (and their routes) in the cells ``box`` grown by ``grow``
        covers (every point within ``grow`` of the box among them)."""
        (x0, y0), (x1, y1) = (np.floor((np.asarray(corner) - self.low) / CELL).astype(int)
                              for corner in ((box[0] - grow, box[1] - grow),
                                             (box[2] + grow, box[3] + grow)))
        y0, y1 = max(y0, 0), min(y1, self.rows - 1)
        if y1 < y0:
            return np.zeros((0, 2)), np.zeros(0, dtype=int)
        columns = np.arange(max(x0, 0), max(x1 + 1, 0))
        start = np.searchsorted(self.key, columns * self.rows + y0, side="left")
        stop = np.searchsorted(self.key, columns * self.rows + y1, side="right")
        index = np.concatenate([np.arange(a, b) for a, b in zip(start, stop)] or
                               [np.zeros(0, dtype=int)])
        return self.points[index], self.owner[index]


_GEOMETRIES: weakref.WeakKeyDictionary[Figure, _Geometry] = weakref.WeakKeyDictionary()


def _geometry(fig: Figure) -> _Geometry:
    found = _GEOMETRIES.get(fig)
    if found is None:
        found = _GEOMETRIES[fig] = _Geometry(fig)
    return found


def _distance(rects: list[Rect], points: np.ndarray) -> float:
    best = math.inf
    for x0, y0, x1, y1 in rects:
        dx = np.maximum(np.maximum(x0 - points[:, 0], 0.0), points[:, 0] - x1)
        dy = np.maximum(np.maximum(y0 - points[:, 1], 0.0), points[:, 1] - y1)
        best = min(best, float(np.min(np.hypot(dx, dy))))
    return best


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _box_gaps(box: Rect, boxes: np.ndarray) -> np.ndarray:
    """Distance from one rectangle to each of ``(n, 4)`` rectangles (0 when they meet)."""
    dx = np.maximum(np.maximum(boxes[:, 0] - box[2], 0.0), box[0] - boxes[:, 2])
    dy = np.maximum(np.maximum(boxes[:, 1] - box[3], 0.0), box[1] - boxes[:, 3])
    return np.hypot(dx, dy)


def _bounding(rects: list[Rect]) -> Rect:
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[2] for r in rects), max(r[3] for r in rects))


def _check(fig: Figure, blocks: dict[Key, list[Rect]], where: str,
           unmet: Collection[Key] = ()) -> int:
    """Assert the anchoring conditions for the label blocks of one drawn frame (the
    distance conditions only for the labels not in ``unmet``); the labels checked.

    Only the route points, node boxes and label blocks near a block can break a
    condition: route points are looked up in the grid cells around the block (made once
    per figure, `_Geometry`), node boxes and other blocks by comparing bounding boxes
    first.
    """
    geometry = _geometry(fig)
    routes = geometry.routes
    names = list(fig.nodes)
    boxes = np.array([(b.x - b.width / 2, b.y - b.height / 2, b.x + b.width / 2,
                       b.y + b.height / 2) for b in fig.nodes.values()])
    labelled = list(blocks)
    extents = np.array([_bounding(blocks[k]) for k in labelled])
    for key, rects in blocks.items():
        box = _bounding(rects)
        own = -1.0 if key in unmet else _distance(rects, routes[key])
        assert own <= REACH, (where, key, own)
        # Points of other routes outside the block's box grown by ``own`` are farther.
        points, owner = geometry.near(box, max(own, 0.0))
        found = points[owner != geometry.number[key]]
        if len(found):
            theirs = _distance(rects, found)
            assert own < theirs, (where, key, own, theirs)
        for k in np.flatnonzero(_box_gaps(box, boxes) == 0.0):
            assert not any(_overlap(r, tuple(boxes[k])) for r in rects), (where, key, names[k])
        for k in np.flatnonzero(_box_gaps(box, extents) == 0.0):
            other = labelled[k]
            if other != key:
                assert not any(_overlap(r, q) for r in rects for q in blocks[other]), \
                    (where, key, other)
    return len(blocks) - len(set(unmet) & set(blocks))


def _svg_blocks(text: str) -> dict[Key, list[Rect]]:
    out: dict[Key, list[Rect]] = {}
    for group in ET.fromstring(text).iter(SVG_NS + "g"):
        if group.get("class") != "edge":
            continue
        title = group.find(SVG_NS + "title")
        assert title is not None and title.text is not None
        parent, child = title.text.split("->")
        centred = group.get("text-anchor") == "middle"
        rects = []
        for line in group.findall(SVG_NS + "text"):
            size = float(line.get("font-size", "0"))
            rects.append(_line_rect(float(line.get("x", "0")),
                                    float(line.get("y", "0")) - 0.35 * size, line.text or "",
                                    size, line.get("font-weight") == "bold", centred))
        if rects:
            out[parent, child] = rects
    return out


_TIKZ_LABEL = re.compile(r"\\node\[advizlabel(?P<west>, anchor=west)?[^\]]*\] at "
                         r"\((?P<x>-?[\d.]+),(?P<y>-?[\d.]+)\)")


def _tikz_blocks(fig: Figure, trace: adviz.Trace, phase: str, k: int,
                 options: dict[str, object]) -> dict[Key, list[Rect]]:
    """Label blocks at the label nodes' positions in the emitted TikZ (the line texts and
    weights are the frame's)."""
    source = tikz.to_tikz(trace, phase, k, rankdir=fig.rankdir, **options)  # type: ignore[arg-type]
    found = list(_TIKZ_LABEL.finditer(source))
    content = fig.frame(phase, k)
    keyed = [(key, view) for key, view in content.edges.items() if view.lines]
    assert len(found) == len(keyed)
    out = {}
    for match, (key, view) in zip(found, keyed):
        x = float(match["x"]) / CM_PER_POINT
        y = -float(match["y"]) / CM_PER_POINT
        sizes = [line.size for line in view.lines]
        total = sum(s * LINE_SPACING for s in sizes)
        top = y - total / 2
        rects = []
        for line in view.lines:
            height = line.size * LINE_SPACING
            bold = view.state == "gradient" and line.role == "contribution"
            rects.append(_line_rect(x, top + height / 2, line.text, line.size, bold,
                                    match["west"] is None))
            top += height
        out[key] = rects
    return out


def _mpl_blocks(scene: object, fig: Figure) -> dict[Key, list[Rect]]:
    out = {}
    for key, texts in scene.edge_texts.items():  # type: ignore[attr-defined]
        rects = []
        for text in texts:
            if not text.get_visible():
                continue
            x, base = text.get_position()
            size = text.get_fontsize() / scene.scale  # type: ignore[attr-defined]
            rects.append(_line_rect(x, base - 0.35 * size, scene.unicode[text],  # type: ignore[attr-defined]
                                    size, text.get_fontweight() == "bold",
                                    text.get_ha() == "center"))
        if rects:
            out[key] = rects
    return out


def _frames(fig: Figure, most: int | None = None) -> Iterator[tuple[str, int]]:
    for phase in ("forward", "reverse"):
        count = sum(1 for _ in fig.frames(phase))
        indices = range(count)
        if most is not None and count > most:
            step = math.ceil(count / most)
            indices = range(count - 1, -1, -step)
        for k in indices:
            yield phase, k


_SLOW = pytest.mark.slow  # the fully drawn network has about 55 labels and 140 frames
CASES = [pytest.param(name, rankdir, marks=[_SLOW] if name == "network" else [])
         for name in ("seed", "network", "mlp") for rankdir in ("LR", "TB")]
SAMPLED = [pytest.param(name, rankdir, marks=[_SLOW] if name == "network" else [])
           for name in ("seed", "network", "mlp") for rankdir in ("LR", "TB")]
"""TikZ and Matplotlib are checked on a few frames of each phase (the last one included)."""


def _graphs() -> dict[str, tuple[adviz.Trace, dict[str, object]]]:
    return {
        "seed": (adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2), {}),
        "network": (adviz.examples.network(), {"full": True}),
        "mlp": (adviz.examples.mlp((2, 4, 1)), {}),
    }


@pytest.mark.parametrize(("name", "rankdir"), CASES)
def test_svg_labels_sit_against_their_own_routes(name: str, rankdir: str) -> None:
    trace, options = _graphs()[name]
    fig = figure(trace, rankdir=rankdir, **options)  # type: ignore[arg-type]
    checked = 0
    for phase, k in _frames(fig):
        checked += _check(fig, _svg_blocks(svg.paint(fig, fig.frame(phase, k))),
                          f"{name} {rankdir} {phase} {k}")
    assert checked > len(fig.edges)


@pytest.mark.slow
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_gallery_labels_sit_against_their_own_routes(monkeypatch: pytest.MonkeyPatch,
                                                     rankdir: str) -> None:
    checked = 0
    with gallery_traces(monkeypatch) as traces:
        for name, trace in traces.items():
            fig = figure(trace, rankdir=rankdir)
            for phase, k in _frames(fig, most=6):
                checked += _check(fig, _svg_blocks(svg.paint(fig, fig.frame(phase, k))),
                                  f"{name} {rankdir} {phase} {k}")
    assert checked > 50


@pytest.mark.parametrize(("name", "rankdir"), SAMPLED)
def test_tikz_labels_sit_against_their_own_routes(name: str, rankdir: str) -> None:
    trace, options = _graphs()[name]
    fig = figure(trace, rankdir=rankdir, **options)  # type: ignore[arg-type]
    checked = 0
    for phase, k in _frames(fig, most=5):
        checked += _check(fig, _tikz_blocks(fig, trace, phase, k, options),
                          f"tikz {name} {rankdir} {phase} {k}")
    assert checked > 0


@pytest.mark.parametrize(("name", "rankdir"), SAMPLED)
def test_matplotlib_labels_sit_against_their_own_routes(name: str, rankdir: str) -> None:
    from matplotlib.figure import Figure as MplFigure

    from adviz.renderers.mpl.artists import Scene

    trace, options = _graphs()[name]
    fig = figure(trace, rankdir=rankdir, **options)  # type: ignore[arg-type]
    scene = Scene(fig, MplFigure(figsize=(8, 4.5), dpi=40).add_axes((0, 0, 1, 1)))
    checked = 0
    for phase, k in _frames(fig, most=5):
        scene.show(phase, k)
        checked += _check(fig, _mpl_blocks(scene, fig), f"mpl {name} {rankdir} {phase} {k}")
    assert checked > 0


def test_graphviz_positions_were_not_enough() -> None:
    """The seed's LR layout has labels that Graphviz put nearer another route or far from
    their own: the anchors differ from Graphviz's label positions."""
    fig = figure(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2))
    moved = []
    for key, shape in fig.edges.items():
        start = fig.layout.edges[key].label
        if shape.label is not None and start is not None and \
                math.dist(shape.label, (start[0] + fig.dx, start[1] + fig.dy)) > 1.0:
            moved.append(key)
    assert moved


def test_node_positions_are_graphvizs() -> None:
    t = adviz.examples.network()
    fig = figure(t, full=True)
    for node, box in fig.layout.nodes.items():
        assert (fig.nodes[node].x, fig.nodes[node].y) == (round(box.x + fig.dx, 2),
                                                          round(box.y + fig.dy, 2))


def _last_frames(fig: Figure) -> Iterator[tuple[str, int]]:
    for phase in ("forward", "reverse"):
        yield phase, sum(1 for _ in fig.frames(phase)) - 1


# a / (a*a + 0.5) drawn left to right: the label of a -> t1 (a repeated argument) has
# places against its own route only where the node boxes and the other labels are, in both
# layouts; it is reported as unmet.
UNPLACEABLE = ("div", ("var", "a"), ("add", ("mul", ("var", "a"), ("var", "a")),
                                     ("const", 0.5)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(max_leaves=10))
@example(tree=UNPLACEABLE)
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_random_expression_labels_sit_against_their_own_routes(rankdir: str,
                                                               tree: Tree) -> None:
    """Every label meets the conditions, except the few the placement reports it could
    not place (it never reports one it placed), and none overlaps anything."""
    t = adviz.trace(to_text(tree), a=0.7, b=-1.3, c=2.1)
    fig = figure(t, rankdir=rankdir)
    unmet: list[Key] = []
    _label_anchors(fig.view, fig.layout, unmet)
    labelled = sum(1 for shape in fig.edges.values() if shape.label is not None)
    assert len(unmet) <= max(1, labelled // 10), unmet
    for phase, k in _last_frames(fig):
        _check(fig, _svg_blocks(svg.paint(fig, fig.frame(phase, k))),
               f"{to_text(tree)} {rankdir} {phase} {k}", unmet)


def test_roomier_layout_only_when_labels_find_no_place() -> None:
    """The collapsed MLP's labels cannot all sit against their own routes in the usual
    layout: the figure is drawn on the roomier one. The worked example keeps the usual."""
    mlp = adviz.examples.mlp((2, 4, 1))
    fig = figure(mlp)
    usual = compute_layout(mlp, collapse=fig.layout.collapse)
    assert fig.layout is not usual
    assert fig.layout.width > usual.width and fig.layout.height > usual.height
    seed = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    assert figure(seed).layout is compute_layout(seed)


def test_unmet_labels_are_reported() -> None:
    """A label whose only route is hemmed in by another route on each side, nearer than
    the label's height, finds no place meeting the conditions and is reported."""
    lines = ("∂y/∂t = 1", "g_t += 1 · 1 = 1")
    own = [(0.0, 50.0), (200.0, 50.0)]
    labels = {("a", "b"): Label(lines, own, (100.0, 40.0)),
              ("c", "d"): Label(("1",), [(0.0, 44.0), (200.0, 44.0)], (100.0, 30.0)),
              ("e", "f"): Label(("1",), [(0.0, 56.0), (200.0, 56.0)], (100.0, 70.0))}
    unmet: list[Key] = []
    place_labels({("a", "b"): labels["a", "b"]}, obstacles=[], bounds=(0, 0, 200, 100),
                 tb=False, unmet=unmet)
    assert unmet == []
    unmet = []
    place_labels(labels, obstacles=[], bounds=(0, 0, 200, 100), tb=False, unmet=unmet)
    assert ("a", "b") in unmet


def _large(monkeypatch: pytest.MonkeyPatch, sizes: tuple[int, ...], rankdir: str) -> None:
    """A network drawn in full with more than `ROUNDS_FROM` labels, as `figure` draws it:
    laid out once, every label placed (at most a tenth reported unmet), the conditions
    met in the last frame of each phase (one line per label, then two)."""
    unmet: list[Key] = []

    def placing(*args: object, **kwargs: object) -> object:  # the figure's own unmet labels
        found = place_labels(*args, **kwargs)  # type: ignore[arg-type]
        unmet.extend(kwargs["unmet"] or ())  # type: ignore[arg-type]
        return found

    monkeypatch.setattr(picture, "place_labels", placing)
    t = adviz.examples.mlp(sizes)
    fig = figure(t, full=True, rankdir=rankdir)
    labelled = [key for key, shape in fig.edges.items() if shape.label is not None]
    assert len(labelled) > ROUNDS_FROM
    assert fig.layout is compute_layout(t, rankdir=rankdir, collapse=fig.layout.collapse,
                                        compact=fig.layout.compact, copies=fig.layout.copies)
    assert len(unmet) <= len(labelled) // 10, len(unmet)
    starts = {key: fig.layout.edges[key].label for key in labelled}
    moved = [key for key, start in starts.items() if start is not None and
             fig.edges[key].label != (round(start[0] + fig.dx, 2), round(start[1] + fig.dy, 2))]
    assert moved
    checked = 0
    for phase, k in _last_frames(fig):
        checked += _check(fig, _svg_blocks(svg.paint(fig, fig.frame(phase, k))),
                          f"{sizes} {rankdir} {phase} {k}", unmet)
    assert checked >= 2 * (len(labelled) - len(unmet))


def test_beyond_rounds_from_every_label_is_placed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond `ROUNDS_FROM` labels the placement runs in rounds scored together, and its
    labels meet the same conditions."""
    _large(monkeypatch, (2, 6, 6, 1), "LR")


@pytest.mark.slow
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_a_thousand_node_network_drawn_in_full_is_anchored(monkeypatch: pytest.MonkeyPatch,
                                                           rankdir: str) -> None:
    """The 1,150-node network of ``benchmarks/anchors.py`` (the 1,018-node one of
    ``benchmarks/scale.py``, 1,297 labels), every node and label drawn, as `figure` draws
    it."""
    _large(monkeypatch, (6, 22, 8, 1), rankdir)


@pytest.mark.parametrize("spacing", [1.0, 2.0, 4.0])
def test_routes_are_resampled_together_as_one_by_one(spacing: float) -> None:
    """The route points the placement measures are made for all routes at once: the same
    points, in the same order, as resampling each route alone (empty and one-point routes
    included)."""
    rng = np.random.default_rng(7)
    routes = [rng.uniform(-50.0, 300.0, (int(rng.integers(0, 7)), 2)) for _ in range(60)]
    routes[3] = np.array([[1.0, 1.0], [1.0, 1.0]])  # a segment of no length
    points, owner = densify_many(routes, spacing)
    alone = [densify(r, spacing) for r in routes]
    assert np.array_equal(points, np.concatenate(alone))
    assert owner.tolist() == [i for i, r in enumerate(alone) for _ in range(len(r))]
