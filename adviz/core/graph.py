"""The public NetworkX graph of a trace (the graph schema of docs/conventions.rst).

Edges point parent -> child. Node ids are display names. Nodes carry
``kind, op, args, order, expr, value, adjoint`` (plus ``expr_latex`` and
``scope``); edges carry ``partial, partial_expr, contribution`` (plus
``partial_latex``); the graph carries ``inputs, output, expression`` and, when the
function returned several values, ``outputs`` (their ids in the order returned;
``output`` is the first, whose adjoints the nodes carry).

Examples
--------
>>> import adviz
>>> g = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2).graph
>>> g.nodes["t1"]["expr"], g.nodes["t1"]["args"], g.edges["t1", "t2"]["partial"]
('x1 - x2', ('x1', 'x2'), -2.0)
>>> round(g.nodes["x1"]["adjoint"], 5), g.graph["inputs"]
(-2.14112, ('x1', 'x2'))
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from adviz.core.program import Program


def build_graph(
    program: Program, adjoints: Mapping[str, float], expression: str | None = None
) -> nx.DiGraph:
    """Build the annotated DiGraph from a program and its final adjoints.

    Parameters
    ----------
    program
        The finished computation.
    adjoints
        Final adjoint of every node the reverse pass reached (by id).
    expression
        Source text, when the trace came from an expression string.
    """
    graph = nx.DiGraph()
    nodes = program.nodes
    graph.graph["inputs"] = tuple(nodes[i].id for i in program.inputs)
    graph.graph["output"] = nodes[program.output].id
    if program.outputs:  # a function that returned several values
        graph.graph["outputs"] = tuple(nodes[i].id for i in program.outputs)
    graph.graph["expression"] = expression
    for i, node in enumerate(nodes):
        graph.add_node(
            node.id,
            kind=node.kind,
            op=node.op.name if node.op is not None else None,
            args=tuple(nodes[s].id for s in node.slots if type(s) is int),
            order=node.order,
            expr=program.expr(i),
            expr_latex=program.expr(i, latex=True),
            value=node.value,
            adjoint=adjoints.get(node.id),
            scope=node.scope,
        )
        shape = getattr(node.value, "shape", None)
        if shape is not None:  # a tensor node: value and adjoint are arrays
            graph.nodes[node.id]["shape"] = tuple(shape)
    for i, node in enumerate(nodes):
        child_adjoint = adjoints.get(node.id)
        for edge in program.edges_into(i):
            graph.add_edge(
                nodes[edge.parent].id,
                node.id,
                partial=edge.partial,
                partial_expr=edge.partial_expr,
                partial_latex=edge.partial_latex,
                contribution=None if child_adjoint is None else child_adjoint * edge.partial,
            )
    return graph
