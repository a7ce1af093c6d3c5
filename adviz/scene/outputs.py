"""The figures of a trace with several outputs: one layout, one reverse sweep each.

A vector trace (``adviz.trace`` of a function returning a tuple) is drawn
with every output as an output node. Its graph is laid out once, with room
reserved for the widest text any output's sweep shows; each output then has a
figure of its own (`adviz.scene.picture.Figure`) on that same geometry, whose
reverse frames are that output's sweep (`adviz.core.sweep.output_sweep`):
nodes the output does not depend on stay muted (an input it does not use
shows ``g = 0`` at the end), and the caption names the
output (``Reverse sweep for y2: Stage 1 of 2 — ...``).

Examples
--------
>>> import adviz
>>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
>>> y1, y2 = output_figures(t)
>>> y1.nodes == y2.nodes, y1.width == y2.width, y2.trace.output
(True, True, 'y2')
>>> y2.frame("reverse").nodes["y1"].state, y2.frame("reverse", 0).title[:30]
('muted', 'Reverse sweep for y2: Stage 0 ')

An input the output does not use ends its sweep with ``g = 0``:

>>> y2.frame("reverse", 0).nodes["b"].state, y2.frame("reverse").nodes["b"].lines[-1].text
('muted', 'g = 0')
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from adviz.core.sweep import output_sweep, sweeps
from adviz.errors import RenderError
from adviz.scene.anchors import ROUNDS_FROM
from adviz.scene.layout import NODESEP, RANKSEP, ROOMY_NODESEP, ROOMY_RANKSEP, Layout
from adviz.scene.sizes import MIN_TEXT
from adviz.scene.style import EDGE_SIZE, LINE_SIZE, NAME_SIZE
from adviz.scene.view import GraphView, graph_view, view_options
from adviz.text.labels import widest

if TYPE_CHECKING:
    from adviz.core.forward import Seed
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
    from adviz.scene.graphviz import find_engine, run_layout
    from adviz.scene.layout import RANKDIRS, _parse, view_source

    if rankdir not in RANKDIRS:
        from adviz.errors import InputError

        raise InputError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    output = run_layout(view_source(view, rankdir, ranksep=ranksep, nodesep=nodesep),
                        engine=find_engine(engine))
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
    rankdir: str | None = "LR",
    engine: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    size: Any = None,
    extra_titles: Sequence[str] = (),
    min_text: float = MIN_TEXT,
    seed: Seed = None,
    legend: bool | str = False,
) -> Figure:
    """The figure of one output's reverse sweep of a vector trace (cached).

    With a ``size`` the one layout is scaled to fill the page, in the
    orientation giving the larger text when ``rankdir`` is ``None`` or
    ``"auto"`` (else ``"LR"``); a named page or ``"WxH"`` whose smallest text
    would fall below ``min_text`` pixels: its labels are shortened, and if
    that is not enough it is refused (its scopes are not collapsed to fit,
    every output's sweep sharing one layout). The forward-mode
    (``"tangent"``) frames of ``seed`` carry every output's tangent, the same
    on each output's figure. ``legend`` reserves room for the legend of the
    colours as for `adviz.scene.picture.figure` (``True``: under the graph).

    Raises
    ------
    InputError
        ``output`` is not an output of ``trace``; an unknown ``rankdir``,
        scope or seeded input; a ``size`` too small for ``min_text``.
    """
    from adviz.scene.legend import check_place
    from adviz.scene.style import get_theme

    theme = get_theme(theme)
    place = check_place(legend)
    place = "below" if place == "inside" else place  # no free corner is looked for here
    if size is not None:
        return _sized(trace, output, size, min_text, rankdir, dict(
            theme=theme, engine=engine, collapse=collapse, full=full, copies=copies,
            extra_titles=extra_titles, seed=seed, legend=place))
    return _natural(trace, output, theme=theme, rankdir=rankdir, engine=engine,
                    collapse=collapse, full=full, copies=copies, extra_titles=extra_titles,
                    seed=seed, legend=place)


def _natural(trace: Trace, output: str | int | None, *, theme: Theme, rankdir: str | None,
             engine: str | None, collapse: Iterable[str] | None, full: bool,
             copies: bool | None, extra_titles: Sequence[str], seed: Seed,
             compact: bool = False, note: str = "", legend: str | None = None) -> Figure:
    """The output's figure at its natural size (``compact``: labels shortened, ``note``
    under every caption, ``legend``: where the legend goes, `adviz.scene.legend.check_place`)."""
    from adviz.scene.picture import _build, _seed, _seed_key, _titles

    rankdir = "LR" if rankdir in (None, "auto") else rankdir
    chosen = output_sweep(trace, output)
    all_sweeps = sweeps(trace)
    base = all_sweeps[0]
    labels = None if collapse is None else tuple(
        (collapse,) if isinstance(collapse, str) else dict.fromkeys(collapse))
    key = (theme, rankdir, engine, labels, bool(full), copies, tuple(extra_titles),
           _seed_key(chosen, seed), compact, note)
    owner = getattr(base, "base", base)
    per_trace: dict[Any, Any] = owner.__dict__.setdefault(_SCENES, {})
    cached = per_trace.get((key, chosen.output, legend))
    if cached is not None:
        return cached
    seeds, forward = _seed(chosen, seed)
    scene = per_trace.get(key)
    if scene is None:
        first = view_options(base, collapse, full, copies)
        view = merged_view([graph_view(s, first.collapse, compact or first.compact,
                                       first.copies) for s in all_sweeps])
        titles = [t for s in all_sweeps for t in _titles(s, forward)] + list(extra_titles)
        unmet: list[tuple[str, str]] = []
        layout = _layout(view, rankdir, engine, RANKSEP, NODESEP)
        built = _build(base, theme, view, layout, note or first.notice, None, titles, unmet)
        if unmet and sum(e.label is not None for e in built.edges.values()) <= ROUNDS_FROM:
            # Not for a large graph: a second layout would cost more than the first.
            roomy = _layout(view, rankdir, engine, ROOMY_RANKSEP, ROOMY_NODESEP)
            again: list[tuple[str, str]] = []
            _build(base, theme, view, roomy, note or first.notice, None, titles, again)
            if len(again) < len(unmet):
                layout = roomy
        scene = per_trace[key] = (view, layout, note or first.notice, titles)
    view, layout, notice, titles = scene
    result = _build(chosen, theme, view, layout, notice, None, titles, legend=legend)
    result.seed = seeds
    if forward is not None:
        result.cache["sweep"] = forward
    per_trace[(key, chosen.output, legend)] = result
    return result


def _sized(trace: Trace, output: str | int | None, size: Any, min_text: float,
           rankdir: str | None, options: dict[str, Any]) -> Figure:
    """The output's figure filling the page ``size``: its one layout scaled, in the
    orientation giving the larger text when ``rankdir`` is ``None`` or ``"auto"`` (a size
    in inches: ``"LR"``); a named page or ``"WxH"`` keeps every text at least ``min_text``
    pixels high, its labels shortened when needed, or is refused."""
    from adviz.errors import InputError
    from adviz.scene.picture import best_fit, page_of
    from adviz.scene.sizes import larger_size, page_pixels

    if isinstance(min_text, bool) or not isinstance(min_text, (int, float)) \
            or not 0 < min_text <= 200:
        raise InputError(f"min_text must be a number of pixels from 1 to 200, not {min_text!r}")
    page = page_pixels(size)
    enforce = isinstance(size, str)
    auto = rankdir in (None, "auto")
    directions = ("LR", "TB") if auto and enforce else ("LR",) if auto else (rankdir,)
    first = _natural(trace, output, rankdir=directions[0], **options)
    key = (f"page {tuple(size) if isinstance(size, list) else size!r} {min_text!r} {rankdir} "
           f"{options.get('legend')}")
    cached = first.cache.get(key)
    if cached is not None:
        return cast("Figure", cached)
    name = size if isinstance(size, str) else ""
    tries = [(False, "")]
    if enforce and not options["full"]:
        tries.append((True, f"labels shortened to fit {name}"))
    groups = ((_natural(trace, output, rankdir=d, compact=compact, note=note, **options)
               for d in directions) for compact, note in tries)
    pixels, fig = best_fit(groups, page, min_text)
    if enforce and pixels < min_text - 1e-9:
        raise InputError(
            f"at size {size!r} this graph's smallest text would be {pixels:.1f} px high, below "
            f"the {min_text:g} px minimum (a trace with several outputs is drawn whole, on one "
            f"layout); use a larger size (such as "
            f"{larger_size(page, pixels, min_text, fig.height / fig.width)}) or pass "
            f"min_text={math.floor(pixels * 10) / 10:g}")
    fitted = page_of(fig, size, page, pixels, min_text if enforce else 0.0)
    kept = {"sweep": fig.cache["sweep"]} if "sweep" in fig.cache else {}
    result = replace(fig, size=size, page=fitted, cache=kept, _styles={})
    first.cache[key] = result
    return result
