"""Walkthrough modes: the default output unchanged byte for byte, and the primal / tangent /
adjoint trace tables in every format."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

import adviz
from adviz.examples import network
from adviz.text.mathml import mathml_text
from adviz.text.tables import FORMATS, MODES, trace_rows
from tests.conftest import SEED_EXPRESSION

CORPUS = Path(__file__).parents[1] / "corpus" / "walkthrough"
SUFFIX = {"text": "txt", "markdown": "md", "latex": "tex", "html": "html"}
HOSTILE = '<script>alert("x")</script> & 100% {a_b}'


def _traces() -> dict[str, adviz.Trace]:
    return {
        "seed": adviz.trace(SEED_EXPRESSION, x1=1, x2=2),
        "seed-edge-tape": adviz.trace(SEED_EXPRESSION, x1=1, x2=2, granularity="edge",
                                      order="tape"),
        "constants": adviz.trace(SEED_EXPRESSION, x1=1, x2=2, show_constants=True),
        "hostile": adviz.trace(lambda x: adviz.name(adviz.sin(x), HOSTILE) * 2.0, x=1.0),
        "network": network(),
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_default_mode_is_the_walkthrough_as_before(fmt: str) -> None:
    """The files were written by the walkthrough before it had modes."""
    for name, t in _traces().items():
        expected = (CORPUS / f"{name}.{SUFFIX[fmt]}").read_text(encoding="utf-8")
        assert adviz.walkthrough(t, fmt) == expected, name
        assert adviz.walkthrough(t, fmt, mode="reverse") == expected, name


def _seed() -> adviz.Trace:
    return adviz.trace(SEED_EXPRESSION, x1=1, x2=2)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mode", ["forward", "both"])
def test_trace_table_carries_every_number(fmt: str, mode: str) -> None:
    t = _seed()
    out = adviz.walkthrough(t, fmt, mode=mode).replace("\u2212", "-")  # html: MathML, −
    # Values, tangents for the default seed (x1), and the directional derivative.
    for number in ["-0.98999", "0.01001", "-0.14112", "-2.14112"]:
        assert number in out
    if mode == "both":
        assert "1.85888" in out  # g_x2
    else:
        assert "1.85888" not in out


def test_both_lists_one_row_per_node_with_three_columns() -> None:
    t = _seed()
    lines = adviz.walkthrough(t, mode="both").splitlines()
    assert lines[3].split(" | ") == ["primal (top down)".ljust(23), "tangent (top down)".ljust(78),
                                     "adjoint (bottom up)"]
    rows = [line.split(" | ") for line in lines[4:11]]
    assert [r[0].split(" = ")[0] for r in rows] == ["x1", "x2", "t1", "t2", "t3", "t4", "y"]
    assert [r[1].split(" = ")[0] for r in rows] == [
        "x1_dot", "x2_dot", "t1_dot", "t2_dot", "t3_dot", "t4_dot", "y_dot"]
    assert rows[0][2] == ("g_x1 = g_t1 * dt1/dx1 + g_t3 * dt3/dx1 = -2 * 1 + (-0.14112) * 1 = "
                          "-2.14112")
    assert rows[1][2] == ("g_x2 = g_t1 * dt1/dx2 + g_t3 * dt3/dx2 = -2 * (-1) + (-0.14112) * 1 "
                          "= 1.85888")
    assert rows[3][2] == "g_t2 = g_y * dy/dt2 = 1 * 1 = 1"
    assert rows[6][2] == "g_y = 1"
    assert lines[-1] == "Gradient (one reverse sweep): g_x1 = -2.14112, g_x2 = 1.85888"


def test_adjoint_cells_sum_to_the_final_adjoints() -> None:
    """Each adjoint cell's sum over the node's children gives the reverse pass's adjoint."""
    t = network()
    sweep = adviz.forward_mode(t)
    graph = t.graph
    for row in trace_rows(t, sweep):
        children = list(graph.successors(row.node))
        total = sum(graph.nodes[c]["adjoint"] * graph.edges[row.node, c]["partial"]
                    for c in children) if children else (1.0 if row.node == t.output else 0.0)
        shown = float(row.adjoint.plain().rsplit(" = ", 1)[1])
        assert math.isclose(shown, float(f"{total:.5f}"), abs_tol=1.5e-5), row.node


def test_seed_argument() -> None:
    t = _seed()
    out = adviz.walkthrough(t, "markdown", mode="both", seed="x2")
    assert "Tangent seed: x1\\_dot = 0, x2\\_dot = 1" in out
    assert "Directional derivative: y\\_dot = dy/dx2 = 1.85888" in out
    mixed = adviz.walkthrough(t, mode="forward", seed={"x1": 1, "x2": 1})
    assert f"Directional derivative: y_dot = {-2 * math.sin(3.0):.5f}" in mixed
    with pytest.raises(adviz.InputError, match="'x3'"):
        adviz.walkthrough(t, mode="both", seed={"x3": 1})
    with pytest.raises(adviz.InputError, match="seed="):
        adviz.walkthrough(t, seed="x1")
    with pytest.raises(adviz.InputError, match=", ".join(MODES)):
        adviz.walkthrough(t, mode="tangent")


def test_latex_uses_dots_and_math() -> None:
    out = adviz.walkthrough(_seed(), "latex", mode="both")
    assert r"\begin{tabular}{lll}" in out and out.rstrip().endswith(r"\end{tabular}")
    assert r"$\dot{t}_{2} = \dot{t}_{1} \cdot \partial t_{2}/\partial t_{1} = 1 \cdot " \
           r"(2 t_{1}) = -2$" in out
    assert r"$g_{y} = 1$ \\" in out
    forward = adviz.walkthrough(_seed(), "latex", mode="forward")
    assert r"\begin{tabular}{ll}" in forward and "g_{" not in forward.split(r"\hline")[1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_trace_tables_escape_names(fmt: str) -> None:
    t = adviz.trace(lambda x: adviz.name(adviz.sin(x), HOSTILE) * 2.0, x=1.0)
    out = adviz.walkthrough(t, fmt, mode="both")
    if fmt in ("html", "markdown"):
        assert "<script>" not in out and "&lt;script&gt;" in out
    if fmt == "markdown":
        assert "a\\_b" in out
    if fmt == "latex":
        assert "100\\%" in out and "\\&" in out and "\\{a" in out


def test_html_table_structure() -> None:
    out = adviz.walkthrough(_seed(), "html", mode="both")
    assert out.count("<tr><td>") == 7
    assert out.count("<th>") == 3
    seed = re.search(r'<tr><td colspan="3">(Tangent seed: .*?)</td></tr>', out)
    assert seed is not None and out.count("<math>") > 7  # cells are MathML
    # ẋ₁ as MathML: x with a dot accent over it (mover), subscript 1
    assert '<msub><mover accent="true"><mi>x</mi><mo>˙</mo></mover><mn>1</mn></msub>' \
        in seed.group(1)
    assert mathml_text(seed.group(1)).replace("\u2212", "-") == "Tangent seed: x˙1=1, x˙2=0"


def test_analytic_is_appended_in_every_mode() -> None:
    pytest.importorskip("sympy")
    out = adviz.walkthrough(_seed(), "text", mode="both", analytic=True)
    assert "Analytic gradient" in out and "y_dot" in out
