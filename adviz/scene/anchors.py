"""Edge-label anchors: every label block sits against its own edge's route.

Graphviz reserves a box for each edge label and routes the edge beside it,
but in dense layouts the box can end up nearer another edge than its own, or
tens of points away from its route. `place_labels` moves each label along
its own route instead: it tries positions just beside the route (above or
below it; in top-to-bottom layouts also to its right or left), each with the
text block a small `GAP` from the route, and keeps the one nearest
Graphviz's choice such that

- the block, with one line (the partial) or with both lines, is at most
  `REACH` from its own route and nearer to it than to any other route,
- the block overlaps no node box, no scope label, no other label block, and
  stays inside the drawing.

When no position meets the distance conditions, the one that violates them
least (still without any overlap) is kept, and the label is reported
(``unmet``: `adviz.scene.picture.figure` then tries a roomier layout). The
layout and the node coordinates are not changed.

The work grows with the number of labels, not its square, so every graph is
placed, however large: route points, obstacles and placed labels are bucketed
in square cells (`_Index`), so scoring a position or testing it for overlaps
only looks at what lies near it; each label tries at most `CHUNKS` groups of
positions; the labels Graphviz already placed well are found in one
vectorised pass over all of them.

Text blocks are laid out as the renderers lay them out: lines of
``EDGE_SIZE`` points, ``LINE_SPACING`` apart, centred vertically on the
anchor; horizontally centred on it, or left-aligned from ``left`` in
top-to-bottom layouts (`Block`).

Examples
--------
>>> lines = ("∂y/∂t = 1", "g_t += 1 · 1 = 1")
>>> route = [(0.0, 50.0), (200.0, 50.0)]
>>> found = place_labels({("a", "b"): Label(lines, route, (100.0, 20.0))},
...                      obstacles=[], bounds=(0.0, 0.0, 200.0, 100.0), tb=False)
>>> (x, y), left = found["a", "b"]
>>> block = Block(lines, left_aligned=False)
>>> bottom = max(r[3] for r in block.rects(x, y, block.bold))
>>> round(50.0 - bottom, 2), left  # the text block ends just above its route
(3.0, None)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from adviz.scene.layout import BOLD_FACTOR
from adviz.scene.style import EDGE_SIZE, LINE_SPACING
from adviz.text.labels import text_width

Point = tuple[float, float]
Rect = tuple[float, float, float, float]

GAP = 3.0
"""Space (points) between a label's text block and its own route."""

GAPS = (GAP,)
"""The gaps tried between a label's text block and its own route (the first preferred)."""

REACH = 11.5
"""Farthest (points) a label's text block may be from its own route, in any frame."""

CLEARANCE = 2.0
"""How much nearer (points) a label's own route must be than any other route."""

OBSTACLE_PAD = 2.0
"""Space (points) kept between a label block and node boxes, scope labels and other labels."""

STEP = 4.0
"""Spacing (points, along the route) of the positions tried."""

REPAIRS = 3
"""Rounds of moves that take a place held by other labels (`_Placer.repair`)."""

CHAIN = 3
"""How many labels deep a repair may push other labels out of the way."""

CHUNKS = 12
"""How many groups of candidates (the cheapest first) are tried per label, at most."""

MANY_LABELS = 150
"""Beyond this many labels (a large graph drawn with ``full=True``), Graphviz's label
positions are kept: searching places costs about 15 ms per label, many times the
layout of such a graph (``benchmarks/anchors.py``), and the pages draw graphs whole."""

_CHUNK = 48
_CAP = REACH + CLEARANCE + 4.0
_VARIANTS = 4


@dataclass(frozen=True)
class Label:
    """What `place_labels` needs to know about one edge label.

    Attributes
    ----------
    lines
        The reserved lines: the partial, then the widest contribution.
    route
        The edge's route as a polyline (parent to arrow tip).
    start
        Graphviz's centre of the label box.
    """

    lines: tuple[str, ...]
    route: Sequence[Point]
    start: Point


class Block:
    """The text block of a label as the renderers draw it, for an anchor.

    Any line may be drawn bold (the contribution of the current stage), so
    each line is reserved at its bold width (`BOLD_FACTOR`).

    Parameters
    ----------
    lines
        The reserved lines (the first is always drawn; the others only in some frames).
    left_aligned
        Lines start at the block's left edge (top-to-bottom layouts) instead
        of being centred on the anchor.

    Examples
    --------
    >>> block = Block(("ab",), left_aligned=True)
    >>> [round(v, 2) for v in block.rects(10.0, 0.0, block.regular)[0]]
    [2.31, -7.15, 16.04, 7.15]
    """

    def __init__(self, lines: Sequence[str], left_aligned: bool) -> None:
        self.left_aligned = left_aligned
        self.regular = [text_width(t, EDGE_SIZE) for t in lines]
        self.bold = [w * BOLD_FACTOR for w in self.regular]
        self.width = max(self.bold, default=0.0)
        self.line = EDGE_SIZE * LINE_SPACING
        self.height = self.line * len(self.regular)

    def variants(self) -> list[list[float]]:
        """Line widths of the blocks a frame can show: the first line alone (regular or
        bold), then every line (the first regular or bold, the others bold)."""
        out = [self.regular[:1], self.bold[:1]]
        if len(self.bold) > 1:
            out += [self.regular[:1] + self.bold[1:], self.bold]
        return out

    def rects(self, x: float, y: float, widths: Sequence[float]) -> list[Rect]:
        """The rectangles of lines of ``widths``, drawn for the anchor ``(x, y)`` (the
        centre of the reserved block)."""
        top = y - self.line * len(widths) / 2
        left = x - self.width / 2
        out = []
        for k, w in enumerate(widths):
            x0 = left if self.left_aligned else x - w / 2
            y0 = top + k * self.line
            out.append((round(x0, 2), round(y0, 2), round(x0 + w, 2), round(y0 + self.line, 2)))
        return out

    def box(self, x: float, y: float) -> Rect:
        """The whole reserved block (every line at its widest) around the anchor."""
        return (x - self.width / 2, y - self.height / 2, x + self.width / 2, y + self.height / 2)


def densify(points: Sequence[Point] | np.ndarray, spacing: float = 1.0) -> np.ndarray:
    """A polyline resampled so that consecutive points are at most ``spacing`` apart.

    Examples
    --------
    >>> densify([(0.0, 0.0), (3.0, 0.0)]).tolist()
    [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0]]
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(pts) < 2:
        return pts.copy()
    steps = np.diff(pts, axis=0)
    counts = np.maximum(np.ceil(np.hypot(steps[:, 0], steps[:, 1]) / spacing), 1).astype(int)
    segment = np.repeat(np.arange(len(steps)), counts)
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    fraction = (within / counts[segment])[:, None]
    return np.vstack([pts[:1], pts[segment] + steps[segment] * fraction])


def densify_many(routes: Sequence[Sequence[Point] | np.ndarray], spacing: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Every route resampled as by `densify`, all in one array, and the route (its index
    in ``routes``) each point belongs to.

    Examples
    --------
    >>> points, owner = densify_many([np.array([[0.0, 0.0], [2.0, 0.0]]),
    ...                               np.array([[5.0, 5.0]])], 1.0)
    >>> points.tolist(), owner.tolist()
    ([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [5.0, 5.0]], [0, 0, 0, 1])
    """
    shaped = [np.asarray(r, dtype=float).reshape(-1, 2) for r in routes]
    lengths = np.asarray([len(r) for r in shaped], dtype=np.int64)
    if not lengths.sum():
        return np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
    pts = np.concatenate(shaped)
    route_of = np.repeat(np.arange(len(shaped)), lengths)
    first = np.cumsum(lengths) - lengths
    starts = np.flatnonzero(route_of[1:] == route_of[:-1])
    steps = pts[starts + 1] - pts[starts]
    counts = np.maximum(np.ceil(np.hypot(steps[:, 0], steps[:, 1]) / spacing), 1).astype(np.int64)
    segment = np.repeat(np.arange(len(steps)), counts)
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    fraction = (within / counts[segment])[:, None]
    samples = pts[starts[segment]] + steps[segment] * fraction
    sample_route = route_of[starts[segment]]
    nonempty = lengths > 0
    rank: np.ndarray = np.cumsum(nonempty) - nonempty
    before = np.cumsum(np.bincount(sample_route, minlength=len(shaped)))
    before = np.concatenate([[0], before[:-1]])
    out = np.empty((int(nonempty.sum()) + len(samples), 2))
    owner = np.empty(len(out), dtype=np.int64)
    heads = np.flatnonzero(nonempty)
    out[rank[heads] + before[heads]] = pts[first[heads]]
    owner[rank[heads] + before[heads]] = heads
    place = np.arange(len(samples)) + rank[sample_route] + 1
    out[place] = samples
    owner[place] = sample_route
    return out, owner


def rect_distances(rects: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance from each of ``(m, 4)`` rectangles to the nearest of ``(n, 2)`` points.

    Examples
    --------
    >>> rect_distances(np.array([[0.0, 0.0, 2.0, 2.0]]), np.array([[5.0, 6.0], [1.0, 3.0]]))
    array([1.])
    """
    if not len(points):
        return np.full(len(rects), np.inf)
    px, py = points[None, :, 0], points[None, :, 1]
    dx = np.maximum(np.maximum(rects[:, None, 0] - px, 0.0), px - rects[:, None, 2])
    dy = np.maximum(np.maximum(rects[:, None, 1] - py, 0.0), py - rects[:, None, 3])
    return np.sqrt(np.min(dx * dx + dy * dy, axis=1))


def near_distances(rects: np.ndarray, points: np.ndarray, cap: float) -> np.ndarray:
    """Like `rect_distances` for points sorted by x, but only exact up to ``cap``: farther
    distances come out as ``cap`` or more (only points within ``cap`` in x are compared).

    Examples
    --------
    >>> near_distances(np.array([[0.0, 0.0, 2.0, 2.0]]), np.array([[1.0, 3.0], [5.0, 6.0]]), 4.0)
    array([1.])
    """
    if not len(points) or not len(rects):
        return np.full(len(rects), np.inf)
    start = np.searchsorted(points[:, 0], rects[:, 0] - cap, side="left")
    stop = np.searchsorted(points[:, 0], rects[:, 2] + cap, side="right")
    count = stop - start
    out = np.full(len(rects), np.inf)
    has = count > 0
    if not has.any():
        return out
    offsets = np.repeat(start[has] - np.concatenate([[0], np.cumsum(count[has])[:-1]]),
                        count[has])
    index = np.arange(int(count[has].sum())) + offsets
    owner = np.repeat(np.flatnonzero(has), count[has])
    px, py = points[index, 0], points[index, 1]
    r = rects[owner]
    dx = np.maximum(np.maximum(r[:, 0] - px, 0.0), px - r[:, 2])
    dy = np.maximum(np.maximum(r[:, 1] - py, 0.0), py - r[:, 3])
    squared = dx * dx + dy * dy
    bounds = np.concatenate([[0], np.cumsum(count[has])[:-1]])
    out[has] = np.sqrt(np.minimum.reduceat(squared, bounds))
    return out


def _overlaps(boxes: np.ndarray, obstacles: np.ndarray) -> np.ndarray:
    """Whether each of ``(m, 4)`` boxes overlaps any of ``(n, 4)`` obstacles."""
    if not len(obstacles):
        return np.zeros(len(boxes), dtype=bool)
    a, b = boxes[:, None, :], obstacles[None, :, :]
    hit = (a[..., 0] < b[..., 2]) & (b[..., 0] < a[..., 2]) & \
          (a[..., 1] < b[..., 3]) & (b[..., 1] < a[..., 3])
    return np.asarray(hit.any(axis=1))


class _Window:
    """Least and greatest coordinate ``1 - axis`` of route points whose coordinate ``axis``
    lies in a window, for many windows at once (a sparse table over the sorted points).

    Examples
    --------
    >>> w = _Window(np.array([[0.0, 5.0], [1.0, 2.0], [2.0, 9.0]]), axis=0)
    >>> w.extreme(np.array([0.5, 3.0]), np.array([2.5, 4.0]), least=True).tolist()
    [2.0, inf]
    """

    def __init__(self, route: np.ndarray, axis: int) -> None:
        order = np.argsort(route[:, axis], kind="stable")
        self.keys = route[order, axis]
        values = route[order, 1 - axis]
        self.low, self.high = [values], [values]
        width = 1
        while 2 * width <= len(values):
            self.low.append(np.minimum(self.low[-1][:-width], self.low[-1][width:]))
            self.high.append(np.maximum(self.high[-1][:-width], self.high[-1][width:]))
            width *= 2

    def extreme(self, lo: np.ndarray, hi: np.ndarray, least: bool) -> np.ndarray:
        """Per window ``[lo, hi]``, the least (or greatest) value (infinite when empty)."""
        start = np.searchsorted(self.keys, lo, side="left")
        stop = np.searchsorted(self.keys, hi, side="right")
        count = stop - start
        empty = count <= 0
        level = np.floor(np.log2(np.maximum(count, 1))).astype(int)
        span = 1 << level
        out = np.empty(len(lo))
        tables = self.low if least else self.high
        pick = np.minimum if least else np.maximum
        for k in np.unique(level[~empty]):
            rows = np.flatnonzero((level == k) & ~empty)
            table = tables[k]
            out[rows] = pick(table[start[rows]], table[stop[rows] - span[rows]])
        out[empty] = np.inf if least else -np.inf
        return out


def _penalties(tb: bool, left_aligned: bool) -> dict[str, float]:
    """What each side of the route costs (points of displacement), per layout direction
    and alignment: Graphviz's usual side and the renderers' usual alignment cost nothing."""
    if tb:
        return ({"right": 0.0, "left": 6.0, "above": 6.0, "below": 6.0} if left_aligned
                else {"above": 8.0, "below": 8.0})
    return ({"above": 4.0, "below": 10.0, "right": 10.0, "left": 14.0} if left_aligned
            else {"above": 0.0, "below": 6.0})


def _candidates(route: np.ndarray, block: Block, tb: bool,
                windows: tuple[_Window, _Window] | None = None,
                near: Point | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Anchors beside the route and a side penalty for each.

    Each block beside the route is pushed off it until every line of every
    variant of the block (`Block.variants`) is `GAP` away from the route.
    Above and below the route, the first line is centred over a route point;
    to its right or left, the block is centred on a route point's height.
    ``windows`` are the route's `_Window` along x and y (made when not given);
    with ``near``, only the `CHUNKS` ``*`` 48 route points nearest it are used.
    """
    pts = densify(route, STEP)
    if near is not None and len(pts) > CHUNKS * _CHUNK:
        distance = np.hypot(pts[:, 0] - near[0], pts[:, 1] - near[1])
        pts = pts[distance <= np.partition(distance, CHUNKS * _CHUNK - 1)[CHUNKS * _CHUNK - 1]]
    if windows is None:
        dense = densify(route, 1.0)
        windows = (_Window(dense, 0), _Window(dense, 1))
    across, down = windows
    rects = np.asarray([r for widths in block.variants() for r in block.rects(0.0, 0.0, widths)],
                       dtype=float)
    x0, y0, x1, y1 = (rects[:, k, None] for k in range(4))
    n = len(pts)
    half_first = block.regular[0] / 2 if block.regular else 0.0
    penalties = _penalties(tb, block.left_aligned)
    anchors: list[np.ndarray] = []
    penalty: list[float] = []
    cx = pts[:, 0] + (block.width / 2 - half_first if block.left_aligned else 0.0)
    lo, hi = (cx + x0 - GAP).ravel(), (cx + x1 + GAP).ravel()
    top = (across.extreme(lo, hi, least=True).reshape(-1, n) - y1).min(axis=0)
    bottom = (across.extreme(lo, hi, least=False).reshape(-1, n) - y0).max(axis=0)
    for gap in GAPS:
        anchors += [np.column_stack([cx, top - gap]), np.column_stack([cx, bottom + gap])]
        penalty += [penalties["above"] + gap - GAP] * n
        penalty += [penalties["below"] + gap - GAP] * n
    if "right" in penalties:
        cy = pts[:, 1]
        lo, hi = (cy + y0 - GAP).ravel(), (cy + y1 + GAP).ravel()
        right = (down.extreme(lo, hi, least=False).reshape(-1, n) - x0).max(axis=0)
        left = (down.extreme(lo, hi, least=True).reshape(-1, n) - x1).min(axis=0)
        for gap in GAPS:
            anchors += [np.column_stack([right + gap, cy]), np.column_stack([left - gap, cy])]
            penalty += [penalties["right"] + gap - GAP] * n
            penalty += [penalties["left"] + gap - GAP] * n
    found = np.concatenate(anchors)
    cost = np.asarray(penalty)
    keep = np.isfinite(found).all(axis=1)
    return found[keep], cost[keep]


@dataclass(frozen=True)
class _Scored:
    anchor: Point
    left_aligned: bool
    badness: float
    cost: float


CELL = 16.0
"""Side (points) of the square cells route points are bucketed in."""

BOX_CELL = 64.0
"""Side (points) of the square cells node boxes, scope labels and label blocks are
bucketed in."""

SPACING = 2.0
"""Greatest distance (points) between the points a route is measured by: a block's
distance to a route is overestimated by at most half of it (`CLEARANCE` covers that)."""

_MOST_CELLS = 4_000_000


class _Cells:
    """A grid of square cells over a rectangle: which cells a rectangle covers.

    Coordinates outside the rectangle count as in its border cells, so every
    item is found by a query that covers it.

    Examples
    --------
    >>> cells = _Cells((0.0, 0.0, 100.0, 50.0), 32.0)
    >>> cells.shape
    (4, 2)
    >>> [v.tolist() for v in cells.span(np.array([[10.0, 10.0, 40.0, 20.0]]))]
    [[0], [0], [1], [0]]
    """

    def __init__(self, extent: Rect, cell: float) -> None:
        x0, y0, x1, y1 = extent
        while math.ceil((x1 - x0) / cell + 1e-9) * math.ceil((y1 - y0) / cell + 1e-9) > _MOST_CELLS:
            cell *= 2
        self.origin = (x0, y0)
        self.cell = cell
        self.shape = (max(1, math.ceil((x1 - x0) / cell + 1e-9)),
                      max(1, math.ceil((y1 - y0) / cell + 1e-9)))
        self.top = np.array([self.shape[0], self.shape[1]] * 2, dtype=float) - 0.5

    def span(self, rects: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """First and last column and row of the cells each of ``(m, 4)`` rectangles covers."""
        scaled = (rects - np.tile(self.origin, 2)) / self.cell
        index = np.minimum(np.maximum(scaled, 0.0), self.top).astype(np.int64)
        return index[:, 0], index[:, 1], index[:, 2], index[:, 3]

    def cell_of(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column and row of the cell each of ``(n, 2)`` points lies in (as `span` puts
        them)."""
        scaled = (points - np.asarray(self.origin)) / self.cell
        index = np.minimum(np.maximum(scaled, 0.0), self.top[:2]).astype(np.int64)
        return index[:, 0], index[:, 1]

    def box_keys(self, rect: Sequence[float]) -> list[int]:
        """The keys of the cells one rectangle covers (`keys` for a single rectangle)."""
        ny = self.shape[1]
        x0, y0, x1, y1 = (min(max(int((v - o) // self.cell), 0), n - 1) for v, o, n in
                          zip(rect, self.origin * 2, self.shape * 2))
        return [x * ny + y for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]

    def keys(self, rects: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (rectangle, cell) pair of ``(m, 4)`` rectangles: rectangle index, cell key."""
        x0, y0, x1, y1 = self.span(rects)
        rows = y1 - y0 + 1
        count = (x1 - x0 + 1) * rows
        owner = np.repeat(np.arange(len(rects)), count)
        k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        return owner, (x0[owner] + k // rows[owner]) * self.shape[1] + y0[owner] + k % rows[owner]


class _Index:
    """Rectangles (points are rectangles of no size) bucketed by cell, found near a
    rectangle without looking at the others (a grid hash: no all-pairs work).

    Examples
    --------
    >>> cells = _Cells((0.0, 0.0, 320.0, 320.0), 32.0)
    >>> index = _Index(cells, np.array([[5.0, 5.0, 5.0, 5.0], [300.0, 300.0, 300.0, 300.0]]))
    >>> query, item = index.pairs(np.array([[0.0, 0.0, 10.0, 10.0]]))
    >>> query.tolist(), item.tolist()
    ([0], [0])
    """

    def __init__(self, cells: _Cells, rects: np.ndarray, points: bool = False) -> None:
        self.cells = cells
        self.rects = rects
        if points:  # ``rects`` holds ``(n, 2)`` points, each in the one cell it lies in
            x, y = cells.cell_of(rects)
            owner, key = np.arange(len(rects)), x * cells.shape[1] + y
        else:
            owner, key = cells.keys(rects)
        order = np.argsort(key, kind="stable")
        self.items = owner[order]
        self.offsets = np.searchsorted(key[order], np.arange(cells.shape[0] * cells.shape[1] + 1))

    def pairs(self, rects: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (query, item) pair of items in a cell a query rectangle covers, grouped by
        query in order (an item in several cells may come more than once)."""
        x0, y0, x1, y1 = self.cells.span(rects)
        columns = x1 - x0 + 1
        query = np.repeat(np.arange(len(rects)), columns)
        column = x0[query] + np.arange(len(query)) - np.repeat(np.cumsum(columns) - columns,
                                                                 columns)
        base = column * self.cells.shape[1]
        start = self.offsets[base + y0[query]]
        count = self.offsets[base + y1[query] + 1] - start
        pair_query = np.repeat(query, count)
        within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        return pair_query, self.items[np.repeat(start, count) + within]


def _point_distances(rects: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Distance from each rectangle to the point of the same row."""
    dx = np.maximum(np.maximum(rects[:, 0] - points[:, 0], 0.0), points[:, 0] - rects[:, 2])
    dy = np.maximum(np.maximum(rects[:, 1] - points[:, 1], 0.0), points[:, 1] - rects[:, 3])
    return np.sqrt(dx * dx + dy * dy)


_PAD = np.array([-OBSTACLE_PAD, -OBSTACLE_PAD, OBSTACLE_PAD, OBSTACLE_PAD])

Key = tuple[str, str]
Placed = tuple[Point, bool]


class _Placer:
    """The anchors placed so far, and the moves that improve them.

    Route points, obstacles and placed labels are bucketed by cell (`_Index`,
    `_Cells`): scoring a candidate or testing it for overlaps only looks at
    what lies near it, so a label costs the same in a small and a large graph.
    """

    def __init__(self, labels: Mapping[Key, Label], obstacles: Sequence[Rect],
                 bounds: Rect, tb: bool) -> None:
        self.labels = labels
        self.bounds = bounds
        self.tb = tb
        self.keys = list(labels)
        self.number = {key: i for i, key in enumerate(self.keys)}
        points, self.owner = densify_many([labels[k].route for k in self.keys], SPACING)
        self.blocks = {key: {aligned: Block(label.lines, aligned) for aligned in (False, True)}
                       for key, label in labels.items()}
        fixed = np.asarray(obstacles, dtype=float).reshape(-1, 4)
        extent = np.concatenate([points, fixed[:, :2], fixed[:, 2:],
                                 np.asarray([bounds[:2], bounds[2:]], dtype=float)])
        whole: Rect = (*extent.min(axis=0), *extent.max(axis=0))
        self.cells = _Cells(whole, CELL)
        self.box_cells = _Cells(whole, BOX_CELL)
        self.points = points
        self.point_index = _Index(self.cells, points, points=True)
        self.fixed = _Index(self.box_cells, fixed)
        self.boxes = np.zeros((len(self.keys), 4))
        self.grid: dict[int, set[int]] = {}
        self.anchors: dict[Key, Placed] = {}
        self.journal: dict[Key, Placed] | None = None
        for key, label in labels.items():
            self._set(key, (label.start, tb))
        self.candidates: dict[Key, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.scores: dict[Key, np.ndarray] = {}
        self.shapes: dict[tuple[int, bool], tuple[np.ndarray, np.ndarray]] = {}
        self.most = max((2 + 2 * len(label.lines) for label in labels.values()), default=0)

    def _set(self, key: Key, placed: Placed) -> None:
        """Move a label, keeping the grid of placed labels (and the journal) up to date."""
        i = self.number[key]
        old = self.anchors.get(key)
        if old is not None:
            if self.journal is not None:
                self.journal.setdefault(key, old)
            for cell in self.box_cells.box_keys(self.boxes[i].tolist()):
                self.grid[cell].discard(i)
        self.anchors[key] = placed
        anchor, aligned = placed
        self.boxes[i] = self.blocks[key][aligned].box(*anchor)
        for cell in self.box_cells.box_keys(self.boxes[i].tolist()):
            self.grid.setdefault(cell, set()).add(i)

    def _labels_near(self, rects: np.ndarray) -> set[int]:
        """The labels whose blocks lie in a cell one of ``rects`` covers."""
        found: set[int] = set()
        for cell in np.unique(self.box_cells.keys(rects)[1]).tolist():
            found.update(self.grid.get(cell, ()))
        return found

    def box(self, key: Key) -> Rect:
        anchor, aligned = self.anchors[key]
        return self.blocks[key][aligned].box(*anchor)

    def badness(self, key: Key) -> float:
        """How far the label's current anchor is from meeting the distance conditions."""
        return self._badness_at(key, self.anchors[key])

    def badness_all(self) -> np.ndarray:
        """`badness` of every label at its current anchor, in the order of ``keys``."""
        anchors = np.asarray([self.anchors[k][0] for k in self.keys], dtype=float)
        aligned = np.asarray([self.anchors[k][1] for k in self.keys], dtype=bool)
        return self._badness_rows(np.arange(len(self.keys)), anchors, aligned)

    def _badness_at(self, key: Key, placed: Placed) -> float:
        anchor, aligned = placed
        return float(self._badness(key, np.asarray([anchor], dtype=float), aligned)[0])

    def _badness(self, key: Key, anchors: np.ndarray, aligned: bool) -> np.ndarray:
        """How far each anchor of one label is from meeting the distance conditions."""
        return self._badness_rows(np.full(len(anchors), self.number[key]), anchors,
                                  np.full(len(anchors), aligned))

    def _shape(self, i: int, aligned: bool) -> tuple[np.ndarray, np.ndarray]:
        """The line rectangles of every variant of a label's block around the anchor
        ``(0, 0)`` (``(R, 4)``, padded to `_RECTS` with copies of the first), and which
        variants each belongs to (``(R, _VARIANTS)``)."""
        found = self.shapes.get((i, aligned))
        if found is None:
            block = self.blocks[self.keys[i]][aligned]
            rects: list[Rect] = []
            member: list[list[bool]] = []
            for v, widths in enumerate(block.variants()):
                for r in block.rects(0.0, 0.0, widths):
                    if r in rects:
                        member[rects.index(r)][v] = True
                    else:
                        rects.append(r)
                        member.append([k == v for k in range(_VARIANTS)])
            while len(rects) < self.most:
                rects.append(rects[0])
                member.append([False] * _VARIANTS)
            found = self.shapes[i, aligned] = (np.asarray(rects, dtype=float),
                                               np.asarray(member, dtype=bool))
        return found

    def _badness_rows(self, ids: np.ndarray, anchors: np.ndarray,
                      aligned: np.ndarray) -> np.ndarray:
        """How far each anchor (of the label ``ids[k]``, aligned or not) is from meeting
        the distance conditions (0: met), summed over the variants of its block.

        The route points near each anchor are found once (`_Index.pairs` on the whole
        block grown by `_CAP`), then measured against every line rectangle of the block.
        """
        rows = len(ids)
        if not rows:
            return np.zeros(0)
        single = bool((ids == ids[0]).all() and (aligned == aligned[0]).all())
        if single:
            offsets, member = self._shape(int(ids[0]), bool(aligned[0]))
            extent = np.r_[offsets[:, :2].min(axis=0), offsets[:, 2:].max(axis=0)]
            query_boxes = anchors[:, [0, 1, 0, 1]] + extent
        else:
            shapes = [self._shape(int(i), bool(f)) for i, f in zip(ids.tolist(), aligned.tolist())]
            per_offsets = np.stack([s[0] for s in shapes])
            per_member = np.stack([s[1] for s in shapes])
            extent = np.concatenate([per_offsets[:, :, :2].min(axis=1),
                                     per_offsets[:, :, 2:].max(axis=1)], axis=1)
            query_boxes = anchors[:, [0, 1, 0, 1]] + extent
        query, item = self.point_index.pairs(query_boxes + np.array([-_CAP, -_CAP, _CAP, _CAP]))
        union = _point_distances(query_boxes[query], self.points[item])
        near = union < _CAP
        query, item, union = query[near], item[near], union[near]
        same = self.owner[item] == ids[query]
        width = len(offsets) if single else self.most
        mine = np.full((rows, width), _CAP)
        theirs = np.full((rows, width), np.inf)

        def measure(query: np.ndarray, item: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Distance from every line rectangle of the query's block to the item (sorted
            by query), and the first pair of each query."""
            rel = self.points[item] - anchors[query]
            box = offsets[None] if single else per_offsets[query]
            dx = np.maximum(np.maximum(box[..., 0] - rel[:, None, 0], 0.0),
                            rel[:, None, 0] - box[..., 2])
            dy = np.maximum(np.maximum(box[..., 1] - rel[:, None, 1], 0.0),
                            rel[:, None, 1] - box[..., 3])
            return np.sqrt(dx * dx + dy * dy), np.flatnonzero(np.r_[True, query[1:] != query[:-1]])

        if same.any():
            q = query[same]
            distance, first = measure(q, item[same])
            mine[q[first]] = np.minimum(np.minimum.reduceat(distance, first, axis=0), _CAP)
        # Another route only matters nearer than the own route + CLEARANCE.
        other = ~same & (union < mine.max(axis=1)[query] + CLEARANCE)
        if other.any():
            q = query[other]
            distance, first = measure(q, item[other])
            theirs[q[first]] = np.minimum.reduceat(distance, first, axis=0)
        # Per variant, the least distance over its lines (padding rectangles belong to none).
        member_rows = member[None] if single else per_member
        m = np.where(member_rows, mine[:, :, None], np.inf).min(axis=1)
        t = np.where(member_rows, theirs[:, :, None], np.inf).min(axis=1)
        present = member_rows.any(axis=1) & np.ones((rows, 1), dtype=bool)
        m = np.where(present, m, 2 * REACH)
        terms = (np.maximum(m - REACH, 0.0) + np.maximum(m + CLEARANCE - t, 0.0) +
                 np.maximum(1.0 - m, 0.0) * 10.0)
        badness = np.where(present, terms, 0.0).sum(axis=1)
        return badness

    def _candidates(self, key: Key) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The anchors tried for a label, cheapest first (at most `CHUNKS` groups):
        anchors, alignment, cost."""
        found = self.candidates.get(key)
        if found is None:
            label = self.labels[key]
            route = np.asarray(label.route, dtype=float)
            parts = [(np.asarray([label.start], dtype=float), np.asarray([self.tb]),
                      np.zeros(1))]
            dense = densify(route, 1.0)
            windows = (_Window(dense, 0), _Window(dense, 1))
            for aligned in (False, True):
                anchors, penalty = _candidates(route, self.blocks[key][aligned], self.tb,
                                               windows, label.start)
                cost = np.hypot(anchors[:, 0] - label.start[0],
                                anchors[:, 1] - label.start[1]) + penalty
                parts.append((anchors, np.full(len(anchors), aligned), cost))
            anchors = np.concatenate([p[0] for p in parts])
            aligned_all = np.concatenate([p[1] for p in parts])
            cost = np.concatenate([p[2] for p in parts])
            order = np.argsort(cost, kind="stable")[:_CHUNK * CHUNKS]
            found = self.candidates[key] = (anchors[order], aligned_all[order], cost[order])
        return found

    def _scores(self, key: Key, which: np.ndarray) -> np.ndarray:
        """The badness of the candidates ``which`` of a label (each computed once)."""
        anchors, aligned, _ = self._candidates(key)
        scores = self.scores.setdefault(key, np.full(len(anchors), np.nan))
        missing = which[np.isnan(scores[which])]
        for flag in (False, True):
            pick = missing[aligned[missing] == flag]
            if len(pick):
                scores[pick] = self._badness(key, anchors[pick], flag)
        return scores[which]

    def _blocked(self, key: Key, boxes: np.ndarray, blockers: set[Key] | None) -> np.ndarray:
        """Whether each box overlaps an obstacle or a placed label other than ``key`` (of
        ``blockers`` only, unless ``None``)."""
        query, item = self.fixed.pairs(boxes)
        hit = np.zeros(len(boxes), dtype=bool)
        if len(query):
            a, b = boxes[query], self.fixed.rects[item]
            over = (a[:, 0] < b[:, 2]) & (b[:, 0] < a[:, 2]) & \
                   (a[:, 1] < b[:, 3]) & (b[:, 1] < a[:, 3])
            hit[query[over]] = True
        near = self._labels_near(boxes)
        near.discard(self.number[key])
        if blockers is not None:
            near = {i for i in near if self.keys[i] in blockers}
        if near:
            hit |= _overlaps(boxes, self.boxes[sorted(near)])
        return hit

    def _find(self, key: Key, blockers: set[Key] | None) -> _Scored | None:
        """The best anchor free of obstacles and of the other labels (of ``blockers``
        only, unless ``None``)."""
        anchors, aligned, cost = self._candidates(key)
        half = {flag: np.array([-b.width / 2, -b.height / 2, b.width / 2, b.height / 2])
                for flag, b in self.blocks[key].items()}
        best: _Scored | None = None
        for start in range(0, len(anchors), _CHUNK):
            stop = min(start + _CHUNK, len(anchors))
            chunk = anchors[start:stop]
            boxes = np.hstack([chunk, chunk]) + np.where(aligned[start:stop, None],
                                                         half[True], half[False])
            inside = (boxes[:, 0] >= self.bounds[0]) & (boxes[:, 1] >= self.bounds[1]) & \
                     (boxes[:, 2] <= self.bounds[2]) & (boxes[:, 3] <= self.bounds[3])
            free = np.flatnonzero(inside)
            free = free[~self._blocked(key, boxes[free] + _PAD, blockers)]
            if not len(free):
                continue
            badness = self._scores(key, start + free)
            k = int(np.argmin(badness * 1000.0 + cost[start + free]))
            i = start + int(free[k])
            found = _Scored((float(anchors[i][0]), float(anchors[i][1])), bool(aligned[i]),
                            float(badness[k]), float(cost[i]))
            if best is None or (found.badness, found.cost) < (best.badness, best.cost):
                best = found
            if best.badness == 0.0:
                break
        return best

    def place(self, key: Key) -> None:
        """Move a label to its best anchor among those free of every other label."""
        found = self._find(key, None)
        if found is not None and found.badness <= self.badness(key):
            self._set(key, (found.anchor, found.left_aligned))

    def fits_all(self) -> np.ndarray:
        """Whether each label (in the order of ``keys``) meets the distance conditions at
        its anchor, inside the bounds and free of obstacles and of the other labels."""
        boxes = self.boxes
        inside = (boxes[:, 0] >= self.bounds[0]) & (boxes[:, 1] >= self.bounds[1]) & \
                 (boxes[:, 2] <= self.bounds[2]) & (boxes[:, 3] <= self.bounds[3])
        padded = boxes + _PAD
        free = np.ones(len(boxes), dtype=bool)
        for index, own in ((self.fixed, False), (_Index(self.box_cells, boxes), True)):
            query, item = index.pairs(padded)
            if own:
                keep = query != item
                query, item = query[keep], item[keep]
            a, b = padded[query], index.rects[item]
            over = (a[:, 0] < b[:, 2]) & (b[:, 0] < a[:, 2]) & \
                   (a[:, 1] < b[:, 3]) & (b[:, 1] < a[:, 3])
            free[query[over]] = False
        return inside & free & (self.badness_all() == 0.0)

    def repair(self, key: Key) -> None:
        """Take a better anchor held by other labels, if they (and the labels they in turn
        move, up to `CHAIN` deep) find places that leave the labels involved better off."""
        found = self._find(key, set())
        if found is None or found.badness >= self.badness(key):
            return
        self.journal = {}
        taken = self._take(key, found, CHAIN, {key})
        saved, self.journal = self.journal, None
        if taken:
            moved = [k for k, old in saved.items() if self.anchors[k] != old]
            before = sum(self._badness_at(k, saved[k]) for k in moved)
            if sum(self.badness(k) for k in moved) < before:
                return
        for k, old in saved.items():
            self._set(k, old)

    def _take(self, key: Key, found: _Scored, depth: int, involved: set[Key]) -> bool:
        """Put a label at ``found`` and move the labels in its way; ``False``: impossible."""
        self._set(key, (found.anchor, found.left_aligned))
        mine = np.asarray([self.box(key)], dtype=float) + _PAD
        near = sorted(self._labels_near(mine))
        displaced = [self.keys[i] for i in near if self.keys[i] not in involved and
                     _overlaps(mine, self.boxes[i:i + 1])[0]]
        involved.update(displaced)
        for other in displaced:
            free = self._find(other, None)
            if (free is None or free.badness > 0.0) and depth > 0:
                pushing = self._find(other, involved)
                if pushing is not None and (free is None or pushing.badness < free.badness):
                    if not self._take(other, pushing, depth - 1, involved):
                        return False
                    continue
            if free is None:
                return False
            self._set(other, (free.anchor, free.left_aligned))
        return True


def place_labels(labels: Mapping[tuple[str, str], Label], *, obstacles: Sequence[Rect],
                 bounds: Rect, tb: bool, unmet: list[tuple[str, str]] | None = None
                 ) -> dict[tuple[str, str], tuple[Point, float | None]]:
    """The anchor of every edge label, and where its lines start when left-aligned.

    Parameters
    ----------
    labels
        Edge key -> `Label` (reserved lines, route, Graphviz's label centre).
    obstacles
        Rectangles ``(x0, y0, x1, y1)`` no label may overlap (node boxes,
        scope labels).
    bounds
        The rectangle every label block stays inside.
    tb
        A top-to-bottom layout: labels are usually left-aligned beside their
        routes, else centred above them.
    unmet
        If given, the keys of the labels left where they miss the distance
        conditions (no free place meets them) are appended to it.

    Returns
    -------
    dict
        Edge key -> (anchor, left): the centre of the reserved text block,
        and the x where left-aligned lines start (``None``: lines centred on
        the anchor), rounded to 0.01 point.
    """
    if len(labels) > MANY_LABELS:  # Graphviz's positions, without building the search
        return {key: (label.start,
                      _left(Block(label.lines, True), label.start) if tb else None)
                for key, label in labels.items()}
    placer = _Placer(labels, obstacles, bounds, tb)
    fits = placer.fits_all()
    for key, fit in zip(placer.keys, fits.tolist()):
        if not fit:
            placer.place(key)
    for key, bad in zip(placer.keys, (placer.badness_all() > 0.0).tolist()):
        if bad:
            placer.place(key)
    for _ in range(REPAIRS):
        for key, bad in zip(placer.keys, (placer.badness_all() > 0.0).tolist()):
            if bad:
                placer.repair(key)
    if unmet is not None:
        unmet.extend(key for key, bad in zip(placer.keys, placer.badness_all().tolist())
                     if bad > 0.0)
    out: dict[tuple[str, str], tuple[Point, float | None]] = {}
    for key, ((x, y), aligned) in placer.anchors.items():
        x, y = round(x, 2), round(y, 2)
        out[key] = ((x, y), _left(placer.blocks[key][True], (x, y)) if aligned else None)
    return out


def _left(block: Block, anchor: Point) -> float:
    """Where the lines of a left-aligned block centred on ``anchor`` start."""
    return round(anchor[0] - block.width / 2, 2)
