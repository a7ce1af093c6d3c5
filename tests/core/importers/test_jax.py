"""`adviz.from_jax`: jaxprs, checked against ``jax.grad``."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings

import adviz
from tests.strategies import evaluate, points, smooth_at, trees

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

FUNCTIONS = {"abs": jnp.abs, "sin": jnp.sin, "cos": jnp.cos, "tan": jnp.tan, "exp": jnp.exp,
             "log": jnp.log, "sqrt": jnp.sqrt, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid,
             "relu": jax.nn.relu}


def test_seed_example_gives_the_seed_table(check_seed_table) -> None:
    def f(x1, x2):
        return (x1 - x2) ** 2 + jnp.cos(x1 + x2)

    t = adviz.from_jax(f, 1.0, 2.0)
    check_seed_table(t)
    g = jax.grad(f, argnums=(0, 1))(1.0, 2.0)
    assert [t.grad["x1"], t.grad["x2"]] == pytest.approx([float(v) for v in g], rel=1e-15)


def test_names_and_inlined_calls() -> None:
    @jax.jit
    def inner(u):
        return jax.nn.relu(u) * 3.0

    t = adviz.from_jax(lambda a, b: inner(a * b) + jnp.tanh(b), 0.5, 2.0, names=["p", "q"])
    assert list(t.graph)[:2] == ["p", "q"]
    assert [t.graph.nodes[n]["op"] for n in list(t.graph)[2:]] == ["mul", "relu", "mul",
                                                                   "tanh", "add"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(), point=points)
def test_random_expressions_match_jax_grad(tree, point) -> None:
    assume(smooth_at(tree, point, margin=1e-9))

    def f(a, b, c):
        return evaluate(tree, {"a": a, "b": b, "c": c}, FUNCTIONS)

    try:
        t = adviz.from_jax(f, *point.values())
    except adviz.TraceError as err:
        assert "does not depend" in str(err) or "itself" in str(err)
        return
    expected = jax.grad(f, argnums=(0, 1, 2))(*point.values())
    for name, g in zip(point, expected):
        assert t.grad[name] == pytest.approx(float(g), rel=1e-12, abs=1e-12)


def test_unknown_primitive_is_named() -> None:
    with pytest.raises(adviz.OpError, match="'log1p'"):
        adviz.from_jax(lambda x: jnp.log1p(x), 0.5)


def test_missing_jax_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "jax", None)
    with pytest.raises(adviz.MissingDependencyError, match=r"adviz\[jax\]"):
        adviz.from_jax(lambda x: x, 1.0)
