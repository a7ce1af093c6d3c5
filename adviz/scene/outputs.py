"""The figures of a trace with several outputs: one layout, one reverse sweep each.

A vector trace (``adviz.trace`` of a function returning a tuple) is drawn
with every output as an output node. Its graph is laid out once, with room
reserved for the widest text any output's sweep shows; each output then has a
figure of its own (`adviz.scene.picture.Figure`) on that same geometry, whose
reverse frames are that output's sweep (`adviz.core.sweep.output_sweep`):
nodes the output does not depend on stay muted, and the caption names the
output (``Reverse sweep for y2: Stage 1 of 2 — ...``).

Examples
--------
>>> import adviz
>>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
>>> y1, y2 = output_figures(t)
>>> y1.nodes == y2.nodes, y1.width == y2.width, y2.trace.output
(True, True, 'y2')
>>> y2.frame("reverse").nodes["b"].state, y2.frame("reverse", 0).title[:30]
('muted', 'Reverse sweep for y2: Stage 0 ')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from adviz.core.sweep import output_sweep, sweeps
from adviz.errors import RenderError
from adviz.scene.layout import NODESEP, RANKSEP, ROOMY_NODESEP, ROOMY_RANKSEP, Layout
from adviz.scene.style import EDGE_SIZE, LINE_SIZE, NAME_SIZE
from adviz.scene.view import GraphView, graph_view, view_options
from adviz.text.labels import widest

if TYPE_CHECKING:
    from adviz.core.tracing import Trace
    from adviz.scene.picture import Figure
    from adviz.scene.style import Theme

_SCENES = "_output_scenes"
"""Where a vector trace keeps its layouts and figures (on itself: they refer back to it)."""


def merged_view(views: Sequence[GraphView]) -> GraphView:
    """One view whose every line is the widest that line has in any of ``views``
    (views of the same graph, one per output's sweep)."""
    first = views[0]

    def merge(many: Sequence[tuple[str, ...]], size: float, first_size: float
              ) -> tuple[str, ...]:
        count = max(len(lines) for lines in many)
        return tuple(widest([lines[k] for lines in many if k < len(lines)],
                            first_size if k == 0 else size) for k in range(count))

    nodes = {n: merge([v.node_lines[n] for v in views], LINE_SIZE, NAME_SIZE)
             for n in first.node_lines}
    edges = {e: merge([v.edge_lines[e] for v in views], EDGE_SIZE, EDGE_SIZE) if lines
             else lines for e, lines in first.edge_lines.items()}
    return replace(first, node_lines=MappingProxyType(nodes), edge_lines=MappingProxyType(edges))


def _layout(view: GraphView, rankdir: str, engine: str | None, ranksep: float,
            nodesep: float) -> Layout:
    from adviz.scene.graphviz import find_engine, run_graphviz
    from adviz.scene.layout import RANKDIRS, _parse, view_source

    if rankdir not in RANKDIRS:
        from adviz.errors import InputError

        raise InputError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    output = run_graphviz(view_source(view, rankdir, ranksep=ranksep, nodesep=nodesep),
                          ["-Tjson0"], engine=find_engine(engine))
    try:
        return _parse(json.loads(output), view, rankdir)
    except (ValueError, KeyError, IndexError) as err:
        raise RenderError(f"cannot read Graphviz's layout output: {err!r}") from err


def output_figures(trace: Trace, **options: Any) -> tuple[Figure, ...]:
    """One figure per output of ``trace``, all on one layout (see the module).

    ``options`` are those of `adviz.scene.picture.figure` (``theme``, ``rankdir``,
    ``engine``, ``collapse``, ``full``, ``copies``, ``size``, ``extra_titles``).
    """
    return tuple(output_figure(trace, s.output, **options) for s in sweeps(trace))


def output_figure(
    trace: Trace,
    output: str | int | None = None,
    *,
    theme: str | Theme | None = "light",
    rankdir: str = "LR",
    engine: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    size: Any = None,
    extra_titles: Sequence[str] = (),
) -> Figure:
    """The figure of one output's reverse sweep of a vector trace (cached).

    Raises
    ------
    InputError
        ``output`` is not an output of ``trace``; an unknown ``rankdir`` or scope.
    """
    from adviz.scene.picture import _build, _titles
    from adviz.scene.style import get_theme

    theme = get_theme(theme)
    chosen = output_sweep(trace, output)
    all_sweeps = sweeps(trace)
    base = all_sweeps[0]
    labels = None if collapse is None else tuple(
        (collapse,) if isinstance(collapse, str) else dict.fromkeys(collapse))
    size_key = tuple(size) if isinstance(size, list) else size
    key = (theme, rankdir, engine, labels, bool(full), copies, size_key, tuple(extra_titles))
    owner = getattr(base, "base", base)
    per_trace: dict[Any, Any] = owner.__dict__.setdefault(_SCENES, {})
    cached = per_trace.get((key, chosen.output))
    if cached is not None:
        return cached
    scene = per_trace.get(key)
    if scene is None:
        first = view_options(base, collapse, full, copies)
        view = merged_view([graph_view(s, first.collapse, first.compact, first.copies)
                            for s in all_sweeps])
        titles = [t for s in all_sweeps for t in _titles(s)] + list(extra_titles)
        unmet: list[tuple[str, str]] = []
        layout = _layout(view, rankdir, engine, RANKSEP, NODESEP)
        _build(base, theme, view, layout, first.notice, size, titles, unmet)
        if unmet:
            roomy = _layout(view, rankdir, engine, ROOMY_RANKSEP, ROOMY_NODESEP)
            again: list[tuple[str, str]] = []
            _build(base, theme, view, roomy, first.notice, size, titles, again)
            if len(again) < len(unmet):
                layout = roomy
        scene = per_trace[key] = (view, layout, first.notice, titles)
    view, layout, notice, titles = scene
    result = _build(chosen, theme, view, layout, notice, size, titles)
    per_trace[(key, chosen.output)] = result
    return result
