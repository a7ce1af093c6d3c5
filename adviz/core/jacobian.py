"""The Jacobian of a trace: every output's derivative by every input, either way.

A function returning several values (``adviz.trace`` of a function returning
a tuple) has one gradient per output: the rows of its Jacobian. Reverse mode
gets one row per sweep, starting with the adjoint 1 at that output; forward
mode gets one column per sweep, seeding one input's tangent with 1. So
reverse mode takes ``m`` sweeps (``m`` outputs) and forward mode ``n`` (``n``
inputs): with few inputs and many outputs, forward mode is the cheaper one
(`adviz.cost` counts both).

Examples
--------
>>> import adviz
>>> t = adviz.trace(lambda r, a: (r * adviz.cos(a), r * adviz.sin(a)), r=2.0, a=0.0)
>>> jacobian(t, "reverse")
{'y1': {'r': 1.0, 'a': -0.0}, 'y2': {'r': 0.0, 'a': 2.0}}
>>> jacobian(t, "forward") == jacobian(t, "reverse")
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adviz.core.engine import backward
from adviz.core.phases import Phase
from adviz.errors import InputError

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

MODES = (Phase.REVERSE.value, Phase.FORWARD.value)
"""The ways to the Jacobian: one reverse sweep per output, or one forward sweep per input."""


def jacobian(trace: Trace, mode: str = "reverse") -> dict[str, dict[str, float]]:
    """Every derivative of a trace's outputs by its inputs.

    Parameters
    ----------
    trace
        A `Trace`, of a function returning one value or several.
    mode
        ``"reverse"``: one reverse sweep per output (the adjoints reaching
        the inputs are that output's row); ``"forward"``: one forward-mode
        sweep per input (the tangents reaching the outputs are that input's
        column, `adviz.forward_mode`).

    Returns
    -------
    dict
        Output id -> input name -> d(output)/d(input): outputs in the order
        the function returned them, inputs in argument order; 0 where an
        output does not depend on an input. Both modes agree up to rounding
        (their sums are taken in different orders).

    Raises
    ------
    InputError
        An unknown mode, or ``"forward"`` on a trace whose nodes are tensors.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> {y: {x: round(d, 5) for x, d in row.items()} for y, row in jacobian(t).items()}
    {'y': {'x1': -2.14112, 'x2': 1.85888}}
    """
    from adviz.core.tracing import Trace

    if not isinstance(trace, Trace):
        raise InputError(f"jacobian() takes a Trace (adviz.trace(...)), not "
                         f"{type(trace).__name__}")
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; use 'reverse' (one sweep per output) or "
                         f"'forward' (one sweep per input)")
    if mode == "forward":
        from adviz.core.forward import forward_jacobian

        return forward_jacobian(trace)
    if not trace.vector:
        return {trace.output: dict(trace.grad)}
    return _reverse(trace)


def _reverse(trace: Trace) -> dict[str, dict[str, float]]:
    """One reverse sweep over the tape per output, each from the adjoint 1 at that output."""
    tape = trace.tape
    inputs = [node for node in tape if node.op is None]
    result: dict[str, dict[str, float]] = {}
    for name, node in zip(trace.outputs, trace.output_nodes):
        backward(tape, node, reset=True)
        result[name] = {x.a: 0.0 if x.grad is None else x.grad for x in inputs}
    return result
