"""Shared leaves drawn once per use: linked copies in the view (adviz.scene.view)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

import adviz
from adviz.examples import mlp, rnn
from adviz.renderers import tikz
from adviz.renderers.svg import paint
from adviz.renderers.svg import painted as svg_painted
from adviz.scene.content import Frame
from adviz.scene.picture import figure
from adviz.scene.style import COPY_DASH, LIGHT, node_style, style_table
from adviz.scene.view import graph_view, shared_leaves, view_options
from adviz.writers import writers

SEED = "(x1 - x2)**2 + cos(x1 + x2)"
VIEWS: list[dict[str, Any]] = [
    {"copies": True},  # large: scopes collapsed, labels shortened, a copy beside each box
    {"full": True},
    {"collapse": []},  # every node, shortened labels
    {"full": True, "rankdir": "TB"},
]


def _check_copies(fig: Any, content: Frame) -> int:
    """Every copy shows its original's state and lines, as a copy; returns the copies seen."""
    originals = fig.view.originals
    for copy, leaf in originals.items():
        shown, original = content.nodes[copy], content.nodes[leaf]
        assert (shown.state, shown.lines) == (original.state, original.lines), (copy, content)
        assert shown.kind == "copy" and original.kind != "copy"
    assert not any(leaf == p for leaf in fig.view.copies for p, _ in content.edges)
    return len(originals)


def test_which_leaves_are_copied() -> None:
    seed = adviz.trace(SEED, x1=1, x2=2)
    assert view_options(seed).copies == ()  # x1 and x2 feed nodes side by side
    assert view_options(seed, copies=True).copies == ("x1", "x2")
    assert view_options(mlp((2, 6, 6, 1))).copies == ()
    assert view_options(rnn(6), full=True).copies == ("w", "u", "b")
    assert view_options(rnn(6), full=True, copies=False).copies == ()
    with pytest.raises(adviz.InputError, match="copies must be True, False or None"):
        view_options(seed, copies="yes")  # type: ignore[arg-type]
    with pytest.raises(adviz.InputError, match="cannot draw 't1' once per use"):
        graph_view(seed, copies=["t1"])


def test_copies_sit_beside_their_consumers_and_replace_the_long_edges() -> None:
    t = rnn(6)
    view = graph_view(t, copies=shared_leaves(graph_view(t)))
    assert set(view.copies) == {"w", "u", "b"}
    consumers = {copy: child for copy, child in view.copy_edges.values()}
    for leaf, copies in view.copies.items():
        assert [consumers[c] for c in copies] == sorted(t.graph.successors(leaf),
                                                        key=list(t.graph.nodes).index)
        for copy in copies:
            assert copy.startswith(f"{leaf}@")
            assert view.scopes[copy] == view.scopes[consumers[copy]]  # inside the step's box
            assert view.node_lines[copy] == view.node_lines[leaf]
            assert view.nodes.index(copy) < view.nodes.index(consumers[copy])
    assert len(set(view.nodes)) == len(view.nodes) == len(t.graph) + sum(
        len(c) for c in view.copies.values())
    assert {p for p, _ in view.edges}.isdisjoint(view.copies)  # originals keep no edge
    assert len(view.edges) == t.graph.number_of_edges()


@pytest.mark.parametrize("options", VIEWS, ids=str)
def test_copies_mirror_their_original_at_every_stage(options: dict[str, Any]) -> None:
    t = rnn(6)
    fig = figure(t, **options)
    plain = figure(t, **{**options, "copies": False})
    assert fig.view.copies and not plain.view.copies
    seen = 0
    for phase in ("forward", "reverse", "summary"):
        state: dict[str, Any] = {}
        for content, change, other in zip(fig.frames(phase), fig.changes(phase),
                                          plain.frames(phase), strict=True):
            seen += _check_copies(fig, content)
            state.update(change.nodes)
            assert state == dict(content.nodes)  # changes rebuild every frame
            # what is not a copy is drawn as without copies; edges only move to the copies
            assert {n: content.nodes[n] for n in other.nodes} == dict(other.nodes)
            moved = fig.view.copy_edges
            assert {moved.get(e, e): v for e, v in other.edges.items()} == dict(content.edges)
            assert content.title == other.title
    assert seen > 100


def test_a_change_to_a_leaf_changes_exactly_its_copies() -> None:
    fig = figure(rnn(6), full=True)
    originals = fig.view.originals
    for change in list(fig.changes("reverse"))[1:]:
        for leaf, copies in fig.view.copies.items():
            assert (leaf in change.nodes) == all(c in change.nodes for c in copies)
        assert all(originals[c] in change.nodes for c in change.nodes if c in originals)


def test_gradients_are_unaffected() -> None:
    t = rnn(6)
    fig = figure(t, full=True)
    summary = fig.frame("summary")
    h = 1e-6
    for leaf in ("w", "u", "b"):
        up = dict(t.inputs, **{leaf: t.inputs[leaf] + h})
        down = dict(t.inputs, **{leaf: t.inputs[leaf] - h})
        numeric = (t.evaluate(up) - t.evaluate(down)) / (2 * h)
        assert t.adjoints[leaf] == pytest.approx(numeric, rel=1e-5, abs=1e-8)
        shown = summary.nodes[leaf].lines[-1].text
        plain = figure(t, full=True, copies=False).frame("summary").nodes[leaf].lines[-1].text
        assert shown == plain and shown.startswith("g = ")
        for copy in fig.view.copies[leaf]:
            assert summary.nodes[copy].lines[-1].text == shown


def test_copy_style_is_dashed_in_the_table() -> None:
    assert node_style(LIGHT, "copy", "done").dash == COPY_DASH
    assert node_style(LIGHT, "input", "done").dash == ()
    table = style_table(LIGHT)
    assert json.loads(json.dumps(table)) == table
    assert table["node"]["copy"]["muted"]["dash"] == list(COPY_DASH)


def _rects(svg: str) -> dict[str, tuple[str, ...]]:
    ns = "{http://www.w3.org/2000/svg}"
    out = {}
    for group in ET.fromstring(svg).iter(f"{ns}g"):
        title, rect = group.find(f"{ns}title"), group.find(f"{ns}rect")
        if group.get("class") == "node" and title is not None and rect is not None:
            out[str(title.text)] = tuple(str(rect.get(k)) for k in ("x", "y", "width", "height"))
    return out


@pytest.mark.parametrize("scopes", [True, False])
def test_the_198_node_network_lays_out_with_copies(scopes: bool) -> None:
    t = rnn(22, scopes=scopes)
    assert len(t.graph) == 198
    fig = figure(t, full=True)
    assert set(fig.view.copies) == {"w", "u", "b"}
    assert set(fig.nodes) == set(fig.view.nodes)
    frames = [fig.frame(phase, k) for phase in ("forward", "reverse") for k in (0, 90, -1)]
    boxes = [_rects(paint(fig, content)) for content in frames]
    assert len(boxes[0]) == len(fig.view.nodes)
    assert all(b == boxes[0] for b in boxes)  # node positions are identical across frames
    records = svg_painted(paint(fig, frames[-1]))
    for copy in fig.view.originals:
        assert records[f"node:{copy}"].dash == COPY_DASH


@pytest.mark.parametrize("options", [{"full": True}, {}], ids=str)
def test_svg_and_tikz_paint_the_copies_alike(options: dict[str, Any]) -> None:
    fig = figure(rnn(6), **options)
    for phase in ("forward", "reverse", "summary"):
        for content in fig.frames(phase):
            expected = {k: v for k, v in svg_painted(paint(fig, content)).items()
                        if k != "caption"}
            assert tikz.painted(fig, content) == expected
    picture = tikz.to_tikz(rnn(6), full=True)
    assert len(re.findall(r"dash pattern=on 4\.0+pt off 2\.0+pt", picture)) == 5 + 6 + 6


def test_the_option_reaches_the_writers(tmp_path: Any) -> None:
    t = rnn(6)
    with_copies = adviz.to_svg(t, full=True)
    without = adviz.to_svg(t, full=True, copies=False)
    copies = [k for k in svg_painted(with_copies) if k.startswith("node:w@")]
    assert len(copies) == 5 and "<title>w@" not in without
    assert with_copies.count('stroke-dasharray="4,2"') == 17
    assert 'stroke-dasharray="4,2"' not in without
    path = adviz.save(t, tmp_path / "plain.svg", full=True, copies=False)
    assert path.read_text(encoding="utf-8") == without
    page = adviz.save(t, tmp_path / "page.html", copies=True)
    assert "w@" in page.read_text(encoding="utf-8")
    written = adviz.save_frames(t, tmp_path / "frames", "forward", copies=False, full=True)
    assert "<title>w@" not in written[-1].read_text(encoding="utf-8")
    with pytest.raises(adviz.InputError, match="copies must be True or False"):
        adviz.save(t, tmp_path / "bad.svg", copies="yes")


def test_matplotlib_draws_the_copies_dashed(tmp_path: Any) -> None:
    from adviz.renderers.mpl import painted as mpl_painted
    from adviz.renderers.mpl.stage import still

    t = rnn(6)
    _, scene = still(t, copies=True)
    scene.show("reverse", 5)
    records = mpl_painted(scene)
    copies = [k for k in records if k.startswith("node:w@")]
    assert len(copies) == 5 and all(records[k].dash == COPY_DASH for k in copies)
    _, plain = still(t, copies=False)
    plain.show("reverse", 5)
    assert not any(k.startswith("node:w@") for k in mpl_painted(plain))
    for fmt in ("png", "gif", "pdf", "html", "tex", "svg"):
        assert "copies" in {o.name for o in writers()[fmt].options}, fmt
