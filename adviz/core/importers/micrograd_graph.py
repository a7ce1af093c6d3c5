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

from adviz.core.importers.common import (
    ImportedTrace,
    ScalarGraph,
    _name_step,
    check_options,
    push_op,
    require,
    steps_from_tape,
    tape_trace,
)
from adviz.core.importers.neurons import NeuronSpec, scope_network
from adviz.core.ops import OPS, Op
from adviz.core.tracer import Tape, Var
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


_CLOSURE_SLOTS: dict[str, tuple[Any, int | None, int | None]] = {}
"""op string -> (the code of its ``_backward``, where its ``self`` and ``other`` cells are)."""


class _IdSet(set[int]):
    """A set of objects by identity, for Values that cannot be hashed (their class defines ==)."""

    __slots__ = ()

    def __contains__(self, value: object) -> bool:
        return set.__contains__(self, id(value))

    def add(self, value: object) -> None:
        set.add(self, id(value))


class _IdDict(dict[int, Any]):
    """A dict keyed by object identity (see `_IdSet`)."""

    __slots__ = ()

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, id(key))

    def __getitem__(self, key: object) -> Any:
        return dict.__getitem__(self, id(key))

    def __setitem__(self, key: object, value: Any) -> None:
        dict.__setitem__(self, id(key), value)

    def get(self, key: object, default: Any = None) -> Any:
        return dict.get(self, id(key), default)


def _learn(value: Any, op: str) -> None:
    """Remember where the ``_backward`` of a Value made by ``op`` keeps self and other."""
    code = getattr(getattr(value, "_backward", None), "__code__", None)
    if code is None or len(_CLOSURE_SLOTS) >= 4096:
        return
    names = code.co_freevars
    _CLOSURE_SLOTS[op] = (code, names.index("self") if "self" in names else None,
                          names.index("other") if "other" in names else None)


def _walk(root: Any, seen: Any, constants: Any, leaves: list[Any], minus_ones: list[Any]
          ) -> list[tuple[Any, ...]]:
    """Every op Value in evaluation order: operands before their op, left operand first.

    Iterative (no recursion limit); each Value's attributes are read once.
    An op becomes a record ``(value, op, a)`` or ``(value, op, a, b)`` (one
    or two operands, in argument order; ``(value, op, *operands)`` for
    more). A leaf goes into ``constants`` (Value -> its data as a float) and
    ``leaves`` (in evaluation order), and into ``minus_ones`` when it holds
    -1 (which micrograd makes for ``a - b`` and ``-a``). Fills ``seen``
    with every Value.
    """
    order: list[tuple[Any, ...]] = []
    append = order.append
    mark = seen.add
    leaf = leaves.append
    stack: list[Any] = [root]
    push = stack.append
    pop = stack.pop
    slots = _CLOSURE_SLOTS
    while stack:
        value = pop()
        if type(value) is tuple:  # a record whose operands are all in the order now
            append(value)
            continue
        if value in seen:
            continue
        mark(value)
        prev = value._prev
        if not prev:
            data = value.data
            if type(data) is not float:
                data = _data(value)
            if data == -1.0:
                minus_ones.append(value)
            constants[value] = data
            leaf(value)
            continue
        op = value._op
        if type(op) is not str:
            op = str(op)
        n = len(prev)
        # The operands in argument order: micrograd's _backward closes over self and other.
        # The fast path below reads them where the cache says they are; anything unusual
        # (no closure, another layout, a _prev that is not a set) takes `_operands`.
        try:
            function = value._backward
            known = slots[op]
            if known[0] is not function.__code__:
                raise KeyError(op)
            cells = function.__closure__
            first = cells[known[1]].cell_contents
            if type(prev) is set and first in prev:
                if n == 2:
                    second = cells[known[2]].cell_contents
                    if second in prev:
                        push((value, op, first, second))
                        push(second)
                        push(first)
                        continue
                elif n == 1:
                    j = known[2]
                    if j is not None and cells[j].cell_contents is first:
                        push((value, op, first, first))  # x * x
                    else:
                        push((value, op, first))
                    push(first)
                    continue
        except (AttributeError, KeyError, ValueError, IndexError, TypeError):
            _learn(value, op)
        record = (value, op, *_operands(value, prev))
        push(record)
        for operand in reversed(record[2:]):
            push(operand)
    return order


def _consumers(order: list[tuple[Any, ...]], by_id: bool) -> tuple[Any, Any]:
    """How many Values use each Value, and the Values some multiplication uses."""
    uses: Any = _IdDict() if by_id else {}
    mul_used: Any = _IdSet() if by_id else set()
    count = uses.get
    for record in order:
        operands = record[2:]
        if len(operands) == 2 and operands[0] is operands[1]:
            operands = operands[:1]
        for p in operands:
            uses[p] = count(p, 0) + 1
        if record[1] == "*":
            for p in operands:
                mul_used.add(p)
    return uses, mul_used


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


def _model_layers(model: Any) -> list[list[Any]]:
    """The neurons of a micrograd model, layer by layer (an ``MLP``, a ``Layer`` or a
    ``Neuron``: anything with ``layers[k].neurons[j].w`` and ``.b``)."""
    layers = getattr(model, "layers", None)
    if layers is None and hasattr(model, "neurons"):
        layers = [model]
    if layers is None and hasattr(model, "w"):
        return [[model]]
    try:
        result = [list(layer.neurons) for layer in layers]  # type: ignore[union-attr]
        ok = result and all(result) and all(
            isinstance(n.w, (list, tuple)) and n.w for layer in result for n in layer)
    except (AttributeError, TypeError):
        ok = False
    if not ok:
        raise InputError(f"model must be a micrograd MLP, Layer or Neuron (layers of neurons "
                         f"with weights w and a bias b), not {type(model).__name__}")
    return result


def _model_inputs(model: Any, layers: list[list[Any]], order: list[tuple[Any, ...]],
                  named: dict[str, Any] | None, by_id: bool
                  ) -> tuple[dict[str, Any], list[tuple[Any, Any]]]:
    """The inputs when the model is known: the sample's values ``x1, x2, ...`` (the leaves
    the first layer's weights multiply), the model's parameters ``w{k}_{j}{i}`` and
    ``b{k}_{j}``, then the inputs the caller named; and the other leaves standing for a
    sample value (micrograd makes one ``Value`` per product from a float), each with the
    leaf it stands for."""
    names = dict(named or {})
    taken: Any = _IdSet() if by_id else set()
    for v in names.values():
        taken.add(v)
    sizes = [len(layers[0][0].w)] + [len(layer) for layer in layers]
    sep = "_" if max(sizes) >= 10 else ""
    parameters: dict[str, Any] = {}
    weight_index: Any = _IdDict() if by_id else {}
    for k, layer in enumerate(layers, start=1):
        for j, neuron in enumerate(layer, start=1):
            for i, w in enumerate(neuron.w, start=1):
                parameters[f"w{k}_{j}{sep}{i}"] = w
                if k == 1:
                    weight_index[w] = i
            if getattr(neuron, "b", None) is not None:
                parameters[f"b{k}_{j}"] = neuron.b
    sample: dict[int, Any] = {}
    aliases: list[tuple[Any, Any]] = []
    for record in order:
        if record[1] != "*" or len(record) != 4:
            continue
        a, b = record[2], record[3]
        i = weight_index.get(a)
        value = b
        if i is None:
            i, value = weight_index.get(b), a
        if i is None or getattr(value, "_prev", None) or value in weight_index:
            continue
        first = sample.get(i)
        if first is None:
            sample[i] = value
        elif first is not value and _data(first) == _data(value) and value not in taken:
            aliases.append((value, first))
    result: dict[str, Any] = {}
    for i in sorted(sample):
        if sample[i] not in taken:
            result[f"x{i}"] = sample[i]
    for name, p in parameters.items():
        if p not in taken:
            result[name] = p
    for name, v in names.items():
        if name in result:
            raise InputError(f"input {name!r} is also the name of a value of the model; "
                             f"name it otherwise")
        result[name] = v
    return result, aliases


def _build(root: Any, inputs: Any, ops: Mapping[str, str] | None, prefix: str,
           model: Any = None) -> tuple[Tape, Any, Any]:
    """Read a micrograd graph onto a new tape: the inputs, then one node per op.

    One walk over the Values, then one pass over its records; each value is
    computed from its operands' values exactly as a replay of the steps on
    adviz's tracer computes it. Returns the tape, the output (a node, or a
    float when the output depends on no input) and each Value's slot (its node
    or constant).
    """
    ops = dict(ops or {})
    named = _named_inputs(inputs)
    # Values are keys by identity; a class that defines == (and so no hash) is keyed by id().
    by_id = getattr(type(root), "__hash__", None) is None
    leaves: list[Any] = []
    minus_ones: list[Any] = []
    # slot: Value -> its node on the tape, or its value as a float constant.
    try:
        seen: Any = _IdSet() if by_id else set()
        slot: Any = _IdDict() if by_id else {}
        order = _walk(root, seen, slot, leaves, minus_ones)
    except TypeError:
        if by_id:
            raise
        by_id = True
        leaves, minus_ones = [], []
        seen, slot = _IdSet(), _IdDict()
        order = _walk(root, seen, slot, leaves, minus_ones)
    if not order:
        raise TraceError("the micrograd Value has no operation before it: build it from other "
                         "Values (e.g. x * w + b) to get a graph to differentiate")
    chosen: Any = _IdSet() if by_id else set()
    uses: Any = None
    mul_used: Any = None
    aliases: list[tuple[Any, Any]] = []
    if model is not None:
        named, aliases = _model_inputs(model, _model_layers(model), order, named, by_id)
        for name, v in named.items():
            if v not in seen:
                raise InputError(f"the model's {name} is not in this micrograd graph; pass "
                                 f"the model that computed it")
        for v, _ in aliases:
            chosen.add(v)
    if named is not None:
        for name, v in named.items():
            if v not in seen or getattr(v, "_prev", None):
                raise InputError(f"input {name!r} is not a leaf of this micrograd graph")
            chosen.add(v)
    # The -1 micrograd made for a - b and -b: a constant folded into sub / neg, unless chosen.
    neg_ones: Any = _IdSet() if by_id else set()
    if minus_ones:
        uses, mul_used = _consumers(order, by_id)
        candidates: Any = _IdSet() if by_id else set()
        for v in minus_ones:
            candidates.add(v)
        for record in order:
            if len(record) == 4 and record[1] == "*" and record[2] is not record[3]:
                b = record[3]
                if b in candidates and b not in chosen and uses.get(b) == 1:
                    neg_ones.add(b)
    tape = Tape(prefix)
    if named is not None:
        for name, v in named.items():
            slot[v] = tape.input(name, _data(v))
        for v, first in aliases:
            slot[v] = slot[first]
    else:
        taken = {label for label in map(_label, leaves) if label}
        point: set[str] = set()
        k = 0
        for v in leaves:
            if v in neg_ones:
                continue
            label = _label(v)
            if label is None or label in point:
                k += 1
                while f"x{k}" in taken:
                    k += 1
                label = f"x{k}"
            point.add(label)
            slot[v] = tape.input(label, slot[v])

    kind: Any = _IdDict() if by_id else {}  # a folded -b or b**-1: ("neg" | "recip", b)
    binary: dict[str, Op] = {}  # op string -> its op of two arguments
    neg, pow_, sub, div = OPS["neg"], OPS["pow"], OPS["sub"], OPS["div"]
    add_op, mul_op = OPS["add"], OPS["mul"]
    taken_names: set[str] | None = None
    var_type = Var
    push_node = tape.push
    lookup = slot.get

    def emit(entry: Op, args: tuple[Any, ...], label: str | None) -> Any:
        result = push_op(tape, entry, args)
        if label is not None and type(result) is Var:
            label_node(result, label)
        return result

    def label_node(result: Var, label: str) -> None:
        nonlocal taken_names
        if taken_names is None:
            taken_names = {node.a for node in tape if node.op is None}
            taken_names |= set(tape.labels.values())
        _name_step(tape, result, label, taken_names)

    def arg(v: Any) -> Any:
        s = lookup(v)
        if s is not None:
            return s
        folded = kind.get(v)
        if folded is None:
            raise TraceError("micrograd graph: an operand was used before it was computed")
        what, operand = folded
        if what == "neg":
            s = emit(neg, (arg(operand),), None)
        else:
            s = emit(pow_, (arg(operand), -1.0), None)
        slot[v] = s
        return s

    for record in order:
        n = len(record)
        if n == 4:
            value, op, a, b = record
            label = getattr(value, "label", None)
            if label is not None and not (type(label) is str and label):
                label = None
            if neg_ones and op == "*" and b in neg_ones:
                kind[value] = ("neg", a)
                if uses.get(value) == 1 and value is not root and label is None:
                    continue  # folded into the add that uses it (a - b)
                slot[value] = emit(neg, (arg(a),), label)
                continue
            entry = binary.get(op)
            if entry is None:
                entry = binary[op] = _entry(op, ops, 2)
            if kind:
                folded = _fold(entry.name, a, b, kind, slot, uses)
                if folded is not None:
                    what, left, operand = folded
                    slot[value] = emit(sub if what == "neg" else div,
                                       (arg(left), arg(operand)), label)
                    continue
            sa = lookup(a)
            if sa is None:
                sa = arg(a)
            sb = lookup(b)
            if sb is None:
                sb = arg(b)
            ta = type(sa) is var_type
            tb = type(sb) is var_type
            if (entry is add_op or entry is mul_op) and (ta or tb):
                # As the replay computes it (and as Var.__add__ / __mul__ do).
                x = sa.value if ta else sa
                y = sb.value if tb else sb
                var = push_node(entry, sa, sb, x + y if entry is add_op else x * y)
                if label is not None:
                    label_node(var, label)
                slot[value] = var
                continue
            slot[value] = emit(entry, (sa, sb), label)
            continue
        value = record[0]
        op = record[1]
        label = getattr(value, "label", None)
        if label is not None and not (type(label) is str and label):
            label = None
        if n == 3 and op.startswith("**"):
            a = record[2]
            exponent = _exponent(value)
            if exponent == -1.0 and label is None and value is not root:
                if uses is None:
                    uses, mul_used = _consumers(order, by_id)
                if uses.get(value) == 1 and value in mul_used:
                    kind[value] = ("recip", a)
                    continue  # folded into the multiplication that uses it (a / b)
            slot[value] = emit(pow_, (arg(a), exponent), label)
            continue
        entry = _entry(op, ops, n - 2)
        slot[value] = emit(entry, tuple([arg(o) for o in record[2:]]), label)
    return tape, slot[root], slot


def _entry(op: str, ops: Mapping[str, str], arity: int) -> Op:
    """The op of the table for an op string whose Values have ``arity`` operands."""
    entry = op_for(op, ops)
    if entry.arity != arity:
        raise OpError(f"the micrograd op {op!r} has {arity} operand(s) but adviz's "
                      f"{entry.name!r} takes {entry.arity}; map it with ops={{...}}")
    return entry


def _fold(op: str, a: Any, b: Any, kind: Any, slot: Any, uses: Any
          ) -> tuple[str, Any, Any] | None:
    """Whether ``a + b`` is micrograd's ``a - c`` or ``a * b`` its ``a / c``: what, left, c."""
    if op == "add":
        folded = kind.get(b)
        if folded is not None and folded[0] == "neg" and b not in slot and uses.get(b) == 1:
            return "neg", a, folded[1]
        folded = kind.get(a)
        if folded is not None and folded[0] == "neg" and a not in slot and uses.get(a) == 1:
            return "neg", b, folded[1]  # micrograd's c - b is (b * -1) + c
    elif op == "mul":
        folded = kind.get(b)
        if folded is not None and folded[0] == "recip" and b not in slot:
            return "recip", a, folded[1]
        folded = kind.get(a)
        if folded is not None and folded[0] == "recip" and a not in slot:
            return "recip", b, folded[1]  # micrograd's c / b is b**-1 * c
    return None


def to_scalar_graph(root: Any, inputs: Any = None, ops: Mapping[str, str] | None = None
                    ) -> ScalarGraph:
    """Read a micrograd graph into a `ScalarGraph` (see the module docstring)."""
    tape, out, _ = _build(root, inputs, ops, "t")
    if type(out) is not Var:
        raise TraceError("the micrograd graph's output does not depend on its inputs")
    return steps_from_tape(tape, out)


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
    model: Any = None,
) -> ImportedTrace:
    """Turn a micrograd ``Value`` graph into a `Trace`.

    Works whether or not ``root.backward()`` was called: values and local
    partials are recomputed by adviz from the leaves' ``data``; the adjoints
    equal micrograd's ``.grad``. Given the ``model`` that computed the graph
    on one sample, the trace is a network (`Trace.network`, ``view="network"``).

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
    model
        The micrograd model applied to one sample in the graph (``nn.MLP``,
        ``nn.Layer``, ``nn.Neuron``, or a fork's with the same
        ``layers[k].neurons[j].w`` and ``.b``). Each neuron's products, sums
        and activation are scoped ``("layer k", "neuron j")`` and named
        ``z{k}_{j}`` (the weighted sum) and ``a{k}_{j}`` (the activation: the
        op applied to the sum when the neuron's ``nonlin`` is true, or, for a
        neuron without ``nonlin``, a ``tanh``, ``relu`` or ``sigmoid`` applied
        to it). The inputs are then the sample's values ``x1, x2, ...``, the
        parameters ``w{k}_{j}{i}`` (layer k, neuron j, input i) and
        ``b{k}_{j}``, and the leaves ``inputs`` names; other leaves are constants.

    Returns
    -------
    ImportedTrace

    Raises
    ------
    OpError
        An op string adviz cannot map (the message says how to register it).
    InputError
        ``model`` is not a micrograd model, or is not applied once in the
        graph (a batch of samples, or another model).
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

    With the model, the trace is a network:

    >>> import random
    >>> from micrograd.nn import MLP
    >>> random.seed(1)
    >>> mlp = MLP(2, [3, 1])
    >>> loss = (mlp([0.5, -1.0]) - 1.0) ** 2
    >>> net = adviz.from_micrograd(loss, model=mlp).network
    >>> net.sizes, net.inputs, net.layers[0].neurons[2].weights
    ((2, 3, 1), ('x1', 'x2'), ('w1_31', 'w1_32'))
    >>> n = net.layers[0].neurons[0]
    >>> n.pre, n.activation, n.function, n.bias
    ('z1_1', 'a1_1', 'relu', 'b1_1')
    """
    require("micrograd", "micrograd")
    check_options(order, granularity, output, prefix, False)
    if not hasattr(root, "_prev") or not hasattr(root, "data"):
        raise InputError(f"from_micrograd takes a micrograd Value, not {type(root).__name__}")
    import gc

    collecting = gc.isenabled()
    gc.disable()  # micrograd's closures make reference cycles: collecting them here is waste
    try:
        tape, out, slot = _build(root, inputs, ops, prefix, model)
        if model is not None:
            return _network_trace(tape, out, slot, model, order=order,
                                  granularity=granularity, output=output, prefix=prefix,
                                  show_constants=show_constants)
        return tape_trace(tape, out, "micrograd graph", order=order, granularity=granularity,
                          output_name=output, prefix=prefix, show_constants=show_constants,
                          framework="micrograd")
    finally:
        if collecting:
            gc.enable()


def _network_trace(tape: Tape, out: Any, slot: Any, model: Any, **options: Any
                   ) -> ImportedTrace:
    """The trace of a graph the model computed, with its layer and neuron scopes."""
    if type(out) is not Var or out.op is None:
        raise TraceError("the micrograd graph's output does not depend on the model")
    position = {id(v): i for i, v in enumerate(tape)}
    layers = []
    for layer in _model_layers(model):
        specs = []
        for neuron in layer:
            nonlin = getattr(neuron, "nonlin", None)
            b = getattr(neuron, "b", None)
            specs.append(NeuronSpec(
                tuple(position[id(slot[w])] for w in neuron.w),
                None if b is None else position[id(slot[b])],
                None if nonlin is None else bool(nonlin)))
        layers.append(specs)
    graph, _ = scope_network(steps_from_tape(tape, out), layers, "the micrograd model")
    return graph.trace("micrograd graph", framework="micrograd", **options)
