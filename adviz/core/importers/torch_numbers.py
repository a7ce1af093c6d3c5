"""PyTorch graphs of 0-d float64 tensors, read straight onto adviz's tape.

The common case of `adviz.from_torch`: every leaf holds one float64 number and
every autograd function is element-wise (arithmetic, powers, the functions
of `adviz.core.importers.torch_graph.SCALAR_OPS`, ``Clone``). Each function
becomes one node (a clone none), its value computed by adviz from the
operand values exactly as a replay of the steps computes it. Constants come
from the values PyTorch saved (``x * 1.5`` keeps the 1.5); a constant it did
not keep (the ``c`` of ``x + c``) is solved from the values it saved around
it, as the general path does.

What PyTorch is asked, per function: its ``next_functions`` once, its
``_sequence_nr()`` once (evaluation order), its type; saved values only
where a constant needs them, each converted once. No backward pass runs
unless ``order="recorded"`` asks for PyTorch's executed order.

Anything else (another dtype, a tensor with a dimension, a function not
listed, a value PyTorch did not keep) makes `scalar_tape` return ``None`` and
the general path of `adviz.core.importers.torch_graph` takes over, with its
error messages.

Examples
--------
>>> import torch
>>> x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
>>> tape, out, recorded = scalar_tape(torch, x * 3.0 + 0.1, {"x": x}, {}, "t", False)
>>> [(v.op.name if v.op else v.a, v.value) for v in tape], out is tape[-1]
([('x', 0.5), ('mul', 1.5), ('add', 1.6)], True)
>>> tape[-1].b
0.1
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

from adviz.core.importers.common import push_op
from adviz.core.importers.torch_graph import (
    _SAVED,
    _SELF_OTHER,
    SCALAR_OPS,
    _solve_float,
    executed_order,
)
from adviz.core.ops import OPS, Op
from adviz.core.tracer import UNARY, Tape, Var

_LEAF, _CLONE, _UNARY, _ADD, _ADD_NUMBER, _MUL, _MUL_NUMBER, _POW_NUMBER, _POW, _POW_BASE, \
    _RECIPROCAL = range(11)

_BY_NAME = {
    "AccumulateGrad": _LEAF, "CloneBackward0": _CLONE, "AliasBackward0": _CLONE,
    "AddBackward0": _ADD, "SubBackward0": _ADD, "RsubBackward0": _ADD,
    "AddBackward1": _ADD_NUMBER, "SubBackward1": _ADD_NUMBER, "RsubBackward1": _ADD_NUMBER,
    "MulBackward0": _MUL, "DivBackward0": _MUL, "MulBackward1": _MUL_NUMBER,
    "DivBackward1": _MUL_NUMBER, "PowBackward0": _POW_NUMBER, "PowBackward1": _POW,
    "PowBackward2": _POW_BASE, "ReciprocalBackward0": _RECIPROCAL,
    **{name: _UNARY for name in SCALAR_OPS},
}
"""Autograd functions this path reads, by kind."""

_OP_OF = {"Add": "add", "Sub": "sub", "Rsub": "sub", "Mul": "mul", "Div": "div", "Pow": "pow"}


class _Kind:
    """What this path knows of one autograd function type."""

    __slots__ = ("kind", "name", "op", "result", "saves")

    def __init__(self, cls: type) -> None:
        self.name = cls.__name__
        self.kind = _BY_NAME[self.name]
        stem = self.name.split("Backward")[0]
        op = SCALAR_OPS.get(self.name) or _OP_OF.get(stem)
        self.op: Op | None = OPS[op] if op else None
        # Where the function keeps its own result and its operands (position -> attribute).
        self.result = hasattr(cls, "_saved_result")
        where = _SAVED.get(self.name, _SELF_OTHER)
        self.saves = tuple(where.get(k) if where.get(k) and hasattr(cls, where[k]) else None
                           for k in (0, 1))


_KINDS: dict[type, _Kind | None] = {}
"""Autograd function type -> what this path knows of it (``None``: not read here)."""


def _kind(cls: type) -> _Kind | None:
    if cls not in _KINDS:
        _KINDS[cls] = _Kind(cls) if cls.__name__ in _BY_NAME else None
    return _KINDS[cls]


class _Unavailable(Exception):
    """Something this path does not read: the general path takes over."""


def _number(value: Any) -> float:
    """A real number PyTorch saved (a Python number or a one-element 0-d tensor) as a float."""
    if hasattr(value, "dim"):
        if value.dim() != 0:
            raise _Unavailable
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Unavailable
    return float(value)


_SEQUENCE = operator.methodcaller("_sequence_nr")


def scalar_tape(torch: Any, output: Any, names: Mapping[str, Any], observed: Mapping[Any, Any],
                prefix: str, record: bool) -> tuple[Tape, Any, list[int] | None] | None:
    """Read a graph of 0-d float64 tensors onto a new tape, or ``None`` when it is not one.

    Parameters
    ----------
    torch
        The ``torch`` module.
    output
        The output tensor (0-d, with a ``grad_fn``).
    names
        Input name -> leaf tensor; other leaves are ``x1, x2, ...`` in the
        order the graph first uses them.
    observed
        ``grad_fn`` -> the value its function returned (a float or a tensor),
        when a function was run recording them.
    prefix
        Prefix of provisional names in error messages.
    record
        Also run a backward pass with hooks to record PyTorch's order.

    Returns
    -------
    tuple or None
        The tape (inputs first), the output node, and the recorded order as
        tape positions of op nodes (``None`` unless ``record``).
    """
    f64 = torch.float64
    if output.dtype != f64 or output.dim() != 0:
        return None
    root = output.grad_fn
    # One walk over the functions: each next_functions read once (it builds a new tuple).
    nexts: dict[Any, tuple[Any, ...]] = {}
    ops: list[Any] = []
    stack = [root]
    push = stack.append
    pop = stack.pop
    kinds = _KINDS
    while stack:
        fn = pop()
        if fn in nexts:
            continue
        known = kinds.get(type(fn)) or _kind(type(fn))
        if known is None:
            return None
        following = fn.next_functions
        nexts[fn] = following
        if known.kind != _LEAF:
            ops.append(fn)
        for f, index in following:
            if f is not None:
                if index:
                    return None  # after a function with several outputs
                push(f)
    ops.sort(key=_SEQUENCE)
    try:
        return _build(torch, output, root, ops, nexts, names, observed, prefix, record)
    except (_Unavailable, RuntimeError):
        return None


def _build(torch: Any, output: Any, root: Any, ops: list[Any], nexts: dict[Any, Any],
           names: Mapping[str, Any], observed: Mapping[Any, Any], prefix: str, record: bool
           ) -> tuple[Tape, Any, list[int] | None]:
    f64 = torch.float64
    tape = Tape(prefix)
    slot: dict[Any, Any] = {}  # function -> its node, or its value as a float
    inputs: list[Var] = []
    leaf_tensors: list[Any] = []
    by_tensor = {id(t): n for n, t in names.items()}
    taken = set(names)
    count = 0
    kinds = _KINDS
    spans: dict[Any, tuple[int, int]] = {}
    torch_values: dict[Any, float] = {}
    saver: dict[Any, tuple[Any, str]] | None = None
    mul, div, pow_ = OPS["mul"], OPS["div"], OPS["pow"]

    def leaf(f: Any) -> Var:
        nonlocal count
        tensor = f.variable
        if tensor.dtype != f64 or tensor.dim() != 0:
            raise _Unavailable
        name = by_tensor.get(id(tensor))
        if name is None:
            count += 1
            while f"x{count}" in taken:
                count += 1
            name = f"x{count}"
        var = object.__new__(Var)
        var.value = tensor.item()
        var.op = None
        var.a = name
        var.b = UNARY
        var.tape = tape
        var.grad = None
        inputs.append(var)
        leaf_tensors.append(tensor)
        slot[f] = var
        return var

    def saved_by_consumer(f: Any) -> float | None:
        """The value some later function saved of ``f``'s result (its operand)."""
        nonlocal saver
        if saver is None:
            saver = {}
            for fn in ops:
                saves = kinds[type(fn)].saves  # type: ignore[union-attr]
                for (g, _), attr in zip(nexts[fn], saves):
                    if attr is not None and g is not None and g not in saver:
                        saver[g] = (fn, attr)
        where = saver.get(f)
        return None if where is None else _number(getattr(*where))

    def operand_value(f: Any, known: _Kind, k: int) -> float | None:
        """PyTorch's value of operand ``k`` of ``f``: saved by ``f``, or already known."""
        attr = known.saves[k]
        saved = None if attr is None else getattr(f, attr)
        if saved is not None:
            return _number(saved)
        g = nexts[f][k][0]
        if g is None:
            return None
        value = torch_values.get(g)
        if value is None:
            seen = observed.get(g)
            if seen is not None:
                value = _number(seen)
            elif kinds[type(g)].kind == _LEAF:  # type: ignore[union-attr]
                value = slot[g].value
        return value

    def torch_value(f: Any) -> float | None:
        """PyTorch's own value of ``f``'s result, from what it kept (``None``: not kept)."""
        value = torch_values.get(f)
        if value is not None:
            return value
        known = kinds[type(f)]
        assert known is not None
        seen = observed.get(f)
        if seen is not None:
            value = _number(seen)
        elif f is root:
            value = output.item()
        elif known.kind == _LEAF:
            value = slot[f].value
        elif known.result:
            value = _number(f._saved_result)
        else:
            value = saved_by_consumer(f)
            if value is None and known.kind == _MUL:
                # x * y and x / y from its operands' values: float64 arithmetic is exact IEEE.
                x, y = operand_value(f, known, 0), operand_value(f, known, 1)
                if x is not None and y is not None:
                    value = x * y if known.op is mul else x / y
            elif value is None and known.kind == _UNARY and known.saves[0]:
                operand = getattr(f, known.saves[0])
                if operand is not None:
                    value = _number(getattr(torch, known.op.name)(operand))  # type: ignore[union-attr]
        if value is not None:
            torch_values[f] = value
        return value

    for fn in ops:
        known = kinds[type(fn)]
        assert known is not None
        kind = known.kind
        args: list[Any] = []
        for f, _ in nexts[fn]:
            if f is None:
                args.append(None)
                continue
            s = slot.get(f)
            if s is None:
                if kinds[type(f)].kind != _LEAF:  # type: ignore[union-attr]
                    raise _Unavailable  # an operand after its use: sequence numbers disagree
                s = leaf(f)
            args.append(s)
        start = len(tape)
        if kind == _ADD or kind == _ADD_NUMBER:
            if kind == _ADD_NUMBER:
                args.append(None)  # the number PyTorch does not keep
            alpha = _number(fn._saved_alpha)
            missing = 0 if args[0] is None else 1 if args[1] is None else -1
            if missing >= 0:
                following = nexts[fn]
                other = following[0][0] if kind == _ADD_NUMBER else following[1 - missing][0]
                o = torch_value(fn)
                a = torch_value(other)
                if o is None or a is None:
                    raise _Unavailable
                args[missing] = _solve_float(o, a, known.name, alpha, missing, 2)
            a, b = args
            rsub = known.name.startswith("Rsub")
            if alpha != 1.0:  # a + alpha*b, a - alpha*b; rsub is b - alpha*a
                if rsub:
                    a = push_op(tape, mul, (a, alpha))
                else:
                    b = push_op(tape, mul, (b, alpha))
            result = push_op(tape, known.op, (b, a) if rsub else (a, b))  # type: ignore[arg-type]
        elif kind == _MUL or kind == _POW:
            for k in (0, 1):
                if args[k] is None:
                    attr = known.saves[k]
                    if attr is None:
                        raise _Unavailable
                    args[k] = _number(getattr(fn, attr))
            result = push_op(tape, known.op, args)  # type: ignore[arg-type]
        elif kind == _UNARY:
            result = push_op(tape, known.op, args)  # type: ignore[arg-type]
        elif kind == _CLONE:
            result = args[0]
        elif kind == _MUL_NUMBER:
            result = push_op(tape, known.op, (args[0], _number(fn._saved_other)))  # type: ignore[arg-type]
        elif kind == _POW_NUMBER:
            result = push_op(tape, pow_, (args[0], _number(fn._saved_exponent)))
        elif kind == _POW_BASE:
            result = push_op(tape, pow_, (_number(fn._saved_self), args[0]))
        else:  # _RECIPROCAL
            result = push_op(tape, div, (1.0, args[0]))
        slot[fn] = result
        if record:
            spans[fn] = (start, len(tape))
    tape[0:0] = inputs
    recorded: list[int] | None = None
    if record:
        executed = executed_order(torch, ops, leaf_tensors, output, output)
        shift = len(inputs)
        recorded = []
        for fn in executed or []:
            start, end = spans[fn]
            recorded.extend(range(end + shift - 1, start + shift - 1, -1))
    return tape, slot[root], recorded
