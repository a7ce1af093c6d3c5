"""The Matplotlib renderer paints what the SVG renderer paints, arrows point the right way,
labels sit on their edges, and repainting only what changed gives the same pixels."""

from __future__ import annotations

import math
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Polygon

import adviz
from adviz.examples import mlp, network, rnn
from adviz.renderers import svg
from adviz.renderers.mpl import painted
from adviz.renderers.mpl.animation import Animator, frame_schedule
from adviz.renderers.mpl.artists import Scene
from adviz.renderers.mpl.look import Looks, Playhead
from adviz.scene.curves import bezier_points
from adviz.scene.painted import Painted
from adviz.scene.picture import figure


def seed() -> adviz.Trace:
    return adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)


def scoped() -> adviz.Trace:
    def f(x, y):  # type: ignore[no-untyped-def]
        with adviz.scope("double"):
            u = 2 * x
        with adviz.scope("mix"):
            v = u * y + adviz.sin(u)
        return v * v

    return adviz.trace(f, x=0.7, y=-1.3)


EXAMPLES = {
    "seed": (seed, {}),
    "network": (network, {}),
    "network-full": (network, {"full": True}),
    "scoped": (scoped, {}),
    "scoped-collapsed": (scoped, {"collapse": ["double", "mix"]}),
    "rnn-copies": (lambda: rnn(6), {"copies": True}),
    "mlp-neuron-view": (lambda: mlp((2, 4, 1)), {"view": "network"}),
    "mlp-neuron-view-dense": (lambda: mlp((2, 8, 1), "relu"), {"view": "network"}),
    "seed-focus": (seed, {"focus": "x1"}),
    "network-zoom-focus": (network, {"zoom": "neuron 2", "focus": "w1_22"}),
}


def _normal(record: Painted) -> Painted:
    """A record with lower-case colours (the SVG keeps the theme's spelling)."""
    return replace(record, fill=record.fill and record.fill.lower(),
                   stroke=record.stroke and record.stroke.lower())


# every example in both directions, but the neuron view: it is drawn left to right only
CASES = [(example, rankdir) for rankdir in ("LR", "TB") for example in sorted(EXAMPLES)
         if not (rankdir == "TB" and EXAMPLES[example][1].get("view") == "network")]


@pytest.mark.parametrize(("example", "rankdir"), CASES)
def test_every_stage_paints_like_the_svg(example: str, rankdir: str) -> None:
    make, options = EXAMPLES[example]
    trace = make()
    for theme in ("light", "dark", "print"):
        fig = figure(trace, theme=theme, rankdir=rankdir, **options)
        scene = Scene(fig, MplFigure(figsize=(8, 4.5), dpi=40).add_axes((0, 0, 1, 1)))
        for phase in ("forward", "reverse"):
            for k, content in enumerate(fig.frames(phase)):
                scene.show(phase, k)
                ours = painted(scene)
                reference = {name: _normal(r)
                             for name, r in svg.painted(svg.paint(fig, content)).items()}
                assert ours.keys() == reference.keys()
                different = {name for name in ours if ours[name] != reference[name]}
                assert not different, (theme, phase, k,
                                       [(ours[n], reference[n]) for n in sorted(different)][:2])


def test_collapsed_scope_boxes_have_the_style_table_colours() -> None:
    trace = scoped()
    fig = figure(trace, collapse=["double"])
    scene = Scene(fig, MplFigure(figsize=(8, 4.5), dpi=40).add_axes((0, 0, 1, 1)))
    seen = set()
    for k, content in enumerate(fig.frames("reverse")):
        scene.show("reverse", k)
        state = content.nodes["[double]"].state
        style = fig.styles["node"]["scope"][state]
        record = painted(scene)["node:[double]"]
        assert (record.fill, record.stroke) == (style["fill"].lower(), style["stroke"].lower())
        seen.add(state)
    assert {"muted", "receiving"} <= seen
    assert fig.styles["node"]["scope"]["done"]["fill"] != fig.styles["node"]["op"]["done"]["fill"]


def _tip(polygon: Polygon) -> np.ndarray:
    xy = np.asarray(polygon.get_xy(), dtype=float)[:3]
    sides = [np.linalg.norm(xy[(k + 1) % 3] - xy[(k + 2) % 3]) for k in range(3)]
    return xy[int(np.argmin(sides))]


def _box_distance(point: np.ndarray, patch: object) -> float:
    x0, y0 = patch.get_x(), patch.get_y()  # type: ignore[attr-defined]
    x1, y1 = x0 + patch.get_width(), y0 + patch.get_height()  # type: ignore[attr-defined]
    dx = max(x0 - point[0], 0.0, point[0] - x1)
    dy = max(y0 - point[1], 0.0, point[1] - y1)
    return math.hypot(dx, dy)


@pytest.mark.parametrize("example", ["seed", "network", "scoped"])
def test_gradient_arrowheads_point_at_the_parent_in_every_reverse_frame(example: str) -> None:
    make, options = EXAMPLES[example]
    trace = make()
    animator = Animator(trace, "reverse", tween=4, hold=1, dpi=20, size=(8, 4.5), legend=False,
                        **options)
    scene = animator.scene
    gradient = to_hex(scene.fig.styles["edge"]["gradient"]["colour"])
    owner = {id(head): key for key, head in scene.heads.items()}
    checked = {True: 0, False: 0}
    for frame in frame_schedule(trace, "reverse", tween=4, hold=1):
        animator(frame)
        for patch in scene.ax.patches:
            if not (isinstance(patch, Polygon) and patch.get_visible()):
                continue
            if to_hex(patch.get_facecolor(), keep_alpha=False) != gradient:
                continue
            parent, child = owner[id(patch)]
            tip = _tip(patch)
            assert _box_distance(tip, scene.node_boxes[parent]) < \
                _box_distance(tip, scene.node_boxes[child]), (frame, parent, child)
            checked[frame.hold] += 1
    assert checked[True] and checked[False]  # stage frames and frames in between


@pytest.mark.parametrize("example", ["seed", "network", "scoped"])
def test_tangent_arrowheads_point_at_the_child_in_every_forward_mode_frame(example: str) -> None:
    """GIF/MP4 frames of forward mode, stages and the frames in between: every arrowhead of a
    tangent-coloured edge points toward the child, and the pulses travel toward it."""
    make, options = EXAMPLES[example]
    trace = make()
    inputs = list(trace.graph.graph["inputs"])
    animator = Animator(trace, "tangent", tween=4, hold=1, dpi=20, size=(8, 4.5),
                        seed=inputs[-1], legend=False, **options)
    scene = animator.scene
    tangent = to_hex(scene.fig.styles["edge"]["tangent"]["colour"])
    owner = {id(head): key for key, head in scene.heads.items()}
    checked = {True: 0, False: 0}
    pulses = 0
    probe = Playhead(Looks.of(scene.fig))  # what each frame moves, read beside the drawing
    for frame in frame_schedule(trace, "tangent", tween=4, hold=1):
        animator(frame)
        for patch in scene.ax.patches:
            if not (isinstance(patch, Polygon) and patch.get_visible()):
                continue
            if to_hex(patch.get_facecolor(), keep_alpha=False) != tangent:
                continue
            parent, child = owner[id(patch)]
            tip = _tip(patch)
            assert _box_distance(tip, scene.node_boxes[child]) < \
                _box_distance(tip, scene.node_boxes[parent]), (frame, parent, child)
            checked[frame.hold] += 1
        step = probe.goto(frame.phase, frame.stage, not frame.hold)
        assert all(not m.backward for m in step.moving)
        pulses += len(step.moving)
    assert checked[True] and pulses


def test_tangent_stages_paint_like_the_svg() -> None:
    """Forward mode seeded with each input: the Matplotlib records equal the SVG's."""
    for make, options in (EXAMPLES["seed"], EXAMPLES["scoped-collapsed"]):
        trace = make()
        for seed in trace.graph.graph["inputs"]:
            fig = figure(trace, seed=seed, **options)  # type: ignore[arg-type]
            scene = Scene(fig, MplFigure(figsize=(8, 4.5), dpi=30).add_axes((0, 0, 1, 1)))
            for k, content in enumerate(fig.frames("tangent")):
                scene.show("tangent", k)
                reference = {n: _normal(r) for n, r in
                             svg.painted(svg.paint(fig, content)).items()}
                assert painted(scene) == reference, (seed, k)


def test_moving_edges_have_no_arrowhead_until_the_pulse_arrives() -> None:
    trace = seed()
    scene = Scene(figure(trace), MplFigure(figsize=(8, 4.5), dpi=20).add_axes((0, 0, 1, 1)))
    for fraction in (0.0, 0.3, 0.6, 0.95):
        scene.show("reverse", 5, fraction=fraction)
        assert not scene.heads["x1", "t3"].get_visible()
        assert not scene.heads["x2", "t3"].get_visible()
    scene.show("reverse", 5)
    assert painted(scene)["edge:x1->t3"].toward_parent is True


def _route(fig: adviz.scene.picture.Figure, key: tuple[str, str]) -> np.ndarray:
    return bezier_points(fig.edges[key].forward)


def _rect_distance(points: np.ndarray, rect: tuple[float, float, float, float]) -> float:
    x0, y0, x1, y1 = rect
    dx = np.maximum(np.maximum(x0 - points[:, 0], 0.0), points[:, 0] - x1)
    dy = np.maximum(np.maximum(y0 - points[:, 1], 0.0), points[:, 1] - y1)
    return float(np.min(np.hypot(dx, dy)))


LABEL_REACH = 50.0
"""Farthest (frame points) an edge label's text may be from its own edge's route."""

NEAREST_HOLDS = {("seed", "TB")}
"""Layouts where Graphviz puts every label nearer its own edge than any other; elsewhere
another edge's route can pass nearer a label than its own (the layout's placement)."""


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
@pytest.mark.parametrize("example", ["seed", "network-full"])
def test_edge_labels_sit_on_their_own_edge(example: str, rankdir: str) -> None:
    make, options = EXAMPLES[example]
    fig = figure(make(), rankdir=rankdir, **options)
    mpl_figure = MplFigure(figsize=(10, 6), dpi=40)
    scene = Scene(fig, mpl_figure.add_axes((0, 0, 1, 1)))
    renderer = FigureCanvasAgg(mpl_figure).get_renderer()
    routes = {key: _route(fig, key) for key in fig.edges}
    to_data = scene.ax.transData.inverted()
    checked = 0
    for stage in (1, len(fig.trace.reverse_stages) - 1):
        scene.show("reverse", stage)
        for key, texts in scene.edge_texts.items():
            for text in texts:
                if not text.get_visible():
                    continue
                box = text.get_window_extent(renderer).transformed(to_data)
                rect = (box.x0, min(box.y0, box.y1), box.x1, max(box.y0, box.y1))
                own = _rect_distance(routes[key], rect)
                assert own <= LABEL_REACH, (key, text.get_text(), own)
                if (example, rankdir) in NEAREST_HOLDS:
                    for other, route in routes.items():
                        if other != key:
                            assert own < _rect_distance(route, rect), (key, other)
                checked += 1
    assert checked > 10


def test_repainting_what_changed_gives_the_pixels_of_a_full_redraw() -> None:
    trace = network()
    animator = Animator(trace, "reverse", tween=2, hold=1, dpi=40, size=(8, 4.5))
    frames = frame_schedule(trace, "reverse", tween=2, hold=1)[:30]
    for frame in frames:
        animator(frame)
        fast = np.asarray(animator.rgba()[0]).astype(int)
        animator.canvas.draw()
        full = np.asarray(animator.canvas.buffer_rgba()).astype(int)
        differ = np.any(fast != full, axis=2)
        # Equal but for rounding where translucent scope boxes overlap (a level, a few pixels).
        assert np.abs(fast - full).max() <= 1, frame
        assert differ.sum() <= 10, frame
    assert animator.redraw.repairs > 5


@pytest.mark.slow
def test_every_gallery_example_paints_like_the_svg(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every stage of every gallery example, in every theme, as drawn and with its scopes
    collapsed one at a time: the Matplotlib records equal the SVG's."""
    from tests.gallery_traces import gallery_traces

    checked = 0
    with gallery_traces(monkeypatch) as traces:
        for name, trace in traces.items():
            scopes = sorted({s for node in trace.program.nodes for s in node.scope})
            views: list[dict[str, object]] = [{}, *({"collapse": [s]} for s in scopes)]
            for options in views:
                for theme in ("light", "dark", "print"):
                    fig = figure(trace, theme=theme, **options)  # type: ignore[arg-type]
                    scene = Scene(fig, MplFigure(figsize=(8, 4.5), dpi=30).add_axes(
                        (0, 0, 1, 1)))
                    for phase in ("forward", "reverse", "tangent"):
                        for k, content in enumerate(fig.frames(phase)):
                            scene.show(phase, k)
                            ours = painted(scene)
                            reference = {n: _normal(r) for n, r in
                                         svg.painted(svg.paint(fig, content)).items()}
                            assert ours == reference, (name, options, theme, phase, k)
                            checked += 1
    assert checked > 200


@pytest.mark.parametrize("sizes", [(2, 4, 1), (2, 8, 1)])
def test_neurons_are_painted_as_the_svg_circles_and_ovals(sizes: tuple[int, ...]) -> None:
    """Neurons are ellipses inscribed in their boxes (circles where the sides are equal), in
    Matplotlib as in the SVG: the same outline kind and radii in the records, read back from
    the artists (an Ellipse patch) and from the SVG rectangle's rx and ry."""
    fig = figure(mlp(sizes), view="network")
    scene = Scene(fig, MplFigure(figsize=(8, 4.5), dpi=30).add_axes((0, 0, 1, 1)))
    content = fig.frame("reverse", 2)
    scene.show("reverse", 2)
    ours = painted(scene)
    reference = svg.painted(svg.paint(fig, content))
    checked = 0
    for node, shape in fig.nodes.items():
        record = ours[f"node:{node}"]
        assert record.shape == reference[f"node:{node}"].shape == "circle"
        radii = (round(shape.width / 2, 2), round(shape.height / 2, 2))
        assert record.corner == reference[f"node:{node}"].corner == radii
        assert type(scene.node_boxes[node]).__name__ == "Ellipse"
        checked += 1
    assert checked == sum(sizes) + 1
    ovals = [n for n, s in fig.nodes.items() if s.width != s.height]
    assert bool(ovals) == (max(sizes) > 6)  # dense columns are ovals, drawn as ellipses too
    boxes = painted(Scene(figure(seed()), MplFigure(figsize=(8, 4.5), dpi=30).add_axes(
        (0, 0, 1, 1))))
    assert boxes["node:t1"].shape == "box" and boxes["node:t1"].corner == (6.0, 6.0)


def _pulse_heads(scene: Scene) -> list[np.ndarray]:
    return [np.asarray(path.vertices, dtype=float)[:3] for path in scene.pulse_heads.get_paths()]


def _ellipse_distance(point: np.ndarray, shape: object) -> float:
    """Distance from a point to a node's circle, as the scene places it (0 inside)."""
    x, y = shape.x, shape.y  # type: ignore[attr-defined]
    r = min(shape.width, shape.height) / 2  # type: ignore[attr-defined]
    return max(math.hypot(point[0] - x, point[1] - y) - r, 0.0)


@pytest.mark.parametrize("phase", ["reverse", "forward"])
def test_neuron_view_pulses_point_the_way_the_quantity_flows(phase: str) -> None:
    """Every frame in between two stages of a 2-4-1 neuron-view animation (what the GIF
    writer draws): one arrow pulse per edge the stage sets, its head (read back from the
    drawn triangles) pointing toward the inputs in the reverse pass (at the parent, leftward)
    and toward the loss forward (at the child, rightward); no pulse on stage frames."""
    trace = mlp((2, 4, 1))
    animator = Animator(trace, phase, tween=5, hold=1, dpi=20, size=(8, 4.5),
                        view="network")
    scene = animator.scene
    fig = scene.fig
    flow = "gradient" if phase == "reverse" else "forward"
    travelled = 0
    for frame in animator.frames:
        animator(frame)
        heads = _pulse_heads(scene)
        if frame.hold:
            assert not heads and len(scene.trail.get_xdata()) == 0
            continue
        keys = [k for k, v in fig.frame(phase, frame.stage).edges.items() if v.state == flow]
        assert len(heads) == len(keys) > 0, frame
        for key, triangle in zip(keys, heads, strict=True):
            tip = triangle[0]  # arrowhead(): the tip first, then the base corners
            base = (triangle[1] + triangle[2]) / 2
            parent, child = fig.nodes[key[0]], fig.nodes[key[1]]
            near_parent = _ellipse_distance(tip, parent) < _ellipse_distance(tip, child)
            # a head points from its base to its tip, along the edge
            along = np.dot(tip - base, np.array([child.x - parent.x, child.y - parent.y]))
            if phase == "reverse":
                assert tip[0] < base[0] and along < 0, (frame, key)
                assert near_parent or frame.fraction < 0.5, (frame, key)
            else:
                assert tip[0] > base[0] and along > 0, (frame, key)
                assert not near_parent or frame.fraction < 0.5, (frame, key)
            travelled += 1
    assert travelled >= 5 * 8  # at least 5 frames before each stage that sets edges


def test_neuron_view_frames_in_between_redraw_only_the_pulses() -> None:
    """Between two stages only the pulses change: after a stage's first frame in between,
    no static artist is restyled, and the picture is repaired or redrawn at most twice per
    stage (entering the travel, then the stage); the pixels equal a full redraw."""
    trace = mlp((2, 4, 1))
    animator = Animator(trace, "reverse", tween=4, hold=1, dpi=30, size=(8, 4.5),
                        view="network")
    scene = animator.scene
    stages = scene.fig.stage_count("reverse")
    for frame in animator.frames:
        animator(frame)
        if not frame.hold and frame.fraction > 0.0:
            assert not scene.touched, frame  # nothing but the pulses moved
        fast = np.asarray(animator.rgba()[0]).astype(int)
        if not frame.hold and frame.fraction == 0.5:
            animator.canvas.draw()
            full = np.asarray(animator.canvas.buffer_rgba()).astype(int)
            assert np.abs(fast - full).max() <= 1, frame
    assert animator.redraw.full_draws + animator.redraw.repairs <= 2 * stages + 2
