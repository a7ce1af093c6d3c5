"""Chain-rule paths: their products sum to the adjoint."""

from __future__ import annotations

import math
import random

import pytest

import adviz


def test_seed_paths_match_the_hand_derivation(seed_trace: adviz.Trace) -> None:
    x1 = adviz.paths(seed_trace, "x1")
    assert [p.nodes for p in x1] == [("x1", "t1", "t2", "y"), ("x1", "t3", "t4", "y")]
    assert [p.product for p in x1] == pytest.approx([-2.0, -math.sin(3.0)])
    x2 = adviz.paths(seed_trace, "x2")
    assert [p.product for p in x2] == pytest.approx([2.0, -math.sin(3.0)])
    assert "x1 -> t1 -> t2 -> y" in str(x1[0])


def _random_function(seed: int):
    rng = random.Random(seed)
    plan = [(rng.randrange(2 + k), rng.randrange(2 + k), rng.choice("+*sc-"))
            for k in range(25)]

    def f(a, b):
        pool = [a, b]
        for i, j, op in plan:
            x, y = pool[i], pool[j]
            if op == "+":
                pool.append(x + y)
            elif op == "*":
                pool.append(x * y * 0.5)
            elif op == "s":
                pool.append(adviz.sin(x))
            elif op == "c":
                pool.append(adviz.cos(y))
            else:
                pool.append(x - y)
        return pool[-1] + pool[-2] * pool[-3]

    return f


@pytest.mark.parametrize("seed", range(8))
def test_path_sums_equal_adjoints_on_random_graphs(seed: int) -> None:
    t = adviz.trace(_random_function(seed), a=0.4, b=-1.1)
    for name in ("a", "b"):
        listed = adviz.paths(t, name, limit=10**6)
        assert len(listed) == adviz.count_paths(t, name)
        assert sum(p.product for p in listed) == pytest.approx(t.grad[name], abs=1e-9)


def test_repeated_arguments_are_one_edge() -> None:
    t = adviz.trace(lambda x: x * x, x=3.0)
    (only,) = adviz.paths(t, "x")
    assert only.nodes == ("x", "y") and only.product == 6.0


def test_counting_is_cheap_and_listing_stops_at_a_limit() -> None:
    def f(x):
        for _ in range(60):
            x = x + adviz.sin(x)
        return x

    t = adviz.trace(f, x=0.1)
    assert adviz.count_paths(t, "x") == 2**60
    with pytest.raises(adviz.AdvizError, match="more than the limit"):
        adviz.paths(t, "x")


def test_unknown_input() -> None:
    t = adviz.trace("x * 2", x=1.0)
    with pytest.raises(adviz.InputError, match="not an input"):
        adviz.paths(t, "z")


def test_an_unused_input_has_no_paths() -> None:
    t = adviz.trace(lambda x, z: x * 2.0, x=1.0, z=2.0)
    assert adviz.paths(t, "z") == [] and adviz.count_paths(t, "z") == 0
