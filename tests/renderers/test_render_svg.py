"""SVG frames: structure, stable geometry, determinism, escaping, seed content, files."""

from __future__ import annotations

import math
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import adviz
from adviz.errors import InputError, RenderError
from adviz.renderers.svg import iter_svg_frames, to_svg
from adviz.scene.layout import compute_layout
from adviz.text.tokens import pretty_name
from adviz.writers import frames as sequence

NS = {"s": "http://www.w3.org/2000/svg"}
SVG_G = "{http://www.w3.org/2000/svg}g"
WEIRD = '<b>&"x"'


def groups(svg: str, kind: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    found = {}
    for g in root.iter(SVG_G):
        if g.get("class") == kind:
            title = g.find("s:title", NS)
            assert title is not None and title.text is not None
            found[title.text] = g
    return found


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter("{http://www.w3.org/2000/svg}text")]


def caption(svg: str) -> str:
    root = ET.fromstring(svg)
    for g in root.iter(SVG_G):
        if g.get("class") == "caption":
            return " ".join(texts(g))
    raise AssertionError("no caption")


def boxes(svg: str) -> dict[str, tuple[str, ...]]:
    result = {}
    for name, g in groups(svg, "node").items():
        rect = g.find("s:rect", NS)
        assert rect is not None
        result[name] = tuple(rect.get(a) or "" for a in ("x", "y", "width", "height"))
    return result


def all_frames(trace: adviz.Trace, **options) -> list[str]:
    return [svg for phase in ("forward", "reverse")
            for svg in iter_svg_frames(trace, phase, **options)] + [
        to_svg(trace, "summary", **options)]


def weird_trace() -> adviz.Trace:
    def f(a, b):
        h = adviz.name(a * b, WEIRD)
        return adviz.sin(h) + h**2 - a

    return adviz.trace(f, a=1.5, b=-2.0)


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_every_frame_is_well_formed_with_graphviz_structure(seed_trace: adviz.Trace,
                                                            theme: str, rankdir: str) -> None:
    for svg in all_frames(seed_trace, theme=theme, rankdir=rankdir):
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert set(groups(svg, "node")) == set(seed_trace.graph.nodes)
        assert set(groups(svg, "edge")) == {f"{p}->{c}" for p, c in seed_trace.graph.edges}
        ids = [g.get("id") for g in root.iter(SVG_G) if g.get("id")]
        assert len(ids) == len(set(ids))


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_geometry_identical_in_every_frame(seed_trace: adviz.Trace, rankdir: str) -> None:
    frames = all_frames(seed_trace, rankdir=rankdir)
    views = {ET.fromstring(svg).get("viewBox") for svg in frames}
    sizes = {(ET.fromstring(svg).get("width"), ET.fromstring(svg).get("height"))
             for svg in frames}
    assert len(views) == 1 and len(sizes) == 1
    first = boxes(frames[0])
    assert all(boxes(svg) == first for svg in frames)


def test_same_input_gives_the_same_bytes() -> None:
    a = all_frames(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2), theme="dark")
    b = all_frames(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2), theme="dark")
    assert a == b
    assert len(set(a)) == len(a)  # and the frames differ from each other


def test_names_and_formulas_are_escaped() -> None:
    t = weird_trace()
    for svg in all_frames(t):
        assert WEIRD not in svg
        assert "&lt;b&gt;&amp;&quot;x&quot;" in svg
        nodes = groups(svg, "node")
        assert WEIRD in nodes
        assert any(WEIRD in line for line in texts(nodes[WEIRD]))
        assert f"a->{WEIRD}" in groups(svg, "edge")


def test_seed_gives_six_forward_and_six_reverse_frames(seed_trace: adviz.Trace,
                                                       tmp_path: Path) -> None:
    paths = adviz.save_frames(seed_trace, tmp_path)
    names = [p.name for p in paths]
    assert names == [f"forward-{k:03d}.svg" for k in range(6)] + [
        f"reverse-{k:03d}.svg" for k in range(6)]
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_forward_frames_show_values_in_evaluation_order(seed_trace: adviz.Trace) -> None:
    frames = list(iter_svg_frames(seed_trace, "forward"))
    order = ["t1", "t2", "t3", "t4", "y"]
    values = {"x1": "= 1", "x2": "= 2", "t1": "= −1", "t2": "= 1", "t3": "= 3",
              "t4": "= −0.98999", "y": "= 0.01001"}
    for k, svg in enumerate(frames):
        nodes = groups(svg, "node")
        known = ["x1", "x2", *order[:k]]
        for name, g in nodes.items():
            shown = values[name] in texts(g)
            assert shown == (name in known), (k, name)
            assert (g.get("data-state") == "muted") == (name not in known)
        if k:
            assert nodes[order[k - 1]].get("data-state") == "active"
            assert pretty_name(order[k - 1]) in caption(svg) and "evaluate" in caption(svg)
    assert caption(frames[0]).startswith("Stage 0 of 5")


def _tip(edge: ET.Element) -> tuple[float, float]:
    polygon = edge.find("s:polygon", NS)
    assert polygon is not None
    x, y = (polygon.get("points") or "").split()[0].split(",")
    return float(x), float(y)


def test_reverse_frames_carry_gradient_back_with_the_seed_numbers(
        seed_trace: adviz.Trace) -> None:
    frames = list(iter_svg_frames(seed_trace, "reverse"))
    layout = compute_layout(seed_trace)
    processed = ["y", "y", "t2", "t4", "t1", "t3"]
    expected = {
        0: ["g = 1"],
        2: ["g_t₁ += 1 · (2t₁) = −2"],
        3: ["g_t₃ += 1 · (−sin(t₃)) = −0.14112", "−0.14112"],
        4: ["g_x₁ += −2 · 1 = −2", "g_x₂ += −2 · (−1) = 2"],
        5: ["g = −2 + (−0.14112)", "= −2.14112", "g = 2 + (−0.14112)", "= 1.85888"],
    }
    reached = {"y"}
    for k, svg in enumerate(frames):
        everything = [line for g in ET.fromstring(svg).iter(SVG_G) for line in texts(g)]
        for needle in expected.get(k, []):
            assert any(needle in line for line in everything), (k, needle)
        assert f"Stage {k} of 5" in caption(svg)
        nodes, edges = groups(svg, "node"), groups(svg, "edge")
        assert nodes[processed[k]].get("data-state") == "active"
        stage = seed_trace.reverse_stages[k]
        reached |= {c.parent for c in stage.contributions}
        for name, g in nodes.items():
            assert (g.get("data-state") == "muted") == (name not in reached), (k, name)
        gradient = {t for t, g in edges.items() if g.get("data-state") == "gradient"}
        assert gradient == {f"{c.parent}->{c.child}" for c in stage.contributions}
        for title in gradient:  # arrowheads point at the parents
            parent, child = title.split("->")
            tip = _tip(edges[title])
            box_parent, box_child = layout.nodes[parent], layout.nodes[child]
            offset_y = float(ET.fromstring(svg).get("viewBox").split()[3]) - layout.height
            d_parent = math.dist(tip, (box_parent.x, box_parent.y))
            d_child = math.dist(tip, (box_child.x, box_child.y))
            assert d_parent < d_child, (k, title, offset_y)
    assert caption(frames[3]) == (
        "Stage 3 of 5 — process parents of t₄: g_t₃ += g_t₄ · ∂t₄/∂t₃ = −0.14112")


def test_summary_shows_values_and_final_adjoints(seed_trace: adviz.Trace) -> None:
    svg = to_svg(seed_trace, "summary")
    nodes = groups(svg, "node")
    assert "g = −2.14112" in texts(nodes["x1"])
    assert "g = 1.85888" in texts(nodes["x2"])
    assert "= 0.01001" in texts(nodes["y"])
    assert all(g.get("data-state") == "done" for g in nodes.values())
    assert "0.01001" in caption(svg)


def test_themes_change_colours_not_geometry(seed_trace: adviz.Trace) -> None:
    light, dark = to_svg(seed_trace, theme="light"), to_svg(seed_trace, theme="dark")
    assert light != dark and "#1e1f22" in dark and "#1e1f22" not in light
    assert boxes(light) == boxes(dark)


def test_bad_arguments_are_input_errors(seed_trace: adviz.Trace, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        to_svg(seed_trace, "sideways")
    with pytest.raises(InputError):
        to_svg(seed_trace, "reverse", 6)
    with pytest.raises(InputError):
        to_svg(seed_trace, theme="neon")
    with pytest.raises(InputError):
        adviz.save_frames(seed_trace, tmp_path, fmt="bmp")
    with pytest.raises(InputError):
        adviz.save_frames(seed_trace, tmp_path, phase="sideways")
    assert list(tmp_path.iterdir()) == []


def test_stale_frames_of_a_longer_run_are_removed(tmp_path: Path) -> None:
    longer = adviz.trace("sin(x) * exp(x) + x**2 - cos(x) / (x + 3)", x=0.5)
    first = adviz.save_frames(longer, tmp_path, phase="reverse")
    assert len(first) > 6
    (tmp_path / "notes.txt").write_text("keep me")
    seed = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    second = adviz.save_frames(seed, tmp_path, phase="reverse")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["notes.txt"] + [p.name for p in second]
    assert second[-1].read_text(encoding="utf-8") == to_svg(seed, "reverse", 5)


def test_failure_midway_leaves_previous_frames_intact(seed_trace: adviz.Trace, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    adviz.save_frames(seed_trace, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real = sequence.render_frame
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 8:
            raise RenderError("injected failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(sequence, "render_frame", failing)
    with pytest.raises(RenderError, match="injected"):
        adviz.save_frames(seed_trace, tmp_path, theme="dark")
    assert len(calls) == 8
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_png_frames_need_no_system_fonts(seed_trace: adviz.Trace, tmp_path: Path) -> None:
    paths = adviz.save_frames(seed_trace, tmp_path, phase="reverse", fmt="png", scale=1.0)
    assert [p.name for p in paths] == [f"reverse-{k:03d}.png" for k in range(6)]
    root = ET.fromstring(to_svg(seed_trace))
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for path in paths:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        w, h = struct.unpack(">II", data[16:24])
        assert (w, h) == (math.ceil(width), math.ceil(height)) or (
            abs(w - width) <= 1 and abs(h - height) <= 1)


def test_svg_writer_writes_one_frame(seed_trace: adviz.Trace, tmp_path: Path) -> None:
    path = adviz.save(seed_trace, tmp_path / "frame.svg", phase="forward", stage=2,
                      theme="print")
    assert path.read_text(encoding="utf-8") == to_svg(seed_trace, "forward", 2, theme="print")


def test_numbers_are_fixed_format(seed_trace: adviz.Trace) -> None:
    svg = to_svg(seed_trace)
    numbers = re.findall(r'(?:x|y|width|height)="(-?[\d.]+)"', svg)
    assert numbers and all(re.fullmatch(r"-?\d+(\.\d{1,2})?", n) for n in numbers)
