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

_OP_OF = {"Add": "add", "Sub": "sub", "Rsub": "sub", "Mul": "mul", "Div": "div", "Pow": "pow",
          "Reciprocal": "div"}


class _Kind:
    """What this path knows of one autograd function type."""

    __slots__ = ("kind", "name", "op", "result", "rsub", "saves", "saving")

    def __init__(self, cls: type) -> None:
        self.name = cls.__name__
        self.kind = _BY_NAME[self.name]
        stem = self.name.split("Backward")[0]
        op = SCALAR_OPS.get(self.name) or _OP_OF.get(stem)
        self.op: Op | None = OPS[op] if op else None
        self.rsub = stem == "Rsub"
        # Where the function keeps its own result and its operands (position -> attribute).
        self.result = hasattr(cls, "_saved_result")
        where = _SAVED.get(self.name, _SELF_OTHER)
        if self.kind == _POW_BASE:  # c ** x: its one operand is the exponent
            where = {0: "_saved_exponent"}
        self.saves = tuple(where.get(k) if where.get(k) and hasattr(cls, where[k]) else None
                           for k in (0, 1))
        self.saving = tuple((k, attr) for k, attr in enumerate(self.saves) if attr)


_KINDS: dict[type, _Kind | None] = {}
"""Autograd function type -> what this path knows of it (``None``: not read here)."""


def _kind(cls: type) -> _Kind | None:
    if cls not in _KINDS:
        _KINDS[cls] = _Kind(cls) if cls.__name__ in _BY_NAME else None
    return _KINDS[cls]


class _Unavailable(Exception):
    """Something this path does not read: the general path takes over."""


def _constant(value: Any) -> float:
    """A constant PyTorch saved (a Python number or a 0-d tensor) as a float."""
    if type(value) is float:
        return value
    if hasattr(value, "dim"):
        if value.dim() != 0:
            raise _Unavailable  # it would broadcast the result to its shape
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Unavailable
    return float(value)


def _value(value: Any) -> float:
    """A value of the graph PyTorch saved or a function recorded (a 0-d tensor or a float)."""
    if type(value) is float:
        return value
    if value is None:
        raise _Unavailable
    number = value.item()
    if type(number) is not float:
        raise _Unavailable
    return number


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
    # Also noted: for each value, a function that saved it (its operand), and where.
    nexts: dict[Any, tuple[Any, ...]] = {}
    saver: dict[Any, tuple[Any, str]] = {}
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
        for k, attr in known.saving:
            f = following[k][0] if k < len(following) else None
            if f is not None and f not in saver:
                saver[f] = (fn, attr)
    ops.sort(key=_SEQUENCE)
    try:
        return _build(torch, output, root, ops, nexts, saver, names, observed, prefix, record)
    except (_Unavailable, RuntimeError):
        return None


def _build(torch: Any, output: Any, root: Any, ops: list[Any], nexts: dict[Any, Any],
           saver: dict[Any, tuple[Any, str]], names: Mapping[str, Any],
           observed: Mapping[Any, Any], prefix: str, record: bool
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
    add, mul = OPS["add"], OPS["mul"]
    var_type = Var
    new = object.__new__
    push_node = tape.push

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
        var = new(var_type)
        var.value = tensor.item()
        var.op = None
        var.a = name
        var.b = UNARY
        var.tape = tape
        var.grad = None
        inputs.append(var)
        leaf_tensors.append(tensor)
        slot[f] = var
        torch_values[f] = var.value
        return var

    def known_value(g: Any) -> float | None:
        """PyTorch's value of ``g``'s result when already at hand (no saved value read)."""
        value = torch_values.get(g)
        if value is None:
            seen = observed.get(g)
            if seen is not None:
                value = torch_values[g] = _value(seen)
            elif kinds[type(g)].kind == _LEAF:  # type: ignore[union-attr]
                value = slot[g].value
        return value

    def operand_value(f: Any, known: _Kind, k: int) -> float | None:
        """PyTorch's value of operand ``k`` of ``f``: at hand, or saved by ``f``."""
        g = nexts[f][k][0]
        value = None if g is None else known_value(g)
        if value is None:
            attr = known.saves[k]
            saved = None if attr is None else getattr(f, attr)
            if saved is not None:
                value = _value(saved)
        return value

    def torch_value(f: Any) -> float | None:
        """PyTorch's own value of ``f``'s result, from what it kept (``None``: not kept)."""
        value = known_value(f)
        if value is not None:
            return value
        known = kinds[type(f)]
        assert known is not None
        if f is root:
            value = output.item()
        if value is None and known.result:
            saved = f._saved_result
            value = None if saved is None else _value(saved)
        where = saver.get(f)
        if value is None and where is not None:  # a later function saved it as its operand
            saved = getattr(*where)
            value = None if saved is None else _value(saved)
        if value is None and known.kind == _MUL:
            # x * y and x / y from its operands' values: float64 arithmetic is exact IEEE.
            x, y = operand_value(f, known, 0), operand_value(f, known, 1)
            if x is not None and y is not None and (known.op is mul or y):
                value = x * y if known.op is mul else x / y
        if value is None and known.kind == _UNARY and known.saves[0]:
            operand = getattr(f, known.saves[0])
            if operand is not None:
                value = _value(getattr(torch, known.op.name)(operand))  # type: ignore[union-attr]
        if value is not None:
            torch_values[f] = value
        return value

    for fn in ops:
        known = kinds[type(fn)]
        assert known is not None
        kind = known.kind
        following = nexts[fn]
        args: list[Any] = []
        for f, _ in following:
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
        op = known.op
        a: Any
        b: Any
        if kind == _ADD or kind == _ADD_NUMBER:
            if kind == _ADD_NUMBER:
                args.append(None)  # the number PyTorch does not keep
            alpha = fn._saved_alpha
            alpha = 1.0 if alpha == 1 else _constant(alpha)
            missing = 0 if args[0] is None else 1 if args[1] is None else -1
            if missing >= 0:
                other = following[0][0] if kind == _ADD_NUMBER else following[1 - missing][0]
                o = torch_value(fn)
                a = torch_values.get(other)
                if a is None:
                    a = torch_value(other)
                if o is None or a is None:
                    raise _Unavailable
                args[missing] = _solve_float(o, a, known.name, alpha, missing, 2)
            a, b = args
            if alpha != 1.0:  # a + alpha*b, a - alpha*b; rsub is b - alpha*a
                if known.rsub:
                    a = push_op(tape, mul, (a, alpha))
                else:
                    b = push_op(tape, mul, (b, alpha))
            if known.rsub:
                a, b = b, a
        elif kind == _MUL or kind == _POW:
            a, b = args
            if a is None:
                a = _constant(getattr(fn, known.saves[0] or "_saved_self"))
            if b is None:
                b = _constant(getattr(fn, known.saves[1] or "_saved_other"))
            if kind == _MUL:  # PyTorch's value too, when its operands' are known (exact IEEE)
                x = a if type(a) is float else torch_values.get(following[0][0])
                y = b if type(b) is float else torch_values.get(following[1][0])
                if x is not None and y is not None and (op is mul or y):
                    torch_values[fn] = x * y if op is mul else x / y
        elif kind == _UNARY:
            slot[fn] = result = push_op(tape, op, args)  # type: ignore[arg-type]
            if record:
                spans[fn] = (start, len(tape))
            continue
        elif kind == _CLONE:
            slot[fn] = args[0]
            continue
        elif kind == _MUL_NUMBER:
            a, b = args[0], _constant(fn._saved_other)
        elif kind == _POW_NUMBER:
            a, b = args[0], _constant(fn._saved_exponent)
        elif kind == _POW_BASE:
            a, b = _constant(fn._saved_self), args[0]
        else:  # _RECIPROCAL
            a, b = 1.0, args[0]
        ta = type(a) is var_type
        tb = type(b) is var_type
        if (op is add or op is mul) and (ta or tb):
            # As a replay of the steps computes it (and as Var.__add__ / __mul__ do).
            x = a.value if ta else a
            y = b.value if tb else b
            result = push_node(op, a, b, x + y if op is add else x * y)
        else:
            result = push_op(tape, op, (a, b))  # type: ignore[arg-type]
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
