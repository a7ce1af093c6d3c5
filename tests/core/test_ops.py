"""The op table: every op's partials against central finite differences of its forward."""

from __future__ import annotations

import itertools
import math

import pytest

import adviz
from adviz.core.ops import OPS, Op
from adviz.errors import OpError

CANDIDATES = (-1.7, -0.6, 0.35, 0.9, 1.6, 2.4)


def points(op: Op) -> list[tuple[float, ...]]:
    """Points where the op's forward is defined and smooth (a central difference works)."""
    found = []
    for args in itertools.product(CANDIDATES, repeat=op.arity):
        try:
            h = 1e-6
            for k in range(op.arity):
                for shift in (-h, 0.0, h):
                    shifted = list(args)
                    shifted[k] += shift
                    value = op.forward(*shifted)
                    if isinstance(value, complex) or not math.isfinite(value):
                        raise ValueError
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        found.append(args)
    return found[:: max(1, len(found) // 8)]


def central_difference(op: Op, args: tuple[float, ...], k: int, h: float = 1e-6) -> float:
    up = list(args)
    down = list(args)
    up[k] += h
    down[k] -= h
    return (op.forward(*up) - op.forward(*down)) / (2 * h)


@pytest.mark.parametrize("name", sorted(OPS))
def test_partials_match_finite_differences(name: str) -> None:
    op = OPS[name]
    tested = points(op)
    assert len(tested) >= 3, f"too few points in the domain of {name}"
    for args in tested:
        partials = op.partials(*args)
        assert len(partials) == op.arity
        for k in range(op.arity):
            if name == "pow" and k == 1 and args[0] <= 0:
                continue  # d(a**b)/db needs a > 0: the tracer refuses traced exponents there
            expected = central_difference(op, args, k)
            assert partials[k] == pytest.approx(expected, rel=1e-5, abs=1e-6), (name, args, k)


@pytest.mark.parametrize("name", sorted(OPS))
def test_traced_gradient_matches_finite_differences(name: str) -> None:
    """The same check through trace(): the op wired into the tracer and the reverse pass."""
    op = OPS[name]
    function = adviz.core.tracer.function_for(op)
    names = [f"a{k}" for k in range(op.arity)]
    for args in points(op)[:4]:
        if name == "pow" and args[0] <= 0:
            continue
        wrapped = (lambda a0: function(a0)) if op.arity == 1 else (lambda a0, a1: function(a0, a1))
        t = adviz.trace(wrapped, dict(zip(names, args)))
        for k, input_name in enumerate(names):
            expected = central_difference(op, args, k)
            assert t.grad[input_name] == pytest.approx(expected, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_formulas(name: str) -> None:
    op = OPS[name]
    args = [f"a{k}" for k in range(op.arity)]
    assert all(a in op.render(args) for a in args)
    assert op.render(args, latex=True)
    for k in range(op.arity):
        assert op.render_partial(k, args)
        assert op.render_partial(k, args, latex=True)
    assert op.js_forward is not None and op.js_partials is not None
    assert len(op.js_partials) == op.arity


def test_non_differentiable_points_follow_the_documented_convention() -> None:
    assert OPS["abs"].partials(0.0) == (0.0,)
    assert OPS["relu"].partials(0.0) == (0.0,)
    assert OPS["sqrt"].partials(0.0) == (math.inf,)
    assert OPS["pow"].partials(0.0, 0.5)[0] == math.inf
    assert OPS["pow"].partials(0.0, 2.0)[0] == 0.0


def test_pow_partial_formula_simplifies_constant_exponents() -> None:
    pow_ = OPS["pow"]
    assert pow_.render_partial(0, ["t1", "2"]) == "2*t1"
    assert pow_.render_partial(0, ["t1", "3"]) == "3*t1**2"
    assert pow_.render_partial(0, ["t1", "1"]) == "1"
    assert pow_.render_partial(0, ["t1", "x"]) == "x*t1**(x - 1)"
    assert pow_.render_partial(1, ["2", "x"]) == "2**x*log(2)"


def test_functions_work_on_plain_numbers() -> None:
    assert adviz.sin(0.0) == 0.0
    assert adviz.exp(1.0) == pytest.approx(math.e)
    assert adviz.relu(-3) == 0.0
    assert adviz.abs(-2.5) == 2.5
    with pytest.raises(adviz.DomainError, match="log is undefined at -1.0"):
        adviz.log(-1.0)


def test_register_op_works_everywhere() -> None:
    cube = adviz.register_op("cube", lambda a: a**3, lambda a: 3 * a**2, replace=True)
    try:
        t = adviz.trace(lambda x: cube(x) + 1, x=2.0)
        assert t.grad["x"] == pytest.approx(12.0)
        assert t.graph.nodes["t1"]["op"] == "cube"
        assert t.graph.nodes["t1"]["expr"] == "cube(x)"
        assert t.graph.edges["x", "t1"]["partial_expr"] == "cube'(x)"
        s = adviz.trace("cube(x) * 2", x=2.0)
        assert s.grad["x"] == pytest.approx(24.0)
        assert "cube" in adviz.walkthrough(s)
        assert adviz.check_grad(s).ok
    finally:
        adviz.unregister_op("cube")
    with pytest.raises(adviz.ExpressionError, match="unknown function 'cube'"):
        adviz.trace("cube(x)", x=1.0)


def test_register_op_with_two_arguments_and_formulas() -> None:
    hyp = adviz.register_op(
        "hypot2",
        lambda a, b: math.hypot(a, b),
        lambda a, b: (a / math.hypot(a, b), b / math.hypot(a, b)),
        expr="hypot({0}, {1})",
        partial_exprs=("{0}/hypot({0}, {1})", "{1}/hypot({0}, {1})"),
        replace=True,
    )
    try:
        t = adviz.trace(lambda x, y: hyp(x, y), x=3.0, y=4.0)
        assert t.value == pytest.approx(5.0)
        assert t.grad == pytest.approx({"x": 0.6, "y": 0.8})
        assert t.graph.edges["x", t.output]["partial_expr"] == "x/hypot(x, y)"
    finally:
        adviz.unregister_op("hypot2")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "not an identifier"}, "identifier"),
        ({"name": "cos"}, "built-in"),
        ({"name": "ok", "arity": 0}, "at least one"),
        ({"name": "ok", "partial_exprs": ["a", "b"]}, "one partial formula"),
    ],
)
def test_register_op_rejects_bad_definitions(kwargs: dict, message: str) -> None:
    args = {"forward": lambda a: a, "partials": lambda a: 1.0, **kwargs}
    with pytest.raises(OpError, match=message):
        adviz.register_op(**args)


def test_register_op_refuses_silent_redefinition() -> None:
    adviz.register_op("twice", lambda a: 2 * a, lambda a: 2.0, replace=True)
    try:
        with pytest.raises(OpError, match="already registered"):
            adviz.register_op("twice", lambda a: 2 * a, lambda a: 2.0)
    finally:
        adviz.unregister_op("twice")


def test_custom_partials_of_the_wrong_length_are_reported() -> None:
    bad = adviz.register_op("bad", lambda a: a, lambda a: (1.0, 2.0), replace=True)
    try:
        with pytest.raises(OpError, match="returned 2 value"):
            adviz.trace(lambda x: bad(x), x=1.0)
    finally:
        adviz.unregister_op("bad")
