"""Chain-rule paths: every path from an input to the output, with its product of partials.

The seed page derives the gradient by hand as a sum over paths: "x1
influences y through two distinct paths", and dy/dx1 is the sum of the
products of the local partials along each. `paths` lists those paths;
`count_paths` counts them without listing (the number can grow exponentially
with depth, so listing stops at a limit).

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> [(p.nodes, round(p.product, 5)) for p in adviz.paths(t, "x1")]
[(('x1', 't1', 't2', 'y'), -2.0), (('x1', 't3', 't4', 'y'), -0.14112)]
>>> round(sum(p.product for p in adviz.paths(t, "x1")), 5), round(t.grad["x1"], 5)
(-2.14112, -2.14112)
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from adviz.errors import AdvizError, InputError
from adviz.formatting import format_number

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

DEFAULT_LIMIT = 1000
"""Most paths `paths` lists before it refuses (see `count_paths`)."""


@dataclass(frozen=True)
class Path:
    """One path from an input to the output.

    Attributes
    ----------
    nodes
        Node ids from the input to the output.
    partials
        The local partial of each edge along the path.
    product
        The product of ``partials``: this path's share of the gradient.
    """

    nodes: tuple[str, ...]
    partials: tuple[float, ...]
    product: float

    def __str__(self) -> str:
        chain = " -> ".join(self.nodes)
        factors = " * ".join(format_number(p) for p in self.partials)
        return f"{chain}: {factors} = {format_number(self.product)}"


def _check_input(trace: Trace, input: str) -> None:
    from adviz.core.tracing import one_output

    one_output(trace, "a sum over paths")
    if input not in trace.grad:
        raise InputError(f"{input!r} is not an input; the inputs are {', '.join(trace.grad)}")


def count_paths(trace: Trace, input: str) -> int:
    """Number of paths from ``input`` to the output (dynamic programming, linear time).

    Examples
    --------
    >>> import adviz
    >>> def f(x):
    ...     for _ in range(40):
    ...         x = x + adviz.sin(x)   # each step doubles the number of paths
    ...     return x
    >>> count_paths(adviz.trace(f, x=1.0), "x")
    1099511627776
    """
    _check_input(trace, input)
    return _counts(trace, input)[trace.program.output]


_PARENTS: weakref.WeakKeyDictionary[Trace, list[list[int]]] = weakref.WeakKeyDictionary()


def parent_lists(trace: Trace) -> list[list[int]]:
    """Every node's distinct parent positions (`Program.parents`), computed once per trace.

    Examples
    --------
    >>> import adviz
    >>> parent_lists(adviz.trace("x * x + x", x=1.0))
    [[], [0], [1, 0]]
    """
    found = _PARENTS.get(trace)
    if found is None:
        program = trace.program
        found = _PARENTS[trace] = [program.parents(i) for i in range(len(program.nodes))]
    return found


def _counts(trace: Trace, input: str) -> list[int]:
    """Paths from ``input`` to every node, over distinct edges (a repeated argument is one)."""
    program = trace.program
    counts = [0] * len(program.nodes)
    counts[program.index[input]] = 1
    parents = parent_lists(trace)
    for i in range(len(program.nodes)):
        for p in parents[i]:
            counts[i] += counts[p]
    return counts


def paths(trace: Trace, input: str, *, limit: int = DEFAULT_LIMIT) -> list[Path]:
    """Every path from ``input`` to the output, with the product of partials along it.

    A repeated argument (``x * x``) is one edge whose partial already sums both
    uses, so each path follows distinct edges. The products sum to the
    input's adjoint.

    Parameters
    ----------
    trace
        A `Trace`.
    input
        The input's name.
    limit
        Most paths to list; more raise `AdvizError` (count them with `count_paths`).

    Returns
    -------
    list of Path
        In depth-first order, parents in argument order.
    """
    _check_input(trace, input)
    return _paths(trace, trace.program.index[input], limit)


def paths_from(trace: Trace, node: str, *, limit: int = DEFAULT_LIMIT) -> list[Path]:
    """Every path from any node (an input or an intermediate) to the output.

    `paths` for an input; for any other node the products sum to its adjoint
    g_node = dy/dnode, the output's sensitivity to it.

    Parameters
    ----------
    trace
        A `Trace` with one output.
    node
        A node id.
    limit
        Most paths to list; more raise `AdvizError`.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> [p.nodes for p in paths_from(t, "t1")]
    [('t1', 't2', 'y')]
    >>> paths_from(t, "t9")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: 't9' is not a node of this trace
    """
    from adviz.core.tracing import one_output

    one_output(trace, "a sum over paths")
    if node not in trace.program.index:
        raise InputError(f"{node!r} is not a node of this trace")
    return _paths(trace, trace.program.index[node], limit)


def _paths(trace: Trace, start: int, limit: int) -> list[Path]:
    program = trace.program
    nodes = program.nodes
    target = program.output
    input = nodes[start].id
    reaches = _counts(trace, input)
    if reaches[target] > limit:
        raise AdvizError(
            f"{input} reaches {nodes[target].id} through {reaches[target]:,} paths, more than "
            f"the limit of {limit:,}; pass a larger limit= or count them with count_paths()"
        )
    return walk_paths(trace, start, target)


def walk_paths(trace: Trace, start: int, target: int, most: int | None = None) -> list[Path]:
    """The paths from node ``start`` to node ``target`` (program positions), depth first
    in the order of each node's children, with their partials and products; with
    ``most``, the walk stops once it has found that many.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x + x", x=2)
    >>> [p.nodes for p in walk_paths(t, 0, t.program.output)]
    [('x', 't1', 'y'), ('x', 'y')]
    """
    program = trace.program
    nodes = program.nodes
    parents = parent_lists(trace)
    leads = [False] * len(nodes)
    leads[target] = True
    for i in range(target, -1, -1):
        if leads[i]:
            for p in parents[i]:
                leads[p] = True
    edge_data = trace.graph.edges  # each edge's partial, summed over repeated arguments
    found: list[Path] = []
    stack: list[tuple[int, tuple[int, ...]]] = [(start, (start,))]
    while stack and (most is None or len(found) < most):
        node, route = stack.pop()
        if node == target:
            factors = tuple(float(edge_data[nodes[a].id, nodes[b].id]["partial"])
                            for a, b in pairwise(route))
            product = 1.0
            for factor in factors:
                product *= factor
            found.append(Path(tuple(nodes[i].id for i in route), factors, product))
            continue
        children = [c for c in program.children[node] if leads[c]]
        for child in reversed(children):
            stack.append((child, (*route, child)))
    return found
