"""One layout per trace: geometry, sizes reserved for every frame, caching, engines."""

from __future__ import annotations

import importlib.metadata
import itertools
import math
from pathlib import Path

import pytest

import adviz
from adviz.errors import InputError, RenderError
from adviz.scene import graphviz as graphviz_engine
from adviz.scene.content import frame, frame_count
from adviz.scene.layout import (
    NODE_PAD_X,
    EdgeRoute,
    Layout,
    NodeBox,
    compute_layout,
    label_size,
    layout_source,
)
from adviz.text.labels import reserved_edge_lines, text_width


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    graphviz_engine._find.cache_clear()
    yield
    graphviz_engine._find.cache_clear()


def _near_border(point: tuple[float, float], box: NodeBox, tolerance: float = 3.0) -> bool:
    dx = abs(point[0] - box.x) - box.width / 2
    dy = abs(point[1] - box.y) - box.height / 2
    return max(dx, dy) <= tolerance and max(dx, dy) >= -tolerance


def test_seed_left_to_right_inputs_left_output_right(seed_trace: adviz.Trace) -> None:
    layout = compute_layout(seed_trace)
    assert isinstance(layout, Layout) and layout.rankdir == "LR"
    xs = {n: box.x for n, box in layout.nodes.items()}
    assert max(xs["x1"], xs["x2"]) < min(xs[n] for n in ("t1", "t2", "t3", "t4", "y"))
    assert xs["y"] == max(xs.values())
    assert list(layout.nodes) == list(seed_trace.graph.nodes)
    assert set(layout.edges) == set(seed_trace.graph.edges)


def test_top_to_bottom_puts_inputs_on_top(seed_trace: adviz.Trace) -> None:
    layout = compute_layout(seed_trace, rankdir="TB")
    ys = {n: box.y for n, box in layout.nodes.items()}
    assert max(ys["x1"], ys["x2"]) < min(ys[n] for n in ("t1", "t2", "t3", "t4", "y"))
    assert ys["y"] == max(ys.values())


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_boxes_inside_the_drawing_and_not_overlapping(seed_trace: adviz.Trace,
                                                      rankdir: str) -> None:
    layout = compute_layout(seed_trace, rankdir=rankdir)
    for box in layout.nodes.values():
        assert box.x - box.width / 2 >= -0.5 and box.x + box.width / 2 <= layout.width + 0.5
        assert box.y - box.height / 2 >= -0.5 and box.y + box.height / 2 <= layout.height + 0.5
    for a, b in itertools.combinations(layout.nodes.values(), 2):
        apart_x = abs(a.x - b.x) >= (a.width + b.width) / 2
        apart_y = abs(a.y - b.y) >= (a.height + b.height) / 2
        assert apart_x or apart_y, (a.id, b.id)


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_edges_run_from_parent_border_to_child_border(seed_trace: adviz.Trace,
                                                      rankdir: str) -> None:
    layout = compute_layout(seed_trace, rankdir=rankdir)
    for (parent, child), route in layout.edges.items():
        assert isinstance(route, EdgeRoute)
        assert (route.parent, route.child) == (parent, child)
        assert len(route.points) >= 4 and (len(route.points) - 1) % 3 == 0
        assert _near_border(route.points[0], layout.nodes[parent])
        assert route.head is not None and _near_border(route.head, layout.nodes[child])
        assert 4 <= math.dist(route.points[-1], route.head) <= 14  # arrowhead length
        assert route.label is not None
        assert 0 <= route.label[0] <= layout.width and 0 <= route.label[1] <= layout.height


def test_every_frame_fits_in_the_reserved_boxes(seed_trace: adviz.Trace) -> None:
    layout = compute_layout(seed_trace)
    reserved = reserved_edge_lines(seed_trace)
    for phase in ("forward", "reverse", "summary"):
        for k in range(frame_count(seed_trace, phase)):
            content = frame(seed_trace, phase, k)
            for node, view in content.nodes.items():
                box = layout.nodes[node]
                widest = max(text_width(line.text, line.size) for line in view.lines)
                assert widest + 2 * NODE_PAD_X <= box.width + 0.5, (phase, k, node)
                assert sum(line.size * 1.3 for line in view.lines) <= box.height
            for edge, view in content.edges.items():
                width, _ = label_size(reserved[edge])
                assert all(text_width(line.text, line.size) <= width for line in view.lines)


def test_layout_is_computed_once_per_trace_and_options(seed_trace: adviz.Trace,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    first = compute_layout(seed_trace)
    calls = []
    real = graphviz_engine.run_layout
    monkeypatch.setattr("adviz.scene.layout.run_layout",
                        lambda *a, **k: calls.append(a) or real(*a, **k))
    assert compute_layout(seed_trace) is first
    assert calls == []
    other = compute_layout(seed_trace, rankdir="TB")
    assert other is not first and len(calls) == 1
    assert compute_layout(seed_trace, rankdir="TB") is other and len(calls) == 1


def test_same_graph_gives_the_same_layout() -> None:
    a = compute_layout(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2))
    b = compute_layout(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2))
    assert a is not b
    assert a == b


def test_no_user_text_reaches_graphviz() -> None:
    def f(x):
        return adviz.name(x * 2, '<b>&"quoted" \\ name') + x

    source = layout_source(adviz.trace(f, x=1))
    assert "quoted" not in source and "name" not in source
    layout = compute_layout(adviz.trace(f, x=1))
    assert '<b>&"quoted" \\ name' in layout.nodes


def test_unknown_rankdir_is_an_input_error(seed_trace: adviz.Trace) -> None:
    with pytest.raises(InputError, match="rankdir"):
        compute_layout(seed_trace, rankdir="diagonal")


def test_bundled_engine_is_found_without_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv(graphviz_engine.ENV_VAR, raising=False)
    path = graphviz_engine.find_engine()
    assert Path(path).name == "graphviz-pure"
    assert graphviz_engine.run_graphviz("digraph { a -> b }", ["-Tplain"]).startswith(b"graph")


def test_system_engine_missing_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv(graphviz_engine.ENV_VAR, "system")
    with pytest.raises(RenderError, match="pip install graphviz-pure"):
        graphviz_engine.find_engine()


def test_engine_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="does not exist"):
        graphviz_engine.find_engine(str(tmp_path / "no-dot"))


def test_explicit_engine_path_is_used(seed_trace: adviz.Trace, tmp_path: Path) -> None:
    bundled = graphviz_engine.find_engine("pure")
    assert graphviz_engine.find_engine(bundled) == bundled
    assert compute_layout(seed_trace, engine=bundled) == compute_layout(seed_trace)


def test_no_engine_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(graphviz_engine.importlib.metadata, "distribution", missing)
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv(graphviz_engine.ENV_VAR, raising=False)
    with pytest.raises(RenderError, match="pip install graphviz-pure"):
        graphviz_engine.find_engine()


def test_graphviz_failure_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="failed"):
        graphviz_engine.run_graphviz("digraph { a -> }", ["-Tjson0"])


def test_label_sizes_grow_with_text() -> None:
    small = label_size(("∂y/∂x = 1",))
    large = label_size(("∂y/∂x = 1", "g_x += 1 · 1 = 1"))
    assert large[0] >= small[0] and large[1] > small[1]


def test_captions_wrap_between_terms_never_inside_an_update() -> None:
    from adviz.scene.picture import wrap
    from adviz.text.labels import stage_title

    t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    title = stage_title(t, "reverse", 5)
    updates = title.split(": ", 1)[1].split("; ")
    for width in (900.0, 700.0):
        lines = wrap(title, width)
        assert len(lines) > 1
        for update in updates:  # each update fits the line, so it sits on one line whole
            assert any(update.rstrip(";") in line for line in lines), (width, lines)
    narrow = wrap(title, 300.0)  # an update wider than the line breaks before its running sum
    assert any(line.startswith("→ g_x₁ = ") for line in narrow), narrow


def test_an_input_the_output_does_not_use_shows_g_0_in_the_last_stage() -> None:
    t = adviz.trace(lambda x1, x2, x3: (x1 - x2)**2 + adviz.cos(x1 + x2), x1=1.0, x2=2.0,
                    x3=5.0)
    assert t.grad["x3"] == 0.0
    last = frame(t, "reverse", -1).nodes["x3"]
    assert last.state == "done"
    assert [line.text for line in last.lines if line.role == "adjoint"] == ["g = 0"]
    assert frame(t, "reverse", -2).nodes["x3"].state == "muted"  # not before the end
    from adviz.renderers.svg import painted

    drawn = painted(adviz.to_svg(t, "reverse", -1))["node:x3"]
    assert drawn.texts == ("x₃", "= 5", "g = 0")


def test_a_started_layout_is_the_one_compute_layout_gives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`start_layout` runs Graphviz once, in the background, for the options it is given:
    `compute_layout` with those options takes that run (equal to a layout computed
    without it); other options, and a layout already cached, run Graphviz as before."""
    from adviz.scene.layout import start_layout

    calls: list[str] = []
    real = graphviz_engine.run_layout
    monkeypatch.setattr("adviz.scene.layout.run_layout",
                        lambda source, **k: calls.append(source) or real(source, **k))
    expression = "(x1 - x2)**2 + cos(x1 + x2)"
    started = adviz.trace(expression, x1=1, x2=2)
    start_layout(started, rankdir="TB")
    start_layout(started, rankdir="TB")  # already running: not started again
    layout = compute_layout(started, rankdir="TB")
    assert len(calls) == 1
    assert layout == compute_layout(adviz.trace(expression, x1=1, x2=2), rankdir="TB")
    assert len(calls) == 2 and calls[0] == calls[1]
    start_layout(started, rankdir="TB")  # cached: nothing to start
    assert compute_layout(started, rankdir="TB") is layout and len(calls) == 2
    compute_layout(started)  # other options: their own run
    assert len(calls) == 3


def test_a_started_layout_raises_graphviz_errors_where_it_is_taken(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from adviz.scene.layout import start_layout

    def failing(source: str, **keywords: object) -> bytes:
        raise RenderError("Graphviz (dot) failed with exit code 1: syntax error")

    monkeypatch.setattr("adviz.scene.layout.run_layout", failing)
    t = adviz.trace("x * x", x=3)
    start_layout(t)  # returns while Graphviz runs: its error comes with the layout
    with pytest.raises(RenderError, match="syntax error"):
        compute_layout(t)
    with pytest.raises(InputError, match="rankdir"):
        start_layout(t, rankdir="up")
