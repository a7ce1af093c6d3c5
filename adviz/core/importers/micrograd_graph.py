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

from adviz.core.importers.common import ImportedTrace, ScalarGraph, check_options, require
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


def _operands(value: Any) -> list[Any]:
    """A Value's operands in argument order (``self`` first, then ``other``)."""
    prev = list(value._prev)
    if not prev:
        return prev
    closure = _closure(value)
    first, second = closure.get("self"), closure.get("other")
    if (first is not None and second is not None and any(p is first for p in prev)
            and any(p is second for p in prev)):
        return [first, second]  # x * x: both operands are the same Value
    if len(prev) == 1:
        return prev
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


def _evaluation_order(root: Any, operands_of: dict[int, list[Any]] | None = None) -> list[Any]:
    """Every Value in evaluation order: operands before their op, left operand first."""
    if operands_of is None:
        operands_of = {}
    order: list[Any] = []
    seen: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        value, expanded = stack.pop()
        if expanded:
            order.append(value)
            continue
        if id(value) in seen:
            continue
        seen.add(id(value))
        stack.append((value, True))
        operands = operands_of[id(value)] = _operands(value)
        for operand in reversed(operands):
            if id(operand) not in seen:
                stack.append((operand, False))
    return order


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
    operands_of: dict[int, list[Any]] = {}
    order = _evaluation_order(root, operands_of)
    consumers: dict[int, int] = {}
    for value in order:
        for operand in value._prev:
            consumers[id(operand)] = consumers.get(id(operand), 0) + 1
    leaves = [v for v in order if not v._prev]
    if named is not None:
        chosen = {id(v): name for name, v in named.items()}
        missing = [name for name, v in named.items() if not any(v is leaf for leaf in leaves)]
        if missing:
            raise InputError(f"input {missing[0]!r} is not a leaf of this micrograd graph")
    else:
        chosen = {}
    # Values micrograd made for a number (-1 in a - b, k in x**k): constants when not chosen.

    def is_constant(v: Any) -> bool:
        return not v._prev and ((named is not None and id(v) not in chosen)
                                or (named is None and _folded(v)))

    neg_ones: set[int] = set()
    for value in order:
        if value._op == "*" and len(value._prev) == 2:
            a, b = operands_of[id(value)]
            if not b._prev and _data(b) == -1.0 and id(b) not in chosen and consumers.get(
                    id(b), 0) == 1:
                neg_ones.add(id(b))

    def _folded(v: Any) -> bool:
        return id(v) in neg_ones

    names: dict[int, str] = {}
    values: dict[str, float] = {}
    if named is not None:
        for name, v in named.items():
            names[id(v)] = name
            values[name] = _data(v)
    else:
        taken = {_label(v) for v in leaves if _label(v)}
        k = 0
        for v in leaves:
            if is_constant(v):
                continue
            label = _label(v)
            if label is None or label in values:
                k += 1
                while f"x{k}" in taken:
                    k += 1
                label = f"x{k}"
            name = label
            names[id(v)] = name
            values[name] = _data(v)
    graph = ScalarGraph(values)
    position: dict[int, int] = {id(v): i for i, v in enumerate(named.values() if named
                                                                 is not None else ())}
    if named is None:
        position = {i: k for k, i in enumerate(names)}
    const: dict[int, float] = {}
    kind: dict[int, tuple[str, Any]] = {}  # id -> ("neg", operand) / ("recip", operand)

    def arg(v: Any) -> Any:
        if id(v) in position:
            return position[id(v)]
        if id(v) in const:
            return const[id(v)]
        if id(v) in kind:  # a folded -b or b**-1 used where it cannot fold: emit it now
            what, operand = kind[id(v)]
            if what == "neg":
                position[id(v)] = graph.add("neg", arg(operand))
            else:
                position[id(v)] = graph.add("pow", arg(operand), -1.0)
            return position[id(v)]
        raise TraceError("micrograd graph: an operand was used before it was computed")

    for value in order:
        if not value._prev:
            if id(value) not in position:
                const[id(value)] = _data(value)
            continue
        op = str(value._op)
        label = _label(value)
        operands = operands_of[id(value)]
        single = [consumers.get(id(o), 0) == 1 for o in operands]
        if op == "*" and len(operands) == 2 and id(operands[1]) in neg_ones:
            kind[id(value)] = ("neg", operands[0])
            if consumers.get(id(value), 0) == 1 and value is not root and label is None:
                continue  # folded into the add that uses it (a - b)
            position[id(value)] = graph.add("neg", arg(operands[0]), label=label)
            continue
        if _POWER.fullmatch(op) or op.startswith("**"):
            exponent = _exponent(value)
            if exponent == -1.0 and consumers.get(id(value), 0) == 1 and value is not root \
                    and label is None and _consumed_by_mul(value, order):
                kind[id(value)] = ("recip", operands[0])
                continue  # folded into the multiplication that uses it (a / b)
            position[id(value)] = graph.add("pow", arg(operands[0]), exponent, label=label)
            continue
        entry = op_for(op, ops)
        if entry.arity != len(operands):
            raise OpError(f"the micrograd op {op!r} has {len(operands)} operand(s) but adviz's "
                          f"{entry.name!r} takes {entry.arity}; map it with ops={{...}}")
        if entry.name == "add" and len(operands) == 2:
            a, b = operands
            if kind.get(id(b), ("",))[0] == "neg" and id(b) not in position and single[1]:
                position[id(value)] = graph.add("sub", arg(a), arg(kind[id(b)][1]), label=label)
                continue
            if kind.get(id(a), ("",))[0] == "neg" and id(a) not in position and single[0]:
                # micrograd's c - b is (b * -1) + c
                position[id(value)] = graph.add("sub", arg(b), arg(kind[id(a)][1]), label=label)
                continue
        if entry.name == "mul" and len(operands) == 2:
            a, b = operands
            if kind.get(id(b), ("",))[0] == "recip" and id(b) not in position:
                position[id(value)] = graph.add("div", arg(a), arg(kind[id(b)][1]), label=label)
                continue
            if kind.get(id(a), ("",))[0] == "recip" and id(a) not in position:
                # micrograd's c / b is b**-1 * c
                position[id(value)] = graph.add("div", arg(b), arg(kind[id(a)][1]), label=label)
                continue
        position[id(value)] = graph.add(entry, *[arg(o) for o in operands], label=label)
    if id(root) not in position or not graph.steps:
        raise TraceError("the micrograd Value has no operation before it: build it from other "
                         "Values (e.g. x * w + b) to get a graph to differentiate")
    graph.output = position[id(root)]
    return graph


def _consumed_by_mul(value: Any, order: list[Any]) -> bool:
    return any(v._op == "*" and any(p is value for p in v._prev) for v in order)


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
    finally:
        if collecting:
            gc.enable()
    return graph.trace("micrograd graph", order=order, granularity=granularity, output=output,
                       prefix=prefix, show_constants=show_constants, framework="micrograd")
