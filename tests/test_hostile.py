"""The hostile-input inventory: each row's input, its outcome, within bounded time.

The same table is in the documentation (docs/reliability.rst). Every row gets
an `adviz.AdvizError` with a clear message, or the documented result, and runs
under a time limit: no hang, no crash, no executed code.
"""

from __future__ import annotations

import math
import signal
from pathlib import Path

import pytest

import adviz

TIME_LIMIT = 60  # seconds per row: a guard against hangs, not a speed claim


@pytest.fixture(autouse=True)
def bounded():
    """Fail a row that runs longer than TIME_LIMIT instead of hanging the suite."""

    def expire(signum, frame):
        raise TimeoutError(f"the row ran longer than {TIME_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TIME_LIMIT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)

CANARY = Path("/tmp/adviz-hostile-canary")

INJECTIONS = [
    ("__import__('os').system('touch /tmp/adviz-hostile-canary')", "attribute access"),
    ("x.__class__.__bases__[0].__subclasses__()", "attribute access"),
    ("__builtins__", "no value given"),
    ("(lambda: 0)()", "this call"),
    ("[c for c in x]", "comprehensions"),
    ("(y := x) + y", "assignment expressions"),
    ("f'{x}'", "f-strings"),
    ("cos(*x)", "starred arguments"),
    ("exec('1')", "unknown function 'exec'"),
    ("eval('1')", "unknown function 'eval'"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("x if x else x", "conditional expressions"),
    ("x; import os", "syntax error"),
    ("import os", "syntax error"),
    ("x\n+ 1", "syntax error"),
    ("'a' * x", "not a real number"),
    ("b'x'", "not a real number"),
    ("x @ x", "operator MatMult"),
]


@pytest.mark.parametrize(("text", "message"), INJECTIONS)
def test_code_injection_is_refused_and_never_run(text: str, message: str) -> None:
    CANARY.unlink(missing_ok=True)
    with pytest.raises(adviz.AdvizError, match=message):
        adviz.trace(text, x=1.0)
    assert not CANARY.exists()


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("x + " * 300_000 + "x", "characters"),  # a 1 MB expression
        ("(" * 10_000 + "x" + ")" * 10_000, "nested too deeply|syntax error"),
        ("-" * 10_000 + "x", "nested too deeply|syntax nodes"),
        ("cos(" * 10_000 + "x" + ")" * 10_000, "nested too deeply|syntax error|syntax nodes"),
        ("9**9**9**9 * x", "overflows"),
        ("1e308 * 1e308 * x", "inf|overflow"),
    ],
)
def test_pathological_sizes_fail_fast(text: str, outcome: str) -> None:
    with pytest.raises(adviz.AdvizError, match=outcome):
        adviz.trace(text, x=1.0)


def test_a_hundred_thousand_inputs_work_unused_ones_get_zero() -> None:
    point = {f"x{i}": float(i % 7) for i in range(100_000)}
    t = adviz.trace("x1 * x2 + sin(x99999)", point)
    assert t.grad["x1"] == point["x2"] and t.grad["x5"] == 0.0
    assert len(t.grad) == 100_000


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_inputs_are_refused(value: float) -> None:
    with pytest.raises(adviz.InputError, match="finite"):
        adviz.trace("x * 2", x=value)


@pytest.mark.parametrize(
    ("text", "point", "message"),
    [
        ("log(x)", {"x": -1.0}, "log is undefined at x = -1.0"),
        ("sqrt(x - 2)", {"x": 1.0}, "sqrt is undefined"),
        ("1 / (x - x)", {"x": 3.0}, "divides by zero"),
        ("exp(x)", {"x": 1e4}, "exp overflows"),
        ("x ** y", {"x": -2.0, "y": 0.5}, "base >= 0"),
        ("(x - 3) ** 0.5", {"x": 1.0}, "pow is undefined"),
    ],
)
def test_domain_errors_name_the_node(text: str, point: dict, message: str) -> None:
    with pytest.raises(adviz.DomainError, match=message):
        adviz.trace(text, point)


@pytest.mark.parametrize(
    ("f", "message"),
    [
        (lambda x: [x, x], "output 1 of <lambda> is the input 'x' itself"),
        (lambda x: [x * 2, x * 2.0, None], "output 3 of <lambda> is a NoneType"),
        (lambda x: {"y": x}, "returned dict"),
        (lambda x: 42, "constant 42"),
        (lambda x: None, "returned NoneType"),
        (lambda x: "y", "returned str"),
    ],
)
def test_non_scalar_or_constant_outputs(f, message: str) -> None:
    with pytest.raises(adviz.TraceError, match=message):
        adviz.trace(f, x=1.0)


def test_constant_expression_output() -> None:
    with pytest.raises(adviz.TraceError, match="constant"):
        adviz.trace("2 + 3", x=1.0)


def test_functions_that_raise_are_reported() -> None:
    def broken(x):
        raise RuntimeError("boom")

    with pytest.raises(adviz.TraceError, match="broken raised RuntimeError: boom"):
        adviz.trace(broken, x=1.0)

    def recursive(x):
        return recursive(x)

    with pytest.raises(adviz.TraceError, match="recursed too deeply"):
        adviz.trace(recursive, x=1.0)


def test_math_functions_are_refused_with_the_fix() -> None:
    with pytest.raises(adviz.TraceError, match=r"use adviz\.cos, adviz\.exp"):
        adviz.trace(lambda x: math.exp(x), x=1.0)


def test_branches_follow_the_values() -> None:
    def f(x):
        return x * x if x > 0 else -x

    assert adviz.trace(f, x=2.0).grad["x"] == 4.0
    assert adviz.trace(f, x=-2.0).grad["x"] == -1.0


def test_unicode_names() -> None:
    t = adviz.trace("α * β + sin(θ1)", α=2.0, β=3.0, θ1=0.0)
    assert t.grad == {"α": 3.0, "β": 2.0, "θ1": 1.0}
    assert "θ1" in adviz.walkthrough(t)
    with pytest.raises(adviz.ExpressionError, match="syntax error"):
        adviz.trace("sin(θ₁)", {"θ₁": 1.0})  # subscript digits are not identifier characters


def test_names_that_collide_with_functions() -> None:
    t = adviz.trace("sin * cos(sin)", sin=0.5, cos=9.0)
    assert t.grad["sin"] == pytest.approx(math.cos(0.5) - 0.5 * math.sin(0.5))
    assert t.grad["cos"] == 0.0


def test_names_that_collide_with_node_names() -> None:
    t = adviz.trace(lambda t1, y: t1 * y + 1.0, t1=2.0, y=3.0)
    assert list(t.graph) == ["t1", "y", "t2", "f"]
