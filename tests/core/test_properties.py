"""Property-based gradient checks against independent oracles.

Random expression trees over the whole op table (inside each op's domain) at
random points: reverse mode equals central finite differences (evaluated in
plain floats with the ops' forward functions only), equals PyTorch's autograd
when torch is installed, both reverse orders agree, path sums equal adjoints,
and the expression-string and Python-function forms give the same graph.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import adviz
from tests.strategies import (
    NAMES,
    central_difference,
    evaluate,
    plain_value,
    points,
    python_function,
    smooth_at,
    to_text,
    trees,
)

EXAMPLES = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
STEP = 1e-5


def _tolerance(value: float, grad: float) -> float:
    """Central differences err by about h**2 * f''' (truncation) + eps * |f| / h (rounding)."""
    return 1e4 * (STEP**2 + 2.2e-16 / STEP) * (1.0 + abs(value) + abs(grad))


@EXAMPLES
@given(tree=trees(), point=points)
def test_reverse_mode_equals_finite_differences(tree, point) -> None:
    assume(smooth_at(tree, point, margin=1e-3))
    t = adviz.trace(to_text(tree), point)
    assume(all(math.isfinite(g) for g in t.grad.values()))
    for name in NAMES:
        h = STEP * (1.0 + abs(point[name]))
        numeric = central_difference(tree, point, name, h)
        error = abs(t.grad[name] - numeric)
        assert error <= _tolerance(t.value, t.grad[name]), (name, to_text(tree))


@EXAMPLES
@given(tree=trees(), point=points)
def test_string_and_function_forms_give_the_same_graph(tree, point) -> None:
    from_text = adviz.trace(to_text(tree), point)
    from_function = adviz.trace(python_function(tree), point)
    text_nodes = list(from_text.graph.nodes(data="expr"))
    assert text_nodes == list(from_function.graph.nodes(data="expr"))
    assert list(from_text.graph.edges) == list(from_function.graph.edges)
    assert from_text.grad == from_function.grad


@EXAMPLES
@given(tree=trees(), point=points, granularity=st.sampled_from(["node", "edge"]))
def test_both_reverse_orders_agree_with_the_fast_pass(tree, point, granularity) -> None:
    seed = adviz.trace(to_text(tree), point, granularity=granularity)
    tape = adviz.trace(to_text(tree), point, order="tape", granularity=granularity)
    for name in NAMES:
        assert seed.adjoints[name] == pytest.approx(tape.adjoints[name], rel=1e-12, abs=1e-12,
                                                    nan_ok=True)
        assert seed.adjoints[name] == pytest.approx(seed.grad[name], rel=1e-12, abs=1e-12,
                                                    nan_ok=True)


@settings(max_examples=100, deadline=None)
@given(tree=trees(max_leaves=8), point=points)
def test_path_sums_equal_adjoints(tree, point) -> None:
    t = adviz.trace(to_text(tree), point)
    for name in NAMES:
        if adviz.count_paths(t, name) > 5000:
            continue
        total = math.fsum(p.product for p in adviz.paths(t, name, limit=5000))
        assert total == pytest.approx(t.grad[name], rel=1e-9, abs=1e-9, nan_ok=True)


@st.composite
def shared_programs(draw):
    """Python functions with shared sub-expressions, repeated arguments and uneven depths."""
    steps = draw(st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50),
                  st.sampled_from(["add", "mul", "sub", "sin", "tanh", "sq", "scale"])),
        min_size=1, max_size=25))

    def f(a, b, c):
        pool = [a, b, c]
        for i, j, op in steps:
            x, y = pool[i % len(pool)], pool[j % len(pool)]
            if op == "add":
                pool.append(x + y)
            elif op == "mul":
                pool.append(x * y)
            elif op == "sub":
                pool.append(x - y)
            elif op == "sin":
                pool.append(adviz.sin(x) if not isinstance(x, float) else math.sin(x))
            elif op == "tanh":
                pool.append(adviz.tanh(x) if not isinstance(x, float) else math.tanh(x))
            elif op == "sq":
                pool.append(x * x)
            else:
                pool.append(2.5 * x + 1.0)
        return pool[-1] + pool[len(pool) // 2] * 0.5 + a * 1e-3

    return f


@EXAMPLES
@given(f=shared_programs(), point=points)
def test_shared_sub_expressions_against_finite_differences(f, point) -> None:
    t = adviz.trace(f, point)
    assume(abs(t.value) < 1e6)
    for name in NAMES:
        def central(h: float, name: str = name) -> float:
            up, down = dict(point), dict(point)
            up[name] += h
            down[name] -= h
            return (f(**up) - f(**down)) / (2 * h)

        # Richardson's extrapolation of two central differences, with their own disagreement
        # as the estimate of what the reference itself still gets wrong (large third
        # derivatives of deep products make one difference alone err beyond the tolerance).
        h = STEP * (1.0 + abs(point[name]))
        coarse, fine = central(h), central(h / 2)
        numeric = (4 * fine - coarse) / 3
        slack = abs(fine - coarse)
        assert abs(t.grad[name] - numeric) <= _tolerance(t.value, t.grad[name]) + slack
    seed_order = adviz.trace(f, point)
    tape_order = adviz.trace(f, point, order="tape")
    assert seed_order.adjoints == pytest.approx(tape_order.adjoints, rel=1e-12, abs=1e-12)


try:
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

def _tensor_function(name: str):
    function = getattr(torch, name)
    return lambda x: function(torch.as_tensor(x, dtype=torch.float64))


TORCH_FUNCTIONS = {} if torch is None else {
    name: _tensor_function(name)
    for name in ("abs", "sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sigmoid", "relu")
}


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed: its autograd is an "
                    "optional test oracle (pip install torch)")
@EXAMPLES
@given(tree=trees(), point=points)
def test_reverse_mode_equals_pytorch_autograd(tree, point) -> None:
    assume(smooth_at(tree, point, margin=1e-9))
    t = adviz.trace(to_text(tree), point)
    leaves = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in point.items()}
    out = evaluate(tree, leaves, TORCH_FUNCTIONS)
    assert float(out.detach()) == pytest.approx(t.value, rel=1e-12, abs=1e-12)
    grads = torch.autograd.grad(out, list(leaves.values()), allow_unused=True)
    for name, g in zip(leaves, grads):
        expected = 0.0 if g is None else float(g)
        assert t.grad[name] == pytest.approx(expected, rel=1e-10, abs=1e-10), to_text(tree)
    assert plain_value(tree, point) == pytest.approx(t.value, rel=1e-12, abs=1e-12)
