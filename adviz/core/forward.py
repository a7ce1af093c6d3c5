"""Forward mode: tangents pushed from a seeded input to the output, node by node.

A forward sweep starts from a seed, one tangent per input (``x1_dot = 1,
x2_dot = 0`` asks for d/dx1), and gives every node ``c`` its tangent, in
evaluation order::

    c_dot = sum over the parents p of c of  dc/dp * p_dot

so the output's tangent is the directional derivative of the function along
the seed. The local partials ``dc/dp`` are the ones the trace already holds
(the ``partial`` of each edge of ``trace.graph``); nothing is differentiated
again. One sweep per input, each seeded with that input alone, gives the
whole gradient (`forward_gradient`): reverse mode gets it in one sweep.

Stages mirror the forward stages of `adviz.core.stages`: stage 0 sets the
seed, then one stage per op in evaluation order (stage ``k`` of both
concerns the same node); each stage lists its terms ``dc/dp * p_dot``, each
a `TangentTerm` with the running sum of ``c_dot`` around it.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> sweep = adviz.forward_mode(t, seed={"x1": 1, "x2": 0})
>>> {n: round(v, 5) for n, v in sweep.tangents.items()}
{'x1': 1.0, 'x2': 0.0, 't1': 1.0, 't2': -2.0, 't3': 1.0, 't4': -0.14112, 'y': -2.14112}
>>> sweep.stages[1].caption
't1_dot = x1_dot * dt1/dx1 + x2_dot * dt1/dx2 = 1 * 1 + 0 * (-1) = 1'
>>> {n: round(g, 5) for n, g in adviz.forward_gradient(t).items()}
{'x1': -2.14112, 'x2': 1.85888}
"""

from __future__ import annotations

import math
import numbers
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from adviz.errors import InputError, TraceError
from adviz.formatting import format_number, parenthesize

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

Seed = Mapping[str, float] | str | None
"""A seed: input name to tangent (missing inputs get 0), one input's name (its unit
vector), or ``None`` (the unit vector of the first input)."""


def tangent_name(node: str) -> str:
    """How plain text writes a node's tangent: ``x1_dot`` (``ẋ₁``).

    Examples
    --------
    >>> tangent_name("t1")
    't1_dot'
    """
    return f"{node}_dot"


@dataclass(frozen=True)
class TangentTerm:
    """One term ``dc/dp * p_dot`` of a node's tangent.

    Attributes
    ----------
    parent, child
        Node ids (the edge ``parent -> child``).
    tangent
        ``p_dot``, the parent's tangent.
    partial
        The local partial dc/dp (the edge's ``partial``).
    product
        ``partial * tangent``.
    before, after
        The child's running tangent sum around this term (the sum starts at 0).
    partial_expr
        The partial as a formula, e.g. ``"2*t1"``.
    caption
        ``"t1_dot * dt2/dt1 = 1 * (2*t1) = -2"``.
    """

    parent: str
    child: str
    tangent: float
    partial: float
    product: float
    before: float
    after: float
    partial_expr: str
    caption: str


@dataclass(frozen=True)
class TangentStage:
    """One stage of a forward-mode sweep (the fields of `adviz.Stage`).

    Attributes
    ----------
    phase
        ``"tangent"``.
    index
        Stage number, from 0; stage ``k`` concerns the node of forward stage ``k``.
    node
        The node whose tangent this stage computes (``None`` at stage 0, which
        sets the seed).
    contributions
        The terms ``dc/dp * p_dot`` of the node's tangent, in argument order.
    caption
        One line stating the stage.
    nodes
        The nodes whose tangent this stage sets.
    """

    phase: str
    index: int
    node: str | None
    contributions: tuple[TangentTerm, ...]
    caption: str
    nodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ForwardSweep:
    """One forward-mode sweep of a trace (see `forward_mode`).

    Attributes
    ----------
    seed
        Every input's seed tangent, in argument order (0 for inputs not seeded).
    tangents
        Every node's tangent, in evaluation order.
    terms
        Every edge's term ``dc/dp * p_dot``, by child in evaluation order, then
        in argument order (edges from constants have none).
    stages
        Stage 0 sets the seed, then one stage per op in evaluation order.
    output
        The output node's id (with several outputs: the first one's).
    derivative
        The output's tangent: the directional derivative along the seed
        (``sum(seed[x] * dy/dx)``).
    derivatives
        Every output's tangent, by output id in the order returned: one
        sweep gives the directional derivative of all the outputs at once
        (for a unit seed, one column of the Jacobian).
    """

    seed: Mapping[str, float]
    tangents: Mapping[str, float]
    terms: tuple[TangentTerm, ...]
    stages: tuple[TangentStage, ...]
    output: str
    derivative: float
    derivatives: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def partials(self) -> dict[tuple[str, str], float]:
        """Each edge's local partial dc/dp, by ``(parent, child)``."""
        return {(t.parent, t.child): t.partial for t in self.terms}

    @property
    def products(self) -> dict[tuple[str, str], float]:
        """Each edge's product ``dc/dp * p_dot``, by ``(parent, child)``."""
        return {(t.parent, t.child): t.product for t in self.terms}

    @property
    def seeded(self) -> tuple[str, ...]:
        """The inputs with a seed other than 0, in argument order."""
        return tuple(name for name, value in self.seed.items() if value != 0.0)


@dataclass(frozen=True)
class _Plan:
    """The trace's nodes and edges, read once from its graph."""

    ids: tuple[str, ...]
    inputs: tuple[int, ...]
    leaves: tuple[int, ...]
    ops: tuple[tuple[int, tuple[tuple[int, float, str], ...]], ...]
    output: int
    outputs: tuple[int, ...]


def _plan(trace: Trace) -> _Plan:
    graph = trace.graph
    ids = tuple(graph)
    position = {node: i for i, node in enumerate(ids)}
    ops = []
    leaves = []
    for i, node in enumerate(ids):
        data = graph.nodes[node]
        if data["kind"] != "op":
            leaves.append(i)
            continue
        edges = []
        for parent in dict.fromkeys(data["args"]):
            if graph.nodes[parent]["kind"] == "const":
                continue  # a constant has no tangent: its edge adds no term
            edge = graph.edges[parent, node]
            partial = edge["partial"]
            if isinstance(partial, bool) or not isinstance(partial, numbers.Real):
                raise InputError(f"forward mode needs scalar nodes; the edge {parent} -> {node} "
                                 f"of this trace carries a tensor: trace the scalar function "
                                 f"with adviz.trace")
            edges.append((position[parent], float(partial), str(edge["partial_expr"])))
        ops.append((i, tuple(edges)))
    outputs = graph.graph.get("outputs", (graph.graph["output"],))
    return _Plan(ids, tuple(position[n] for n in graph.graph["inputs"]), tuple(leaves),
                 tuple(ops), position[graph.graph["output"]],
                 tuple(position[n] for n in outputs))


def seed_values(trace: Trace, seed: Seed = None) -> dict[str, float]:
    """Every input's seed tangent, in argument order, from the forms `forward_mode` accepts.

    Raises
    ------
    InputError
        An input name the trace does not have, or a value that is not a
        finite real number.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x1 * x2", x1=1, x2=2)
    >>> seed_values(t), seed_values(t, "x2"), seed_values(t, {"x2": 0.5})
    ({'x1': 1.0, 'x2': 0.0}, {'x1': 0.0, 'x2': 1.0}, {'x1': 0.0, 'x2': 0.5})
    """
    names = list(trace.graph.graph["inputs"])
    if seed is None:
        if not names:
            raise InputError("this trace has no inputs to seed")
        seed = {names[0]: 1.0}
    elif isinstance(seed, str):
        seed = {seed: 1.0}
    elif not isinstance(seed, Mapping):
        raise InputError(f"the seed must be a dict of input name to number or an input's name, "
                         f"not {type(seed).__name__}")
    unknown = [name for name in seed if name not in names]
    if unknown:
        listed = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
        raise InputError(f"the seed names {', '.join(map(repr, unknown))}, which this trace has "
                         f"no input of; its inputs are {listed or 'none'}")
    result = dict.fromkeys(names, 0.0)
    for name, value in seed.items():
        number = _finite(value)
        if number is None:
            raise InputError(f"the seed of {name!r} must be a finite number, not {value!r:.40}")
        result[name] = number
    return result


def _finite(value: object) -> float | None:
    """The value as a float when it is a finite real number (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _sweep(plan: _Plan, seed: list[float]) -> list[float]:
    """Every node's tangent: ``c_dot = 0 + dc/dp1 * p1_dot + dc/dp2 * p2_dot + ...``.

    Each term is one multiplication and one addition (the sum starts at 0), as
    `adviz.cost` counts them.
    """
    tangents: list[float] = [0.0] * len(plan.ids)
    for i, value in zip(plan.inputs, seed):
        tangents[i] = value
    for i, edges in plan.ops:
        total = 0.0
        for parent, partial, _ in edges:
            total = total + partial * tangents[parent]
        tangents[i] = total
    return tangents


def _term_caption(parent: str, child: str, tangent: float, partial_expr: str,
                  product: float) -> str:
    return (f"{tangent_name(parent)} * d{child}/d{parent} = {format_number(tangent)} * "
            f"{parenthesize(partial_expr)} = {format_number(product)}")


def _factor(value: float, inside: bool) -> str:
    """A number in a sum: negative ones after the first term in parentheses."""
    text = format_number(value)
    return f"({text})" if inside and text.startswith("-") else text


def _stage_caption(child: str, terms: list[TangentTerm], tangent: float) -> str:
    if not terms:
        return f"{tangent_name(child)} = 0"
    symbols = " + ".join(f"{tangent_name(t.parent)} * d{child}/d{t.parent}" for t in terms)
    numbers_ = " + ".join(f"{_factor(t.tangent, k > 0)} * {parenthesize(t.partial_expr)}"
                          for k, t in enumerate(terms))
    return f"{tangent_name(child)} = {symbols} = {numbers_} = {format_number(tangent)}"


def forward_mode(trace: Trace, seed: Seed = None) -> ForwardSweep:
    """One forward-mode sweep: every node's tangent along a seed direction.

    Parameters
    ----------
    trace
        A `Trace` (of scalar nodes).
    seed
        The inputs' tangents: a dict of input name to number (inputs not
        named get 0), one input's name (``"x1"`` means ``{"x1": 1}``), or
        ``None``: the first input's unit vector.

    Returns
    -------
    ForwardSweep
        Tangents, terms, stages and the output's directional derivative
        (``derivatives``: every output's, for a function that returned several
        values).

    Raises
    ------
    InputError
        An unknown input name or a non-finite seed value (the message names
        it), or a trace whose nodes are tensors.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * y", x=3.0, y=4.0, output="f")
    >>> sweep = forward_mode(t, {"x": 1.0, "y": 1.0})
    >>> sweep.derivative, sweep.stages[0].caption
    (7.0, 'x_dot = 1, y_dot = 1 (seed)')
    >>> [t.caption for t in sweep.stages[1].contributions]
    ['x_dot * df/dx = 1 * y = 4', 'y_dot * df/dy = 1 * x = 3']
    >>> v = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=0.0, b=3.0)
    >>> dict(forward_mode(v, "a").derivatives)
    {'y1': 3.0, 'y2': 1.0}
    """
    per_trace = _SWEEPS.get(trace)
    # the first sweep plans the trace (refusing a trace of tensors) before reading the seed
    plan = _plan(trace) if per_trace is None else None
    seeds = seed_values(trace, seed)
    per_trace = _SWEEPS.setdefault(trace, {})
    key = seed_key(seeds)
    if key not in per_trace:
        per_trace[key] = _forward_mode(plan or _plan(trace), seeds)
    return per_trace[key]


SeedKey = tuple[tuple[float, float], ...]


def seed_key(seeds: Mapping[str, float]) -> SeedKey:
    """Every input's seed tangent and its sign (−0 apart from 0): a sweep's identity on
    its trace.

    Examples
    --------
    >>> seed_key({"x1": 1.0, "x2": -0.0})
    ((1.0, 1.0), (-0.0, -1.0))
    """
    return tuple((value, math.copysign(1.0, value)) for value in seeds.values())


_SWEEPS: weakref.WeakKeyDictionary[Trace, dict[SeedKey, ForwardSweep]] = \
    weakref.WeakKeyDictionary()
"""Per trace, its sweeps by seed (a sweep is immutable: computed once per seed)."""


def _forward_mode(plan: _Plan, seeds: dict[str, float]) -> ForwardSweep:
    tangents = _sweep(plan, list(seeds.values()))
    ids = plan.ids
    leaves = [ids[i] for i in plan.leaves]
    stage0 = ", ".join(f"{tangent_name(n)} = {format_number(tangents[i])}"
                       for n, i in zip(leaves, plan.leaves))
    stages = [TangentStage("tangent", 0, None, (), f"{stage0} (seed)", tuple(leaves))]
    all_terms: list[TangentTerm] = []
    for i, edges in plan.ops:
        child = ids[i]
        terms: list[TangentTerm] = []
        total = 0.0
        for parent, partial, partial_expr in edges:
            p = ids[parent]
            product = partial * tangents[parent]
            before, total = total, total + product
            terms.append(TangentTerm(
                p, child, tangents[parent], partial, product, before, total, partial_expr,
                _term_caption(p, child, tangents[parent], partial_expr, product)))
        all_terms += terms
        stages.append(TangentStage("tangent", len(stages), child, tuple(terms),
                                   _stage_caption(child, terms, tangents[i]), (child,)))
    output = ids[plan.output]
    return ForwardSweep(
        seed=MappingProxyType(seeds),
        tangents=MappingProxyType({n: tangents[i] for i, n in enumerate(ids)}),
        terms=tuple(all_terms),
        stages=tuple(stages),
        output=output,
        derivative=tangents[plan.output],
        derivatives=MappingProxyType({ids[i]: tangents[i] for i in plan.outputs}),
    )


def forward_gradient(trace: Trace) -> dict[str, float]:
    """The gradient by forward mode: one sweep per input, each seeded with that input alone.

    Sweep ``k`` gives ``dy/dx_k``; the result has the keys of ``trace.grad``
    in the same order (the values agree with reverse mode up to rounding: the
    sums are taken in another order).

    Parameters
    ----------
    trace
        A `Trace` (of scalar nodes).

    Returns
    -------
    dict
        Input name to dy/d(input), in argument order.

    Raises
    ------
    TraceError
        A trace with several outputs: use ``adviz.jacobian(trace, "forward")``.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> {n: round(g, 5) for n, g in forward_gradient(t).items()}
    {'x1': -2.14112, 'x2': 1.85888}
    """
    if trace.vector:
        raise TraceError(f"forward_gradient is the gradient of one output and this trace has "
                         f"{len(trace.outputs)} ({', '.join(trace.outputs)}): use "
                         f"adviz.jacobian(trace, mode='forward')")
    plan = _plan(trace)
    names = trace.graph.graph["inputs"]
    result = {}
    for k, name in enumerate(names):
        unit = [1.0 if j == k else 0.0 for j in range(len(names))]
        result[name] = _sweep(plan, unit)[plan.output]
    return result


def forward_jacobian(trace: Trace) -> dict[str, dict[str, float]]:
    """The Jacobian by forward mode: one sweep per input, every output's tangent read off each.

    Sweep ``k``, seeded with input ``k`` alone, gives column ``k``: d(output)/d(input k)
    for every output at once.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace(lambda x1, x2: (x1 * x2, x1 + 3 * x2), x1=2.0, x2=5.0)
    >>> forward_jacobian(t)
    {'y1': {'x1': 5.0, 'x2': 2.0}, 'y2': {'x1': 1.0, 'x2': 3.0}}
    """
    plan = _plan(trace)
    names = trace.graph.graph["inputs"]
    ids = plan.ids
    result: dict[str, dict[str, float]] = {ids[i]: {} for i in plan.outputs}
    for k, name in enumerate(names):
        unit = [1.0 if j == k else 0.0 for j in range(len(names))]
        tangents = _sweep(plan, unit)
        for i in plan.outputs:
            result[ids[i]][name] = tangents[i]
    return result
