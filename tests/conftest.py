"""Shared fixtures: the seed page's example 3 in both of its forms."""

from __future__ import annotations

import math

import pytest

import adviz

SEED_EXPRESSION = "(x1 - x2)**2 + cos(x1 + x2)"


def seed_function(x1, x2):
    return (x1 - x2) ** 2 + adviz.cos(x1 + x2)


SEED_VALUES = {
    "t1": -1.0,
    "t2": 1.0,
    "t3": 3.0,
    "t4": math.cos(3.0),
    "y": 1.0 + math.cos(3.0),
}
SEED_GRAD = {"x1": -2.0 - math.sin(3.0), "x2": 2.0 - math.sin(3.0)}


@pytest.fixture(params=["function", "string"])
def seed_trace(request: pytest.FixtureRequest) -> adviz.Trace:
    """The seed example traced from a Python function and from the expression string."""
    f = seed_function if request.param == "function" else SEED_EXPRESSION
    return adviz.trace(f, x1=1.0, x2=2.0)
