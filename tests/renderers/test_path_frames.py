"""Path frames: one chain-rule path at a time, then the sum, which equals the adjoint."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest

import adviz
from adviz.errors import AdvizError, InputError
from adviz.renderers.path_svg import path_captions, path_frame_contents
from adviz.scene.layout import compute_layout

SVG = "{http://www.w3.org/2000/svg}"


def caption(svg: str) -> str:
    root = ET.fromstring(svg)
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "caption":
            return " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
    raise AssertionError("no caption")


def states(svg: str, kind: str) -> dict[str, str]:
    root = ET.fromstring(svg)
    return {g.find(f"{SVG}title").text: g.get("data-state") for g in root.iter(f"{SVG}g")
            if g.get("class") == kind}


def test_seed_captions_match_the_hand_derivation(seed_trace: adviz.Trace) -> None:
    assert path_captions(seed_trace, "x1") == [
        "Path 1 of 2: x₁ → t₁ → t₂ → y: 1 · (2t₁) · 1 = 1 · (−2) · 1 = −2",
        "Path 2 of 2: x₁ → t₃ → t₄ → y: 1 · (−sin(t₃)) · 1 = 1 · (−0.14112) · 1 = −0.14112",
        "Sum over paths = −2 + (−0.14112) = −2.14112 = g_x₁",
    ]
    assert path_captions(seed_trace, "x2")[-1] == \
        "Sum over paths = 2 + (−0.14112) = 1.85888 = g_x₂"


def test_each_frame_highlights_one_path(seed_trace: adviz.Trace) -> None:
    svgs = adviz.path_frames(seed_trace, "x1")
    found = adviz.paths(seed_trace, "x1")
    assert len(svgs) == len(found) + 1
    for svg, path in zip(svgs, found):
        nodes, edges = states(svg, "node"), states(svg, "edge")
        assert {n for n, s in nodes.items() if s == "active"} == set(path.nodes)
        assert {e for e, s in edges.items() if s == "forward"} == {
            f"{p}->{c}" for p, c in pairwise(path.nodes)}
        assert ET.fromstring(svg).find(f"{SVG}g").get("data-phase") == "paths"
    last_nodes, last_edges = states(svgs[-1], "node"), states(svgs[-1], "edge")
    assert last_nodes["x1"] == "receiving"
    assert {e for e, s in last_edges.items() if s == "forward"} == {
        f"{p}->{c}" for path in found for p, c in pairwise(path.nodes)}
    assert "g = −2.14112" in svgs[-1]
    assert caption(svgs[-1]) == "Sum over paths = −2 + (−0.14112) = −2.14112 = g_x₁"


def test_path_frames_reuse_the_stored_layout(seed_trace: adviz.Trace,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    layout = compute_layout(seed_trace)
    calls = []
    monkeypatch.setattr("adviz.scene.layout.run_layout", lambda *a, **k: calls.append(a))
    svgs = adviz.path_frames(seed_trace, "x2")
    assert calls == []
    box = layout.nodes["t1"]
    root = ET.fromstring(svgs[0])
    rects = {g.find(f"{SVG}title").text: g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g")
             if g.get("class") == "node"}
    assert float(rects["t1"].get("width")) == pytest.approx(box.width, abs=0.01)
    sizes = {ET.fromstring(svg).get("viewBox") for svg in svgs}
    assert len(sizes) == 1


def test_sum_of_products_equals_the_adjoint_on_a_fan_out() -> None:
    def f(x):
        u = x + 1
        return u * adviz.sin(u) + 2 * u

    t = adviz.trace(f, x=0.3)
    contents = path_frame_contents(t, "x")
    found = adviz.paths(t, "x")
    assert len(contents) == len(found) + 1
    assert math.isclose(sum(p.product for p in found), t.grad["x"], rel_tol=1e-12)
    assert contents[-1].title.endswith("= g_x")


def test_many_paths_shorten_the_sum() -> None:
    def f(x):
        for _ in range(4):
            x = x + adviz.sin(x)
        return x

    t = adviz.trace(f, x=0.5)
    captions = path_captions(t, "x")
    assert len(captions) == 17
    assert captions[-1].startswith("Sum over 16 paths = ")


def test_errors_name_the_fix() -> None:
    t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    with pytest.raises(InputError, match="x1, x2"):
        adviz.path_frames(t, "z")

    def f(x):
        for _ in range(12):
            x = x + adviz.sin(x)
        return x

    with pytest.raises(AdvizError, match="limit"):
        adviz.path_frames(adviz.trace(f, x=0.5), "x", limit=100)


def test_save_frames_paths_phase(seed_trace: adviz.Trace, tmp_path) -> None:
    written = adviz.save_frames(seed_trace, tmp_path, phase="paths", input="x2")
    assert [p.name for p in written] == ["paths-000.svg", "paths-001.svg", "paths-002.svg"]
    assert written[-1].read_text(encoding="utf-8") == adviz.path_frames(seed_trace, "x2")[-1]
    png = adviz.save_frames(seed_trace, tmp_path, phase="paths", fmt="png", scale=0.5)
    assert png[0].read_bytes()[:4] == b"\x89PNG"


def test_default_input_is_the_first(seed_trace: adviz.Trace) -> None:
    assert adviz.path_frames(seed_trace) == adviz.path_frames(seed_trace, "x1")
