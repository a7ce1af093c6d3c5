"""Forward and reverse stage schedules: one frozen record per row of the seed's table.

Forward stage 0 sets the inputs, then one stage per op in evaluation order.
Reverse stage 0 sets ``g_y = 1``, then one stage per processed node (or per
edge, with ``granularity="edge"``). The reverse order is ``"seed"`` (Kahn's
algorithm on the reversed graph with a FIFO queue: a node is processed once
all its children have been, nodes ready in the same stage queue in argument
order) or ``"tape"`` (reverse evaluation order). Frame ``k`` shows the state
after stage ``k``; `state_after` computes it. Nothing here depends on a
renderer.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> [s.node for s in t.reverse_stages]
['y', 'y', 't2', 't4', 't1', 't3']
>>> t.reverse_stages[2].caption
'g_t1 += g_t2 * dt2/dt1 = 1 * (2*t1) = -2'
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from adviz.core.phases import PASSES
from adviz.core.program import Program
from adviz.errors import AdvizError
from adviz.formatting import format_number, parenthesize

ORDERS = ("seed", "tape")
GRANULARITIES = ("node", "edge")
PHASES = PASSES


@dataclass(frozen=True)
class Contribution:
    """One ``g_parent += g_child * d child / d parent`` update.

    Attributes
    ----------
    parent, child
        Node ids.
    upstream
        ``g_child`` when the child is processed.
    partial
        The local partial d child / d parent (summed over repeated arguments).
    delta
        ``upstream * partial``.
    before, after
        The parent's running sum around this contribution.
    partial_expr
        The partial as a formula, e.g. ``"2*t1"``.
    caption
        ``"g_t1 += g_t2 * dt2/dt1 = 1 * (2*t1) = -2"``.
    accumulates
        Whether the parent had received a contribution before this one (its
        adjoint is then a running sum: ``before + delta``), whatever the numbers.
    """

    parent: str
    child: str
    upstream: float
    partial: float
    delta: float
    before: float
    after: float
    partial_expr: str
    caption: str
    accumulates: bool = False


@dataclass(frozen=True)
class Stage:
    """One stage of the forward or the reverse pass.

    Attributes
    ----------
    phase
        ``"forward"`` or ``"reverse"``.
    index
        Stage number, from 0.
    node
        Forward: the node evaluated (``None`` at stage 0, which sets the
        inputs). Reverse: the node whose parents receive gradient (the
        output at stage 0, which sets its adjoint to 1).
    contributions
        Reverse only: the updates made in this stage, in argument order.
    caption
        One line stating the stage.
    nodes
        The nodes whose value (forward) or adjoint (reverse) this stage sets
        or changes.
    """

    phase: str
    index: int
    node: str | None
    contributions: tuple[Contribution, ...]
    caption: str
    nodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class State:
    """What a frame shows: the state after one stage.

    Attributes
    ----------
    values
        Forward values known so far, by node id.
    adjoints
        Adjoints known so far (running sums), by node id.
    stage
        The stage just completed.
    """

    values: Mapping[str, float]
    adjoints: Mapping[str, float]
    stage: Stage


def reverse_order(program: Program, order: str = "seed") -> list[int]:
    """Positions of the op nodes in the order the reverse pass processes them.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> [t.program.nodes[i].id for i in reverse_order(t.program, "tape")]
    ['y', 't4', 't3', 't2', 't1']
    """
    nodes = program.nodes
    if order == "recorded":
        if program.recorded is None:
            raise AdvizError("order 'recorded' needs a graph imported from a framework whose "
                             "backward pass was recorded; use 'seed' or 'tape'")
        return list(program.recorded)
    live = program.live  # None unless the program has several outputs
    if order == "tape":
        return [i for i in range(program.output, -1, -1)
                if nodes[i].kind == "op" and (live is None or live[i])]
    if order != "seed":
        raise AdvizError(f"unknown reverse order {order!r}; use one of {ORDERS}")
    out = program.output
    if nodes[out].kind != "op":
        return []
    if live is None:
        pending = [len(c) for c in program.children]
    else:  # count only the children on a path to the output this pass starts from
        pending = [sum(live[c] for c in children) for children in program.children]
    queue = deque([out])
    result = []
    while queue:
        child = queue.popleft()
        result.append(child)
        for parent in program.parents(child):
            pending[parent] -= 1
            if pending[parent] == 0 and nodes[parent].kind == "op":
                queue.append(parent)
    return result


def forward_stages(program: Program) -> tuple[Stage, ...]:
    """One stage setting the inputs (and constants), then one per op."""
    nodes = program.nodes
    leaves = [node for node in nodes if node.kind != "op"]
    stages = [
        Stage(
            "forward", 0, None, (),
            ", ".join(f"{n.id} = {format_number(n.value)}" for n in leaves),
            tuple(n.id for n in leaves),
        )
    ]
    for i, node in enumerate(nodes):
        if node.kind != "op":
            continue
        caption = f"{node.id} = {program.expr(i)} = {format_number(node.value)}"
        stages.append(Stage("forward", len(stages), node.id, (), caption, (node.id,)))
    return tuple(stages)


def reverse_stages(
    program: Program, order: str = "seed", granularity: str = "node"
) -> tuple[Stage, ...]:
    """Reverse accumulation as stages: stage 0 sets ``g_y = 1``, then one per row.

    Parameters
    ----------
    program
        The finished computation.
    order
        ``"seed"`` (Kahn's algorithm, FIFO; the seed page's rows), ``"tape"``, or
        ``"recorded"`` (the order a framework's backward pass ran, for imported graphs).
    granularity
        ``"node"`` (one stage per processed node) or ``"edge"`` (one per contribution).
    """
    if granularity not in GRANULARITIES:
        raise AdvizError(f"unknown granularity {granularity!r}; use one of {GRANULARITIES}")
    nodes = program.nodes
    out = nodes[program.output].id
    stages = [Stage("reverse", 0, out, (), f"g_{out} = 1", (out,))]
    adjoints: dict[int, float] = {program.output: 1.0}
    for child in reverse_order(program, order):
        c = nodes[child].id
        row = []
        for edge in program.edges_into(child):
            upstream = adjoints[child]
            delta = upstream * edge.partial
            accumulates = edge.parent in adjoints
            before = adjoints.get(edge.parent, 0.0)
            after = before + delta
            adjoints[edge.parent] = after
            p = nodes[edge.parent].id
            if isinstance(edge.partial, (int, float)):
                caption = (
                    f"g_{p} += g_{c} * d{c}/d{p} = {format_number(upstream)} * "
                    f"{parenthesize(edge.partial_expr)} = {format_number(delta)}"
                )
            else:  # a tensor edge: the partial is the vector-Jacobian product it applies
                caption = f"g_{p} += {edge.partial_expr} = {format_number(delta)}"
            row.append(Contribution(p, c, upstream, edge.partial, delta, before, after,
                                    edge.partial_expr, caption, accumulates))
        if granularity == "node":
            stages.append(Stage("reverse", len(stages), c, tuple(row),
                                "; ".join(r.caption for r in row),
                                tuple(r.parent for r in row)))
        else:
            for r in row:
                stages.append(Stage("reverse", len(stages), c, (r,), r.caption, (r.parent,)))
    return tuple(stages)


def final_adjoints(program: Program, stages: tuple[Stage, ...]) -> dict[str, float]:
    """Adjoints after the last reverse stage; inputs never reached get 0."""
    adjoints = {program.nodes[program.output].id: 1.0}
    for stage in stages:
        for c in stage.contributions:
            adjoints[c.parent] = c.after
    for i in program.inputs:
        adjoints.setdefault(program.nodes[i].id, 0.0)
    return adjoints


def state_after(
    program: Program,
    forward: tuple[Stage, ...],
    reverse: tuple[Stage, ...],
    phase: str,
    index: int,
) -> State:
    """The state a frame shows after stage ``index`` of ``phase``.

    Negative indices count from the end, as for lists. During the reverse
    phase all forward values are known.
    """
    if phase not in PHASES:
        raise AdvizError(f"unknown phase {phase!r}; use 'forward' or 'reverse'")
    stages = forward if phase == "forward" else reverse
    if not -len(stages) <= index < len(stages):
        raise AdvizError(
            f"{phase} stage {index} does not exist: there are {len(stages)} stages (0 to "
            f"{len(stages) - 1})"
        )
    index %= len(stages)
    values: dict[str, float] = {}
    adjoints: dict[str, float] = {}
    if phase == "forward":
        for stage in forward[: index + 1]:
            for name in stage.nodes:
                values[name] = program.nodes[program.index[name]].value
    else:
        values = {node.id: node.value for node in program.nodes}
        adjoints[program.nodes[program.output].id] = 1.0
        for stage in reverse[1 : index + 1]:
            for c in stage.contributions:
                adjoints[c.parent] = c.after
    return State(MappingProxyType(values), MappingProxyType(adjoints), stages[index])
