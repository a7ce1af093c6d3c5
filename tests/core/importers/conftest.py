"""The seed page's table, as the importers' tests check it."""

from __future__ import annotations

import math

import pytest

SEED_ROWS = [
    ("y", []),
    ("y", [("t2", 1.0), ("t4", 1.0)]),
    ("t2", [("t1", -2.0)]),
    ("t4", [("t3", -math.sin(3.0))]),
    ("t1", [("x1", -2.0), ("x2", 2.0)]),
    ("t3", [("x1", -math.sin(3.0)), ("x2", -math.sin(3.0))]),
]
SEED_VALUES = {"x1": 1.0, "x2": 2.0, "t1": -1.0, "t2": 1.0, "t3": 3.0, "t4": math.cos(3.0),
               "y": 1.0 + math.cos(3.0)}


@pytest.fixture
def check_seed_table():
    """Assert a trace shows the seed page's table: names, values, six reverse rows, gradients."""

    def check(t) -> None:
        assert list(t.graph) == ["x1", "x2", "t1", "t2", "t3", "t4", "y"]
        assert [t.graph.nodes[n]["expr"] for n in t.graph] == [
            "x1", "x2", "x1 - x2", "t1**2", "x1 + x2", "cos(t3)", "t2 + t4"]
        for name, value in SEED_VALUES.items():
            assert t.graph.nodes[name]["value"] == pytest.approx(value, abs=1e-15)
        rows = [(s.node, [(c.parent, round(c.delta, 5)) for c in s.contributions])
                for s in t.reverse_stages]
        assert rows == [(n, [(p, round(d, 5)) for p, d in cs]) for n, cs in SEED_ROWS]
        assert {k: round(v, 5) for k, v in t.grad.items()} == {"x1": -2.14112, "x2": 1.85888}

    return check


@pytest.fixture
def check_replay():
    """Assert an imported trace equals the replay of its steps on adviz's tracer, exactly.

    The importers build the tape directly from the framework's graph; replaying the
    steps derived from it (what `retrace` does) must give the same nodes, formulas,
    values and adjoints, bit for bit.
    """

    def check(t) -> None:
        replayed = t.retrace(t.inputs)
        assert list(replayed.graph) == list(t.graph)
        for n in t.graph:
            mine, theirs = t.graph.nodes[n], replayed.graph.nodes[n]
            assert (mine["expr"], mine["value"], mine["adjoint"]) == (
                theirs["expr"], theirs["value"], theirs["adjoint"]), n
        assert replayed.grad == t.grad
        assert t.evaluate(t.inputs) == t.value

    return check
