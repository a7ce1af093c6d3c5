"""`trace()`: record a function or expression string and differentiate it.

Examples
--------
>>> import adviz
>>> t = adviz.trace(lambda x1, x2: (x1 - x2)**2 + adviz.cos(x1 + x2), x1=1.0, x2=2.0)
>>> round(t.value, 5), {k: round(v, 5) for k, v in t.grad.items()}
(0.01001, {'x1': -2.14112, 'x2': 1.85888})
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from adviz.core.engine import backward
from adviz.core.expression import Expression, parse
from adviz.core.names import check_name, warn_confusable
from adviz.core.program import Program, build_program, output_name_of, output_names_of
from adviz.core.stages import (
    GRANULARITIES,
    ORDERS,
    Stage,
    State,
    final_adjoints,
    forward_stages,
    reverse_stages,
    state_after,
)
from adviz.core.tracer import (
    NARY,
    UNARY,
    Tape,
    Var,
    as_constant,
    check_value,
    input_names,
    record_outputs,
)
from adviz.errors import DomainError, InputError, TraceError

if TYPE_CHECKING:
    import networkx as nx

    from adviz.core.network import Network

Function = Callable[..., Any] | str

_VALUE = operator.attrgetter("value")

DISPLAYS: dict[str, Callable[[Trace], str]] = {}
"""How a notebook shows a trace, by format (``"html"``, ``"svg"``): installed by the
rendering side (`adviz.faces.notebook`, on ``import adviz``), so the core imports
nothing that draws. A format with no display installed is not offered to the notebook."""


def set_display(fmt: str, show: Callable[[Trace], str] | None) -> None:
    """Install (or with ``None`` remove) the notebook display of traces for a format.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> previous = DISPLAYS.get("svg")
    >>> set_display("svg", lambda trace: "<svg/>")
    >>> t._repr_svg_()
    '<svg/>'
    >>> set_display("svg", previous)
    """
    if show is None:
        DISPLAYS.pop(fmt, None)
    else:
        DISPLAYS[fmt] = show


class Trace:
    """One traced evaluation: value, gradient, graph and stage schedules.

    Build it with `adviz.trace`. The graph and the stages are computed on
    first access and cached.

    A function returning a tuple (or list) of traced values gives a *vector
    trace*: its outputs are named ``y1, y2, ...`` (`outputs`), ``value`` is
    the tuple of their values, `jacobian` holds every derivative, and
    ``grad`` raises `TraceError` (a gradient belongs to one output: use
    ``trace.jacobian["y1"]``). The graph's ``output``, the reverse stages and
    the adjoints are those of the first output; `reverse_stages_for` gives
    the reverse pass of any other.

    Attributes
    ----------
    value
        The output's forward value (a vector trace: the tuple of its outputs' values).
    grad
        Input name to dy/d(input), in argument order.
    inputs
        Input values by name, in argument order.
    vector
        Whether the function returned several values (a tuple or list).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
    >>> t.outputs, t.value[0]
    (('y1', 'y2'), 6.0)
    >>> {y: {x: round(d, 4) for x, d in row.items()} for y, row in t.jacobian.items()}
    {'y1': {'a': 3.0, 'b': 2.0}, 'y2': {'a': -0.4161, 'b': 0.0}}
    """

    vector = False
    output_nodes: tuple[Var, ...] = ()

    def __init__(
        self,
        function: Function,
        tape: Tape,
        output: Var | tuple[Var, ...],
        inputs: dict[str, float],
        *,
        order: str,
        granularity: str,
        output_name: str | Sequence[str] | None,
        prefix: str,
        show_constants: bool,
    ) -> None:
        self.function = function
        self.tape = tape
        self.vector = isinstance(output, tuple)
        self.output_nodes: tuple[Var, ...] = output if isinstance(output, tuple) else (output,)
        self.output_node = self.output_nodes[0]
        self.inputs = inputs
        self.order = order
        self.granularity = granularity
        self.prefix = prefix
        self.show_constants = show_constants
        self._output_name = output_name
        self._grad: dict[str, Any] | None = None
        if isinstance(output, tuple):
            self.value: Any = tuple(node.value for node in output)
            return
        self.value = output.value
        backward(tape, output)
        self._grad = {
            node.a: 0.0 if node.grad is None else node.grad for node in tape if node.op is None
        }

    @property
    def grad(self) -> dict[str, Any]:
        """Input name to dy/d(input), in argument order.

        Raises
        ------
        TraceError
            On a vector trace, which has one gradient per output: see `jacobian`.
        """
        if self._grad is None:
            raise TraceError(
                f"this trace has {len(self.output_nodes)} outputs "
                f"({', '.join(self.outputs)}) and grad is the gradient of one: use "
                f"trace.jacobian (output -> input -> derivative), e.g. "
                f"trace.jacobian[{self.outputs[0]!r}], or trace.pick({self.outputs[0]!r}) "
                f"for a trace of one output")
        return self._grad

    @grad.setter
    def grad(self, value: dict[str, Any]) -> None:
        self._grad = value

    def __repr__(self) -> str:
        name = self.expression or getattr(self.function, "__name__", "f")
        if self._grad is None:
            values = ", ".join(f"{k}={v:.6g}" for k, v in zip(self.outputs, self.value))
            return f"<Trace {name}: {values}, {len(self.tape)} nodes>"
        grads = ", ".join(f"{k}={v:.6g}" for k, v in self.grad.items())
        return f"<Trace {name}: value={self.value:.6g}, grad({grads}), {len(self.tape)} nodes>"

    def _repr_svg_(self) -> str | None:
        """The summary figure (values and final adjoints), shown by Jupyter (not for a
        vector trace, which Jupyter shows as text: draw ``trace.pick("y1")``)."""
        show = DISPLAYS.get("svg")
        return None if show is None or self.vector else show(self)

    def _repr_html_(self) -> str | None:
        """The compact player of both passes, shown by Jupyter (not for a vector trace)."""
        show = DISPLAYS.get("html")
        return None if show is None or self.vector else show(self)

    @property
    def expression(self) -> str | None:
        """The source text when traced from an expression string."""
        return self.function if isinstance(self.function, str) else None

    @cached_property
    def program(self) -> Program:
        """The named, pruned nodes (see `adviz.core.program`)."""
        return build_program(
            self.tape,
            self.output_nodes if self.vector else self.output_node,
            output_name=self._output_name,
            prefix=self.prefix,
            show_constants=self.show_constants,
        )

    @property
    def output(self) -> str:
        """The output node's id (a vector trace: its first output's)."""
        return self.program.nodes[self.program.output].id

    @property
    def outputs(self) -> tuple[str, ...]:
        """Every output node's id, in the order the function returned them (one for a
        scalar function: ``(trace.output,)``)."""
        nodes = self.program.nodes
        return tuple(nodes[i].id for i in self.program.output_positions)

    def output_position(self, output: str | int | None) -> int:
        """The program position of an output given by id or by number (1 for ``y1``).

        Raises
        ------
        InputError
            No such output (the message lists them).
        """
        positions = self.program.output_positions
        if output is None:
            return self.program.output
        if isinstance(output, int) and not isinstance(output, bool):
            if 1 <= output <= len(positions):
                return positions[output - 1]
        elif isinstance(output, str):
            for i in positions:
                if self.program.nodes[i].id == output:
                    return i
        raise InputError(f"{output!r} is not an output of this trace; its outputs are "
                         f"{', '.join(self.outputs)} (or their numbers 1 to {len(positions)})")

    def pick(self, output: str | int) -> Trace:
        """One output of a vector trace as a trace of its own (a scalar function).

        The function is traced again at the same point and with the same
        options, keeping only that output (by id, or by number: 1 for
        ``y1``), which keeps its name; its intermediates are numbered afresh.
        Pictures, walkthroughs and the gradient tools take one output: pick
        it. A scalar trace picks itself.

        Examples
        --------
        >>> import adviz
        >>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
        >>> y2 = t.pick("y2")
        >>> y2.output, list(y2.graph), round(y2.grad["a"], 5)
        ('y2', ['a', 'b', 'y2'], -0.41615)
        """
        position = self.output_position(output)
        if not self.vector:
            return self
        k = self.program.output_positions.index(position)
        f = self.function
        assert callable(f)

        @functools.wraps(f)
        def one(*args: Any, **kwargs: Any) -> Any:
            return f(*args, **kwargs)[k]

        return trace(one, dict(self.inputs), order=self.order, granularity=self.granularity,
                     output=self.outputs[k], prefix=self.prefix,
                     show_constants=self.show_constants)

    @cached_property
    def jacobian(self) -> dict[str, dict[str, float]]:
        """Every derivative: output id -> input name -> d(output)/d(input).

        By reverse mode, one sweep per output (`adviz.jacobian` also computes
        it by forward mode, one sweep per input). Outputs in the order
        returned, inputs in argument order; an input an output does not
        depend on gets 0. A scalar trace has one row: ``{trace.output:
        trace.grad}``.

        Examples
        --------
        >>> import adviz
        >>> t = adviz.trace(lambda x1, x2: (x1 * x2, x1 + 3 * x2), x1=2.0, x2=5.0)
        >>> t.jacobian
        {'y1': {'x1': 5.0, 'x2': 2.0}, 'y2': {'x1': 1.0, 'x2': 3.0}}
        """
        from adviz.core.jacobian import jacobian

        return jacobian(self, "reverse")

    def reverse_stages_for(self, output: str | int) -> tuple[Stage, ...]:
        """The reverse stages of one output (by id, or by number: 1 for ``y1``).

        Stage 0 sets ``g_output = 1``; the pass visits only the nodes that
        output depends on. For the first output (and for a scalar trace)
        these are `reverse_stages`.

        Examples
        --------
        >>> import adviz
        >>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
        >>> [s.caption for s in t.reverse_stages_for("y2")]
        ['g_y2 = 1', 'g_a += g_y2 * dy2/da = 1 * cos(a) = -0.41615']
        """
        position = self.output_position(output)
        if position == self.program.output:
            return self.reverse_stages
        return reverse_stages(self.program.for_output(position), self.order, self.granularity)

    @cached_property
    def forward_stages(self) -> tuple[Stage, ...]:
        """Forward stages: stage 0 sets the inputs, then one per op."""
        return forward_stages(self.program)

    @cached_property
    def reverse_stages(self) -> tuple[Stage, ...]:
        """Reverse stages: stage 0 sets g_y = 1, then one per processed node (or edge)."""
        return reverse_stages(self.program, self.order, self.granularity)

    def stages(self, phase: str) -> tuple[Stage, ...]:
        """The stages of ``"forward"`` or ``"reverse"``."""
        if phase == "forward":
            return self.forward_stages
        if phase == "reverse":
            return self.reverse_stages
        raise InputError(f"unknown phase {phase!r}; use 'forward' or 'reverse'")

    @property
    def network(self) -> Network:
        """The layers, neurons and loss of a scoped network (`adviz.core.network.network`).

        Raises
        ------
        InputError
            The trace is not a network (no neuron scopes nested in layer scopes).
        """
        from adviz.core.network import network

        return network(self)

    @cached_property
    def adjoints(self) -> dict[str, float]:
        """Final adjoint of every node, by id."""
        return final_adjoints(self.program, self.reverse_stages)

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The annotated NetworkX DiGraph (the graph schema: docs/conventions.rst)."""
        from adviz.core.graph import build_graph

        return build_graph(self.program, self.adjoints, self.expression)

    def state(self, phase: str, stage: int, output: str | int | None = None) -> State:
        """Values and adjoints known after a stage (what frame ``stage`` shows).

        ``output`` (a vector trace): the output whose reverse pass the reverse
        stages are, as for `reverse_stages_for` (default: the first).

        Examples
        --------
        >>> import adviz
        >>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
        >>> dict(t.state("reverse", 0, output="y2").adjoints)
        {'y2': 1.0}
        """
        if output is None or self.output_position(output) == self.program.output:
            return state_after(self.program, self.forward_stages, self.reverse_stages, phase,
                               stage)
        program = self.program.for_output(self.output_position(output))
        return state_after(program, self.forward_stages, self.reverse_stages_for(output), phase,
                           stage)

    def retrace(self, inputs: Mapping[str, float]) -> Trace:
        """Trace the same function with the same options at another point."""
        return trace(
            self.function,
            dict(inputs),
            order=self.order,
            granularity=self.granularity,
            output=self._output_name,
            prefix=self.prefix,
            show_constants=self.show_constants,
        )

    def evaluate(self, inputs: Mapping[str, float]) -> Any:
        """The function's value at another point, in plain floats (nothing recorded):
        a float, or for a vector trace a tuple of floats."""
        if isinstance(self.function, str):
            return float(parse(self.function).evaluate(dict(inputs)))
        names = input_names(self.function)
        keyword_only = _keyword_only(self.function)
        args = [inputs[n] for n in names if n not in keyword_only]
        kwargs = {n: inputs[n] for n in names if n in keyword_only}
        result = self.function(*args, **kwargs)
        if self.vector:
            return tuple(float(value) for value in result)
        return float(result)


def one_output(trace: Trace, what: str) -> None:
    """Raise `TraceError` when ``trace`` has several outputs: ``what`` takes one.

    Examples
    --------
    >>> import adviz
    >>> try:
    ...     one_output(adviz.trace(lambda a: (a * a, a + 1.0), a=1.0), "a picture")
    ... except adviz.TraceError as err:
    ...     print(str(err)[:58])
    a picture takes one output and this trace has 2 (y1, y2):
    """
    if not getattr(trace, "vector", False):
        return
    names = trace.outputs
    listed = ", ".join(names) if len(names) <= 6 else f"{names[0]}, ..., {names[-1]}"
    raise TraceError(f"{what} takes one output and this trace has {len(names)} ({listed}): "
                     f"pick one with trace.pick({names[0]!r}) (or any of {listed})")


def _keyword_only(f: Callable[..., Any]) -> frozenset[str]:
    try:
        parameters = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


def _collect_inputs(
    names: list[str],
    values: tuple[Any, ...],
    keywords: dict[str, Any],
    defaults: Mapping[str, Any],
    what: str,
) -> dict[str, float]:
    if len(values) == 1 and isinstance(values[0], Mapping):
        keywords = {**dict(values[0]), **keywords}
        values = ()
    if len(values) > len(names):
        raise InputError(f"{what} takes {len(names)} input(s) ({', '.join(names)}), "
                         f"{len(values)} value(s) given")
    given: dict[str, Any] = dict(zip(names, values))
    known = set(names)
    for name, value in keywords.items():
        if name not in known:
            listed = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
            raise InputError(f"{what} has no input named {name!r}; its inputs are "
                             f"{listed or 'none'}")
        if name in given:
            raise InputError(f"input {name!r} is given twice")
        given[name] = value
    inputs = {}
    for name in names:
        if name in given:
            inputs[name] = check_value(name, given[name])
        elif name in defaults:
            inputs[name] = check_value(name, defaults[name])
        else:
            raise InputError(f"no value given for input {name!r} of {what}; pass {name}=...")
    return inputs


def trace(
    f: Function,
    /,
    *values: Any,
    order: str = "seed",
    granularity: str = "node",
    output: str | Sequence[str] | None = None,
    prefix: str = "t",
    show_constants: bool = False,
    **inputs: Any,
) -> Trace:
    """Trace a Python function or an expression string at a point.

    Parameters
    ----------
    f
        A callable whose parameters are the inputs, or an expression string
        such as ``"(x1 - x2)**2 + cos(x1 + x2)"`` (parsed safely, never
        evaluated with `eval`).
    *values
        Input values by position, or one dict of input values (useful when an
        input's name clashes with an option, e.g. ``{"order": 1.0}``).
    order
        Reverse order of the stages: ``"seed"`` (Kahn's algorithm, FIFO, as on
        the seed page) or ``"tape"`` (reverse evaluation order).
    granularity
        ``"node"``: one reverse stage per processed node; ``"edge"``: one per
        contribution.
    output
        Name of the output node (default ``"y"``). When ``f`` returns a tuple
        or list (several outputs): the stem of their names (default ``"y"``:
        ``y1, y2, ...``) or a sequence of names, one per output.
    prefix
        Prefix of intermediate node names (default ``"t"``: ``t1, t2, ...``).
    show_constants
        Show constants as nodes of their own instead of folding them into ops.
    **inputs
        Input values by name. Parameters with defaults may be omitted.

    Returns
    -------
    Trace

    Raises
    ------
    InputError
        A missing, unknown, non-numeric or non-finite input value.
    ExpressionError
        An expression string outside the allowed syntax.
    TraceError
        The function returned something other than one traced number or a
        tuple (list) of them, or raised.
    DomainError
        An operation outside its domain (``log(-1)``, ``1/0``, overflow).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> [s.caption for s in t.reverse_stages][:2]
    ['g_y = 1', 'g_t2 += g_y * dy/dt2 = 1 * 1 = 1; g_t4 += g_y * dy/dt4 = 1 * 1 = 1']
    >>> adviz.trace(lambda r, a: (r * adviz.cos(a), r * adviz.sin(a)), r=2.0, a=0.0).outputs
    ('y1', 'y2')
    """
    if order not in ORDERS:
        raise InputError(f"order must be one of {ORDERS}, not {order!r}")
    if granularity not in GRANULARITIES:
        raise InputError(f"granularity must be one of {GRANULARITIES}, not {granularity!r}")
    prefix = check_name(prefix, "the prefix")
    if isinstance(output, str):
        output = check_name(output, "the output name")
    elif output is not None:
        if not isinstance(output, Sequence) or not all(isinstance(o, str) for o in output):
            raise InputError(f"output must be a name or a sequence of names, not "
                             f"{type(output).__name__}")
        output = tuple(check_name(o, "the output name") for o in output)
    if len(values) == 1 and isinstance(values[0], Mapping):
        values = (_normal_keys(values[0]),)
    inputs = _normal_keys(inputs)
    keyword_only: frozenset[str] = frozenset()
    if isinstance(f, str):
        expression: Expression = parse(f)
        given = (
            list(values[0]) if len(values) == 1 and isinstance(values[0], Mapping) else []
        ) + list(inputs)
        # Inputs given by name keep the order they were given in (the argument
        # order); positional values follow the names' first appearance.
        given_names = dict.fromkeys(given)
        names = list(given_names) + [n for n in expression.names if n not in given_names]
        point = _collect_inputs(names, values, inputs, {}, f"the expression {f!r:.60}")

        def function(*args: Var) -> Any:
            return expression.evaluate(dict(zip(point, args)))

        function.__name__ = "the expression"
        target: Callable[..., Any] = function
    elif callable(f):
        from adviz.core.tracer import defaults_of

        names = input_names(f)
        keyword_only = _keyword_only(f)
        point = _collect_inputs(names, values, inputs, defaults_of(f),
                                getattr(f, "__name__", "the function"))
        target = f
    else:
        raise TraceError(f"trace() takes a function or an expression string, not "
                         f"{type(f).__name__}")
    for input_name in point:
        check_name(input_name, "the input name")
    tape, out = record_outputs(target, point, keyword_only=keyword_only, prefix=prefix)
    tape.finish()
    named = [output] if isinstance(output, str) else list(output or ())
    warn_confusable([*point, *tape.labels.values(), *named])
    _check_finite(tape)
    result = Trace(f, tape, out, point, order=order, granularity=granularity,
                   output_name=output, prefix=prefix, show_constants=show_constants)
    if isinstance(out, tuple):  # names checked now, not when the program is first built
        output_names_of(tape, out, output)
    elif isinstance(output, tuple):
        raise InputError(f"output= gives {len(output)} names, but the function returned one "
                         f"value; pass one name (output={output[0]!r})")
    elif output is not None:
        output_name_of(tape, out, output)
    return result


def _normal_keys(given: Mapping[str, Any]) -> dict[str, Any]:
    """Input values by NFKC-normalised name (as Python normalises identifiers)."""
    result: dict[str, Any] = {}
    for key, value in given.items():
        name = check_name(key, "the input name") if isinstance(key, str) else key
        if name in result:
            raise InputError(f"input {name!r} is given twice ({key!r} is the same name)")
        result[name] = value
    return result


def _check_finite(tape: Tape) -> None:
    """Raise `DomainError` naming the first node whose value overflowed."""
    if math.isfinite(sum(map(_VALUE, tape))):
        return
    for node in tape:
        if not math.isfinite(node.value):
            op = node.op
            assert op is not None  # inputs are checked finite
            args = node.a if node.b is NARY else (node.a,) if node.b is UNARY else (node.a, node.b)
            texts = [tape.provisional_name(s) if isinstance(s, Var) else repr(s) for s in args]
            at = ", ".join(f"{tape.provisional_name(s)} = {s.value!r}"
                           for s in args if isinstance(s, Var))
            raise DomainError(
                f"{tape.provisional_name(node)} = {op.render(texts)}: {op.name} overflows to "
                f"{node.value!r} at {at}"
            )


def name(value: Any, label: str) -> Any:
    """Give a traced intermediate value a display name of its own.

    Parameters
    ----------
    value
        A traced value (returned unchanged, so ``h = adviz.name(x * w, "h")``).
    label
        Its node id in the graph, instead of ``t1, t2, ...``.

    Examples
    --------
    >>> import adviz
    >>> def f(x, w):
    ...     h = adviz.name(x * w, "h")
    ...     return adviz.tanh(h)
    >>> list(adviz.trace(f, x=1.0, w=0.5).graph)
    ['x', 'w', 'h', 'y']
    """
    from adviz.core.names import check_name

    label = check_name(label, "the node name", TraceError)
    if not isinstance(value, Var):
        if as_constant(value) is not None:
            return value  # plain numbers (e.g. finite differences): nothing to name
        raise TraceError(f"adviz.name() names traced values, not {type(value).__name__}")
    tape = value.tape
    if not isinstance(tape, Tape):
        raise TraceError("adviz.name() must be called while the function is being traced")
    if value.op is None:
        raise TraceError(f"{value.a!r} is an input; inputs keep their names")
    taken = {node.a for node in tape if node.op is None}
    taken |= {v for k, v in tape.labels.items() if k != id(value)}
    if label in taken:
        raise TraceError(f"the name {label!r} is already used by another node")
    tape.labels[id(value)] = label
    return value
