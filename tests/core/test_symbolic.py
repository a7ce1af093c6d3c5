"""The analytic gradient from SymPy against reverse mode."""

from __future__ import annotations

import math
import random
import sys
from typing import Any

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


def _central(trace: adviz.Trace, name: str, h: float = 1e-6) -> float:
    point = dict(trace.inputs)
    up = [point[k] + (h if k == name else 0.0) for k in point]
    down = [point[k] - (h if k == name else 0.0) for k in point]
    return float((trace.function(*up) - trace.function(*down)) / (2 * h))


@pytest.mark.parametrize("build", [
    lambda: __import__("adviz.examples").examples.mlp((2, 2, 1), "tanh"),
    lambda: __import__("adviz.examples").examples.mlp((2, 2, 1), "sigmoid", "cross_entropy"),
    lambda: __import__("adviz.examples").examples.mlp((2, 3, 2, 1), "relu", seed=3),
    lambda: __import__("adviz.examples").examples.rnn(3),
])
def test_chain_rule_formulas_match_central_differences(build: Any) -> None:
    t = build()
    for name, g in adviz.symbolic_gradient(t).items():
        assert g.value == pytest.approx(_central(t, name), rel=1e-5, abs=1e-7), name


def test_one_sweep_gives_the_derivative_sympy_gives() -> None:
    from adviz.core.symbolic import gradient_expressions, output_expression

    t = adviz.trace("x1 * exp(x2) / (1 + x1**2) - tanh(x1 * x2)", x1=0.4, x2=-0.7)
    grads, symbols = gradient_expressions(t)
    y, _ = output_expression(t)
    for name, symbol in symbols.items():
        assert sympy.simplify(grads[name] - sympy.diff(y, symbol)) == 0


def test_evaluate_walks_shared_subexpressions_once_and_refuses_complex() -> None:
    from adviz.core.symbolic import evaluate

    x, y = sympy.symbols("x y", real=True)
    expr = sympy.sin(x * y) ** 2 + sympy.log(x) * sympy.exp(-y) + sympy.Max(x - y, 0)
    point = {x: 1.3, y: 0.4}
    cache: dict[Any, float] = {}
    assert evaluate(expr, point, cache) == pytest.approx(float(expr.evalf(subs=point)))
    assert sympy.sin(x * y) in cache
    assert evaluate(sympy.sqrt(x), {x: -1.0}) is None
    assert evaluate(sympy.Heaviside(x), {x: 0.0}) == 0.5  # SymPy's own value at the kink


def test_formula_size_stops_at_its_limit() -> None:
    from adviz.core.symbolic import formula_size

    big = sympy.Add(*sympy.symbols("a:5000"))
    assert formula_size(big, 10) == 11
    assert formula_size(big, 10**6) == 5001


def test_page_names_large_formulas_and_shows_their_values() -> None:
    from adviz.examples import mlp
    from adviz.renderers.demo import PAGE_FORMULA_LIMIT, analytic_forms

    t = mlp((2, 4, 4, 1))
    forms = analytic_forms(t)
    grads = {g["input"]: g for g in forms["grads"]}
    large = [g for g in grads.values() if g["text"].startswith("(a formula of over")]
    small = [g for g in grads.values() if not g["text"].startswith("(a formula of over")]
    assert large and small
    assert all(not g["js"] and g["input"] not in forms["code"] for g in large)
    assert all(g["js"] and g["input"] in forms["code"] for g in small)
    assert all(len(g["text"]) < 20 * PAGE_FORMULA_LIMIT for g in small)
    for name, g in grads.items():
        assert g["value"] == pytest.approx(t.grad[name], rel=1e-9, abs=1e-12)
