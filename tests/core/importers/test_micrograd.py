"""`adviz.from_micrograd`: micrograd graphs, checked against micrograd's own gradients."""

from __future__ import annotations

import math
import random
import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings

import adviz
from tests.strategies import evaluate, points, smooth_at, trees

micrograd = pytest.importorskip("micrograd")
from micrograd import nn  # noqa: E402
from micrograd.engine import Value  # noqa: E402

# What a fork of micrograd adds: more functions, each recording its own _op and _backward.
_FORK = {
    "sin": (math.sin, math.cos),
    "cos": (math.cos, lambda a: -math.sin(a)),
    "tan": (math.tan, lambda a: 1.0 / math.cos(a) ** 2),
    "exp": (math.exp, math.exp),
    "log": (math.log, lambda a: 1.0 / a),
    "sqrt": (math.sqrt, lambda a: 0.5 / math.sqrt(a)),
    "tanh": (math.tanh, lambda a: 1.0 / math.cosh(a) ** 2),
    "sigmoid": (lambda a: 1.0 / (1.0 + math.exp(-a)),
                lambda a: math.exp(-a) / (1.0 + math.exp(-a)) ** 2),
    "abs": (abs, lambda a: math.copysign(1.0, a) if a else 0.0),
}


def fork(name: str):
    f, df = _FORK[name]

    def apply(v: Value) -> Value:
        v = v if isinstance(v, Value) else Value(v)
        out = Value(f(v.data), (v,), name)

        def _backward() -> None:
            v.grad += df(v.data) * out.grad

        out._backward = _backward
        return out

    return apply


FUNCTIONS = {name: fork(name) for name in _FORK} | {
    "relu": lambda v: (v if isinstance(v, Value) else Value(v)).relu()}


def test_seed_example_gives_the_seed_table(check_seed_table) -> None:
    x1, x2 = Value(1.0), Value(2.0)
    y = (x1 - x2) ** 2 + fork("cos")(x1 + x2)
    t = adviz.from_micrograd(y, {"x1": x1, "x2": x2})
    check_seed_table(t)
    y.backward()
    assert (t.grad["x1"], t.grad["x2"]) == pytest.approx((x1.grad, x2.grad), rel=1e-15)


def test_default_names_follow_evaluation_order_and_labels() -> None:
    x1, x2 = Value(1.0), Value(2.0)
    t = adviz.from_micrograd((x1 - x2) ** 2 + fork("cos")(x1 + x2))
    assert list(t.graph) == ["x1", "x2", "t1", "t2", "t3", "t4", "y"]
    a, b = Value(3.0), Value(-1.0)
    a.label, b.label = "a", "b"
    h = a * b
    h.label = "h"
    t = adviz.from_micrograd(h.relu() + a / b)
    assert list(t.graph) == ["a", "b", "h", "t1", "t2", "y"]
    assert t.graph.nodes["t2"]["expr"] == "a/b"


def test_works_before_and_after_backward() -> None:
    x = Value(0.5)
    y = (x * x - x / 2).relu() + 2 - x
    before = adviz.from_micrograd(y, [x])
    y.backward()
    after = adviz.from_micrograd(y, [x])
    assert before.grad == after.grad == pytest.approx({"x1": x.grad}, rel=1e-14)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(tree=trees(), point=points)
def test_random_expressions_match_micrograd_grad(tree, point, check_replay) -> None:
    assume(smooth_at(tree, point, margin=1e-9))
    leaves = {n: Value(v) for n, v in point.items()}
    try:
        out = evaluate(tree, leaves, FUNCTIONS)
    except (AssertionError, TypeError):
        assume(False)  # a traced exponent or base: micrograd has no such power
    assume(isinstance(out, Value) and out._prev)
    used = {n: v for n, v in leaves.items() if _reaches(out, v)}
    t = adviz.from_micrograd(out, used)
    out.backward()
    for name, leaf in used.items():
        assert t.grad[name] == pytest.approx(leaf.grad, rel=1e-12, abs=1e-12)
    assert t.value == pytest.approx(out.data, rel=1e-12, abs=1e-12)
    check_replay(t)


def _reaches(root: Value, leaf: Value) -> bool:
    stack, seen = [root], set()
    while stack:
        v = stack.pop()
        if v is leaf:
            return True
        if id(v) not in seen:
            seen.add(id(v))
            stack.extend(v._prev)
    return False


def test_mlp_parameters_adjoints_equal_their_grad(check_replay) -> None:
    random.seed(7)
    model = nn.MLP(2, [4, 4, 1])
    out = model([0.5, -1.0])
    loss = (out - 1.0) ** 2
    t = adviz.from_micrograd(loss, model)
    check_replay(t)
    loss.backward()
    parameters = model.parameters()
    assert len(t.grad) == len(parameters) == 37
    assert list(t.grad)[:3] == ["w1_11", "w1_12", "b1_1"]
    for (name, g), p in zip(t.grad.items(), parameters):
        assert g == pytest.approx(p.grad, rel=1e-12, abs=1e-15), name


def test_unknown_op_names_it_and_how_to_register() -> None:
    x = Value(0.3)
    y = Value(math.erf(x.data), (x,), "erf")
    with pytest.raises(adviz.OpError, match=r"'erf'.*adviz.register_op\('erf'"):
        adviz.from_micrograd(y * 2)


def test_registered_op_is_used() -> None:
    adviz.register_op("erf", math.erf, lambda a: 2 / math.sqrt(math.pi) * math.exp(-a * a),
                      replace=True)
    try:
        x = Value(0.3)
        t = adviz.from_micrograd(Value(math.erf(0.3), (x,), "erf") * 2)
        assert t.grad["x1"] == pytest.approx(4 / math.sqrt(math.pi) * math.exp(-0.09))
    finally:
        adviz.unregister_op("erf")


def test_missing_micrograd_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "micrograd", None)
    with pytest.raises(adviz.MissingDependencyError, match=r"adviz\[micrograd\]"):
        adviz.from_micrograd(object())


def test_deep_graph_needs_no_recursion() -> None:
    x = Value(0.5)
    y = x
    for _ in range(5000):  # micrograd's own recursive backward() stops near 1000
        y = y * 1.0001 + 0.1
    t = adviz.from_micrograd(y, {"x": x})
    assert len(t.tape) == 10001
    assert t.value == y.data
    assert t.grad["x"] == pytest.approx(1.0001 ** 5000, rel=1e-12)


class Scalar:
    """A fork that keeps its operands in a tuple and whose == makes a Scalar (so no hash)."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, data, children=(), op=""):
        self.data, self.grad, self._prev, self._op = data, 0.0, tuple(children), op
        self._backward = lambda: None

    def _make(self, other, data, op, local):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(data(self.data, other.data), (self, other), op)

        def _backward():
            d_self, d_other = local(self.data, other.data)
            self.grad += d_self * out.grad
            other.grad += d_other * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        return self._make(other, lambda a, b: a + b, "+", lambda a, b: (1.0, 1.0))

    def __mul__(self, other):
        return self._make(other, lambda a, b: a * b, "*", lambda a, b: (b, a))

    def __eq__(self, other):
        return Scalar(float(self.data == getattr(other, "data", other)))


def test_values_that_cannot_be_hashed_are_read_by_identity() -> None:
    a, b = Scalar(3.0), Scalar(3.0)  # equal data: a == b is truthy, yet they are two inputs
    y = (a * b + a) * b
    t = adviz.from_micrograd(y, {"a": a, "b": b})
    reference = adviz.trace(lambda a, b: (a * b + a) * b, a=3.0, b=3.0)
    assert list(t.graph) == list(reference.graph)
    assert [t.graph.nodes[n]["expr"] for n in t.graph] == [
        reference.graph.nodes[n]["expr"] for n in reference.graph]
    assert t.grad == {"a": 12.0, "b": 21.0}  # d/da = b*b + b, d/db = 2ab + a
