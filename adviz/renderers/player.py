"""The HTML player: every stage of both passes in one self-contained page.

`player_html` paints the first stage once as SVG (the base, with
`adviz.renderers.svg.paint`) and embeds, per stage, only what the stage
changes: for each element whose state or text differs from the stage before,
its state and its lines (role, size, text), plus the stage caption
(`adviz.scene.picture.Figure.changes`). With them it embeds, once, the style
table and each element's geometry (`adviz.renderers.page.scene_data`). The
page's script restyles the changed elements from the style table, swaps an
edge's route and arrowhead between the forward and the reverse geometry and
rebuilds its text lines, so the page grows with the graph and the number of
changes, never with stages times nodes.

The page works from ``file://`` with no network: previous / next / play /
pause buttons, a slider, keyboard arrows (space plays and pauses), a
forward/reverse switch, and the walkthrough row of the current stage
highlighted beside the graph.

Everything taken from the user (node names, formulas, the title) is escaped;
the data is embedded as JSON in a ``<script type="application/json">``
element in which nothing can end the element or open a comment (``</`` and ``<!``
written as JSON escapes, `adviz.renderers.page.json_for_script`), and the
standalone page carries a Content-Security-Policy that allows only its own
script (by hash) and no network access. The same trace gives the same bytes.

Examples
--------
>>> import adviz
>>> from adviz.renderers.player import player_html
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> page = player_html(t)
>>> page.startswith("<!DOCTYPE html>"), page.count('<tr data-phase="reverse"')
(True, 6)
>>> "http://" in page.replace("http://www.w3.org/", ""), page == player_html(t)
(False, True)
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from adviz.core.phases import PER_INPUT, PLAYER_PHASES, check_seed, expand_phases
from adviz.renderers.page import (
    LineTable,
    asset,
    crop,
    default_title,
    html_document,
    scene_data,
    source_hash,
)
from adviz.renderers.page import json_for_script as json_for_script
from adviz.scene.content import Change, EdgeView, Frame, NodeView
from adviz.text.tables import walkthrough

if TYPE_CHECKING:
    from adviz.core.forward import Seed
    from adviz.core.tracing import Trace
    from adviz.scene.picture import Figure

PHASES = PLAYER_PHASES
"""Values of the ``phase`` argument of `player_html`."""

PHASE_LABELS = {"forward": "Forward pass", "reverse": "Reverse pass",
                "tangent": "Forward mode"}


class Part(Protocol):
    """What a part of the player is walked from: a `Figure`, or one input's forward-mode
    sweep of phase ``"tangents"`` (`adviz.scene.tangents.InputSweep`)."""

    def changes(self, phase: str) -> Iterator[Change]:
        """What each stage of ``phase`` changes (every element at stage 0)."""
        ...

INTERVAL_MS = 1400
"""Time between frames while playing, in milliseconds."""

WIDE_ASPECT = 2.2
"""Frames wider than this (width / height) get the whole page width, the table below them."""

SMALL_SCREEN_SCALE = 0.7
"""On narrow screens frames keep this share of their natural size and scroll sideways."""

NOTEBOOK_MAX_FRAMES = 120
"""Above this many frames a notebook shows the summary figure instead of the player."""

_ICONS = {
    "prev": '<path d="M11.5 2.5 5 8l6.5 5.5z"/><rect x="2.5" y="2.5" width="2" height="11"/>',
    "next": '<path d="M4.5 2.5 11 8l-6.5 5.5z"/><rect x="11.5" y="2.5" width="2" height="11"/>',
    "play": '<path d="M4 2v12l10-6z"/>',
    "pause": '<rect x="3" y="2" width="3.5" height="12"/><rect x="9.5" y="2" width="3.5" '
             'height="12"/>',
}


def _icon(name: str, extra: str = "") -> str:
    cls = f"adviz-icon {extra}".strip()
    return (f'<svg class="{cls}" viewBox="0 0 16 16" aria-hidden="true" focusable="false">'
            f"{_ICONS[name]}</svg>")


def _phases(phase: str) -> tuple[str, ...]:
    return expand_phases(phase, PHASES, "the player")


def played_parts(fig: Figure, names: tuple[str, ...], *, every: bool = False, **options: Any
                 ) -> list[tuple[str, Part, str, str]]:
    """What the player plays: ``(key, figure, phase, label)`` per part, in order.

    Each phase of ``names`` is played once, except with ``every`` on a trace
    with several outputs (`adviz.scene.outputs`): the forward pass once, then
    the reverse sweep of every output, one after another, each its own part
    (key ``"reverse-y2"``, label ``"Reverse sweep for y2"``) on the same layout
    (``options``: the picture options of `adviz.scene.outputs.output_figures`).
    Phase ``"tangents"`` is one forward-mode sweep per input, each its own part
    (key ``"tangent-x2"``, label ``"Sweep 2: ẋ₂ = 1"``, `adviz.scene.tangents`) on
    ``fig`` (made by `adviz.scene.tangents.tangents_figure`), the last ending with
    the gradient.

    Examples
    --------
    >>> import adviz
    >>> from adviz.scene.picture import figure
    >>> t = adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)
    >>> fig = figure(t)
    >>> [(k, label) for k, _, _, label in played_parts(fig, ("forward", "reverse"), every=True)]
    [('forward', 'Forward pass'), ('reverse-y1', 'Reverse sweep for y1'), \
('reverse-y2', 'Reverse sweep for y2')]
    """
    if any(name in PER_INPUT for name in names):
        from adviz.scene.tangents import input_parts

        return [(p.key, p, "tangent", p.label) for p in input_parts(fig)]
    if not (every and fig.trace.vector):
        return [(name, fig, name, _label(fig, name)) for name in names]
    from adviz.scene.outputs import output_figures

    result: list[tuple[str, Part, str, str]] = []
    for name in names:
        if name != "reverse":
            result.append((name, fig, name, PHASE_LABELS[name]))
            continue
        for each in output_figures(fig.trace, **{"theme": fig.theme, **options}):
            out = each.trace.output
            result.append((f"reverse-{out}", each, name, f"Reverse sweep for {out}"))
    return result


def _every(trace: Trace) -> bool:
    """Whether the player plays every output's sweep: a vector trace, no output chosen."""
    from adviz.core.sweep import OutputSweep

    return bool(trace.vector) and not isinstance(trace, OutputSweep)


def _tables(trace: Trace) -> str:
    """The walkthrough beside the player: one table per output of a vector trace, its rows
    keyed by the part they belong to (``data-phase="reverse-y2"``), the forward rows once."""
    if not _every(trace):
        return walkthrough(trace, "html")
    from adviz.core.sweep import sweeps

    tables = []
    for k, each in enumerate(sweeps(trace)):
        table = walkthrough(each, "html").replace('data-phase="reverse"',
                                                  f'data-phase="reverse-{each.output}"')
        if k:  # the forward pass is every output's: its rows are shown once, in the first
            table = re.sub(r'<tbody class="adviz-forward">.*?</tbody>', "", table, flags=re.S)
        tables.append(table)
    return "".join(tables)


def _label(fig: Figure, name: str) -> str:
    if name == "reverse" and fig.trace.vector:
        return f"Reverse sweep for {fig.trace.output}"
    return PHASE_LABELS[name]


def _stages(fig: Figure, names: tuple[str, ...], lines: LineTable,
            played: list[tuple[str, Part, str, str]] | None = None,
            markup: list[str] | None = None
            ) -> tuple[list[dict[str, Any]], list[str], Frame]:
    """Per phase, what each stage changes on the page; the state names; the base frame.

    The base is the first phase's stage 0 (painted whole, as SVG). Every
    other stage lists only the elements whose state or text differ from the
    stage before it on the page (the second phase's stage 0 from the first
    phase's last stage): ``[node number, state, line, ...]`` and
    ``[edge number, state, toward parent, line, ...]``. Each caption as the page
    shows it (`caption_markup`) is added to ``markup``, in a ``<div>`` naming its
    phase and stage.
    """
    node_number = {node: k for k, node in enumerate(fig.view.nodes)}
    edge_number = {edge: k for k, edge in enumerate(fig.view.edges)}
    states: dict[str, int] = {}
    shown_nodes: dict[str, NodeView] = {}
    shown_edges: dict[tuple[str, str], EdgeView] = {}
    phases: list[dict[str, Any]] = []
    base: Frame | None = None
    for part_key, part, name, label in played_parts(fig, names) if played is None else played:
        captions: list[str] = []
        stages: list[list[list[Any]]] = []
        for change in part.changes(name):
            captions.append(change.title)
            if markup is not None:
                markup.append(f'<div data-phase="{html.escape(part_key)}" '
                              f'data-stage="{change.index}">'
                              f"{_part_caption(part, change.phase, change.index, change.title)}"
                              "</div>")
            if base is None:
                base = Frame(change.phase, change.index, change.title, change.nodes,
                             change.edges)
                shown_nodes.update(change.nodes)
                shown_edges.update(change.edges)
                stages.append([[], []])
                continue
            nodes: list[Any] = []
            for node, view in change.nodes.items():
                if shown_nodes.get(node) != view:
                    shown_nodes[node] = view
                    state = states.setdefault(view.state, len(states))
                    nodes.append([node_number[node], state, *lines.refs(view.lines)])
            edges: list[Any] = []
            for key, edge in change.edges.items():
                if shown_edges.get(key) != edge:
                    shown_edges[key] = edge
                    state = states.setdefault(edge.state, len(states))
                    edges.append([edge_number[key], state, int(edge.toward_parent),
                                  *lines.refs(edge.lines)])
            stages.append([nodes, edges])
        phases.append({"name": part_key, "label": label, "captions": captions,
                       "stages": stages})
    assert base is not None
    return phases, list(states), base


def _player_data(fig: Figure, names: tuple[str, ...],
                 played: list[tuple[str, Part, str, str]] | None = None
                 ) -> tuple[dict[str, Any], str, str]:
    """The page's data (scene, line table, per-stage changes), the base SVG and the captions
    as the page shows them (a ``<template>``)."""
    from adviz.renderers.svg import paint

    lines = LineTable()
    markup: list[str] = []
    phases, states, base = _stages(fig, names, lines, played, markup)
    svg = paint(fig, base)
    kinds = {node: view.kind for node, view in base.nodes.items()}
    data = {"scene": scene_data(fig, kinds), "lines": lines.rows, "states": states,
            "phases": phases, "start": [phases[0]["name"], 0], "interval": INTERVAL_MS}
    # The captions as MathML, in a template the script copies from (it writes no markup).
    captions = f'<template class="adviz-captions">{"".join(markup)}</template>'
    return data, svg[svg.index("<svg"):], captions


def caption_markup(fig: Figure, phase: str, index: int, title: str) -> str:
    """A frame's caption as the page shows it: terms that wrap only between each other, math
    as MathML (`adviz.text.mathml.caption_html`); a title of another kind escaped.

    Examples
    --------
    >>> import adviz
    >>> from adviz.scene.picture import figure
    >>> fig = figure(adviz.trace("x * x", x=3))
    >>> caption_markup(fig, "reverse", 0, fig.frame("reverse", 0).title)[-41:]
    '<mo>=</mo><mn>1</mn></math></span></span>'
    >>> caption_markup(fig, "reverse", 0, "<b>")
    '&lt;b&gt;'
    """
    from adviz.scene.captions import frame_caption
    from adviz.text.mathml import caption_html

    tokens = frame_caption(fig, phase, index, title)
    return html.escape(title) if tokens is None else caption_html(tokens)


def _part_caption(part: Part, phase: str, index: int, title: str) -> str:
    """`caption_markup` of a figure's stage; a forward-mode sweep's own caption escaped."""
    from adviz.scene.picture import Figure

    if isinstance(part, Figure):
        return caption_markup(part, phase, index, title)
    return html.escape(title)


def _aspect(fig: Figure) -> float:
    return fig.width / max(fig.height - crop(fig), 1e-9)


def _small_width(fig: Figure) -> str:
    """CSS width of a frame on small screens: 70 % of its natural size, scrolled sideways."""
    return f"{round(fig.width * 4 / 3 * SMALL_SCREEN_SCALE)}px"


def _controls(last: int) -> str:
    return (
        '<div class="adviz-controls" role="group" aria-label="Stage controls">'
        '<button type="button" class="adviz-prev" aria-label="Previous stage" '
        f'title="Previous stage (Left arrow)">{_icon("prev")}<span>Prev</span></button>'
        '<button type="button" class="adviz-play" aria-label="Play" '
        f'title="Play / pause (Space)">{_icon("play", "adviz-icon-play")}'
        f'{_icon("pause", "adviz-icon-pause")}<span class="adviz-play-text">Play</span></button>'
        '<button type="button" class="adviz-next" aria-label="Next stage" '
        f'title="Next stage (Right arrow)">{_icon("next")}<span>Next</span></button>'
        f'<input type="range" class="adviz-slider" min="0" max="{last}" step="1" value="0" '
        f'aria-label="Stage">'
        f'<output class="adviz-counter" aria-hidden="true">0 / {last}</output>'
        "</div>"
    )


def _switch(names: tuple[str, ...], labels: dict[str, str] | None = None) -> str:
    if len(names) < 2:
        return ""
    labels = labels or PHASE_LABELS
    buttons = "".join(
        f'<button type="button" data-phase="{html.escape(n)}" '
        f'aria-pressed="{str(i == 0).lower()}">{html.escape(labels[n])}</button>'
        for i, n in enumerate(names)
    )
    return f'<div class="adviz-phases" role="group" aria-label="Pass">{buttons}</div>'


def _figure(trace: Trace, theme: str, rankdir: str, engine: str | None,
            collapse: Iterable[str] | None, full: bool, copies: bool | None = None,
            seed: Seed = None, view: str = "graph", granularity: str | None = None,
            per_input: bool = False, focus: str | None = None,
            zoom: str | None = None) -> Figure:
    from adviz.renderers.svg import view_choice
    from adviz.scene.picture import figure

    if per_input:  # one sweep per input: every sweep's captions fit the one figure
        from adviz.scene.tangents import tangents_figure

        return tangents_figure(trace, theme=theme, rankdir=rankdir, engine=engine,
                               collapse=collapse, full=full, copies=copies)
    return figure(trace, theme=theme, rankdir=rankdir, engine=engine, collapse=collapse,
                  full=full, copies=copies, seed=seed, focus=focus, zoom=zoom,
                  **view_choice(view, granularity))


def sweeps_table(trace: Trace) -> str:
    """The table beside the sweeps of phase ``"tangents"``: one row per sweep (its number, its
    seed and every output's tangent: the gradient's component or the Jacobian's column it
    gives, ``∂y/∂x₁ = −2.14112``),
    keyed by the part and its last tangent stage so a click shows the sweep's end; the
    gradient under it.

    Examples
    --------
    >>> import adviz
    >>> table = sweeps_table(adviz.trace("x1 * x2", x1=3, x2=4))
    >>> table.count('<tr data-phase="tangent-'), 'data-stage="1"' in table
    (2, True)
    """
    from adviz.core.forward import forward_jacobian
    from adviz.scene.tangents import gradient_caption
    from adviz.text.tokens import Num, Partial, Tangent, text

    jacobian = forward_jacobian(trace)
    graph = trace.graph.graph
    outputs = tuple(graph.get("outputs", (graph["output"],)))
    last = len(trace.forward_stages) - 1
    esc = html.escape
    rows = []
    for k, x in enumerate(graph["inputs"], start=1):
        cells = "".join(
            f"<td>{esc(text(Partial(o, x)).unicode())} = {esc(text(Num(jacobian[o][x])).unicode())}"
            "</td>" for o in outputs)
        rows.append(f'<tr data-phase="tangent-{esc(x)}" data-stage="{last}"><td>{k}</td>'
                    f"<td>{esc(text(Tangent(x)).unicode())} = 1</td>{cells}</tr>")
    span = 2 + len(outputs)
    return ('<table class="adviz-walkthrough adviz-sweeps"><caption>One forward-mode sweep '
            "per input</caption>\n<tbody>\n" + "\n".join(rows) + "\n</tbody><tfoot><tr>"
            f'<td colspan="{span}">{esc(gradient_caption(trace, jacobian))}</td></tr></tfoot>'
            "</table>\n")


def _table(trace: Trace, names: tuple[str, ...], fig: Figure) -> str:
    """The walkthrough beside the frame; with forward mode, its trace table (primal and
    tangent columns for the figure's seed) too."""
    parts = []
    if "forward" in names or "reverse" in names:
        parts.append(_tables(trace))
    if "tangent" in names:
        if getattr(trace, "vector", False):  # every output's tangent, one sweep for all
            from adviz.text.tables import trace_table

            parts.append(trace_table(fig.trace, "html", mode="forward", seed=fig.seed or None))
        else:
            parts.append(walkthrough(trace, "html", mode="forward", seed=fig.seed or None))
    if any(name in PER_INPUT for name in names):
        parts.append(sweeps_table(fig.trace))
    return "\n".join(parts)


def player_fragment(
    trace: Trace,
    *,
    theme: str = "light",
    rankdir: str = "LR",
    phase: str = "both",
    title: str | None = None,
    compact: bool = False,
    document_keys: bool = False,
    styles: bool = True,
    engine: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    seed: Seed = None,
    view: str = "graph",
    granularity: str | None = None,
    focus: str | None = None,
    zoom: str | None = None,
    zoom_links: Mapping[str, str] | None = None,
) -> str:
    """The player as one ``<div>`` (with its style and script), to embed in a page.

    Parameters
    ----------
    trace
        A `Trace`.
    theme, rankdir, phase, title, engine, collapse, full, copies, seed, view, granularity, \
focus, zoom
        As for `player_html`.
    compact
        Smaller heading and frame height, for notebooks.
    document_keys
        Listen for the keyboard on the whole document (a standalone page)
        instead of only while the player has the focus.
    styles
        Include the ``<style>`` element (a standalone page puts it in the head).
    zoom_links
        Scope path (``"layer 1/neuron 2"``) to the address of the page zoomed
        into it, and ``""`` to the page of the whole graph: clicking a
        collapsed scope's box opens its page, Escape (with no focus) the whole
        graph's (`adviz.writers.zoom.save_zoom_pages`).

    Returns
    -------
    str
        HTML text.

    Examples
    --------
    >>> import adviz
    >>> html_text = player_fragment(adviz.trace("x * x", x=3), compact=True)
    >>> html_text.startswith('<div class="adviz-player adviz-light adviz-compact')
    True
    """
    names = _phases(phase)
    check_seed(phase, seed, "the player")
    fig = _figure(trace, theme, rankdir, engine, collapse, full, copies, seed, view,
                  granularity, per_input=any(name in PER_INPUT for name in names),
                  focus=focus, zoom=zoom)
    drawn = getattr(fig, "focus", None)
    focused = drawn.focus.node if drawn is not None else None
    if drawn is not None:  # the page applies the focus itself, so a click can move it
        fig = replace(fig, focus=None, _styles={},
                      cache={k: v for k, v in fig.cache.items() if k == "sweep"})
    played = played_parts(fig, names, every=_every(trace), rankdir=rankdir, engine=engine,
                          collapse=collapse, full=full, copies=copies, seed=seed)
    data, base, captions = _player_data(fig, names, played)
    if not getattr(trace, "vector", False):
        data["focus"] = focus_data(fig, focused)
    if zoom_links is not None:
        data["zoom"] = zoom_data(fig, zoom_links, zoom)
    if getattr(fig, "hovers", None):  # the neuron view: full values on hovering a shape
        data["hover"] = True
    first = data["phases"][0]
    heading = html.escape(default_title(trace) if title is None else title)
    level = "div" if compact else "h1"
    table = _table(trace, names, fig)
    dark = fig.theme.name == "dark"
    classes = f"adviz-player adviz-{'dark' if dark else 'light'}"
    classes += " adviz-compact" if compact else ""
    classes += " adviz-wide" if _aspect(fig) > WIDE_ASPECT else ""
    keys = "document" if document_keys else "player"
    last = len(first["captions"]) - 1
    parts = [
        f'<div class="{classes}" style="--adviz-frame-bg:{html.escape(fig.theme.background)};'
        f'--adviz-small-width:{_small_width(fig)}" '
        f'tabindex="-1" data-keys="{keys}" data-phase="{names[0]}" data-stage="0">',
        f"<style>{asset('player.css')}</style>" if styles else "",
        f'<div class="adviz-head"><{level} class="adviz-title">{heading}</{level}>'
        f"{_switch(tuple(p[0] for p in played), {p[0]: p[3] for p in played})}</div>",
        '<div class="adviz-body"><div class="adviz-main">',
        '<figure class="adviz-figure">',
        f'<div class="adviz-frame" role="img" aria-label="{html.escape(first["label"])}, '
        f'stage 0 of {last}">{base}</div>',
        f'<figcaption class="adviz-caption" aria-live="polite">'
        f"{caption_markup(fig, names[0], 0, first['captions'][0])}</figcaption>",
        '<p class="adviz-focus" aria-live="polite" hidden></p>' if "focus" in data else "",
        captions,
        "</figure>",
        _controls(last),
        "</div>",
        f'<div class="adviz-table" tabindex="0" role="region" aria-label="Walkthrough">'
        f"{table}</div>",
        "</div>",
        f'<script type="application/json" class="adviz-data">{json_for_script(data)}</script>',
        f"<script>{player_script()}</script>",
        "</div>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def focus_data(fig: Figure, start: str | None = None) -> dict[str, Any]:
    """What a page needs to focus on a clicked node: each drawn node's focus caption
    (`adviz.scene.focus`; ``None`` for a collapsed box), O(nodes) in all, and the number
    of the node in focus when the page opens (``-1``: none). The page finds the paths
    itself, from the drawn edges.

    In the neuron view (`adviz.scene.network`) a weight's edge takes the focus too:
    ``edges`` holds, per drawn edge, ``[weight, caption]`` (``None``: an edge into the
    loss), and ``start`` counts the edges after the nodes; a node held by a circle or
    an edge (a bias, a neuron's inner node) opens on that element, with its own
    caption in ``line``.

    Examples
    --------
    >>> import adviz
    >>> from adviz.scene.picture import figure
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> data = focus_data(figure(t), "x1")
    >>> data["start"], data["captions"][0]
    (0, 'g_x₁ = Σ over 2 paths = −2 + (−0.14112) = −2.14112')
    >>> import adviz.examples
    >>> net = adviz.examples.mlp((2, 2, 1))
    >>> data = focus_data(figure(net, view="network"), "w1_22")
    >>> data["start"] == len(data["captions"]) + [e and e[0] for e in data["edges"]].index("w1_22")
    True
    """
    from adviz.scene.focus import focus_of

    trace = fig.trace
    originals = fig.view.originals
    captions: list[str | None] = []
    for node in fig.view.nodes:
        node = originals.get(node, node)
        captions.append(focus_of(trace, node).line if node in trace.program.index else None)
    numbers = {node: k for k, node in enumerate(fig.view.nodes)}
    weights: dict[tuple[str, str], str | None] | None = getattr(fig, "weights", None)
    net = getattr(fig, "network", None)
    if weights is not None and net is not None:
        from adviz.scene.network import holders

        edges = [[w, focus_of(trace, w).line] if (w := weights.get(key)) else None
                 for key in fig.view.edges]
        where = holders(trace, net).get(start) if start else None
        if isinstance(where, tuple):
            begin = len(numbers) + list(fig.view.edges).index(where)
        else:
            begin = numbers.get(where, -1) if where else -1
        line = focus_of(trace, start).line if start and begin >= 0 else None
        return {"captions": captions, "edges": edges, "start": begin, "line": line}
    owner = fig.view.collapsed.owner if fig.view.collapsed is not None else {}
    shown = owner.get(start, start) if start else None  # a node inside a box: the box
    return {"captions": captions, "start": numbers.get(shown, -1) if shown else -1}


def zoom_data(fig: Figure, links: Mapping[str, str], zoom: str | None) -> dict[str, Any]:
    """Where clicking each collapsed scope's box leads (drawn node number to address, for
    the boxes whose scope has a page in ``links``) and the whole graph's page (``None``
    on that page itself). In the neuron view, each neuron's circle leads to its scope's
    page."""
    numbers = {node: k for k, node in enumerate(fig.view.nodes)}
    out = {}
    net = getattr(fig, "network", None)
    if net is not None:  # the neuron view: a neuron's circle opens its scalar graph
        for neuron in net.neurons:
            link = links.get("/".join(neuron.scope))
            if link and neuron.activation in numbers:
                out[str(numbers[neuron.activation])] = link
        return {"links": out, "back": links.get("") if zoom else None}
    collapsed = fig.view.collapsed
    boxes = collapsed.boxes if collapsed is not None else {}
    for box_id, box in boxes.items():
        link = links.get("/".join(box.scope))
        if link:
            out[str(numbers[box_id])] = link
    return {"links": out, "back": links.get("") if zoom else None}


def player_script() -> str:
    """The player's script: the focus path finder it shares with the demonstration page
    (``paths.js``), then ``player.js``."""
    return asset("paths.js") + "\n" + asset("player.js")


def script_hash() -> str:
    """The CSP source expression (``'sha256-...'``) of the player's script."""
    return source_hash(player_script())


def player_html(
    trace: Trace,
    *,
    theme: str = "light",
    rankdir: str = "LR",
    phase: str = "both",
    title: str | None = None,
    engine: str | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    copies: bool | None = None,
    output: str | int | None = None,
    seed: Seed = None,
    view: str = "graph",
    granularity: str | None = None,
    focus: str | None = None,
    zoom: str | None = None,
    zoom_links: Mapping[str, str] | None = None,
) -> str:
    """One self-contained HTML page that plays the forward and reverse pass.

    Parameters
    ----------
    trace
        A `Trace`.
    theme
        Frame and page theme: ``"light"`` (default), ``"dark"`` or
        ``"print"`` (light page).
    rankdir
        ``"LR"`` (inputs left, output right) or ``"TB"``.
    phase
        ``"both"`` (default: the forward pass, then the reverse pass, with a
        switch), ``"forward"``, ``"reverse"``, ``"tangent"`` (forward mode:
        tangents pushed from the ``seed``), ``"modes"`` (forward mode, then
        the reverse pass, with a switch) or ``"tangents"`` (forward mode's
        gradient: one sweep per input, each seeded with that input's unit
        vector, one after another with a button each, then the gradient
        assembled from their output tangents; takes no ``seed``).
    title
        Page heading; default ``"y = <formula> at x1 = 1, x2 = 2"``.
    engine
        Graphviz program for the layout (`adviz.scene.graphviz.find_engine`).
    collapse
        Scope labels to draw as one box each; ``None`` (default) collapses a
        large graph's scopes only (`adviz.scene.view.view_options`).
    full
        Draw a large graph with every node and label.
    copies
        Shared leaves drawn once per use (as for `adviz.to_svg`).
    output
        A trace with several outputs: the output whose reverse sweep is shown, by id
        (``"y2"``) or number (1 for the first); default every output's sweep, one
        after another (`parts`). A trace with one output takes only its own.
    seed
        Forward mode: the seeded input's name or a dict of input name to
        tangent, as `adviz.forward_mode` takes it (default: the first input).
        On a trace with several outputs the forward-mode frames show every
        output's tangent (forward mode sweeps them all at once: a column of
        the Jacobian per sweep; ``"tangents"`` gives the whole Jacobian column
        by column, ``"modes"`` forward mode, then each output's reverse sweep).
    view, granularity
        As for `adviz.to_svg`: ``view="network"`` plays a scoped network's
        neuron view, one reverse stage per neuron (or per layer).
    focus, zoom
        As for `adviz.to_svg`: the page opens with that node's paths in focus
        (clicking another node moves the focus, clicking it again or Escape
        clears it), or with that scope drawn open.
    zoom_links
        Pages zoomed into each scope, as for `player_fragment`.

    Returns
    -------
    str
        The page: the first stage inlined as SVG, the other stages as changes
        to it, no external resources.

    Raises
    ------
    InputError
        Unknown ``phase``, theme or scope label; a ``seed`` with a phase that
        does not take one (``"tangents"`` seeds every input itself).

    Examples
    --------
    >>> import adviz
    >>> page = player_html(adviz.trace("x * x", x=3), theme="dark", phase="reverse")
    >>> page.count('class="adviz-player adviz-dark'), 'class="adviz-phases"' in page
    (1, False)
    """
    from adviz.core.sweep import output_sweep

    if output is not None:  # one output's sweep; else a vector trace plays every output's
        trace = output_sweep(trace, output)
    body = player_fragment(trace, theme=theme, rankdir=rankdir, phase=phase, title=title,
                           document_keys=True, styles=False, engine=engine,
                           collapse=collapse, full=full, copies=copies, seed=seed,
                           view=view, granularity=granularity, focus=focus, zoom=zoom,
                           zoom_links=zoom_links)
    heading = html.escape(default_title(trace) if title is None else title)
    dark = theme == "dark"
    csp = (f"default-src 'none'; script-src {script_hash()}; style-src 'unsafe-inline'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    return html_document(f"{heading} — adviz", csp, dark, asset("player.css"), body)


def notebook_svg(trace: Trace, *, theme: str = "light") -> str:
    """The summary figure (all values and final adjoints) as SVG text, for notebooks.

    Examples
    --------
    >>> import adviz
    >>> "<svg" in notebook_svg(adviz.trace("x * x", x=3))
    True
    """
    from adviz.renderers.svg import paint

    fig = _figure(trace, theme, "LR", None, None, False)
    return paint(fig, fig.frame("summary"))


def notebook_html(trace: Trace, *, theme: str = "light") -> str:
    """What a notebook shows for a trace: the compact player, or the summary when large.

    A trace with more than `NOTEBOOK_MAX_FRAMES` frames would make the
    notebook file heavy, so it gets the summary figure and a hint to write
    the player to a file instead.

    Examples
    --------
    >>> import adviz
    >>> notebook_html(adviz.trace("x * x", x=3)).count('class="adviz-data"')
    1
    """
    frames = len(trace.forward_stages) + len(trace.reverse_stages)
    if frames <= NOTEBOOK_MAX_FRAMES:
        return player_fragment(trace, theme=theme, compact=True)
    svg = notebook_svg(trace, theme=theme)
    return (
        f'<figure class="adviz-summary" style="margin:0">{svg[svg.index("<svg"):]}'
        f"<figcaption>{html.escape(default_title(trace))} ({frames} stages: write the "
        "player with <code>adviz.save(trace, &quot;page.html&quot;)</code>)</figcaption>"
        "</figure>\n"
    )
