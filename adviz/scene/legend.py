"""The legend: a compact key to the colours of a phase, laid out once in the scene.

A figure made with ``legend=True`` reserves a band under the graph
(`LegendBand`); `legend` fills it for one phase with the entries that phase
shows: the colour of values and of adjoints or tangents (text drawn in that
colour), the node boxes (fill and border of the node evaluated or receiving
gradient, the muted box of a node not reached yet) and the edges (bold while
they carry something, faded once they have). Every entry's look comes from
the figure's one style table (`adviz.scene.style.style_table`), and its
geometry is computed here, so each renderer only paints it. The neuron view
(`adviz.scene.network`) draws from `NETWORK_ENTRIES` (neurons as circle
swatches, weight edges) and places its legend in a free corner (`free_spot`).

Examples
--------
>>> import adviz
>>> from adviz.scene.picture import figure
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> fig = figure(t, legend=True)
>>> [item.label for item in legend(fig, "reverse").items][:3]
['value', 'gradient g', 'processed']
>>> legend(fig, "summary").items[1].style["colour"] == fig.theme.gradient
True
>>> figure(t).legend is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adviz.scene.style import LINE_SPACING, EdgeState, NodeState, Role
from adviz.text.labels import text_width

if TYPE_CHECKING:
    from adviz.scene.picture import Figure

LEGEND_SIZE = 12.0
"""Font size (points) of the legend's text (never the smallest text of a figure)."""

SWATCH_WIDTH = 22.0
"""Width (points) of an entry's swatch: a node box or a short edge."""

SWATCH_HEIGHT = 12.0
"""Height (points) of a node swatch."""

SWATCH_GAP = 5.0
"""Space (points) between a swatch and its text."""

ENTRY_GAP = 16.0
"""Space (points) between two entries of a row."""

ROW_HEIGHT = LEGEND_SIZE * LINE_SPACING + 4.0
"""Height (points) of one row of entries."""

LEGEND_GAP = 8.0
"""Space (points) between the graph and the legend band."""

Entry = tuple[str, str, str]
"""An entry before layout: kind (``"text"``, ``"node"``, ``"edge"``), state or role, label."""

ENTRIES: dict[str, tuple[Entry, ...]] = {
    "forward": (
        ("text", Role.VALUE, "value"),
        ("node", NodeState.ACTIVE, "evaluated now"),
        ("edge", EdgeState.FORWARD, "feeds it"),
        ("edge", EdgeState.DONE, "used"),
        ("node", NodeState.MUTED, "not evaluated yet"),
        ("edge", EdgeState.MUTED, "not used yet"),
    ),
    "reverse": (
        ("text", Role.VALUE, "value"),
        ("text", Role.ADJOINT, "gradient g"),
        ("node", NodeState.ACTIVE, "processed"),
        ("node", NodeState.RECEIVING, "gets gradient"),
        ("edge", EdgeState.GRADIENT, "gradient now"),
        ("edge", EdgeState.PASSED, "gradient earlier"),
        ("node", NodeState.MUTED, "no gradient yet"),
    ),
    "tangent": (
        ("text", Role.VALUE, "value"),
        ("text", Role.TANGENT, "tangent ẋ"),
        ("node", NodeState.ACTIVE, "computed now"),
        ("edge", EdgeState.TANGENT, "tangent now"),
        ("node", NodeState.MUTED, "not reached yet"),
    ),
    "summary": (
        ("text", Role.VALUE, "value"),
        ("text", Role.ADJOINT, "gradient g"),
    ),
}
"""Every entry a phase may show, in the order drawn; `legend` keeps those the phase uses."""

NETWORK_ENTRIES: dict[str, tuple[Entry, ...]] = {
    "forward": (
        ("text", Role.VALUE, "value"),
        ("node", NodeState.ACTIVE, "computed now"),
        ("node", NodeState.DONE, "computed"),
        ("edge", EdgeState.FORWARD, "weights used now"),
        ("edge", EdgeState.DONE, "weights used"),
        ("node", NodeState.MUTED, "not computed yet"),
        ("edge", EdgeState.MUTED, "not used yet"),
    ),
    "reverse": (
        ("text", Role.VALUE, "value"),
        ("text", Role.ADJOINT, "gradient g"),
        ("node", NodeState.ACTIVE, "neuron processed"),
        ("node", NodeState.RECEIVING, "gets gradient"),
        ("node", NodeState.DONE, "gradient known"),
        ("edge", EdgeState.GRADIENT, "gradient now"),
        ("edge", EdgeState.PASSED, "gradient earlier"),
        ("node", NodeState.MUTED, "no gradient yet"),
    ),
    "summary": (
        ("text", Role.VALUE, "value"),
        ("text", Role.ADJOINT, "gradient g"),
    ),
}
"""The entries of the neuron view (`adviz.scene.network`): neurons (circle swatches) and
weight edges in the words of a network."""

CIRCLE_SWATCH = 14.0
"""Diameter (points) of a neuron's swatch, centred in the swatch's slot."""


def table(fig: Figure | None) -> dict[str, tuple[Entry, ...]]:
    """The entries a figure's legend draws from: the neuron view's or the scalar view's.

    Examples
    --------
    >>> table(None) is ENTRIES
    True
    """
    return NETWORK_ENTRIES if getattr(fig, "network", None) is not None else ENTRIES

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class LegendBand:
    """The room reserved for the legend under the graph, in frame points.

    Attributes
    ----------
    x, top
        Left end and top of the band.
    width
        Width available to a row.
    rows
        Rows reserved (the most any phase needs).
    """

    x: float
    top: float
    width: float
    rows: int

    @property
    def height(self) -> float:
        """The band's height."""
        return self.rows * ROW_HEIGHT

    def box(self) -> Box:
        """The band as ``(left, top, right, bottom)``."""
        return (self.x, self.top, self.x + self.width, self.top + self.height)


@dataclass(frozen=True)
class LegendItem:
    """One entry of a legend, placed.

    Attributes
    ----------
    kind
        ``"text"`` (the label drawn in a role's colour), ``"node"`` (a box
        swatch) or ``"edge"`` (a short arrow).
    key
        The role (text) or the state (node, edge) it explains.
    label
        Its text.
    swatch
        The swatch's box ``(left, top, right, bottom)``; ``None`` for text.
    text_x, baseline
        Where the label starts and its baseline.
    colour
        The label's colour.
    style
        The swatch's resolved style (`adviz.scene.style.style_table`: a node
        style's ``fill``, ``stroke``, ``width`` and ``shape``, ``"box"`` or
        ``"circle"`` (a neuron: the ellipse inscribed in the swatch); an edge
        style's ``colour``, ``width``, ``opacity``); a text entry: its ``colour``.
    """

    kind: str
    key: str
    label: str
    swatch: Box | None
    text_x: float
    baseline: float
    colour: str
    style: dict[str, Any]

    def box(self) -> Box:
        """The entry's extent: swatch and text."""
        left = self.swatch[0] if self.swatch is not None else self.text_x
        return (left, self.baseline - 0.76 * LEGEND_SIZE,
                self.text_x + text_width(self.label, LEGEND_SIZE),
                self.baseline + 0.24 * LEGEND_SIZE)


@dataclass(frozen=True)
class Legend:
    """The legend of one phase: its band and its placed entries."""

    phase: str
    band: LegendBand
    items: tuple[LegendItem, ...]


def entry_width(entry: Entry) -> float:
    """Width (points) of an entry: swatch, gap and text.

    Examples
    --------
    >>> entry_width(("text", "value", "value")) == text_width("value", LEGEND_SIZE)
    True
    """
    kind, _, label = entry
    swatch = 0.0 if kind == "text" else SWATCH_WIDTH + SWATCH_GAP
    return swatch + text_width(label, LEGEND_SIZE)


def rows(entries: Sequence[Entry], width: float) -> list[list[Entry]]:
    """Entries packed into rows no wider than ``width`` (an entry wider than it stays whole).

    Examples
    --------
    >>> len(rows(ENTRIES["summary"], 1000.0)), len(rows(ENTRIES["summary"], 10.0))
    (1, 2)
    """
    out: list[list[Entry]] = []
    used = 0.0
    for entry in entries:
        extent = entry_width(entry)
        if out and used + ENTRY_GAP + extent <= width:
            out[-1].append(entry)
            used += ENTRY_GAP + extent
        else:
            out.append([entry])
            used = extent
    return out


def rows_needed(width: float, entries: dict[str, tuple[Entry, ...]] | None = None) -> int:
    """Rows the legend needs in a band ``width`` wide: the most of any phase (of
    ``entries``, default `ENTRIES`).

    Examples
    --------
    >>> rows_needed(2000.0), rows_needed(1.0, NETWORK_ENTRIES)
    (1, 8)
    """
    found = ENTRIES if entries is None else entries
    return max(len(rows(kept, width)) for kept in found.values())


def column_width(entries: dict[str, tuple[Entry, ...]] | None = None) -> float:
    """Width (points) of a legend drawn as a column, one entry a row: its widest entry
    (of ``entries``, default `ENTRIES`).

    Examples
    --------
    >>> column_width() >= entry_width(("text", "value", "value"))
    True
    """
    found = ENTRIES if entries is None else entries
    return max(entry_width(entry) for kept in found.values() for entry in kept)


def check_place(legend: object) -> str | None:
    """Where a ``legend`` option puts the legend: ``"below"`` the graph (``True``),
    ``"right"`` of it, or nowhere (``None`` for ``False`` or ``None``).

    Examples
    --------
    >>> check_place(True), check_place(False), check_place("inside")
    ('below', None, 'inside')
    >>> check_place("left")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: legend must be True, False, 'inside', 'below' or 'right', not 'left'
    """
    from adviz.errors import InputError

    if legend is None or legend is False:
        return None
    if legend is True:
        return "below"
    if legend in PLACES:
        return str(legend)
    raise InputError(f"legend must be True, False, 'inside', 'below' or 'right', not "
                     f"{legend!r}")


PLACES = ("inside", "below", "right")
"""Where a legend may sit: as a column in a corner of the drawing that nothing else uses
(``"inside"``; under the graph when no corner is free), under the graph (a band of rows),
or right of it (a column)."""

CLEARANCE = 6.0
"""Least space (points) between a legend inside the drawing and anything drawn there."""


Point = tuple[float, float]


def crosses(box: Box, p: Point, q: Point) -> bool:
    """Whether the segment ``p``-``q`` passes through ``box`` (Liang-Barsky clipping).

    Examples
    --------
    >>> crosses((0.0, 0.0, 10.0, 10.0), (-5.0, 5.0), (15.0, 5.0))
    True
    >>> crosses((0.0, 0.0, 10.0, 10.0), (-5.0, 12.0), (15.0, 12.0))
    False
    """
    low, high = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for step, room in ((-dx, p[0] - box[0]), (dx, box[2] - p[0]),
                       (-dy, p[1] - box[1]), (dy, box[3] - p[1])):
        if step == 0:
            if room < 0:
                return False
            continue
        t = room / step
        if step < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def free_spot(width: float, height: float, area: Box, boxes: Sequence[Box],
              points: Sequence[Point], segments: Sequence[tuple[Point, Point]] = (),
              corners: str = "bottom") -> tuple[float, float] | None:
    """The top left corner of a ``width`` x ``height`` box in a corner of ``area`` that
    keeps `CLEARANCE` from every box of ``boxes``, every point of ``points`` (sampled
    routes) and every straight segment of ``segments``; ``None`` when no corner is free.
    Bottom corners are tried first (``corners="top"``: top corners first).

    Examples
    --------
    >>> free_spot(10.0, 10.0, (0.0, 0.0, 100.0, 100.0), [(0.0, 80.0, 30.0, 100.0)], [])
    (90.0, 90.0)
    >>> free_spot(10.0, 10.0, (0.0, 0.0, 20.0, 20.0), [(5.0, 5.0, 15.0, 15.0)], []) is None
    True
    >>> free_spot(10.0, 10.0, (0.0, 0.0, 100.0, 100.0), [], [],
    ...           [((0.0, 100.0), (20.0, 80.0))])
    (90.0, 90.0)
    """
    x0, y0, x1, y1 = area
    if x1 - x0 < width or y1 - y0 < height:
        return None
    bottom = ((x0, y1 - height), (x1 - width, y1 - height))
    top = ((x0, y0), (x1 - width, y0))
    for left, top_y in (*top, *bottom) if corners == "top" else (*bottom, *top):
        a, b = left - CLEARANCE, top_y - CLEARANCE
        c, d = left + width + CLEARANCE, top_y + height + CLEARANCE
        if any(bx0 < c and a < bx1 and by0 < d and b < by1 for bx0, by0, bx1, by1 in boxes):
            continue
        if any(a < px < c and b < py < d for px, py in points):
            continue
        if any(crosses((a, b, c, d), p, q) for p, q in segments):
            continue
        return round(left, 2), round(top_y, 2)
    return None


def _shown(fig: Figure, phase: str) -> tuple[set[str], set[str]]:
    """The node states and edge states any frame of ``phase`` shows (walked once)."""
    found = fig.cache.get(f"legend-states:{phase}")
    if found is None:
        nodes: set[str] = set()
        edges: set[str] = set()
        for change in fig.changes(phase):
            nodes.update(view.state for view in change.nodes.values())
            edges.update(view.state for view in change.edges.values())
        found = fig.cache[f"legend-states:{phase}"] = (nodes, edges)
    return found


def entries(fig: Figure, phase: str) -> tuple[Entry, ...]:
    """The entries of ``phase`` that its frames show (a state no frame has is left out)."""
    nodes, edges = _shown(fig, phase)
    kept = []
    found = table(fig)
    for kind, key, label in found.get(phase, found["summary"]):
        if (kind == "node" and key not in nodes) or (kind == "edge" and key not in edges):
            continue
        if kind == "text" and key == Role.TANGENT and not fig.seed:
            continue
        kept.append((kind, str(key), label))
    return tuple(kept)


def legend(fig: Figure, phase: str) -> Legend | None:
    """The placed legend of ``phase`` (``None`` when the figure has no legend band).

    Raises
    ------
    InputError
        An unknown phase (from the figure's frames).
    """
    band = fig.legend
    if band is None:
        return None
    cached = fig.cache.get(f"legend:{phase}")
    if cached is not None:
        return cached
    styles = fig.styles
    neurons = table(fig) is NETWORK_ENTRIES
    items: list[LegendItem] = []
    for row, packed in enumerate(rows(entries(fig, phase), band.width)):
        centre = band.top + row * ROW_HEIGHT + ROW_HEIGHT / 2
        base = round(centre + LEGEND_SIZE * 0.35, 2)
        x = band.x
        for kind, key, label in packed:
            swatch: Box | None = None
            colour = styles["caption"]
            if kind == "text":
                style: dict[str, Any] = {"colour": styles["text"][key]}
                colour = style["colour"]
                text_x = x
            else:
                if kind == "node":
                    node = styles["node"]["op"][key]
                    style = {"fill": node["fill"], "stroke": node["stroke"],
                             "width": node["width"], "shape": "box"}
                    half = SWATCH_HEIGHT / 2
                    if neurons:  # a neuron: a circle in the middle of the swatch's slot
                        style["shape"] = "circle"
                        half = CIRCLE_SWATCH / 2
                        mid = x + SWATCH_WIDTH / 2
                        swatch = (round(mid - half, 2), round(centre - half, 2),
                                  round(mid + half, 2), round(centre + half, 2))
                else:
                    edge = styles["edge"][key]
                    style = {"colour": edge["colour"], "width": edge["width"],
                             "opacity": edge["opacity"]}
                    half = 3.2
                if swatch is None:
                    swatch = (round(x, 2), round(centre - half, 2), round(x + SWATCH_WIDTH, 2),
                              round(centre + half, 2))
                text_x = x + SWATCH_WIDTH + SWATCH_GAP
            items.append(LegendItem(kind, key, label, swatch, round(text_x, 2), base, colour,
                                    style))
            x += entry_width((kind, key, label)) + ENTRY_GAP
    found = Legend(phase, band, tuple(items))
    fig.cache[f"legend:{phase}"] = found
    return found
