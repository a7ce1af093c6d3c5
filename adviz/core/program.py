"""The finished computation: named nodes in evaluation order, dead code removed.

A `Program` is built from a tape once per trace, on demand. It keeps only the
inputs and the nodes the output depends on, gives them their display names
(inputs by parameter name, intermediates ``t1, t2, ...`` in evaluation order,
the output ``y``), optionally turns folded constants into ``"const"`` nodes,
and knows each node's formula and each edge's local partial.

Examples
--------
>>> import adviz
>>> program = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2).program
>>> [node.id for node in program.nodes]
['x1', 'x2', 't1', 't2', 't3', 't4', 'y']
>>> program.expr(3)
't1**2'
>>> program.edges_into(3)[0].partial_expr
'2*t1'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from adviz.core.ops import Op
from adviz.core.tracer import NARY, UNARY, Tape, Var
from adviz.errors import TraceError
from adviz.formatting import format_constant, latex_name, parenthesize

Slot = int | float
"""An argument of a node: an ``int`` position of a parent node, or a ``float`` constant."""


@dataclass(frozen=True)
class Node:
    """One node of a program."""

    id: str
    kind: str
    op: Op | None
    slots: tuple[Slot, ...]
    value: float
    order: int
    scope: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    """One parent -> child edge with its local partial (summed over repeated arguments)."""

    parent: int
    child: int
    partial: float
    partial_expr: str
    partial_latex: str


def _const_text(value: float, latex: bool = False) -> str:
    text = format_constant(value)
    return f"({text})" if text.startswith("-") else text


def _combine(texts: list[str]) -> str:
    if len(texts) == 1:
        return texts[0]
    if all(t == texts[0] for t in texts):
        return f"{len(texts)}*{parenthesize(texts[0])}"
    return " + ".join(texts)


@dataclass(frozen=True, eq=False)
class Program:
    """Named, pruned nodes of one trace in evaluation order."""

    nodes: tuple[Node, ...]
    inputs: tuple[int, ...]
    output: int
    recorded: tuple[int, ...] | None = None
    """Op node positions in the order a framework's backward pass processed them, if known."""
    outputs: tuple[int, ...] = ()
    """The output positions of a function that returned several values, in the order
    returned (``output`` is one of them: the one the reverse stages start from); empty for
    a function with one output."""

    @property
    def output_positions(self) -> tuple[int, ...]:
        """Every output's position: ``outputs``, or ``(output,)`` for one output."""
        return self.outputs or (self.output,)

    def for_output(self, position: int) -> Program:
        """The same program with its reverse pass starting from another output.

        Examples
        --------
        >>> import adviz
        >>> program = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=1.0, b=2.0).program
        >>> [program.nodes[i].id for i in program.outputs], program.for_output(3).output
        (['y1', 'y2'], 3)
        """
        if position not in self.output_positions:
            raise TraceError(f"node {position} is not an output of this program")
        return self if position == self.output else replace(self, output=position)

    @cached_property
    def live(self) -> bytearray | None:
        """1 for each node ``output`` depends on (itself included), when the program has
        several outputs; ``None`` when every node is one the output depends on."""
        if not self.outputs:
            return None
        live = bytearray(len(self.nodes))
        live[self.output] = 1
        for i in range(self.output, -1, -1):
            if live[i]:
                for s in self.nodes[i].slots:
                    if type(s) is int:
                        live[s] = 1
        return live

    @cached_property
    def index(self) -> dict[str, int]:
        """Node id to position."""
        return {node.id: i for i, node in enumerate(self.nodes)}

    def parents(self, i: int) -> list[int]:
        """Unique parent positions of node ``i``, in argument order."""
        seen: list[int] = []
        for s in self.nodes[i].slots:
            if type(s) is int and s not in seen:
                seen.append(s)
        return seen

    @cached_property
    def children(self) -> list[list[int]]:
        """Unique child positions of every node, in evaluation order."""
        result: list[list[int]] = [[] for _ in self.nodes]
        for i in range(len(self.nodes)):
            for p in self.parents(i):
                result[p].append(i)
        return result

    def arg_texts(self, i: int, latex: bool = False) -> list[str]:
        """Texts of node ``i``'s arguments: parent names or constants."""
        texts = []
        for s in self.nodes[i].slots:
            if type(s) is int:
                name = self.nodes[s].id
                texts.append(latex_name(name) if latex else name)
            else:
                texts.append(_const_text(s))
        return texts

    def expr(self, i: int, latex: bool = False) -> str:
        """Node ``i``'s own formula in terms of its parents."""
        node = self.nodes[i]
        if node.op is None:
            if node.kind == "const":
                return format_constant(node.value)
            return latex_name(node.id) if latex else node.id
        return node.op.render(self.arg_texts(i, latex), latex)

    def edges_into(self, i: int) -> list[Edge]:
        """Edges from node ``i``'s parents, with partials, in argument order."""
        node = self.nodes[i]
        if node.op is None:
            return []
        slot_values = [self.nodes[s].value if type(s) is int else s for s in node.slots]
        partials = node.op.partials(*slot_values)
        texts = self.arg_texts(i)
        latexes = self.arg_texts(i, latex=True)
        edges = []
        for p in self.parents(i):
            positions = [k for k, s in enumerate(node.slots) if s == p and type(s) is int]
            edges.append(
                Edge(
                    parent=p,
                    child=i,
                    partial=sum(partials[k] for k in positions),
                    partial_expr=_combine([node.op.render_partial(k, texts) for k in positions]),
                    partial_latex=_combine(
                        [node.op.render_partial(k, latexes, latex=True) for k in positions]
                    ).replace("*", " "),
                )
            )
        return edges


def _scope_of(scopes: list[tuple[str, int, int]], position: int) -> tuple[str, ...]:
    # Scopes are recorded when they close, inner before outer: on equal ranges the one
    # recorded later encloses the other.
    inside = [(start, -end, -k, name) for k, (name, start, end) in enumerate(scopes)
              if start <= position < end]
    return tuple(name for *_, name in sorted(inside))


def build_program(
    tape: Tape,
    output: Var | tuple[Var, ...],
    *,
    output_name: str | Sequence[str] | None = None,
    prefix: str = "t",
    show_constants: bool = False,
) -> Program:
    """Prune, name and number the nodes of a finished tape.

    Parameters
    ----------
    tape, output
        The tape and its output node, or the tuple of output nodes of a
        function that returned several values.
    output_name
        Name of the output node; ``None`` means ``"y"`` (or ``"f"`` when an
        input is already called ``y``). With several outputs: the stem of
        their names (``None`` means ``y1, y2, ...``) or one name per output
        (see `output_names_of`).
    prefix
        Prefix of intermediate names (``t`` gives ``t1, t2, ...``).
    show_constants
        Make each folded constant a ``"const"`` node of its own.
    """
    position_of = {id(var): i for i, var in enumerate(tape)}
    several = isinstance(output, tuple)
    outs = [position_of[id(var)] for var in (output if isinstance(output, tuple) else (output,))]
    out = outs[0]
    live = bytearray(len(tape))
    for i in outs:
        live[i] = 1
    for i in range(max(outs), -1, -1):
        var = tape[i]
        if live[i] and var.op is not None:
            for s in _args(var):
                if type(s) is Var:
                    live[position_of[id(s)]] = 1
    input_names = {var.a for var in tape if var.op is None}
    labels = {position_of[key]: label for key, label in tape.labels.items() if key in position_of}
    if isinstance(output, tuple):
        names = output_names_of(tape, output, output_name, input_names)
    else:
        assert not isinstance(output_name, Sequence) or isinstance(output_name, str)
        names = (output_name_of(tape, output, output_name, input_names),)
    output_of = dict(zip(outs, names))
    taken = input_names | set(labels.values()) | set(names)
    counter = {"t": 0, "c": 0}

    def fresh(kind: str, stem: str) -> str:
        while True:
            counter[kind] += 1
            name = f"{stem}{counter[kind]}"
            if name not in taken:
                taken.add(name)
                return name

    nodes: list[Node] = []
    position: dict[int, int] = {}
    inputs: list[int] = []
    for i, var in enumerate(tape):
        if var.op is None:
            position[i] = len(nodes)
            inputs.append(len(nodes))
            nodes.append(Node(var.a, "input", None, (), var.value, len(nodes)))
            continue
        if not live[i]:
            continue
        slots: list[Slot] = []
        for s in _args(var):
            if isinstance(s, Var):
                slots.append(position[position_of[id(s)]])
            elif show_constants:
                slots.append(len(nodes))
                nodes.append(Node(fresh("c", "c"), "const", None, (), s, len(nodes)))
            else:
                slots.append(s)
        if i in labels:
            name = labels[i]
        elif i in output_of:
            name = output_of[i]
        else:
            name = fresh("t", prefix)
        position[i] = len(nodes)
        nodes.append(
            Node(name, "op", var.op, tuple(slots), var.value, len(nodes),
                 _scope_of(tape.scopes, i))
        )
    if several:
        return Program(tuple(nodes), tuple(inputs), position[out],
                       outputs=tuple(position[i] for i in outs))
    return Program(tuple(nodes), tuple(inputs), position[out])


def output_name_of(tape: Tape, output: Var, output_name: str | None = None,
                   input_names: set[str] | None = None) -> str:
    """The output's name: its own `adviz.name` label, else ``output_name``, else the first
    default name not taken (`default_output_name`).

    Raises
    ------
    TraceError
        ``output_name`` is also an input's name or another node's label.
    """
    if input_names is None:
        input_names = {var.a for var in tape if var.op is None}
    own = tape.labels.get(id(output))
    if own is not None:
        return own
    other_labels = {label for key, label in tape.labels.items() if key != id(output)}
    if output_name is None:
        return default_output_name(input_names | other_labels)
    if output_name in input_names and output.op is not None:
        raise TraceError(f"the output name {output_name!r} is also an input's name; pass "
                         f"another output=")
    if output_name in other_labels and output.op is not None:
        raise TraceError(f"the output name {output_name!r} is also the name of an "
                         f"intermediate node (adviz.name); rename one of them")
    return output_name


def output_names_of(tape: Tape, outputs: tuple[Var, ...],
                    output_name: str | Sequence[str] | None = None,
                    input_names: set[str] | None = None) -> tuple[str, ...]:
    """The names of several outputs, in the order returned.

    An output named with `adviz.name` keeps its label. The others are named
    ``y1, y2, ...`` by their position in the returned tuple (the stem ``y``,
    else ``f``, ``out``, ``output`` when one of those names is taken), or
    ``z1, z2, ...`` for ``output_name="z"``; a sequence of names gives each
    output its own.

    Raises
    ------
    TraceError
        A sequence of names of the wrong length, a name given twice, or a name
        that is also an input's or another node's.

    Examples
    --------
    >>> from adviz.core.tracer import record_outputs
    >>> tape, outs = record_outputs(lambda y1, b: (y1 * b, y1 + b), {"y1": 1.0, "b": 2.0})
    >>> output_names_of(tape, outs), output_names_of(tape, outs, "z")
    (('f1', 'f2'), ('z1', 'z2'))
    >>> output_names_of(tape, outs, ["product", "total"])
    ('product', 'total')
    """
    if input_names is None:
        input_names = {var.a for var in tape if var.op is None}
    own = [tape.labels.get(id(var)) for var in outputs]
    mine = {id(var) for var in outputs}
    other_labels = {label for key, label in tape.labels.items() if key not in mine}
    taken = input_names | other_labels | {label for label in own if label is not None}
    m = len(outputs)
    if output_name is None or isinstance(output_name, str):
        stems = ("y", "f", "out", "output") if output_name is None else (output_name,)
        for stem in stems:
            given = [f"{stem}{k}" for k in range(1, m + 1)]
            if not taken.intersection(g for g, label in zip(given, own) if label is None):
                break
        else:
            raise TraceError(f"the output names {given[0]}, ..., {given[-1]} are taken by inputs "
                             f"or named nodes; pass output=[...] with one name per output")
    else:
        given = list(output_name)
        if len(given) != m:
            raise TraceError(f"output= gives {len(given)} name(s) for {m} outputs; give one "
                             f"name per output")
    names = tuple(label if label is not None else name for name, label in zip(given, own))
    for k, name in enumerate(names):
        if own[k] is None and name in taken:
            raise TraceError(f"the output name {name!r} is also an input's name or another "
                             f"node's; pass other output names")
        if name in names[:k]:
            raise TraceError(f"the output name {name!r} is given twice; each output needs a "
                             f"name of its own")
    return names


def default_output_name(taken: set[str]) -> str:
    """``y``, else ``f``, ``out``, ``output``, then ``y1, y2, ...``: the first name not taken.

    Examples
    --------
    >>> default_output_name({"y", "f", "out", "output"})
    'y1'
    """
    for name in ("y", "f", "out", "output"):
        if name not in taken:
            return name
    k = 1
    while f"y{k}" in taken:
        k += 1
    return f"y{k}"


def _args(var: Var) -> tuple[Var | float, ...]:
    if var.b is UNARY:
        return (var.a,)
    if var.b is NARY:
        return tuple(var.a)
    return (var.a, var.b)
