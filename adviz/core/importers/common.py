"""What the importers share: a scalar program of op-table steps and the trace built from it.

An importer turns the framework's graph into a `ScalarGraph`: the inputs (name
and value, in order) and the steps, each an op of the table applied to earlier
inputs or steps (by position) and constants. `ScalarGraph.trace` replays the
steps on adviz's tracer, so values and local partials are computed by adviz
from the operand values, and returns an `ImportedTrace`: an ordinary `Trace`
that can also be retraced at another point (gradient descent works on it).

Examples
--------
>>> g = ScalarGraph({"x1": 1.0, "x2": 2.0})
>>> t1 = g.add("sub", 0, 1)
>>> y = g.add("pow", t1, 2.0)
>>> t = g.trace("example")
>>> [n for n in t.graph], t.grad
(['x1', 'x2', 't1', 'y'], {'x1': -2.0, 'x2': 2.0})
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from adviz.core.ops import OPS, Op
from adviz.core.program import Program
from adviz.core.stages import GRANULARITIES, ORDERS
from adviz.core.tracer import _ARITHMETIC, NARY, UNARY, Tape, Var, apply, record
from adviz.core.tracing import Trace, _check_finite
from adviz.errors import InputError, MissingDependencyError, TraceError

Arg = int | float
"""A step's argument: an ``int`` position (inputs first, then steps) or a ``float`` constant."""

IMPORTED_ORDERS = (*ORDERS, "recorded")
"""Reverse orders of an imported trace: adviz's two, and the one the framework executed."""


def require(module: str, extra: str) -> Any:
    """Import a framework, or raise `MissingDependencyError` naming the extra to install.

    Examples
    --------
    >>> require("math", "none").pi > 3
    True
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingDependencyError(
            f"{module} is not installed: install it with pip install 'adviz[{extra}]'"
        ) from err


def element_name(name: str, index: Sequence[int], shape: Sequence[int]) -> str:
    """The name of one element of a tensor input: ``w1`` [1, 0] -> ``w1_21``.

    Indices count from 1; they are joined with ``_`` when a dimension has
    more than 9 elements.

    Examples
    --------
    >>> element_name("w1", (1, 0), (4, 2)), element_name("b", (0,), (3,))
    ('w1_21', 'b_1')
    >>> element_name("v", (10,), (12,)), element_name("s", (), ())
    ('v_11', 's')
    """
    if not shape:
        return name
    sep = "_" if any(n > 9 for n in shape) else ""
    return f"{name}_" + sep.join(str(i + 1) for i in index)


def nice_constant(value: float, exact: Callable[[float], bool]) -> float:
    """The shortest decimal close to ``value`` that passes ``exact`` (else ``value``).

    A constant solved from floating-point values (``c = out - a``) is often
    the user's ``0.2`` plus rounding noise; this recovers the short form when
    it reproduces the observed result exactly.

    Examples
    --------
    >>> nice_constant(0.30000000000000004 - 0.1, lambda c: 0.1 + c == 0.30000000000000004)
    0.2
    """
    if not math.isfinite(value):
        return value
    for spec in SIGNIFICANT:
        candidate = float(format(value, spec))
        if exact(candidate):
            return candidate
    return value


SIGNIFICANT = tuple(f".{digits}g" for digits in range(1, 18))
"""Format specifications of 1 to 17 significant digits (17 round-trips every float)."""


@dataclass(slots=True)
class Step:
    """One op of the table applied to earlier positions and constants."""

    op: Op
    args: tuple[Arg, ...]
    label: str | None = None


@dataclass
class ScalarGraph:
    """A straight-line program over the op table, as read from a framework's graph.

    Parameters
    ----------
    inputs
        Input name to value, in order (positions ``0 .. len(inputs) - 1``).
    steps
        The steps, in evaluation order.
    output
        Position of the output (default: the last step).
    scopes
        Scopes over the steps, as `adviz.scope` records them on a tape:
        ``(label, first step, step after the last)``, inner before outer.
    """

    inputs: dict[str, float]
    steps: list[Step] = field(default_factory=list)
    output: int | None = None
    scopes: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, op: str | Op, *args: Arg, label: str | None = None) -> int:
        """Append a step and return its position (the last step is the output by default)."""
        entry = OPS[op] if isinstance(op, str) else op
        if len(args) != entry.arity:
            raise TraceError(f"{entry.name} takes {entry.arity} argument(s), not {len(args)}")
        self.steps.append(Step(entry, tuple(args), label))
        return len(self.inputs) + len(self.steps) - 1

    @property
    def root(self) -> int:
        """Position of the output."""
        return len(self.inputs) + len(self.steps) - 1 if self.output is None else self.output

    def replay(self, values: Sequence[Any], *, label: bool = True) -> list[Any]:
        """Evaluate every step on the given input values (traced values or floats)."""
        slots: list[Any] = list(values)
        tape: Tape | None = next((v.tape for v in slots if type(v) is Var), None)
        if tape is None or not label:
            for step in self.steps:
                slots.append(apply(step.op, *[slots[a] if type(a) is int else a
                                              for a in step.args]))
            return slots
        taken: set[str] | None = None
        push = tape.push
        var = Var
        arithmetic = _ARITHMETIC
        add, mul, sub, pow_ = _ADD, _MUL, _SUB, _POW
        for step in self.steps:
            op = step.op
            args = step.args
            # The hot path: an op on traced values of this tape and float constants, as
            # `apply` does it; anything unusual (an error, a pow with a traced exponent)
            # goes through `apply` itself for its checks and messages.
            result: Any = None
            a: Any
            b: Any
            if len(args) == 2:
                a, b = args
                if type(a) is int:
                    a = slots[a]
                if type(b) is int:
                    b = slots[b]
                ta = type(a) is var
                tb = type(b) is var
                value: Any = None
                if (ta and a.tape is tape and ((tb and b.tape is tape) or type(b) is float)) \
                        or (tb and b.tape is tape and type(a) is float):
                    x = a.value if ta else a
                    y = b.value if tb else b
                    if op is add:
                        value = x + y
                    elif op is mul:
                        value = x * y
                    elif op is sub:
                        value = x - y
                    elif op is not pow_ or not tb:
                        try:
                            value = float(op.forward(x, y))
                        except arithmetic:
                            value = None
                if value is not None:
                    result = push(op, a, b, value)
                else:
                    result = apply(op, a, b)
            elif len(args) == 1:
                a = args[0]
                if type(a) is int:
                    a = slots[a]
                if type(a) is var and a.tape is tape:
                    try:
                        result = push(op, a, UNARY, float(op.forward(a.value)))
                    except arithmetic:
                        pass
                if result is None:
                    result = apply(op, a)
            else:
                result = apply(op, *[slots[a] if type(a) is int else a for a in args])
            if step.label is not None and type(result) is var:
                if taken is None:
                    taken = {node.a for node in tape if node.op is None}
                    taken |= set(tape.labels.values())
                _name_step(tape, result, step.label, taken)
            slots.append(result)
        return slots

    def function(self, what: str) -> Callable[..., Any]:
        """A Python function replaying the steps: what `adviz.trace` and descent call."""
        return replaying(_Steps(self), list(self.inputs), what)

    def trace(
        self,
        what: str,
        *,
        order: str = "seed",
        granularity: str = "node",
        output: str | None = None,
        prefix: str = "t",
        show_constants: bool = False,
        recorded: Sequence[int] | None = None,
        framework: str = "",
        inputs: Mapping[str, float] | None = None,
    ) -> ImportedTrace:
        """Replay the steps on adviz's tracer and return the trace.

        Parameters
        ----------
        what
            The function's display name (``"micrograd graph"``).
        order, granularity, output, prefix, show_constants
            As for `adviz.trace`; ``order="recorded"`` uses ``recorded``.
        recorded
            Step positions in the order the framework's backward pass
            processed them, when it was recorded.
        framework
            The framework the graph came from.
        inputs
            Another point to evaluate at (default: the recorded values).
        """
        check_options(order, granularity, output, prefix, recorded is not None)
        point = dict(self.inputs if inputs is None else inputs)
        if self.root < len(self.inputs):
            raise TraceError(f"the output of the {what} is the input "
                             f"{list(self.inputs)[self.root]!r} itself: there is no operation "
                             "to differentiate")
        function = self.function(what)
        tape, out = record(lambda *xs: self.replay(xs)[self.root], point, prefix=prefix)
        if self.scopes:
            tape.scopes[:] = _tape_scopes(self, tape)
        tape.finish()
        _check_finite(tape)
        return ImportedTrace(function, tape, out, point, order=order, granularity=granularity,
                             output_name=output, prefix=prefix, show_constants=show_constants,
                             graph=self, recorded=recorded, framework=framework)


_ADD, _MUL, _SUB, _POW = OPS["add"], OPS["mul"], OPS["sub"], OPS["pow"]


class _Steps:
    """A `ScalarGraph`, given or derived on first use from a tape an importer built directly."""

    __slots__ = ("_graph", "_output", "_tape")

    def __init__(self, graph: ScalarGraph | None = None, tape: Tape | None = None,
                 output: Var | None = None) -> None:
        self._graph = graph
        self._tape = tape
        self._output = output

    @property
    def graph(self) -> ScalarGraph:
        if self._graph is None:
            assert self._tape is not None and self._output is not None
            self._graph = steps_from_tape(self._tape, self._output)
        return self._graph


def replaying(steps: _Steps, names: list[str], what: str) -> Callable[..., Any]:
    """A Python function of the inputs ``names`` replaying the steps (built when first called)."""

    def replayed(*args: Any, **kwargs: Any) -> Any:
        graph = steps.graph
        values = list(args) + [kwargs[n] for n in names[len(args):]]
        return graph.replay(values)[graph.root]

    replayed.__name__ = what
    replayed.__qualname__ = what
    if all(n.isidentifier() for n in names):
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        replayed.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(n, kind) for n in names])
    return replayed


def _arguments(var: Var) -> tuple[Any, ...]:
    b = var.b
    if b is UNARY:
        return (var.a,)
    if b is NARY:
        return tuple(var.a)
    return (var.a, b)


def steps_from_tape(tape: Tape, output: Var) -> ScalarGraph:
    """The steps of a tape whose inputs come first: each op node is one step.

    Replaying them gives the same tape (an importer that builds its tape
    directly computes each value as the replay does).

    Examples
    --------
    >>> from adviz.core.tracer import record
    >>> tape, out = record(lambda x: x * x + 1.0, {"x": 3.0})
    >>> graph = steps_from_tape(tape, out)
    >>> graph.inputs, [(s.op.name, s.args) for s in graph.steps], graph.root
    ({'x': 3.0}, [('mul', (0, 0)), ('add', (1, 1.0))], 2)
    """
    position = {id(v): i for i, v in enumerate(tape)}
    inputs: dict[str, float] = {}
    for var in tape:
        if var.op is not None:
            break
        inputs[var.a] = var.value
    graph = ScalarGraph(inputs)
    steps = graph.steps
    labels = tape.labels
    for var in tape[len(inputs):]:
        if var.op is None:
            raise TraceError(f"the input {var.a!r} comes after an operation on the tape")
        steps.append(Step(var.op, tuple([position[id(s)] if type(s) is Var else s
                                         for s in _arguments(var)]), labels.get(id(var))))
    graph.output = position[id(output)]
    n = len(inputs)
    graph.scopes = [(label, start - n, end - n) for label, start, end in tape.scopes
                    if start >= n]
    return graph


def _tape_scopes(graph: ScalarGraph, tape: Tape) -> list[tuple[str, int, int]]:
    """The graph's scopes over the steps as tape positions (steps on constants alone, which
    put no node on the tape, are left out)."""
    position = {id(v): i for i, v in enumerate(tape)}
    slots = _pair_steps(graph, tape)
    n = len(graph.inputs)
    result = []
    for label, start, end in graph.scopes:
        spots = [position[id(slots[n + s])] for s in range(start, end)
                 if isinstance(slots[n + s], Var)]
        if spots:
            result.append((label, spots[0], spots[-1] + 1))
    return result


def tape_trace(
    tape: Tape,
    output: Any,
    what: str,
    *,
    order: str = "seed",
    granularity: str = "node",
    output_name: str | None = None,
    prefix: str = "t",
    show_constants: bool = False,
    recorded: Sequence[int] | None = None,
    framework: str = "",
) -> ImportedTrace:
    """The trace of a tape an importer built directly (inputs first, then the ops).

    The importer computes each node's value from its operands as
    `ScalarGraph.replay` does, so the trace is the one replaying its steps
    would give; the steps themselves are derived from the tape only when
    needed (`ImportedTrace.retrace`, `ImportedTrace.evaluate`, descent).

    Parameters
    ----------
    tape
        The tape: input nodes first, then op nodes in evaluation order.
    output
        The output node (a float when the output depends on no input).
    what
        The graph's display name (``"micrograd graph"``).
    recorded
        Tape positions of op nodes in the order the framework's backward
        pass processed them, when it was recorded.
    order, granularity, output_name, prefix, show_constants, framework
        As for `ScalarGraph.trace`.

    Examples
    --------
    >>> from adviz.core.tracer import Tape
    >>> tape = Tape()
    >>> x = tape.input("x", 3.0)
    >>> t = tape_trace(tape, tape.push(OPS["mul"], x, x, 9.0), "example")
    >>> t.grad, t.evaluate({"x": 2.0})
    ({'x': 6.0}, 4.0)
    """
    if type(output) is not Var:
        raise TraceError(f"the output of the {what} is the constant {output!r}, which does not "
                         "depend on its inputs: there is nothing to differentiate")
    if output.op is None:
        raise TraceError(f"the output of the {what} is the input {output.a!r} itself: there is "
                         "no operation to differentiate")
    tape.finish()
    _check_finite(tape)
    point: dict[str, float] = {}
    for var in tape:
        if var.op is not None:
            break
        point[var.a] = var.value
    steps = _Steps(None, tape, output)
    return ImportedTrace(replaying(steps, list(point), what), tape, output, point,
                         order=order, granularity=granularity, output_name=output_name,
                         prefix=prefix, show_constants=show_constants, graph=steps,
                         recorded=recorded, framework=framework)


def push_op(tape: Tape, op: Op, args: Sequence[Any]) -> Any:
    """Apply an op to tape nodes and float constants, as `ScalarGraph.replay` does.

    Returns the new node, or a float when every argument is a constant.
    """
    if len(args) == 2:
        a, b = args
        ta, tb = type(a) is Var, type(b) is Var
        if (ta or tb) and (type(a) is float or ta) and (type(b) is float or tb) and not (
                op is _POW and tb):
            x = a.value if ta else a
            y = b.value if tb else b
            if op is _ADD:
                return tape.push(op, a, b, x + y)
            if op is _MUL:
                return tape.push(op, a, b, x * y)
            if op is _SUB:
                return tape.push(op, a, b, x - y)
            try:
                value = float(op.forward(x, y))
            except _ARITHMETIC:
                return apply(op, a, b)
            return tape.push(op, a, b, value)
    elif len(args) == 1:
        a = args[0]
        if type(a) is Var:
            try:
                value = float(op.forward(a.value))
            except _ARITHMETIC:
                return apply(op, a)
            return tape.push(op, a, UNARY, value)
    return apply(op, *args)


def _name_step(tape: Tape, value: Var, label: str, taken: set[str]) -> None:
    """`adviz.name` for a replayed step, with the names in use kept in ``taken``."""
    if value.op is None:
        raise TraceError(f"{value.a!r} is an input; inputs keep their names")
    if tape.labels.get(id(value)) == label:
        return
    if label in taken:
        raise TraceError(f"the name {label!r} is already used by another node")
    old = tape.labels.get(id(value))
    if old is not None:
        taken.discard(old)
    tape.labels[id(value)] = label
    taken.add(label)


def check_options(order: str, granularity: str, output: str | None, prefix: str,
                  has_recorded: bool) -> None:
    """Validate the options every importer shares, with messages naming the fix."""
    allowed = IMPORTED_ORDERS if has_recorded else ORDERS
    if order not in allowed:
        extra = "" if has_recorded else " ('recorded' needs a framework that ran backward)"
        raise InputError(f"order must be one of {allowed}, not {order!r}{extra}")
    if granularity not in GRANULARITIES:
        raise InputError(f"granularity must be one of {GRANULARITIES}, not {granularity!r}")
    if not isinstance(prefix, str) or not prefix:
        raise InputError("prefix must be a non-empty string")
    if output is not None and (not isinstance(output, str) or not output):
        raise InputError("output must be a non-empty string")


def _live_ops(tape: Tape, output: Var) -> list[int]:
    """Tape positions of the op nodes the output depends on, in tape order."""
    position = {id(v): i for i, v in enumerate(tape)}
    live = bytearray(len(tape))
    live[position[id(output)]] = 1
    for i in range(position[id(output)], -1, -1):
        var = tape[i]
        if live[i] and var.op is not None:
            args = var.a if var.b is NARY else (var.a,) if var.b is UNARY else (var.a, var.b)
            for s in args:
                if type(s) is Var:
                    live[position[id(s)]] = 1
    return [i for i, v in enumerate(tape) if live[i] and v.op is not None]


class ImportedTrace(Trace):
    """A `Trace` of a framework's graph, rebuilt on adviz's op table.

    Everything a `Trace` offers works on it. It also keeps the framework's
    own backward order when one was recorded (``order="recorded"``), and
    `retrace` replays the same graph at another point.

    Attributes
    ----------
    framework
        ``"micrograd"``, ``"torch"`` or ``"jax"``.
    recorded_order
        Node ids in the order the framework's backward pass processed them,
        or ``None``.
    """

    def __init__(self, function: Callable[..., Any], tape: Tape, output: Var,
                 inputs: dict[str, float], *, graph: ScalarGraph | _Steps,
                 recorded: Sequence[int] | None, framework: str, **options: Any) -> None:
        self._steps = graph if isinstance(graph, _Steps) else _Steps(graph)
        self.framework = framework
        self._recorded_steps = None if recorded is None else tuple(recorded)
        self._step_vars: list[Any] | None = None
        super().__init__(function, tape, output, inputs, **options)

    def __repr__(self) -> str:
        return f"<Imported{super().__repr__()[1:]}"

    @property
    def source(self) -> ScalarGraph:
        """The graph as steps on the op table (what `retrace` and `evaluate` replay)."""
        return self._steps.graph

    @cached_property
    def program(self) -> Program:
        """The named, pruned nodes, with the recorded backward order when there is one."""
        program: Program = Trace.program.func(self)  # type: ignore[attr-defined]
        if self._recorded_steps is None:
            return program
        tape = self.tape
        live = _live_ops(tape, self.output_node)
        op_nodes = [i for i, node in enumerate(program.nodes) if node.kind == "op"]
        by_tape = dict(zip(live, op_nodes))
        n_inputs = len(self.source.inputs)
        # Tape position of each step: inputs come first on the tape, then one node per step
        # that produced a traced value (steps on constants alone produce none).
        tape_of: dict[int, int] = {}
        position = {id(v): i for i, v in enumerate(tape)}
        slots = self._replayed()
        for k in range(len(self.source.steps)):
            value = slots[n_inputs + k]
            if isinstance(value, Var) and id(value) in position:
                tape_of[n_inputs + k] = position[id(value)]
        order: list[int] = []
        for step in self._recorded_steps:
            node = by_tape.get(tape_of.get(step, -1))
            if node is not None and node not in order:
                order.append(node)
        if sorted(order) != op_nodes:
            return program  # the record does not cover the graph: Kahn's order stands
        return replace(program, recorded=tuple(order))

    def _replayed(self) -> list[Any]:
        if self._step_vars is None:
            # Replay once more, on the finished tape's inputs, to pair steps with tape nodes.
            self._step_vars = _pair_steps(self.source, self.tape)
        return self._step_vars

    @property
    def recorded_order(self) -> list[str] | None:
        """Node ids in the order the framework's backward pass processed them."""
        recorded = self.program.recorded
        if recorded is None:
            return None
        return [self.program.nodes[i].id for i in recorded]

    def retrace(self, inputs: Mapping[str, float]) -> Trace:
        """The same graph at another point (its structure is kept, values recomputed)."""
        unknown = [n for n in inputs if n not in self.source.inputs]
        if unknown:
            raise InputError(f"the imported graph has no input named {unknown[0]!r}; its inputs "
                             f"are {', '.join(self.source.inputs)}")
        point = {**self.inputs, **{n: float(v) for n, v in inputs.items()}}
        return self.source.trace(
            getattr(self.function, "__name__", "graph"), order=self.order,
            granularity=self.granularity,
            output=self._output_name if isinstance(self._output_name, str) else None,
            prefix=self.prefix,
            show_constants=self.show_constants, recorded=self._recorded_steps,
            framework=self.framework, inputs=point)

    def evaluate(self, inputs: Mapping[str, float]) -> float:
        """The graph's value at another point, in plain floats."""
        point = {**self.inputs, **dict(inputs)}
        values = [float(point[n]) for n in self.source.inputs]
        return float(self.source.replay(values, label=False)[self.source.root])


def _pair_steps(graph: ScalarGraph, tape: Tape) -> list[Any]:
    """Each step's tape node (or float), matched by replaying the step structure on the tape."""
    n_inputs = len(graph.inputs)
    slots: list[Any] = [tape[i] for i in range(n_inputs)]
    cursor = n_inputs
    for step in graph.steps:
        if any(type(a) is int and isinstance(slots[a], Var) for a in step.args):
            slots.append(tape[cursor])
            cursor += 1
        else:
            slots.append(0.0)
    return slots
