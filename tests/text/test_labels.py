"""Frame texts: unicode names and formulas, seed numbers, widths, free-text names."""

from __future__ import annotations

import math

import pytest

import adviz
from adviz.scene.content import frame, frame_count
from adviz.scene.style import EDGE_SIZE, LINE_SIZE, NAME_SIZE
from adviz.text import labels
from adviz.text.labels import (
    MINUS,
    contribution_label,
    node_formula,
    partial_label,
    pretty_name,
    pretty_number,
    reserved_edge_lines,
    reserved_node_lines,
    stage_title,
    text_width,
)


@pytest.mark.parametrize(("name", "shown"), [
    ("x1", "x₁"), ("t12", "t₁₂"), ("y", "y"), ("alpha", "α"), ("w_1", "w₁"), ("a_", "a_"),
    ("loss", "loss"), ("42", "42"), ('<b>&"x"', '<b>&"x"'),
])
def test_pretty_name(name: str, shown: str) -> None:
    assert pretty_name(name) == shown


def test_pretty_number_uses_the_unicode_minus_and_the_fixed_format() -> None:
    assert pretty_number(-math.sin(3.0)) == f"{MINUS}0.14112"
    assert pretty_number(-2.0) == f"{MINUS}2"
    assert "-" not in pretty_number(-1e-9)


def test_seed_node_formulas(seed_trace: adviz.Trace) -> None:
    shown = {n: node_formula(seed_trace, n) for n in seed_trace.graph}
    assert shown == {
        "x1": "x₁", "x2": "x₂", "t1": "t₁ = x₁ − x₂", "t2": "t₂ = t₁²",
        "t3": "t₃ = x₁ + x₂", "t4": "t₄ = cos(t₃)", "y": "y = t₂ + t₄",
    }


def test_seed_edge_partials(seed_trace: adviz.Trace) -> None:
    shown = {edge: partial_label(seed_trace, *edge) for edge in seed_trace.graph.edges}
    assert shown["t1", "t2"] == "∂t₂/∂t₁ = 2t₁ = −2"
    assert shown["t3", "t4"] == "∂t₄/∂t₃ = −sin(t₃) = −0.14112"
    assert shown["x2", "t1"] == "∂t₁/∂x₂ = −1"
    assert shown["t2", "y"] == "∂y/∂t₂ = 1"


def test_seed_contributions_carry_the_seed_numbers(seed_trace: adviz.Trace) -> None:
    rows = [[contribution_label(seed_trace, c) for c in s.contributions]
            for s in seed_trace.reverse_stages]
    assert rows[1] == ["g_t₂ += 1 · 1 = 1", "g_t₄ += 1 · 1 = 1"]
    assert rows[2] == ["g_t₁ += 1 · (2t₁) = −2"]
    assert rows[3] == ["g_t₃ += 1 · (−sin(t₃)) = −0.14112"]
    assert rows[4] == ["g_x₁ += −2 · 1 = −2", "g_x₂ += −2 · (−1) = 2"]
    assert rows[5] == ["g_x₁ += −0.14112 · 1 = −0.14112", "g_x₂ += −0.14112 · 1 = −0.14112"]


def test_stage_titles(seed_trace: adviz.Trace) -> None:
    reverse = [stage_title(seed_trace, "reverse", k) for k in range(6)]
    assert reverse[0] == "Stage 0 of 5 — initialise g_y = 1"
    assert reverse[3] == "Stage 3 of 5 — process parents of t₄: g_t₃ += g_t₄ · ∂t₄/∂t₃ = −0.14112"
    assert reverse[4].startswith("Stage 4 of 5 — process parents of t₁: g_x₁ +=")
    assert reverse[4].endswith("g_x₂ += g_t₁ · ∂t₁/∂x₂ = 2")
    forward = [stage_title(seed_trace, "forward", k) for k in range(6)]
    assert forward[0] == "Stage 0 of 5 — set the inputs: x₁ = 1, x₂ = 2"
    assert forward[2] == "Stage 2 of 5 — evaluate t₂ = t₁² = 1"
    assert forward[4] == "Stage 4 of 5 — evaluate t₄ = cos(t₃) = −0.98999"
    assert forward[-1] == "Stage 5 of 5 — evaluate y = t₂ + t₄ = 0.01001"
    assert stage_title(seed_trace, "reverse", -1) == reverse[5]
    summary = stage_title(seed_trace, "summary", 0)
    assert "−2.14112" in summary and "1.85888" in summary and "0.01001" in summary


def test_operators_inside_names_are_not_rewritten() -> None:
    def f(x):
        h = adviz.name(x * 2, "a-b*c")
        return h - x * h

    t = adviz.trace(f, x=1.5)
    formulas = {n: node_formula(t, n) for n in t.graph}
    assert formulas["a-b*c"] == "a-b*c = x·2"
    assert formulas["y"].endswith("a-b*c − t₁")  # the op's minus is rewritten, the name's is not
    assert formulas["t1"] == "t₁ = x·a-b*c"


def test_products_powers_and_constants() -> None:
    t = adviz.trace(lambda x: 3 * x**3 - x / 2 + x**-1.5, x=2)
    formulas = [node_formula(t, n) for n in t.graph]
    assert "t₁ = x^3" in formulas
    assert "t₂ = 3t₁" in formulas
    assert "t₃ = x/2" in formulas
    assert any("x^(−1.5)" in f for f in formulas)
    squared = adviz.trace(lambda x: x * x, x=3)
    assert partial_label(squared, "x", "y") == "∂y/∂x = 2x = 6"


def test_text_width_grows_with_text_and_size() -> None:
    assert text_width("", 12) == 0
    assert text_width("t₁ = x₁ − x₂", 12) > text_width("t₁ = x₁", 12) > 0
    assert text_width("abc", 24) == pytest.approx(2 * text_width("abc", 12), abs=0.02)
    assert text_width("漢", 10) >= text_width("a", 10)  # unknown wide characters get room


def _all_frames(trace: adviz.Trace):
    for phase in ("forward", "reverse", "summary"):
        for k in range(frame_count(trace, phase)):
            yield frame(trace, phase, k)


@pytest.mark.parametrize("function", [
    "(x1 - x2)**2 + cos(x1 + x2)",
    "x * x * x + exp(-x) * sin(x)",
    "sigmoid(w1 * a + w2 * b) - log(a**2 + 1)",
])
def test_reserved_lines_are_the_widest_lines_any_frame_shows(function: str) -> None:
    point = {"x1": 1, "x2": 2, "x": 0.5, "w1": -1.5, "a": 2, "w2": 0.25, "b": -3}
    t = adviz.trace(function, **{k: v for k, v in point.items() if k in function})
    nodes, edges = reserved_node_lines(t), reserved_edge_lines(t)
    for content in _all_frames(t):
        for node, view in content.nodes.items():
            reserved = nodes[node]
            assert len(view.lines) <= len(reserved)
            for k, line in enumerate(view.lines):
                size = NAME_SIZE if k == 0 else LINE_SIZE
                assert line.size == size
                assert text_width(line.text, size) <= text_width(reserved[k], size), line
        for edge, view in content.edges.items():
            reserved = edges[edge]
            assert len(view.lines) <= len(reserved)
            for k, line in enumerate(view.lines):
                assert text_width(line.text, EDGE_SIZE) <= text_width(reserved[k], EDGE_SIZE)


def test_formulas_are_cached_per_trace(seed_trace: adviz.Trace) -> None:
    node_formula(seed_trace, "t1")
    assert seed_trace in labels._CACHE


def test_a_caption_shows_the_running_sum_where_a_node_accumulates() -> None:
    t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    first = stage_title(t, "reverse", 4)  # x1 and x2 receive their first contributions
    assert "→" not in first
    last = stage_title(t, "reverse", 5)
    # seed page: g_x1 = -2 + (-0.14112) = -2.14112, g_x2 = 2 + (-0.14112) = 1.85888
    assert "g_x₁ += g_t₃ · ∂t₃/∂x₁ = −0.14112 → g_x₁ = −2 + (−0.14112) = −2.14112" in last
    assert "g_x₂ += g_t₃ · ∂t₃/∂x₂ = −0.14112 → g_x₂ = 2 + (−0.14112) = 1.85888" in last
    assert [c.accumulates for c in t.reverse_stages[5].contributions] == [True, True]


def test_a_running_sum_is_shown_whatever_the_numbers() -> None:
    # x * 0 + x: the first contribution to x is 0, the second still accumulates onto it
    t = adviz.trace(lambda x: x * 0.0 + x, x=3.0)
    flags = [c.accumulates for s in t.reverse_stages for c in s.contributions if c.parent == "x"]
    assert flags.count(True) == 1 and flags[0] is False
