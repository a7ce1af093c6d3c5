"""The Matplotlib renderer: one stage on an Axes, from the stored layout."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

import adviz
from adviz.renderers.mpl.artists import Scene
from adviz.renderers.mpl.look import Looks
from adviz.scene.layout import compute_layout
from adviz.scene.picture import figure
from adviz.scene.style import get_theme
from adviz.text import mathtext as mt


@pytest.fixture
def seed() -> adviz.Trace:
    return adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)


def _scene(trace: adviz.Trace, theme: str = "light") -> Scene:
    ax = Figure(figsize=(10, 4)).add_axes((0, 0, 1, 1))
    return Scene(trace, ax, theme=theme)


def _visible_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_visible() and t.get_text()]


def test_draw_returns_axes_with_the_seed_numbers(seed: adviz.Trace) -> None:
    ax = adviz.draw(seed, "reverse", -1)
    texts = _visible_texts(ax)
    assert "$t_{1} = x_{1} - x_{2}$" in texts
    assert "$\\partial t_{2}/\\partial t_{1} = 2 t_{1} = -2$" in texts
    assert "$= -2.14112$" in texts and "$= 1.85888$" in texts
    assert any(t.startswith("Stage 5 of 5") for t in texts)
    plt.close(ax.figure)


def test_draw_on_a_given_axes(seed: adviz.Trace) -> None:
    fig, ax = plt.subplots()
    assert adviz.draw(seed, "forward", 2, ax) is ax
    fig.canvas.draw()
    plt.close(fig)


def test_same_positions_as_the_layout(seed: adviz.Trace) -> None:
    scene = _scene(seed)
    layout = compute_layout(seed)
    g = figure(seed)
    for node, box in layout.nodes.items():
        patch = scene.node_boxes[node]
        assert isinstance(patch, FancyBboxPatch)
        assert patch.get_x() + patch.get_width() / 2 == pytest.approx(box.x + g.dx)
        assert patch.get_y() + patch.get_height() / 2 == pytest.approx(box.y + g.dy)
        assert patch.get_width() == pytest.approx(box.width)
    scene.show("forward", -1)
    for key, route in layout.edges.items():
        path = scene.edge_lines[key].get_path()
        assert path.codes is not None and set(path.codes[1:].tolist()) == {4}  # CURVE4
        np.testing.assert_allclose(path.vertices, np.array(route.points) + np.array([g.dx, g.dy]),
                                   atol=0.01)


def test_reverse_stage_states(seed: adviz.Trace) -> None:
    theme = get_theme("light")
    scene = _scene(seed)
    scene.show("reverse", 2)
    assert scene.node_boxes["t2"].get_facecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(theme.active_fill))
    assert scene.node_boxes["t1"].get_edgecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(theme.gradient))
    assert scene.node_boxes["x1"].get_facecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(theme.muted_fill))
    head = scene.heads["t1", "t2"]
    assert head.get_visible()
    np.testing.assert_allclose(head.get_xy()[0], figure(seed).edges["t1", "t2"].reverse_head.tip)
    assert scene.edge_lines["t1", "t2"].get_edgecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(theme.gradient))
    labels = [t.get_text() for t in scene.edge_texts["t1", "t2"]]
    assert labels[1] == "$g_{t_{1}} {+}\\!\\!= 1 \\cdot (2 t_{1}) = -2$"


def test_running_sum_shows_the_accumulation(seed: adviz.Trace) -> None:
    fig = figure(seed)
    look = Looks.of(fig).node("x1", fig.frame("reverse", 5).nodes["x1"])
    assert [line.unicode for line in look.lines[2:]] == ["g = −2 + (−0.14112)", "= −2.14112"]
    assert [line.text for line in look.lines[2:]] == ["$g = -2 + (-0.14112)$", "$= -2.14112$"]


def test_forward_values_appear_in_evaluation_order(seed: adviz.Trace) -> None:
    fig = figure(seed)
    looks = Looks.of(fig)
    shown = []
    for k in range(6):
        nodes = fig.frame("forward", k).nodes
        shown.append([n for n, v in nodes.items() if len(looks.node(n, v).lines) > 1])
    assert shown[0] == ["x1", "x2"]
    assert [s[-1] if k else None for k, s in enumerate(shown)][1:] == \
        ["t1", "t2", "t3", "t4", "y"]


def test_travel_frames_move_a_pulse_from_child_to_parent(seed: adviz.Trace) -> None:
    scene = _scene(seed)
    route = scene.route("t1", "t2", backward=True)
    positions = []
    for f in (0.0, 0.5, 0.9):
        scene.show("reverse", 2, fraction=f)
        positions.append((scene.pulses.get_xdata()[0], scene.pulses.get_ydata()[0]))
    child_end, parent_end = route.point_at(0.0), route.point_at(1.0)
    assert np.hypot(*np.subtract(positions[0], child_end)) < 1e-6
    distances = [np.hypot(*np.subtract(p, parent_end)) for p in positions]
    assert distances[0] > distances[1] > distances[2]
    scene.show("reverse", 2)
    assert len(scene.pulses.get_xdata()) == 0


def test_artists_are_created_once(seed: adviz.Trace) -> None:
    scene = _scene(seed)
    before = len(scene.ax.get_children())
    for k in range(6):
        scene.show("reverse", k, fraction=0.3)
        scene.show("reverse", k)
    scene.show("forward", 3, fraction=0.5)
    assert len(scene.ax.get_children()) == before


def test_dark_theme_background(seed: adviz.Trace) -> None:
    scene = _scene(seed, "dark")
    assert scene.ax.get_facecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(get_theme("dark").background))


def test_every_label_is_valid_mathtext_or_escaped() -> None:
    odd = adviz.trace(lambda w_1, b: adviz.tanh(w_1 * b) / b, w_1=0.5, b=2.0)
    ax = adviz.draw(odd, "reverse", -1)
    ax.figure.canvas.draw()
    for text in _visible_texts(ax):
        if text.startswith("$"):
            assert mt.is_mathtext(text[1:-1])
    plt.close(ax.figure)


def test_invalid_latex_falls_back_to_plain_text() -> None:
    assert mt.math_or_text(r"\notacommand{x}", "f(x) costs $5") == r"f(x) costs \$5"
    adviz.register_op("hashy", lambda a: 2 * a, lambda a: 2.0, latex=r"\#\&{0}", replace=True)
    try:
        t = adviz.trace("hashy(x)", x=1.0)
        title = mt.node_title(t, "y")
        assert not title.startswith("$")
        ax = adviz.draw(t)
        ax.figure.canvas.draw()
        plt.close(ax.figure)
    finally:
        adviz.unregister_op("hashy")


def test_unknown_phase_and_stage_are_clear_errors(seed: adviz.Trace) -> None:
    with pytest.raises(adviz.InputError, match="phase"):
        adviz.draw(seed, "sideways")
    with pytest.raises(adviz.InputError, match="stage 9 does not exist"):
        adviz.draw(seed, "reverse", 9)


def test_import_adviz_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, adviz; adviz.trace('x*x', x=1); print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_collapsed_scopes_are_drawn_as_boxes() -> None:
    def f(x):  # type: ignore[no-untyped-def]
        with adviz.scope("double"):
            u = 2 * x
        return u * u

    t = adviz.trace(f, x=3.0)
    ax = Figure(figsize=(8, 4)).add_axes((0, 0, 1, 1))
    scene = Scene(t, ax, collapse=["double"])
    scene.show("reverse", 2)
    assert "[double]" in scene.node_boxes
    texts = [x.get_text() for x in scene.node_texts["[double]"] if x.get_visible()]
    assert texts[:2] == ["double", "1 node hidden"]
    for k in range(len(t.reverse_stages)):
        scene.show("reverse", k, fraction=0.5)
    ax.figure.canvas.draw()


def test_large_graphs_get_shortened_labels_and_a_notice() -> None:
    def f(x):  # type: ignore[no-untyped-def]
        for _ in range(25):
            x = adviz.sin(x) + x
        return x

    t = adviz.trace(f, x=0.5)
    assert t.graph.number_of_nodes() > 40
    ax = Figure(figsize=(12, 6)).add_axes((0, 0, 1, 1))
    scene = Scene(t, ax)
    scene.show("reverse", 3)
    assert scene.compact
    assert not any(x.get_visible() for pair in scene.edge_texts.values() for x in pair)
    assert any("large graph" in c.get_text() for c in scene.captions)
    full = Scene(t, Figure(figsize=(12, 6)).add_axes((0, 0, 1, 1)), full=True)
    assert not full.compact
