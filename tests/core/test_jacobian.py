"""Functions with several outputs: Jacobians against finite differences and PyTorch, forward mode
against reverse mode, the reverse pass of each output, names, errors, and single outputs
unchanged."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings

import adviz
from adviz.core.jacobian import jacobian
from tests.conftest import SEED_EXPRESSION
from tests.strategies import (
    NAMES,
    VectorCase,
    points,
    smooth_at,
    torch_functions,
    vector_cases,
    vector_evaluate,
    vector_function,
    vector_plain,
)

EXAMPLES = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
STEP = 1e-5


def _smooth(case: VectorCase, point: dict[str, float], margin: float) -> bool:
    return all(smooth_at(tree, point, margin) for tree in case[0])


def _central_jacobian(case: VectorCase, point: dict[str, float], scale: float = 1.0
                      ) -> dict[str, list[float]]:
    """Column by input: d(output k)/d(input) by central differences on plain floats."""
    columns = {}
    for name in NAMES:
        h = scale * STEP * (1.0 + abs(point[name]))
        up = vector_plain(case, {**point, name: point[name] + h})
        down = vector_plain(case, {**point, name: point[name] - h})
        columns[name] = [(u - d) / (2 * h) for u, d in zip(up, down)]
    return columns


def _tolerance(value: float, derivative: float) -> float:
    """Central differences err by about h**2 * f''' (truncation) + eps * |f| / h (rounding)."""
    return 1e4 * (STEP**2 + 2.2e-16 / STEP) * (1.0 + abs(value) + abs(derivative))


def _finite(t: adviz.Trace) -> bool:
    return all(math.isfinite(d) for row in t.jacobian.values() for d in row.values())


@EXAMPLES
@given(case=vector_cases(), point=points)
def test_jacobian_equals_central_differences(case, point) -> None:
    assume(_smooth(case, point, margin=1e-3))
    t = adviz.trace(vector_function(case), point)
    assume(_finite(t))
    m = len(case[0])
    assert t.outputs == tuple(f"y{k}" for k in range(1, m + 1))
    assert list(t.jacobian) == list(t.outputs)
    assert t.value == pytest.approx(vector_plain(case, point), rel=1e-12, abs=1e-12)
    numeric = _central_jacobian(case, point)
    halved = _central_jacobian(case, point, 0.5)  # how much the step moves the estimate
    for k, output in enumerate(t.outputs):
        assert list(t.jacobian[output]) == list(NAMES)
        for name in NAMES:
            derivative = t.jacobian[output][name]
            error = abs(derivative - numeric[name][k])
            # Truncation error of central differences is ~4/3 of the change when h halves:
            # a steep function (sin of a cube) gets the margin its own curvature needs.
            drift = 2.0 * abs(numeric[name][k] - halved[name][k])
            assert error <= _tolerance(t.value[k], derivative) + drift, (output, name)


@EXAMPLES
@given(case=vector_cases(), point=points)
def test_jacobian_equals_pytorch_autograd(case, point) -> None:
    import torch

    assume(_smooth(case, point, margin=1e-9))
    t = adviz.trace(vector_function(case), point)
    assume(_finite(t))
    functions = torch_functions()

    def f(*xs):
        return vector_evaluate(case, dict(zip(NAMES, xs)), functions)

    leaves = tuple(torch.tensor(point[n], dtype=torch.float64) for n in NAMES)
    rows = torch.autograd.functional.jacobian(f, leaves)
    for k, output in enumerate(t.outputs):
        for j, name in enumerate(NAMES):
            expected = float(rows[k][j])
            assert t.jacobian[output][name] == pytest.approx(expected, rel=1e-10, abs=1e-10)


@EXAMPLES
@given(case=vector_cases(), point=points)
def test_forward_and_reverse_jacobians_agree(case, point) -> None:
    t = adviz.trace(vector_function(case), point)
    assume(_finite(t))
    forward = jacobian(t, "forward")
    reverse = jacobian(t, "reverse")
    assert reverse == t.jacobian
    assert list(forward) == list(reverse)
    for output, row in reverse.items():
        assert list(forward[output]) == list(row)
        for name, value in row.items():
            assert forward[output][name] == pytest.approx(value, rel=1e-10, abs=1e-10)
    # One forward sweep per input gives a column: every output's tangent at once.
    for name in NAMES:
        sweep = adviz.forward_mode(t, name)
        assert list(sweep.derivatives) == list(t.outputs)
        assert sweep.derivative == sweep.derivatives[t.output]
        for output, value in sweep.derivatives.items():
            assert value == forward[output][name]


@EXAMPLES
@given(case=vector_cases(), point=points)
def test_each_outputs_reverse_stages_give_its_row(case, point) -> None:
    t = adviz.trace(vector_function(case), point)
    tape_order = adviz.trace(vector_function(case), point, order="tape")
    assume(_finite(t))
    for k, output in enumerate(t.outputs, start=1):
        for traced in (t, tape_order):
            stages = traced.reverse_stages_for(output)
            assert stages == traced.reverse_stages_for(k)
            assert stages[0].caption == f"g_{output} = 1"
            adjoints = {output: 1.0}
            for stage in stages[1:]:
                for c in stage.contributions:
                    assert c.upstream == adjoints[c.child]  # the child was complete
                    adjoints[c.parent] = c.after
            for name in NAMES:
                assert adjoints.get(name, 0.0) == pytest.approx(
                    t.jacobian[output][name], rel=1e-10, abs=1e-10)
    assert t.reverse_stages_for("y1") == t.reverse_stages


def test_one_output_inside_another() -> None:
    # y1 = a*b feeds y2 = sin(y1) + a: the reverse pass of y1 must not wait for y2.
    def f(a, b):
        u = a * b
        return u, adviz.sin(u) + a

    for order in ("seed", "tape"):
        t = adviz.trace(f, a=0.5, b=2.0, order=order)
        assert list(t.graph) == ["a", "b", "y1", "t1", "y2"]
        assert t.graph.graph["outputs"] == ("y1", "y2")
        assert t.graph.graph["output"] == "y1"
        assert [s.node for s in t.reverse_stages_for("y2")] == ["y2", "y2", "t1", "y1"]
        assert [s.node for s in t.reverse_stages_for("y1")] == ["y1", "y1"]
        assert t.jacobian == {
            "y1": {"a": 2.0, "b": 0.5},
            "y2": {"a": math.cos(1.0) * 2.0 + 1.0, "b": math.cos(1.0) * 0.5},
        }
        # The graph carries y1's adjoints: y2 and t1 are not reached by its reverse pass.
        assert t.graph.nodes["y2"]["adjoint"] is None
        assert t.graph.nodes["a"]["adjoint"] == 2.0


def test_seed_example_as_the_two_outputs_of_one_function() -> None:
    t = adviz.trace(lambda x1, x2: ((x1 - x2) ** 2, adviz.cos(x1 + x2)), x1=1.0, x2=2.0)
    assert t.value == (1.0, math.cos(3.0))
    sin3 = math.sin(3.0)
    assert t.jacobian == {"y1": {"x1": -2.0, "x2": 2.0}, "y2": {"x1": -sin3, "x2": -sin3}}
    # The scalar trace's gradient is the sum of the rows: y = y1 + y2.
    scalar = adviz.trace(SEED_EXPRESSION, x1=1.0, x2=2.0)
    for name in ("x1", "x2"):
        total = t.jacobian["y1"][name] + t.jacobian["y2"][name]
        assert total == pytest.approx(scalar.grad[name], rel=1e-15)


def test_single_output_traces_are_unchanged() -> None:
    t = adviz.trace(SEED_EXPRESSION, x1=1, x2=2)
    assert not t.vector
    assert t.outputs == ("y",)
    assert set(t.graph.graph) == {"inputs", "output", "expression"}
    assert t.jacobian == {"y": t.grad}
    assert jacobian(t, "forward")["y"] == pytest.approx(t.grad, rel=1e-15)
    assert t.reverse_stages_for("y") is t.reverse_stages
    assert t.pick("y") is t
    sweep = adviz.forward_mode(t, "x1")
    assert dict(sweep.derivatives) == {"y": sweep.derivative}


def test_list_return_and_one_element_tuple_are_vector_traces() -> None:
    t = adviz.trace(lambda a, b: [a + b, a - b], a=1.0, b=2.0)
    assert t.vector and t.value == (3.0, -1.0)
    assert t.jacobian == {"y1": {"a": 1.0, "b": 1.0}, "y2": {"a": 1.0, "b": -1.0}}
    one = adviz.trace(lambda a: (a * a,), a=3.0)
    assert one.vector and one.outputs == ("y1",) and one.value == (9.0,)
    assert one.jacobian == {"y1": {"a": 6.0}}


def test_output_names() -> None:
    f = lambda a, b: (a * b, a + b)  # noqa: E731
    assert adviz.trace(f, a=1.0, b=2.0, output="z").outputs == ("z1", "z2")
    assert adviz.trace(f, a=1.0, b=2.0, output=["p", "s"]).outputs == ("p", "s")
    # An input named y1 moves the default stem on, as y does for one output.
    assert adviz.trace(lambda y1, b: (y1 * b, y1 + b), y1=1.0, b=2.0).outputs == ("f1", "f2")
    # A label given with adviz.name is kept.
    named = adviz.trace(lambda a, b: (adviz.name(a * b, "area"), a + b), a=1.0, b=2.0)
    assert named.outputs == ("area", "y2")
    t = adviz.trace(f, a=1.0, b=2.0, output="z")
    assert t.retrace({"a": 2.0, "b": 3.0}).outputs == ("z1", "z2")
    assert t.evaluate({"a": 2.0, "b": 3.0}) == (6.0, 5.0)


@pytest.mark.parametrize(
    ("f", "options", "error", "message"),
    [
        (lambda a, b: (a * b, 2.0), {}, adviz.TraceError, "output 2 of <lambda> is the constant"),
        (lambda a, b: (a * b, b), {}, adviz.TraceError, "output 2 of <lambda> is the input 'b'"),
        (lambda a, b: (), {}, adviz.TraceError, "empty tuple"),
        (lambda a, b: (a * b, "b"), {}, adviz.TraceError, "output 2 of <lambda> is a str"),
        (lambda a, b: (a * b, a * b), {"output": ["p"]}, adviz.TraceError,
         "1 name.s. for 2 outputs"),
        (lambda a, b: (a * b, a + b), {"output": ["p", "p"]}, adviz.TraceError, "given twice"),
        (lambda a, b: (a * b, a + b), {"output": ["a", "p"]}, adviz.TraceError,
         "'a' is also an input's name"),
        (lambda a, b: a * b, {"output": ["p", "q"]}, adviz.InputError, "returned one value"),
        (lambda a, b: (a * b, a + b), {"output": 3}, adviz.InputError, "not int"),
    ],
)
def test_bad_vector_functions_raise_clear_errors(f, options, error, message) -> None:
    with pytest.raises(error, match=message):
        adviz.trace(f, {"a": 1.0, "b": 2.0}, **options)


def test_repeated_output_is_refused() -> None:
    def f(a, b):
        u = a * b
        return u, u

    with pytest.raises(adviz.TraceError, match="outputs 1 and 2 of f are the same value"):
        adviz.trace(f, a=1.0, b=2.0)


def test_grad_and_one_output_tools_point_to_the_outputs() -> None:
    t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
    with pytest.raises(adviz.TraceError, match=r"2 outputs \(y1, y2\).*trace.jacobian"):
        t.grad
    with pytest.raises(adviz.TraceError,
                       match=r"forward_gradient .* adviz.jacobian\(trace, mode=.forward.\)"):
        adviz.forward_gradient(t)
    for call in (lambda: adviz.walkthrough(t, mode="forward"), lambda: adviz.paths(t, "a"),
                 lambda: adviz.check_grad(t), lambda: adviz.count_paths(t, "a")):
        with pytest.raises(adviz.TraceError, match=r"has 2 \(y1, y2\): pick one with "
                                                   r"trace.pick\('y1'\)"):
            call()
    with pytest.raises(adviz.InputError, match="'y3' is not an output of this trace; its "
                                               "outputs are y1, y2"):
        t.reverse_stages_for("y3")
    with pytest.raises(adviz.InputError, match="is not an output"):
        t.pick(0)
    with pytest.raises(adviz.InputError, match="unknown mode 'sideways'"):
        jacobian(t, "sideways")
    assert t._repr_svg_() is None and t._repr_html_() is None
    assert repr(t) == "<Trace <lambda>: y1=6, y2=0.909297, 4 nodes>"


def test_pick_traces_one_output_alone() -> None:
    def f(a, b):
        u = a * b
        return u, adviz.sin(u) + a

    t = adviz.trace(f, a=0.5, b=2.0)
    for k, output in enumerate(t.outputs, start=1):
        alone = t.pick(output)
        assert not alone.vector and alone.output == output
        assert alone.value == t.value[k - 1]
        assert alone.grad == t.jacobian[output]
        assert list(t.pick(k).graph) == list(alone.graph)
    assert list(t.pick("y2").graph) == ["a", "b", "t1", "t2", "y2"]


def test_jacobian_rows_do_not_depend_on_the_order_they_are_computed_in() -> None:
    case = ((("sin", ("var", "a")), ("mul", ("var", "b"), ("var", "c")),
             ("add", ("var", "a"), ("var", "c"))), True)
    point = {"a": 0.3, "b": -1.2, "c": 2.0}
    t = adviz.trace(vector_function(case), point)
    first = jacobian(t, "reverse")
    for output in reversed(t.outputs):  # sweeps in another order leave nothing behind
        t.reverse_stages_for(output)
    again = adviz.trace(vector_function(case), point)
    again.reverse_stages_for("y3")
    assert jacobian(again, "reverse") == first == jacobian(t, "reverse")


def test_expression_strings_have_one_output() -> None:
    with pytest.raises(adviz.ExpressionError, match="has one output, and 'a\\*b, sin\\(a\\)' "
                                                    "lists 2: for several outputs, trace a "
                                                    "Python function"):
        adviz.trace("a*b, sin(a)", a=1.0, b=2.0)
    with pytest.raises(adviz.ExpressionError, match="tuples are not allowed"):
        adviz.trace("sin((a, b))", a=1.0, b=2.0)


def test_state_after_a_stage_of_one_outputs_reverse_pass() -> None:
    def f(a, b):
        u = a * b
        return u, adviz.sin(u) + a

    t = adviz.trace(f, a=0.5, b=2.0)
    stages = t.reverse_stages_for("y2")
    assert dict(t.state("reverse", 0, output="y2").adjoints) == {"y2": 1.0}
    last = t.state("reverse", -1, output=2)
    assert last.stage == stages[-1]
    assert last.adjoints["a"] == t.jacobian["y2"]["a"]
    assert last.adjoints["b"] == t.jacobian["y2"]["b"]
    assert "y1" in last.adjoints  # y1 lies on y2's path
    assert t.state("reverse", -1, output="y1") == t.state("reverse", -1)
    assert dict(t.state("forward", 1, output="y2").values) == {"a": 0.5, "b": 2.0, "y1": 1.0}
