"""The public graph schema (docs/conventions.rst)."""

from __future__ import annotations

import pytest

import adviz


def test_graph_schema(seed_trace: adviz.Trace) -> None:
    g = seed_trace.graph
    assert g.graph["inputs"] == ("x1", "x2") and g.graph["output"] == "y"
    for name, data in g.nodes(data=True):
        assert set(data) >= {"kind", "op", "args", "order", "expr", "value", "adjoint"}
        assert isinstance(data["args"], tuple)
        assert list(g.predecessors(name)) == list(dict.fromkeys(data["args"]))
    assert g.nodes["x1"]["kind"] == "input" and g.nodes["x1"]["op"] is None
    assert [g.nodes[n]["order"] for n in g] == list(range(7))
    assert g.nodes["t4"]["op"] == "cos"
    for _, _, data in g.edges(data=True):
        assert set(data) >= {"partial", "partial_expr", "contribution"}
    edge = g.edges["t3", "t4"]
    assert edge["partial_expr"] == "-sin(t3)"
    assert edge["contribution"] == pytest.approx(edge["partial"] * g.nodes["t4"]["adjoint"])


def test_edges_point_parent_to_child(seed_trace: adviz.Trace) -> None:
    g = seed_trace.graph
    assert ("x1", "t1") in g.edges and ("t1", "x1") not in g.edges
    assert sorted(g.successors("x1")) == ["t1", "t3"]
