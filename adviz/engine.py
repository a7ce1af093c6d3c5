"""The fast reverse pass over a tape, in reverse evaluation order.

This is the path `adviz.trace` takes to fill ``trace.grad``: one loop over the
tape, no graph, no per-stage records. The staged schedules of `adviz.stages`
compute the same adjoints with full bookkeeping for the pictures.

Examples
--------
>>> from adviz.tracer import Tape
>>> tape = Tape()
>>> x = tape.input("x", 3.0)
>>> y = x * x
>>> backward(tape, y.index)[x.index]
6.0
"""

from __future__ import annotations

from adviz.tracer import Tape


def backward(tape: Tape, output: int) -> list[float | None]:
    """Adjoints of every node of ``tape`` with respect to node ``output``.

    Nodes the output does not depend on keep ``None``.

    Parameters
    ----------
    tape
        A finished tape.
    output
        Index of the output node.

    Returns
    -------
    list
        ``g[i] = d output / d node i``, or ``None`` where ``output`` does not
        depend on node ``i``.
    """
    records = tape.records
    values = tape.values
    adjoints: list[float | None] = [None] * (output + 1)
    adjoints[output] = 1.0
    for i in range(output, -1, -1):
        g = adjoints[i]
        if g is None:
            continue
        rec = records[i]
        if rec is None:
            continue
        if len(rec) == 3:
            op, a, b = rec
            if type(a) is int:
                if type(b) is int:
                    da, db = op.partials(values[a], values[b])
                    old = adjoints[a]
                    adjoints[a] = g * da if old is None else old + g * da
                    old = adjoints[b]
                    adjoints[b] = g * db if old is None else old + g * db
                else:
                    da = op.partials(values[a], b)[0]
                    old = adjoints[a]
                    adjoints[a] = g * da if old is None else old + g * da
            else:
                db = op.partials(a, values[b])[1]
                old = adjoints[b]
                adjoints[b] = g * db if old is None else old + g * db
        elif len(rec) == 2:
            op, a = rec
            da = op.partials(values[a])[0]
            old = adjoints[a]
            adjoints[a] = g * da if old is None else old + g * da
        else:
            op = rec[0]
            args = rec[1:]
            partials = op.partials(*[values[s] if type(s) is int else s for s in args])
            for s, d in zip(args, partials):
                if type(s) is int:
                    old = adjoints[s]
                    adjoints[s] = g * d if old is None else old + g * d
    return adjoints
