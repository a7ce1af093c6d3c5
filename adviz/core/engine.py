"""The fast reverse pass over a tape, in reverse evaluation order.

This is the path `adviz.trace` takes to fill ``trace.grad``: one loop over the
tape, no graph, no per-stage records; each node's adjoint is kept in its
``grad`` slot. The staged schedules of `adviz.core.stages` compute the same
adjoints with full bookkeeping for the pictures.

Examples
--------
>>> from adviz.core.tracer import Tape
>>> tape = Tape()
>>> x = tape.input("x", 3.0)
>>> y = x * x
>>> backward(tape, y)
>>> x.grad
6.0
"""

from __future__ import annotations

import gc

from adviz.core.ops import OPS
from adviz.core.tracer import NARY, UNARY, Tape, Var

_ADD = OPS["add"]
_MUL = OPS["mul"]


def backward(tape: Tape, output: Var, *, reset: bool = False) -> None:
    """Set ``grad`` of every node to d output / d node.

    Nodes the output does not depend on keep ``grad = None``.

    Parameters
    ----------
    tape
        A finished tape.
    output
        The output node.
    reset
        Clear every node's ``grad`` first (needed when the tape was swept from
        another output before).
    """
    if reset or output.grad is not None:  # differentiated before: start from scratch
        for node in tape:
            node.grad = None
    output.grad = 1.0
    collecting = gc.isenabled()
    gc.disable()
    try:
        _sweep(tape)
    finally:
        if collecting:
            gc.enable()


def _sweep(tape: Tape) -> None:
    var = Var
    for node in reversed(tape):
        g = node.grad
        if g is None:
            continue
        op = node.op
        if op is None:
            continue
        a = node.a
        b = node.b
        if op is _ADD:
            if type(a) is var:
                ga = a.grad
                a.grad = g if ga is None else ga + g
            if type(b) is var:
                gb = b.grad
                b.grad = g if gb is None else gb + g
        elif op is _MUL:
            if type(a) is var:
                d = g * (b.value if type(b) is var else b)
                ga = a.grad
                a.grad = d if ga is None else ga + d
            if type(b) is var:
                d = g * (a.value if type(a) is var else a)
                gb = b.grad
                b.grad = d if gb is None else gb + d
        elif b is UNARY:
            d = g * op.partials(a.value)[0]
            ga = a.grad
            a.grad = d if ga is None else ga + d
        elif b is NARY:
            partials = op.partials(*[s.value if type(s) is var else s for s in a])
            for s, p in zip(a, partials):
                if type(s) is var:
                    gs = s.grad
                    s.grad = g * p if gs is None else gs + g * p
        else:
            da, db = op.partials(a.value if type(a) is var else a,
                                 b.value if type(b) is var else b)
            if type(a) is var:
                ga = a.grad
                a.grad = g * da if ga is None else ga + g * da
            if type(b) is var:
                gb = b.grad
                b.grad = g * db if gb is None else gb + g * db
