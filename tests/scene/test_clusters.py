"""Scopes as labelled clusters: in the DOT source, in the layout and in the SVG frames."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import adviz
from adviz.scene.layout import ClusterBox, Layout, compute_layout, dot_source, layout_source

SVG = "{http://www.w3.org/2000/svg}"


def scoped(x1, x2):
    with adviz.scope("difference squared"):
        a = (x1 - x2) ** 2
    with adviz.scope("cosine"):
        b = adviz.cos(x1 + x2)
    return a + b


def nested(x):
    with adviz.scope("layer"):
        with adviz.scope("neuron 1"):
            u = adviz.tanh(2 * x)
        with adviz.scope("neuron 2"):
            v = adviz.tanh(3 * x)
        w = u + v
    return w * w


def clusters_in(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.find(f"{SVG}title").text: g for g in root.iter(f"{SVG}g")
            if g.get("class") == "cluster"}


def inside(box: ClusterBox, layout: Layout, node: str) -> bool:
    n = layout.nodes[node]
    return (box.x - box.width / 2 <= n.x - n.width / 2
            and n.x + n.width / 2 <= box.x + box.width / 2
            and box.y - box.height / 2 <= n.y - n.height / 2
            and n.y + n.height / 2 <= box.y + box.height / 2)


def test_scope_is_a_cluster_in_the_dot_source() -> None:
    t = adviz.trace(scoped, x1=1.0, x2=2.0)
    source = dot_source(t)
    assert source.count("subgraph cluster_") == 2
    assert "tooltip=\"difference squared\"" in source and "tooltip=cosine" in source
    assert layout_source(t) == source
    # the cluster holds its nodes: t1, t2 are n2, n3 in drawing order
    body = source.split("subgraph cluster_0", 1)[1].split("}", 1)[0]
    assert re.findall(r"^\s+(n\d+) \[height", body, re.M) == ["n2", "n3"]
    assert "n2 -> n3" in body  # an edge inside a scope stays inside its cluster


def test_unscoped_traces_have_no_clusters() -> None:
    t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    assert "cluster" not in dot_source(t)
    assert compute_layout(t).clusters == {}
    assert 'class="cluster"' not in adviz.to_svg(t)


def test_cluster_geometry_surrounds_its_nodes() -> None:
    t = adviz.trace(scoped, x1=1.0, x2=2.0)
    layout = compute_layout(t)
    boxes = {c.label: c for c in layout.clusters.values()}
    assert set(boxes) == {"difference squared", "cosine"}
    for label, members in (("difference squared", ["t1", "t2"]), ("cosine", ["t3", "t4"])):
        assert boxes[label].depth == 0 and boxes[label].scope == (label,)
        assert all(inside(boxes[label], layout, n) for n in members)
    for node in ("x1", "x2", "y"):
        assert not any(inside(box, layout, node) for box in boxes.values())


def test_nested_scopes_nest() -> None:
    t = adviz.trace(nested, x=0.5)
    source = dot_source(t)
    outer = source.index("subgraph cluster_0")
    assert outer < source.index("subgraph cluster_1") < source.index("subgraph cluster_2")
    layout = compute_layout(t)
    by_label = {c.label: c for c in layout.clusters.values()}
    assert by_label["layer"].depth == 0
    assert by_label["neuron 1"].depth == by_label["neuron 2"].depth == 1
    assert by_label["neuron 1"].scope == ("layer", "neuron 1")
    layer = by_label["layer"]
    for inner in ("neuron 1", "neuron 2"):
        box = by_label[inner]
        assert layer.x - layer.width / 2 < box.x - box.width / 2
        assert box.x + box.width / 2 < layer.x + layer.width / 2
    assert list(layout.clusters) == ["cluster_0", "cluster_1", "cluster_2"]


@pytest.mark.parametrize("phase", ["forward", "reverse", "summary"])
def test_clusters_are_drawn_in_every_frame(phase: str) -> None:
    t = adviz.trace(nested, x=0.5)
    svg = adviz.to_svg(t, phase, 1 if phase != "summary" else 0)
    found = clusters_in(svg)
    assert list(found) == ["cluster_0", "cluster_1", "cluster_2"]
    labels = [[t.text for t in g.iter(f"{SVG}text")] for g in found.values()]
    assert labels == [["layer"], ["neuron 1"], ["neuron 2"]]
    assert [g.get("data-depth") for g in found.values()] == ["0", "1", "1"]
    # clusters are drawn under the edges and nodes
    text = svg
    assert text.index('class="cluster"') < text.index('class="edge"') < text.index('class="node"')


def test_cluster_labels_are_escaped() -> None:
    def f(x):
        with adviz.scope('<b>&"x"'):
            u = x * 2
        return u + 1

    t = adviz.trace(f, x=1.0)
    svg = adviz.to_svg(t)
    assert '<b>&"x"' not in svg and "&lt;b&gt;&amp;&quot;x&quot;" in svg
    assert [c.label for c in compute_layout(t).clusters.values()] == ['<b>&"x"']


def test_clusters_are_deterministic() -> None:
    a = adviz.to_svg(adviz.trace(nested, x=0.5), "reverse", 2)
    b = adviz.to_svg(adviz.trace(nested, x=0.5), "reverse", 2)
    assert a == b


def test_layout_constructor_without_clusters_still_works() -> None:
    layout = Layout(10.0, 10.0, "LR", {}, {})
    assert layout.clusters == {} and layout.collapse == () and layout.compact is False


@pytest.mark.slow
def test_a_network_whose_clusters_dot_cannot_rank_is_laid_out_again_with_newrank() -> None:
    """A 2-12-12-1 network drawn in full: dot's classic ranking fails on its clusters
    ("trouble in init_rank"); the layout is made with newrank, every node and scope drawn,
    each node inside its scope's box. The error Graphviz gives quotes a few lines only."""
    import adviz.examples
    from adviz.errors import RenderError
    from adviz.scene.graphviz import MESSAGE_LINES, RANK_TROUBLE, run_graphviz
    from adviz.scene.view import graph_view

    t = adviz.examples.mlp((2, 12, 12, 1))
    view = graph_view(t, (), False, ())
    from adviz.scene.layout import view_source

    with pytest.raises(RenderError, match=RANK_TROUBLE) as failed:
        run_graphviz(view_source(view), ["-Tjson0"])
    assert len(str(failed.value).splitlines()) <= MESSAGE_LINES + 1

    layout = compute_layout(t, collapse=())
    assert set(layout.nodes) == set(view.nodes)
    scopes = {c.scope: c for c in layout.clusters.values()}
    assert set(scopes) == {p[:k] for p in view.scopes.values() for k in range(1, len(p) + 1)}
    for node, path in view.scopes.items():
        if not path:
            continue
        box, scope = layout.nodes[node], scopes[path]
        assert abs(box.x - scope.x) <= (scope.width - box.width) / 2 + 0.01
        assert abs(box.y - scope.y) <= (scope.height - box.height) / 2 + 0.01
