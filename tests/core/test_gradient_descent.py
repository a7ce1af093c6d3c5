"""Gradient descent: trajectories and stopping reasons."""

from __future__ import annotations

import pytest

import adviz


def test_descent_lowers_a_convex_function_with_a_small_step() -> None:
    run = adviz.descent("(x - 1)**2 + 2*(y + 2)**2", {"x": 3.0, "y": 0.0}, lr=0.05, steps=30)
    assert run.reason == "steps done"
    assert len(run) == 31
    assert all(b < a for a, b in zip(run.values, run.values[1:]))
    first = run.inputs[0]
    second = run.inputs[1]
    grad = run.grads[0]
    assert second["x"] == pytest.approx(first["x"] - 0.05 * grad["x"])
    assert second["y"] == pytest.approx(first["y"] - 0.05 * grad["y"])
    assert grad == pytest.approx({"x": 4.0, "y": 8.0})


def test_descent_reports_divergence_with_a_large_step() -> None:
    run = adviz.descent(lambda x: x * x, {"x": 1.0}, lr=1.5, steps=100)
    assert run.reason == "diverged"
    assert "too large" in run.message
    assert len(run) < 100


def test_descent_converges() -> None:
    run = adviz.descent("(x - 2)**2", {"x": 0.0}, lr=0.5, steps=10)
    assert run.reason == "converged"
    assert run.inputs[-1]["x"] == pytest.approx(2.0)


def test_leaving_the_domain_counts_as_divergence() -> None:
    run = adviz.descent("log(x) + x", {"x": 0.5}, lr=5.0, steps=10)
    assert run.reason == "diverged"
    assert "log" in run.message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"lr": -1.0}, "learning rate"), ({"steps": -2}, "steps"), ({"start": {}}, "start")],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    args = {"f": "x*x", "start": {"x": 1.0}, **kwargs}
    with pytest.raises(adviz.InputError, match=message):
        adviz.descent(**args)


def test_trajectory_step_trace_and_table() -> None:
    run = adviz.descent("x**2", {"x": 1.0}, lr=0.25, steps=3)
    assert run.trace(2).value == pytest.approx(run.values[2])
    assert "stopped: steps done" in run.table()
