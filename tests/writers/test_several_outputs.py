"""A trace with several outputs drawn and saved: every output drawn as one, ``output=`` picks
whose reverse sweep is shown, the player plays every sweep, the walkthrough has one table per
output; a value that is not an output is refused with nothing written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import adviz
from adviz.core.sweep import output_sweep
from adviz.renderers.player import player_html
from adviz.scene.picture import figure


@pytest.fixture(scope="module")
def vector() -> adviz.Trace:
    return adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)


def _three(x1: float, x2: float) -> tuple[float, float, float]:
    return (x1 - x2)**2 + adviz.cos(x1 + x2), x1 * x2, adviz.sin(x1)


@pytest.fixture(scope="module")
def three() -> adviz.Trace:
    return adviz.trace(_three, x1=1.0, x2=2.0)


def _plain(x1: float, x2: float) -> tuple[float, ...]:
    import math

    return (x1 - x2)**2 + math.cos(x1 + x2), x1 * x2, math.sin(x1)


def _central(k: int, point: dict[str, float], name: str, h: float = 1e-6) -> float:
    up, down = dict(point), dict(point)
    up[name] += h
    down[name] -= h
    return (_plain(**up)[k] - _plain(**down)[k]) / (2 * h)


def _node_boxes(svg: str) -> dict[str, tuple[str, ...]]:
    """Node id -> the attributes of its box, read back from the SVG."""
    boxes = {}
    node = r'<g [^>]*class="node"[^>]*>\s*<title>([^<]+)</title>\s*<rect ([^>]*)>'
    for match in re.finditer(node, svg):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', match.group(2)))
        boxes[match.group(1)] = (attrs["x"], attrs["y"], attrs["width"], attrs["height"])
    return boxes


def test_every_output_is_drawn_as_an_output_on_one_layout(three) -> None:
    figures = [figure(three, output=name) for name in three.outputs]
    for fig in figures:
        kinds = {n: v.kind for n, v in fig.frame("reverse", 0).nodes.items()}
        assert [n for n, k in kinds.items() if k == "output"] == ["y1", "y2", "y3"]
    assert all(f.nodes == figures[0].nodes and f.edges == figures[0].edges for f in figures)
    assert len({(f.width, f.height) for f in figures}) == 1
    svgs = [adviz.to_svg(three, "reverse", output=name) for name in three.outputs]
    boxes = [_node_boxes(svg) for svg in svgs]
    assert sorted(boxes[0]) == sorted(three.graph.nodes) and len(boxes[0]) == 7 + 2
    assert boxes[0] == boxes[1] == boxes[2]  # same geometry whichever sweep is shown


@pytest.mark.parametrize("k", [1, 2, 3])
def test_the_adjoints_at_the_end_of_a_sweep_are_the_jacobian_row(three, k: int) -> None:
    name = f"y{k}"
    fig = figure(three, output=k)
    last = fig.frame("reverse", -1)
    assert last.title.startswith(f"Reverse sweep for {name}: ")
    for shown_frame in (last, fig.frame("summary")):
        for x in three.inputs:
            lines = shown_frame.nodes[x].lines
            line = lines[-1].text if lines[-1].role == "adjoint" else "g = 0"  # not reached
            shown = float(line.split("=")[-1].replace("−", "-"))
            assert shown == pytest.approx(_central(k - 1, dict(three.inputs), x), abs=1e-5)
    depends = {name} | set(__import__("networkx").ancestors(three.graph, name))
    for node, view in last.nodes.items():
        if node in three.inputs and node not in depends:  # an unused input ends with g = 0
            assert view.state == "done" and view.lines[-1].text == "g = 0", (name, node)
        elif node not in depends:
            assert view.state == "muted", (name, node)
            assert not any(line.role == "adjoint" for line in view.lines)


def test_frames_of_a_sweep_follow_its_reverse_stages(three) -> None:
    fig = figure(three, output="y3")
    assert len(list(fig.frames("reverse"))) == len(three.reverse_stages_for("y3")) == 2
    assert len(list(fig.frames("forward"))) == len(three.forward_stages)


def _data(page: str) -> dict[str, object]:
    found = re.search(r'class="adviz-data">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def test_the_player_plays_one_sweep_per_output(three) -> None:
    data = _data(player_html(three))
    phases = data["phases"]
    assert isinstance(phases, list)
    assert [p["name"] for p in phases] == ["forward", "reverse-y1", "reverse-y2", "reverse-y3"]
    for p, name in zip(phases[1:], three.outputs):
        assert len(p["captions"]) == len(three.reverse_stages_for(name))
        assert all(c.startswith(f"Reverse sweep for {name}: ") for c in p["captions"])
    one = _data(player_html(three, output="y2"))["phases"]
    assert [p["name"] for p in one] == ["forward", "reverse"]  # type: ignore[index,union-attr]


def test_the_player_page_grows_with_changes_not_sweeps_times_nodes() -> None:
    from adviz.examples import many_outputs

    small, large = many_outputs(2, 4), many_outputs(2, 16)
    changes = [sum(len(s[0]) + len(s[1]) for p in _data(player_html(t))["phases"]  # type: ignore
                   for s in p["stages"]) for t in (small, large)]
    nodes = [len(t.graph) for t in (small, large)]
    # every element changes at most a bounded number of times per stage it takes part in
    stages = [len(t.forward_stages) + sum(len(t.reverse_stages_for(o)) for o in t.outputs)
              for t in (small, large)]
    assert changes[1] / changes[0] < 1.5 * max(nodes[1] / nodes[0], stages[1] / stages[0])


def test_save_takes_output_for_every_picture_format(three, tmp_path: Path) -> None:
    svg = adviz.save(three, tmp_path / "y2.svg", output="y2")
    assert "Reverse sweep for y2" in svg.read_text(encoding="utf-8")
    tex = adviz.save(three, tmp_path / "y3.tex", output=3)
    assert "initialise g\\_y3" in tex.read_text(encoding="utf-8").replace("{", "").replace(
        "}", "") or "y3" in tex.read_text(encoding="utf-8")
    md = adviz.save(three, tmp_path / "y2.md", output="y2").read_text(encoding="utf-8")
    assert "g\\_y2 = 1" in md and "g\\_y1 = 1" not in md
    frames = adviz.save_frames(three, tmp_path / "frames", phase="reverse", output="y2")
    assert len(frames) == len(three.reverse_stages_for("y2"))


def test_the_walkthrough_has_one_table_per_output(three) -> None:
    text = adviz.walkthrough(three, "markdown")
    for name in three.outputs:
        assert f"g\\_{name} = 1" in text


@pytest.mark.parametrize("suffix", ["svg", "html", "tex", "md"])
def test_output_that_is_not_an_output_is_refused(three, tmp_path: Path, suffix: str) -> None:
    with pytest.raises(adviz.InputError, match=r"'y9' is not an output of this trace; its "
                                               r"outputs are y1, y2, y3"):
        adviz.save(three, tmp_path / f"out.{suffix}", output="y9")
    assert list(tmp_path.iterdir()) == []


def test_a_single_output_trace_takes_only_its_own(tmp_path: Path) -> None:
    t = adviz.trace("x * x", x=3)
    assert adviz.to_svg(t, output="y") == adviz.to_svg(t)
    assert adviz.to_svg(t, output=1) == adviz.to_svg(t)
    with pytest.raises(adviz.InputError, match=r"output='y2' does not apply to .*its only "
                                               r"output is 'y'"):
        adviz.to_svg(t, output="y2")
    with pytest.raises(adviz.InputError, match="does not apply"):
        adviz.save(t, tmp_path / "a.svg", output="z")
    with pytest.raises(adviz.InputError, match="output must be"):
        adviz.save(t, tmp_path / "a.svg", output=1.5)
    assert list(tmp_path.iterdir()) == []


def test_the_demonstration_page_refuses_several_outputs(vector, tmp_path: Path) -> None:
    with pytest.raises(adviz.TraceError, match=r"takes one output and this trace has 2"):
        adviz.save(vector, tmp_path / "demo.html", format="demo")
    assert list(tmp_path.iterdir()) == []


def test_the_json_graph_carries_every_output(vector, tmp_path: Path) -> None:
    path = adviz.save(vector, tmp_path / "graph.json")
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    assert data["graph"]["output"] == "y1"
    assert data["graph"]["outputs"] == ["y1", "y2"]


def test_a_picked_output_draws(vector) -> None:
    svg = adviz.to_svg(vector.pick("y2"))
    assert "<title>y2</title>" in svg


def test_a_sweep_is_a_trace_of_its_output(vector) -> None:
    y2 = output_sweep(vector, "y2")
    assert y2.output == "y2" and y2.value == pytest.approx(0.9092974)
    assert y2.grad == vector.jacobian["y2"]


def test_the_player_lists_the_forward_rows_once(three) -> None:
    page = player_html(three)
    for stage in range(len(three.forward_stages)):
        assert page.count(f'<tr data-phase="forward" data-stage="{stage}">') == \
            len(three.forward_stages[stage].nodes)
    for name in three.outputs:
        rows = page.count(f'<tr data-phase="reverse-{name}"')
        assert rows == len(three.reverse_stages_for(name))


def test_sweeps_and_their_figures_do_not_keep_a_trace_alive() -> None:
    import gc
    import weakref

    t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
    assert figure(t, output=2) is figure(t, output="y2")
    assert output_sweep(t, 2) is output_sweep(t, "y2")
    ref = weakref.ref(t)
    del t
    gc.collect()
    assert ref() is None


def _tangent(line: str) -> float:
    return float(line.split("=")[-1].replace("−", "-"))


@pytest.mark.parametrize("seed", ["x1", "x2", {"x1": 0.5, "x2": -2.0}])
def test_the_forward_mode_frames_carry_every_output_s_tangent(three, seed: object) -> None:
    direction = {"x1": 1.0, "x2": 0.0} if seed == "x1" else \
        {"x1": 0.0, "x2": 1.0} if seed == "x2" else dict(seed)  # type: ignore[call-overload]
    h = 1e-6
    up = {x: v + h * direction[x] for x, v in three.inputs.items()}
    down = {x: v - h * direction[x] for x, v in three.inputs.items()}
    for output in three.outputs:  # each output's figure shows the same forward-mode sweep
        last = figure(three, output=output, seed=seed).frame("tangent", -1)
        for k, name in enumerate(three.outputs):
            line = [ln.text for ln in last.nodes[name].lines if ln.role == "tangent"][-1]
            central = (_plain(**up)[k] - _plain(**down)[k]) / (2 * h)
            assert _tangent(line) == pytest.approx(central, abs=1e-5)


def test_a_vector_figure_is_cached_by_size_seed_and_output(three) -> None:
    base = figure(three, output="y2", seed="x2", size="1920x1080")
    assert base is figure(three, output="y2", seed="x2", size="1920x1080")
    others = [figure(three, output="y3", seed="x2", size="1920x1080"),
              figure(three, output="y2", seed="x1", size="1920x1080"),
              figure(three, output="y2", seed="x2", size="16:9"),
              figure(three, output="y2", seed="x2")]
    assert all(other is not base for other in others)
    assert base.seed == {"x1": 0.0, "x2": 1.0} and others[1].seed == {"x1": 1.0, "x2": 0.0}
    assert base.frame("reverse", 0).title.startswith("Reverse sweep for y2")
    assert others[0].frame("reverse", 0).title.startswith("Reverse sweep for y3")
    assert base.page is not None and (base.page.width, base.page.height) == (1920, 1080)
    assert base.page.smallest >= 14 and others[3].page is None
    svg = adviz.to_svg(three, "tangent", output="y2", seed="x2", size="16:9")
    assert 'width="1280.00px" height="720.00px"' in svg


def test_a_vector_figure_too_small_for_min_text_is_refused(three, tmp_path: Path) -> None:
    with pytest.raises(adviz.InputError, match=r"at size '300x200' .* below the 14 px minimum"):
        figure(three, size="300x200")
    with pytest.raises(adviz.InputError, match="min_text"):
        adviz.save(three, tmp_path / "small.svg", size="300x200", output="y2")
    assert list(tmp_path.iterdir()) == []
    assert figure(three, size="300x200", min_text=4).page is not None


def _shown_tangents(page: str, part: str) -> dict[str, float]:
    """Each output's tangent as the page shows it at the end of ``part``: the page's changes
    replayed from the start, the number read from the node's ``ẏ = ...`` line."""
    data = _data(page)
    scene, lines = data["scene"], data["lines"]
    node_ids = [n[0] for n in scene["nodes"]]  # type: ignore[index]
    shown: dict[str, str] = {}
    for phase in data["phases"]:  # type: ignore[attr-defined]
        for nodes, _edges in phase["stages"]:
            for change in nodes:
                texts = [lines[r][2] for r in change[2:]]  # type: ignore[index]
                tangent = [t for t in texts if "=" in t and "\u0307" in
                           __import__("unicodedata").normalize("NFD", t.split("=")[0])]
                if tangent:
                    shown[node_ids[change[0]]] = tangent[-1]
        if phase["name"] == part:
            break
    return {n: float(text.split("=")[-1].replace("\u2212", "-")) for n, text in shown.items()
            if n.startswith("y")}


@pytest.mark.parametrize("phase", ["tangent", "modes"])
def test_the_player_plays_forward_mode_of_several_outputs(three, tmp_path: Path,
                                                         phase: str) -> None:
    """One forward sweep gives every output's tangent, a column of the Jacobian; "modes"
    then plays each output's reverse sweep."""
    page = adviz.save(three, tmp_path / "player.html", phase=phase, seed="x2")
    text = page.read_text(encoding="utf-8")
    names = [p["name"] for p in _data(text)["phases"]]  # type: ignore[attr-defined]
    assert names == (["tangent"] if phase == "tangent" else
                     ["tangent", "reverse-y1", "reverse-y2", "reverse-y3"])
    shown = _shown_tangents(text, "tangent")
    point = {"x1": 1.0, "x2": 2.0}
    assert sorted(shown) == ["y1", "y2", "y3"]
    for k, out in enumerate(("y1", "y2", "y3")):
        assert shown[out] == pytest.approx(_central(k, point, "x2"), abs=1e-4)
    # the trace table's note, in MathML: ẏ₁ = ∂y₁/∂x₂ = ...
    assert re.search(r"Directional derivatives: <math><msub><mover [^>]*><mi>y</mi>.*?<mn>1</mn>"
                     r"</msub><mo>=</mo><mi [^>]*>∂</mi><msub><mi>y</mi><mn>1</mn></msub>", text)
    assert text.count("<mi>y</mi><mo>˙</mo></mover>") >= 3  # every output's tangent
    picked = player_html(three.pick("y2"), phase=phase, seed="x2")
    assert _data(picked)["phases"][0]["name"] == "tangent"  # type: ignore[index]


def test_a_deck_takes_output(three, tmp_path: Path) -> None:
    pytest.importorskip("pptx")
    from pptx import Presentation

    deck = Presentation(str(adviz.save(three, tmp_path / "y2.pptx", phase="reverse",
                                       output="y2")))
    assert len(deck.slides) == len(three.reverse_stages_for("y2"))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes
             if shape.has_text_frame]
    assert any(text.startswith("Reverse sweep for y2: Stage 1 of 1") for text in texts)


@pytest.mark.parametrize("size", [None, "16:9"])
def test_a_sweep_of_several_outputs_takes_the_legend(three, size: str | None) -> None:
    """legend= reaches the figure of one output's sweep: a band under every node box, and
    the SVG frame paints it; without it, no legend."""
    fig = figure(three, output="y2", legend=True, size=size)
    assert fig.legend is not None
    band_top = fig.legend.top
    assert all(box.y + box.height / 2 <= band_top for box in fig.nodes.values())
    svg = adviz.to_svg(three, "reverse", -1, output="y2", legend=True, size=size)
    assert svg.count('class="legend-item"') >= 4
    assert 'class="legend"' not in adviz.to_svg(three, "reverse", -1, output="y2", size=size)
