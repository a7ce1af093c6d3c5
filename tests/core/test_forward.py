"""Forward mode: tangents against calculus by hand, a published table, reverse mode and finite
differences."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import adviz
from tests.conftest import SEED_EXPRESSION, seed_function
from tests.strategies import (
    NAMES,
    plain_value,
    points,
    python_function,
    smooth_at,
    to_text,
    trees,
)

EXAMPLES = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

SIN3 = math.sin(3.0)

# The seed page's example at x1 = 1, x2 = 2 (t1 = x1 - x2 = -1, t3 = x1 + x2 = 3), by the
# chain rule node by node: t1' = x1' - x2', t2' = 2 t1 t1', t3' = x1' + x2',
# t4' = -sin(t3) t3', y' = t2' + t4'.
BY_HAND = {
    "x1": {"x1": 1.0, "x2": 0.0, "t1": 1.0, "t2": -2.0, "t3": 1.0, "t4": -SIN3,
           "y": -2.0 - SIN3},
    "x2": {"x1": 0.0, "x2": 1.0, "t1": -1.0, "t2": 2.0, "t3": 1.0, "t4": -SIN3,
           "y": 2.0 - SIN3},
}


@pytest.mark.parametrize("form", [seed_function, SEED_EXPRESSION])
@pytest.mark.parametrize("seeded", ["x1", "x2"])
def test_seed_example_tangents_by_hand(form, seeded: str) -> None:
    t = adviz.trace(form, x1=1.0, x2=2.0)
    sweep = adviz.forward_mode(t, {seeded: 1.0})
    assert list(sweep.tangents) == ["x1", "x2", "t1", "t2", "t3", "t4", "y"]
    for node, expected in BY_HAND[seeded].items():
        assert sweep.tangents[node] == pytest.approx(expected, rel=1e-15, abs=1e-15), node
    assert sweep.derivative == pytest.approx(BY_HAND[seeded]["y"], rel=1e-15)


def test_seed_example_table_digit_for_digit() -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    first = adviz.walkthrough(t, mode="forward", seed={"x1": 1, "x2": 0})
    assert "Tangent seed: x1_dot = 1, x2_dot = 0" in first
    for line in ["t1_dot = x1_dot * dt1/dx1 + x2_dot * dt1/dx2 = 1 * 1 + 0 * (-1) = 1",
                 "t2_dot = t1_dot * dt2/dt1 = 1 * (2 t1) = -2",
                 "t3_dot = x1_dot * dt3/dx1 + x2_dot * dt3/dx2 = 1 * 1 + 0 * 1 = 1",
                 "t4_dot = t3_dot * dt4/dt3 = 1 * (-sin(t3)) = -0.14112",
                 "y_dot = t2_dot * dy/dt2 + t4_dot * dy/dt4 = -2 * 1 + (-0.14112) * 1 = "
                 "-2.14112",
                 "Directional derivative: y_dot = dy/dx1 = -2.14112"]:
        assert line in first
    second = adviz.walkthrough(t, mode="forward", seed={"x1": 0, "x2": 1})
    for line in ["t1_dot = x1_dot * dt1/dx1 + x2_dot * dt1/dx2 = 0 * 1 + 1 * (-1) = -1",
                 "t2_dot = t1_dot * dt2/dt1 = -1 * (2 t1) = 2",
                 "t4_dot = t3_dot * dt4/dt3 = 1 * (-sin(t3)) = -0.14112",
                 "y_dot = t2_dot * dy/dt2 + t4_dot * dy/dt4 = 2 * 1 + (-0.14112) * 1 = 1.85888",
                 "Directional derivative: y_dot = dy/dx2 = 1.85888"]:
        assert line in second


# Baydin, Pearlmutter, Radul and Siskind (2018), "Automatic differentiation in machine
# learning: a survey", JMLR 18(153), Table 2: forward mode on
# f(x1, x2) = ln(x1) + x1 x2 - sin(x2) at (2, 5), seeded with x1' = 1, x2' = 0.
# Its v1..v5 are, in evaluation order, our t1..t4 and y; values as printed (3 decimals).
BAYDIN_PRIMAL = {"x1": 2, "x2": 5, "t1": 0.693, "t2": 10, "t3": 10.693, "t4": -0.959,
                 "y": 11.652}
BAYDIN_TANGENT = {"x1": 1, "x2": 0, "t1": 0.5, "t2": 5, "t3": 5.5, "t4": 0, "y": 5.5}
# Its Table 3 (reverse mode on the same function) ends with x1_bar = 5.5, x2_bar = 1.716.
BAYDIN_ADJOINT = {"x1": 5.5, "x2": 1.716}


def _baydin(x1, x2):
    return adviz.log(x1) + x1 * x2 - adviz.sin(x2)


@pytest.mark.parametrize("form", [_baydin, "log(x1) + x1*x2 - sin(x2)"])
def test_baydin_table_2_digit_for_digit(form) -> None:
    t = adviz.trace(form, x1=2, x2=5)
    sweep = adviz.forward_mode(t, {"x1": 1})
    values = {n: v for n, v in t.graph.nodes(data="value")}
    assert list(values) == list(BAYDIN_PRIMAL)
    assert {n: round(v, 3) for n, v in values.items()} == BAYDIN_PRIMAL
    assert {n: round(v, 3) for n, v in sweep.tangents.items()} == BAYDIN_TANGENT
    assert {n: round(g, 3) for n, g in t.grad.items()} == BAYDIN_ADJOINT
    table = adviz.walkthrough(t, mode="both", seed="x1")
    assert "t2_dot = x1_dot * dt2/dx1 + x2_dot * dt2/dx2 = 1 * x2 + 0 * x1 = 5" in table
    assert "t3_dot = t1_dot * dt3/dt1 + t2_dot * dt3/dt2 = 0.5 * 1 + 5 * 1 = 5.5" in table
    assert "y_dot = dy/dx1 = 5.5" in table


def test_forward_gradient_is_trace_grad_on_the_examples() -> None:
    from adviz.examples import mlp, rnn

    for t in [adviz.trace(SEED_EXPRESSION, x1=1, x2=2), mlp((2, 3, 1)), rnn(4)]:
        forward = adviz.forward_gradient(t)
        assert list(forward) == list(t.grad)
        for name, g in t.grad.items():
            assert forward[name] == pytest.approx(g, rel=1e-12, abs=1e-14), name


@EXAMPLES
@given(tree=trees(), point=points)
def test_forward_gradient_equals_reverse_mode(tree, point) -> None:
    t = adviz.trace(python_function(tree), point)
    assume(all(math.isfinite(g) for g in t.grad.values()))
    forward = adviz.forward_gradient(t)
    assert list(forward) == list(t.grad) == list(NAMES)
    for name in NAMES:
        sweep = adviz.forward_mode(t, name)
        assert sweep.derivative == forward[name]
        # Both sums round differently; each error is bounded by eps times its terms' sizes.
        size = sum(abs(c.product) for c in sweep.terms) + sum(
            abs(c.delta) for s in t.reverse_stages for c in s.contributions)
        tolerance = 1e-12 * (1.0 + size)
        assert abs(forward[name] - t.grad[name]) <= tolerance, (name, to_text(tree))


@EXAMPLES
@given(tree=trees(), point=points,
       direction=st.tuples(*[st.floats(-1.0, 1.0, allow_nan=False)] * len(NAMES)))
def test_directional_derivative_equals_central_differences(tree, point, direction) -> None:
    assume(smooth_at(tree, point, margin=1e-3))
    seed = dict(zip(NAMES, direction))
    t = adviz.trace(to_text(tree), point)
    sweep = adviz.forward_mode(t, seed)
    assume(math.isfinite(sweep.derivative))
    h = 1e-5
    up = {n: point[n] + h * seed[n] for n in NAMES}
    down = {n: point[n] - h * seed[n] for n in NAMES}
    numeric = (plain_value(tree, up) - plain_value(tree, down)) / (2 * h)
    tolerance = 1e4 * (h**2 + 2.2e-16 / h) * (1.0 + abs(t.value) + abs(sweep.derivative))
    assert abs(sweep.derivative - numeric) <= tolerance, to_text(tree)


def test_stages_follow_the_forward_stages() -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    sweep = adviz.forward_mode(t)
    assert [s.node for s in sweep.stages] == [s.node for s in t.forward_stages]
    assert [s.index for s in sweep.stages] == list(range(len(t.forward_stages)))
    assert {s.phase for s in sweep.stages} == {"tangent"}
    assert sweep.stages[0].caption == "x1_dot = 1, x2_dot = 0 (seed)"
    assert sweep.stages[0].nodes == ("x1", "x2")
    assert sweep.stages[4].caption == ("t4_dot = t3_dot * dt4/dt3 = 1 * (-sin(t3)) = "
                                       "-0.14112")
    for stage in sweep.stages[1:]:
        assert stage.nodes == (stage.node,)
        terms = stage.contributions
        assert [c.parent for c in terms] == list(dict.fromkeys(t.graph.nodes[stage.node]["args"]))
        assert terms[0].before == 0.0
        for a, b in itertools.pairwise(terms):
            assert b.before == a.after
        assert terms[-1].after == sweep.tangents[stage.node]
        for c in terms:
            edge = t.graph.edges[c.parent, c.child]
            assert c.partial == edge["partial"] and c.partial_expr == edge["partial_expr"]
            assert c.tangent == sweep.tangents[c.parent]
            assert c.product == c.partial * c.tangent
    assert sweep.partials == {e: d["partial"] for e, d in
                              ((e, t.graph.edges[e]) for e in sweep.partials)}
    assert set(sweep.products) == set(t.graph.edges)
    assert sweep.seeded == ("x1",)


def test_partials_are_read_from_the_graph_not_recomputed(monkeypatch) -> None:
    from adviz.core.program import Program

    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    assert t.graph is not None  # built now, with the partials

    def refuse(self, i):
        raise AssertionError("partials recomputed")

    monkeypatch.setattr(Program, "edges_into", refuse)
    assert adviz.forward_mode(t, "x2").derivative == pytest.approx(2.0 - SIN3)
    # What the sweep multiplies is what the graph says: change an edge's partial and see it.
    t.graph.edges["t3", "t4"]["partial"] = 10.0
    assert adviz.forward_mode(t, "x1").tangents["t4"] == 10.0


def test_seed_forms_and_errors() -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    assert dict(adviz.forward_mode(t).seed) == {"x1": 1.0, "x2": 0.0}
    assert dict(adviz.forward_mode(t, "x2").seed) == {"x1": 0.0, "x2": 1.0}
    assert dict(adviz.forward_mode(t, {"x2": 3}).seed) == {"x1": 0.0, "x2": 3.0}
    mixed = adviz.forward_mode(t, {"x1": 2.0, "x2": -1.0}).derivative
    assert mixed == pytest.approx(2.0 * (-2.0 - SIN3) - (2.0 - SIN3))
    with pytest.raises(adviz.InputError, match=r"'z'.*x1, x2"):
        adviz.forward_mode(t, {"x1": 1, "z": 1})
    with pytest.raises(adviz.InputError, match="'x2'"):
        adviz.forward_mode(t, {"x2": float("nan")})
    with pytest.raises(adviz.InputError, match="'x1'"):
        adviz.forward_mode(t, {"x1": float("inf")})
    with pytest.raises(adviz.InputError, match="'x1'"):
        adviz.forward_mode(t, {"x1": True})
    with pytest.raises(adviz.InputError, match="'x1'"):
        adviz.forward_mode(t, {"x1": 10**400})
    with pytest.raises(adviz.InputError, match="'x2'"):
        adviz.forward_mode(t, {"x2": "1"})
    with pytest.raises(adviz.InputError, match="'w'"):
        adviz.forward_mode(t, "w")
    with pytest.raises(adviz.InputError, match="dict"):
        adviz.forward_mode(t, [1.0, 0.0])  # type: ignore[arg-type]


def test_constants_unused_inputs_and_an_input_as_output() -> None:
    shown = adviz.trace(SEED_EXPRESSION, x1=1, x2=2, show_constants=True)
    sweep = adviz.forward_mode(shown, "x1")
    assert sweep.tangents["c1"] == 0.0
    assert sweep.derivative == pytest.approx(-2.0 - SIN3)
    unused = adviz.trace(lambda a, b: adviz.sin(a), a=0.0, b=1.0)
    assert adviz.forward_gradient(unused) == {"a": 1.0, "b": 0.0}
    same = adviz.trace(lambda a: a, a=3.0)
    assert adviz.forward_mode(same, {"a": 2.5}).derivative == 2.5


def test_tensor_edges_are_refused() -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    t.graph.edges["t1", "t2"]["partial"] = object()  # what a tensor edge holds is no number
    with pytest.raises(adviz.InputError, match="t1 -> t2"):
        adviz.forward_mode(t)
