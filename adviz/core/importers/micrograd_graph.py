"""`from_micrograd`: a micrograd ``Value`` graph as a `Trace`.

micrograd records, for each ``Value``, its operands (``_prev``, a set) and
its op string (``_op``). Argument order is read from the closure of the
``_backward`` function micrograd attaches (its ``self`` and ``other``), so
``a - b`` is not shown as ``b - a``. The ops map onto the op table:

=================  ===================================================
micrograd ``_op``  adviz op
=================  ===================================================
``+``              ``add``; ``a + (b * -1)`` (micrograd's ``a - b``) is ``sub``
``*``              ``mul``; ``b * -1`` (micrograd's ``-b``) is ``neg``;
                   ``a * b**-1`` (micrograd's ``a / b``) is ``div``
``**k``            ``pow`` with the constant exponent ``k``
``ReLU``           ``relu``
any op name        the op of the table with that name (``tanh``, ``exp``,
                   ``cos``, a registered custom op, ...)
=================  ===================================================

Leaves are inputs (named by ``label`` when the Value has one, else
``x1, x2, ...`` in evaluation order) unless ``inputs=`` says which leaves
are inputs; the other leaves are then constants.

Examples
--------
>>> from adviz.core.importers.micrograd_graph import op_for
>>> op_for("ReLU", {}).name, op_for("+", {}).name
('relu', 'add')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from adviz.core.importers.common import ImportedTrace, ScalarGraph, Step, check_options, require
from adviz.core.ops import OPS, Op
from adviz.errors import InputError, OpError, TraceError

_ALIASES = {"+": "add", "*": "mul", "-": "sub", "/": "div", "ReLU": "relu", "neg": "neg"}
_POWER = re.compile(r"\*\*\s*\(?([-+0-9.eE]+)\)?")


def op_for(name: str, ops: Mapping[str, str]) -> Op:
    """The op of the table a micrograd op string stands for.

    Raises
    ------
    OpError
        The op string has no entry: the message says how to register it.
    """
    key = ops.get(name, _ALIASES.get(name, name))
    op = OPS.get(key)
    if op is None:
        hint = (f"adviz.register_op({name!r}, forward, partials)" if name.isidentifier()
                else f"adviz.register_op('my_op', forward, partials) and pass "
                     f"ops={{{name!r}: 'my_op'}}")
        raise OpError(f"the micrograd op {name!r} has no entry in adviz's op table; "
                      f"register it with {hint}")
    return op


def _closure(value: Any) -> dict[str, Any]:
    function = getattr(value, "_backward", None)
    code = getattr(function, "__code__", None)
    cells = getattr(function, "__closure__", None)
    if code is None or not cells:
        return {}
    result = {}
    for name, cell in zip(code.co_freevars, cells):
        try:
            result[name] = cell.cell_contents
        except ValueError:
            continue
    return result


_FREEVARS: dict[int, tuple[Any, int, int]] = {}
"""id of a ``_backward`` code object -> (the code, where its ``self`` and ``other`` cells are)."""


def _self_other(value: Any) -> tuple[Any, Any]:
    """The ``self`` and ``other`` a Value's ``_backward`` closes over (``None`` if absent)."""
    function = getattr(value, "_backward", None)
    code = getattr(function, "__code__", None)
    cells = getattr(function, "__closure__", None)
    if code is None or not cells:
        return None, None
    known = _FREEVARS.get(id(code))
    if known is None or known[0] is not code:
        names = code.co_freevars
        known = (code, names.index("self") if "self" in names else -1,
                 names.index("other") if "other" in names else -1)
        if len(_FREEVARS) < 1024:
            _FREEVARS[id(code)] = known
    result: list[Any] = [None, None]
    for k in (0, 1):
        i = known[k + 1]
        if 0 <= i < len(cells):
            try:
                result[k] = cells[i].cell_contents
            except ValueError:
                pass
    return result[0], result[1]


def _operands(value: Any, prev: Any = None) -> list[Any]:
    """A Value's operands in argument order (``self`` first, then ``other``)."""
    if prev is None:
        prev = value._prev
    n = len(prev)
    if not n:
        return []
    first, second = _self_other(value)
    if first is not None and second is not None:
        if n == 1:
            (p,) = prev
            if first is p and second is p:
                return [first, second]  # x * x: both operands are the same Value
        elif n == 2:
            p, q = prev
            if (first is p or first is q) and (second is p or second is q):
                return [first, second]
        elif any(p is first for p in prev) and any(p is second for p in prev):
            return [first, second]
    if n == 1:
        return list(prev)
    # No closure to read (a fork without one): a deterministic order by label, then data.
    return sorted(prev, key=lambda v: (str(getattr(v, "label", "") or ""), _data(v)))


def _data(value: Any) -> float:
    try:
        return float(value.data)
    except (TypeError, ValueError) as err:
        raise TraceError(f"a micrograd Value holds {type(value.data).__name__}, not a number")\
            from err


def _exponent(value: Any) -> float:
    other = _closure(value).get("other")
    if isinstance(other, (int, float)) and not isinstance(other, bool):
        return float(other)
    match = _POWER.fullmatch(str(value._op))
    if match is None:
        raise OpError(f"cannot read the exponent of the micrograd op {value._op!r}")
    return float(match.group(1))


def _label(value: Any) -> str | None:
    label = getattr(value, "label", None)
    return label if isinstance(label, str) and label else None


_EXPANDED = object()


def _walk(root: Any, consumers: dict[int, int]) -> list[tuple[Any, ...]]:
    """Every Value in evaluation order: operands before their op, left operand first.

    Iterative (no recursion limit). Each Value's attributes are read once, when
    it is first reached, into a record: ``(value, id, operands, op, label)``
    for an op (operands in argument order) and ``(value, id, None, data,
    label)`` for a leaf. Fills ``consumers`` (id -> how many Values use it).
    """
    order: list[tuple[Any, ...]] = []
    append = order.append
    seen: set[int] = set()
    mark = seen.add
    stack: list[Any] = [root]
    push = stack.append
    pop = stack.pop
    count = consumers.get
    expanded = _EXPANDED
    freevars = _FREEVARS
    while stack:
        value = pop()
        if value is expanded:
            append(pop())
            continue
        key = id(value)
        if key in seen:
            continue
        mark(key)
        prev = value._prev
        label = getattr(value, "label", None)
        if not (isinstance(label, str) and label):
            label = None
        if not prev:
            data = value.data
            append((value, key, None, data if type(data) is float else _data(value), label))
            continue
        # The operands in argument order: micrograd's _backward closes over self and other.
        operands: Any = None
        function = getattr(value, "_backward", None)
        cells = getattr(function, "__closure__", None)
        n = len(prev)
        if cells and n <= 2:
            code = function.__code__  # type: ignore[union-attr]
            known = freevars.get(id(code))
            if known is not None and known[0] is code:
                i, j = known[1], known[2]
                try:
                    first = cells[i].cell_contents if i >= 0 else None
                    second = cells[j].cell_contents if j >= 0 else None
                except ValueError:
                    first = second = None
                if n == 2:
                    p, q = prev
                    if first is not None and second is not None and (
                            first is p or first is q) and (second is p or second is q):
                        operands = (first, second)
                else:
                    (p,) = prev
                    operands = (p, p) if first is p and second is p else (p,)
        if operands is None:
            operands = tuple(_operands(value, prev))
        op = value._op
        push((value, key, operands, op if type(op) is str else str(op), label))
        push(expanded)
        for p in prev:
            k = id(p)
            consumers[k] = count(k, 0) + 1
        if len(operands) == 2:
            p, q = operands
            if id(q) not in seen:
                push(q)
            if id(p) not in seen:
                push(p)
        else:
            for operand in reversed(operands):
                if id(operand) not in seen:
                    push(operand)
    return order


def _evaluation_order(root: Any) -> list[Any]:
    """Every Value in evaluation order: operands before their op, left operand first."""
    return [record[0] for record in _walk(root, {})]


def _named_inputs(inputs: Any) -> dict[str, Any] | None:
    if inputs is None:
        return None
    if isinstance(inputs, Mapping):
        return dict(inputs)
    if hasattr(inputs, "parameters") and callable(inputs.parameters):
        return _module_names(inputs)
    if isinstance(inputs, Sequence) and not isinstance(inputs, str):
        return {(_label(v) or f"x{k + 1}"): v for k, v in enumerate(inputs)}
    raise InputError("inputs must be a dict of name -> Value, a list of Values or a micrograd "
                     f"module, not {type(inputs).__name__}")


def _module_names(module: Any) -> dict[str, Any]:
    """Parameter names of a micrograd module: ``w1_21`` (layer 1, neuron 2, input 1), ``b1_2``."""
    layers = getattr(module, "layers", None)
    if layers is None and hasattr(module, "neurons"):
        layers = [module]
    if layers is None and hasattr(module, "w"):
        layers = [type("L", (), {"neurons": [module]})()]
    names: dict[str, Any] = {}
    if layers is not None:
        for n, layer in enumerate(layers, start=1):
            for j, neuron in enumerate(getattr(layer, "neurons", []), start=1):
                for i, w in enumerate(getattr(neuron, "w", []), start=1):
                    names[f"w{n}_{j}{i}" if len(neuron.w) < 10 else f"w{n}_{j}_{i}"] = w
                if hasattr(neuron, "b"):
                    names[f"b{n}_{j}"] = neuron.b
    parameters = list(module.parameters())
    if len(names) != len(parameters) or any(
            a is not b for a, b in zip(names.values(), parameters)):
        names = {f"p{k + 1}": p for k, p in enumerate(parameters)}
    return names


def to_scalar_graph(root: Any, inputs: Any = None, ops: Mapping[str, str] | None = None
                    ) -> ScalarGraph:
    """Read a micrograd graph into a `ScalarGraph` (see the module docstring)."""
    ops = dict(ops or {})
    named = _named_inputs(inputs)
    consumers: dict[int, int] = {}
    order = _walk(root, consumers)
    uses = consumers.get
    leaves = [r for r in order if r[2] is None]
    muls = [r for r in order if r[3] == "*" and r[2] is not None]
    if named is not None:
        chosen = {id(v): name for name, v in named.items()}
        leaf_ids = {r[1] for r in leaves}
        missing = [name for name, v in named.items() if id(v) not in leaf_ids]
        if missing:
            raise InputError(f"input {missing[0]!r} is not a leaf of this micrograd graph")
    else:
        chosen = {}
    # Values micrograd made for a number (-1 in a - b, k in x**k): constants when not chosen.
    neg_ones: set[int] = set()
    for record in muls:
        if len(record[0]._prev) == 2:
            a, b = record[2]
            if not b._prev and _data(b) == -1.0 and id(b) not in chosen and uses(
                    id(b), 0) == 1:
                neg_ones.add(id(b))
    names: dict[int, str] = {}
    values: dict[str, float] = {}
    if named is not None:
        for name, v in named.items():
            names[id(v)] = name
            values[name] = _data(v)
    else:
        taken = {r[4] for r in leaves if r[4]}
        k = 0
        for _, key, _, data, label in leaves:
            if key in neg_ones:
                continue
            if label is None or label in values:
                k += 1
                while f"x{k}" in taken:
                    k += 1
                label = f"x{k}"
            names[key] = label
            values[label] = data
    graph = ScalarGraph(values)
    position: dict[int, int] = {id(v): i for i, v in enumerate(named.values() if named
                                                                 is not None else ())}
    if named is None:
        position = {i: k for k, i in enumerate(names)}
    const: dict[int, float] = {}
    kind: dict[int, tuple[str, Any]] = {}  # id -> ("neg", operand) / ("recip", operand)
    # Operands of a multiplication: where a reciprocal b**-1 can fold into a / b.
    mul_operands = {id(p) for r in muls for p in r[0]._prev}
    steps = graph.steps
    base = len(values)
    entries: dict[str, Op] = {}
    neg, pow_, sub, div = OPS["neg"], OPS["pow"], OPS["sub"], OPS["div"]
    root_key = id(root)

    def emit(entry: Op, args: tuple[Any, ...], label: str | None) -> int:
        steps.append(Step(entry, args, label))
        return base + len(steps) - 1

    def arg(v: Any) -> Any:
        key = id(v)
        where = position.get(key)
        if where is not None:
            return where
        if key in const:
            return const[key]
        if key in kind:  # a folded -b or b**-1 used where it cannot fold: emit it now
            what, operand = kind[key]
            if what == "neg":
                position[key] = emit(neg, (arg(operand),), None)
            else:
                position[key] = emit(pow_, (arg(operand), -1.0), None)
            return position[key]
        raise TraceError("micrograd graph: an operand was used before it was computed")

    for value, key, operands, op, label in order:
        if operands is None:
            if key not in position:
                const[key] = op  # a leaf's record holds its data there
            continue
        if op == "*" and len(operands) == 2 and id(operands[1]) in neg_ones:
            kind[key] = ("neg", operands[0])
            if uses(key, 0) == 1 and key != root_key and label is None:
                continue  # folded into the add that uses it (a - b)
            position[key] = emit(neg, (arg(operands[0]),), label)
            continue
        if op.startswith("**"):
            exponent = _exponent(value)
            if exponent == -1.0 and uses(key, 0) == 1 and key != root_key \
                    and label is None and key in mul_operands:
                kind[key] = ("recip", operands[0])
                continue  # folded into the multiplication that uses it (a / b)
            position[key] = emit(pow_, (arg(operands[0]), exponent), label)
            continue
        entry = entries.get(op)
        if entry is None:
            entry = entries[op] = op_for(op, ops)
        if entry.arity != len(operands):
            raise OpError(f"the micrograd op {op!r} has {len(operands)} operand(s) but adviz's "
                          f"{entry.name!r} takes {entry.arity}; map it with ops={{...}}")
        if len(operands) == 2:
            a, b = operands
            if kind:
                if entry.name == "add":
                    if kind.get(id(b), ("",))[0] == "neg" and id(b) not in position \
                            and uses(id(b), 0) == 1:
                        position[key] = emit(sub, (arg(a), arg(kind[id(b)][1])), label)
                        continue
                    if kind.get(id(a), ("",))[0] == "neg" and id(a) not in position \
                            and uses(id(a), 0) == 1:
                        # micrograd's c - b is (b * -1) + c
                        position[key] = emit(sub, (arg(b), arg(kind[id(a)][1])), label)
                        continue
                if entry.name == "mul":
                    if kind.get(id(b), ("",))[0] == "recip" and id(b) not in position:
                        position[key] = emit(div, (arg(a), arg(kind[id(b)][1])), label)
                        continue
                    if kind.get(id(a), ("",))[0] == "recip" and id(a) not in position:
                        # micrograd's c / b is b**-1 * c
                        position[key] = emit(div, (arg(b), arg(kind[id(a)][1])), label)
                        continue
            at = position.get(id(a))
            if at is None:
                at = arg(a)
            bt = position.get(id(b))
            if bt is None:
                bt = arg(b)
            steps.append(Step(entry, (at, bt), label))
            position[key] = base + len(steps) - 1
            continue
        position[key] = emit(entry, tuple([arg(o) for o in operands]), label)
    if root_key not in position or not graph.steps:
        raise TraceError("the micrograd Value has no operation before it: build it from other "
                         "Values (e.g. x * w + b) to get a graph to differentiate")
    graph.output = position[root_key]
    return graph


def from_micrograd(
    root: Any,
    inputs: Any = None,
    *,
    ops: Mapping[str, str] | None = None,
    order: str = "seed",
    granularity: str = "node",
    output: str | None = None,
    prefix: str = "t",
    show_constants: bool = False,
) -> ImportedTrace:
    """Turn a micrograd ``Value`` graph into a `Trace`.

    Works whether or not ``root.backward()`` was called: values and local
    partials are recomputed by adviz from the leaves' ``data``; the adjoints
    equal micrograd's ``.grad``.

    Parameters
    ----------
    root
        The output ``Value`` (e.g. the loss).
    inputs
        Which leaves are inputs and their names: a dict of name -> ``Value``,
        a list of ``Value`` objects (named by ``label`` or ``x1, x2, ...``),
        or a micrograd module (``nn.MLP``), whose parameters are named
        ``w1_21`` (layer 1, neuron 2, input 1) and ``b1_2``. The other leaves
        are constants. By default every leaf is an input, except the ``-1``
        micrograd creates for ``a - b`` and ``-a``.
    ops
        Extra op-string -> op-name mappings, for ops of a micrograd fork whose
        ``_op`` is not the name of an op in the table.
    order, granularity, output, prefix, show_constants
        As for `adviz.trace`.

    Returns
    -------
    ImportedTrace

    Raises
    ------
    OpError
        An op string adviz cannot map (the message says how to register it).
    MissingDependencyError
        micrograd is not installed (``pip install 'adviz[micrograd]'``).

    Examples
    --------
    >>> import adviz
    >>> from micrograd.engine import Value
    >>> x1, x2 = Value(1.0), Value(2.0)
    >>> t = adviz.from_micrograd((x1 - x2)**2 + (x1 + x2).relu(), {"x1": x1, "x2": x2})
    >>> list(t.graph), t.grad
    (['x1', 'x2', 't1', 't2', 't3', 't4', 'y'], {'x1': -1.0, 'x2': 3.0})
    """
    require("micrograd", "micrograd")
    check_options(order, granularity, output, prefix, False)
    if not hasattr(root, "_prev") or not hasattr(root, "data"):
        raise InputError(f"from_micrograd takes a micrograd Value, not {type(root).__name__}")
    import gc

    collecting = gc.isenabled()
    gc.disable()  # micrograd's closures make reference cycles: collecting them here is waste
    try:
        graph = to_scalar_graph(root, inputs, ops)
        return graph.trace("micrograd graph", order=order, granularity=granularity,
                           output=output, prefix=prefix, show_constants=show_constants,
                           framework="micrograd")
    finally:
        if collecting:
            gc.enable()
