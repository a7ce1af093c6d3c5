"""Large graphs render readably: scopes collapsed, labels shortened, a notice in the caption."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import adviz
from adviz.examples import network, wide_graph
from adviz.scene.layout import compute_layout, dot_source
from adviz.scene.view import LARGE_GRAPH, view_options

SVG = "{http://www.w3.org/2000/svg}"


def notice(svg: str) -> str:
    root = ET.fromstring(svg)
    found = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "notice"]
    return " ".join(found)


def node_texts(svg: str) -> dict[str, list[str]]:
    root = ET.fromstring(svg)
    return {g.find(f"{SVG}title").text: [t.text for t in g.iter(f"{SVG}text")]
            for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


@pytest.fixture(scope="module")
def big() -> adviz.Trace:
    return wide_graph(500)


def test_wide_graph_has_500_nodes_and_is_shallow(big: adviz.Trace) -> None:
    assert len(big.graph) == 500
    assert len(big.graph) > LARGE_GRAPH


def test_500_node_graph_renders_with_the_notice(big: adviz.Trace) -> None:
    svg = adviz.to_svg(big, "reverse", 40)
    assert notice(svg) == ("large graph: 500 nodes, labels shortened; pass full=True for all "
                           "labels")
    texts = node_texts(svg)
    assert len(texts) == 500
    # names only, no formulas; values and adjoints stay
    assert texts["t1"][0] == "t₁" and all("=" not in lines[0] for lines in texts.values())
    # no edge labels
    root = ET.fromstring(svg)
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    assert len(edges) == big.graph.number_of_edges()
    assert all(not list(g.iter(f"{SVG}text")) for g in edges)


def test_compact_layout_has_no_label_tables(big: adviz.Trace) -> None:
    assert "TABLE" not in dot_source(big, compact=True)
    layout = compute_layout(big, compact=True)
    assert all(route.label is None for route in layout.edges.values())
    assert layout.compact


def test_full_labels_on_request() -> None:
    t = wide_graph(90, width=10)
    svg = adviz.to_svg(t, "summary", full=True)
    assert notice(svg) == ""
    assert node_texts(svg)["t1"][0].startswith("t₁ = ")


def test_network_collapses_its_neurons_automatically() -> None:
    t = network()
    assert len(t.graph) > LARGE_GRAPH
    options = view_options(t)
    assert options.collapse == ("neuron 1", "neuron 2", "neuron 3", "neuron 4",
                                "output neuron")
    assert not options.compact
    svg = adviz.to_svg(t, "reverse", 12)
    assert notice(svg) == ("large graph: 50 nodes, 5 scopes collapsed; pass full=True to draw "
                           "every node")
    texts = node_texts(svg)
    assert {"[neuron 1]", "[output neuron]", "x1", "y"} <= set(texts)
    assert len(texts) <= LARGE_GRAPH
    root = ET.fromstring(svg)
    clusters = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")
                if g.get("class") == "cluster"]
    assert len(clusters) == 3  # hidden layer, output layer, loss


def test_explicit_collapse_overrides_the_automatic_choice() -> None:
    t = network()
    assert view_options(t, collapse=["hidden layer"]).collapse == ("hidden layer",)
    svg = adviz.to_svg(t, "summary", collapse=[], full=True)
    assert "[neuron 1]" not in node_texts(svg)


def test_save_frames_of_a_large_graph_share_one_geometry(tmp_path) -> None:
    t = wide_graph(90, width=10)
    paths = adviz.save_frames(t, tmp_path, phase="forward")
    boxes = {ET.fromstring(p.read_text(encoding="utf-8")).get("viewBox") for p in paths}
    assert len(boxes) == 1
    assert all("labels shortened" in p.read_text(encoding="utf-8") for p in paths)
