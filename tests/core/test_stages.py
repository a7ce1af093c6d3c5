"""Stage schedules and the per-frame state."""

from __future__ import annotations

import dataclasses

import pytest

import adviz
from adviz.core.stages import reverse_order


def test_stage_records_are_frozen(seed_trace: adviz.Trace) -> None:
    stage = seed_trace.reverse_stages[1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        stage.index = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        stage.contributions[0].delta = 0.0  # type: ignore[misc]


def test_state_after_each_reverse_stage(seed_trace: adviz.Trace) -> None:
    first = seed_trace.state("reverse", 0)
    assert dict(first.adjoints) == {"y": 1.0}
    assert len(first.values) == 7
    after_t1 = seed_trace.state("reverse", 4)
    assert after_t1.adjoints["x1"] == pytest.approx(-2.0)
    assert after_t1.adjoints["x2"] == pytest.approx(2.0)
    last = seed_trace.state("reverse", -1)
    assert dict(last.adjoints) == pytest.approx(seed_trace.adjoints)


def test_state_after_each_forward_stage(seed_trace: adviz.Trace) -> None:
    assert set(seed_trace.state("forward", 0).values) == {"x1", "x2"}
    assert set(seed_trace.state("forward", 2).values) == {"x1", "x2", "t1", "t2"}
    assert dict(seed_trace.state("forward", 2).adjoints) == {}


def test_state_rejects_missing_stages(seed_trace: adviz.Trace) -> None:
    with pytest.raises(adviz.AdvizError, match="0 to 5"):
        seed_trace.state("reverse", 6)
    with pytest.raises(adviz.AdvizError, match="phase"):
        seed_trace.state("sideways", 0)


def test_seed_order_waits_for_all_children() -> None:
    # a diamond with one long and one short branch
    def f(x):
        a = adviz.sin(x)
        b = adviz.exp(adviz.cos(adviz.tanh(a)))
        return a * b

    t = adviz.trace(f, x=0.3)
    order = [t.program.nodes[i].id for i in reverse_order(t.program, "seed")]
    assert order.index("t1") == len(order) - 1  # a has two children; it comes last
    assert t.adjoints["x"] == pytest.approx(t.grad["x"])


def test_both_orders_give_the_same_adjoints_on_a_random_program() -> None:
    import random

    rng = random.Random(7)
    plan = [(rng.randrange(2 + k), rng.randrange(2 + k), rng.choice("+*s-")) for k in range(40)]

    def f(x, y):
        pool = [x, y]
        for i, j, op in plan:
            a, b = pool[i], pool[j]
            pool.append(a + b if op == "+" else a * b * 0.5 if op == "*" else
                        adviz.sin(a) if op == "s" else a - b)
        return sum(pool[-5:], 0.0)

    seed = adviz.trace(f, x=0.3, y=-0.7)
    tape = adviz.trace(f, x=0.3, y=-0.7, order="tape")
    assert seed.adjoints == pytest.approx(tape.adjoints)
    assert {k: seed.adjoints[k] for k in ("x", "y")} == pytest.approx(seed.grad)
    assert adviz.check_grad(seed).ok
