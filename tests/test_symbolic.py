"""The analytic gradient from SymPy against reverse mode."""

from __future__ import annotations

import math
import random
import sys

import pytest

import adviz

sympy = pytest.importorskip("sympy", reason="the symbolic extra is tested where SymPy is installed")


def test_seed_formula_and_value(seed_trace: adviz.Trace) -> None:
    g = adviz.symbolic_gradient(seed_trace)
    x1, x2 = sympy.symbols("x1 x2", real=True)
    expected = 2 * (x1 - x2) - sympy.sin(x1 + x2)
    assert sympy.simplify(g["x1"].formula - expected) == 0
    assert g["x1"].value == pytest.approx(-2.0 - math.sin(3.0))
    assert g["x2"].value == pytest.approx(2.0 - math.sin(3.0))
    assert "sin(x1 + x2)" in g["x1"].text and "\\sin" in g["x1"].latex


@pytest.mark.parametrize("seed", range(5))
def test_analytic_gradient_matches_reverse_mode_at_random_points(seed: int) -> None:
    rng = random.Random(seed)
    point = {"w": rng.uniform(-2, 2), "x": rng.uniform(-2, 2), "b": rng.uniform(-1, 1)}
    t = adviz.trace("sigmoid(w*x + b) * tanh(x) + exp(-w*w) / (1 + x**2) + relu(x - b)", point)
    for name, g in adviz.symbolic_gradient(t).items():
        assert g.value == pytest.approx(t.grad[name], rel=1e-9, abs=1e-12)


def test_walkthrough_sets_the_analytic_gradient_beside_reverse_mode(seed_trace) -> None:
    text = adviz.walkthrough(seed_trace, analytic=True)
    assert "Analytic gradient" in text
    assert "2*x1 - 2*x2 - sin(x1 + x2) = -2.14112" in text


def test_missing_sympy_names_the_extra(monkeypatch: pytest.MonkeyPatch, seed_trace) -> None:
    monkeypatch.setitem(sys.modules, "sympy", None)
    with pytest.raises(adviz.MissingDependencyError, match=r"adviz\[symbolic\]"):
        adviz.symbolic_gradient(seed_trace)


def test_custom_ops_stay_symbolic_without_a_value() -> None:
    softplus = adviz.register_op("softplus_s", lambda a: math.log1p(math.exp(a)),
                                 lambda a: 1 / (1 + math.exp(-a)), replace=True)
    try:
        t = adviz.trace(lambda x: softplus(x) * x, x=0.5)
        g = adviz.symbolic_gradient(t)["x"]
    finally:
        adviz.unregister_op("softplus_s")
    assert "softplus_s" in g.text
    assert g.value is None and g.reverse == pytest.approx(t.grad["x"])
