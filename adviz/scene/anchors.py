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
(``unmet``: `adviz.scene.picture.figure` then tries a roomier layout, for a
graph of at most `ROUNDS_FROM` labels). The layout and the node coordinates
are not changed. Every label of every graph is placed, however large.

The work grows with the number of labels, not its square: routes, obstacles
and placed labels are bucketed in square cells (`_Index`), so scoring a
position or testing it for overlaps only looks at what lies near it. Up to
`ROUNDS_FROM` labels, a search with repairs (`_Placer`: each label tries at
most `CHUNKS` groups of positions, scored against route points `SPACING`
apart, and may push others aside); beyond, `ROUNDS` in which the anchors of
every label still unplaced are generated together (`_candidates_many`) and
scored together, in waves of the cheapest (`WAVE`), against the routes'
segments (`_Segments`, exact distances to the routes simplified within 0.4
point); this costs less than the graph's Graphviz layout
(``benchmarks/anchors.py``).

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
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

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

ROUNDS = ((8, 12, 1), (32, 128, 2), (144, 320, 2))
"""The rounds of a large graph's placement (`place_labels` beyond `ROUNDS_FROM`): per
round, how many route points (the nearest to Graphviz's label) and anchors (the cheapest)
a label not yet placed tries, and in how many alignments (1: its usual one)."""

SIMPLIFY = 0.05
"""Tolerance (points) of the simplification of routes into segments (`simplify`): with
its passes, the segments stay within 0.4 point of the route, well inside `CLEARANCE`."""

SEGMENT_CELL = 32.0
"""Side (points) of the square cells route segments are bucketed in (`_Segments`)."""

ROUNDS_FROM = 150
"""Beyond this many labels, the labels are placed in `ROUNDS`, every label's anchors
scored at once on the routes' segments, instead of by the search with repairs
(`_Placer`), which costs about 15 ms per label."""

WAVE = 16
"""How many anchors of each label still unplaced a round of `ROUNDS` scores at a time,
the cheapest first: a label placed by one wave is not scored in the next."""

_CHUNK = 48
_CAP = REACH + CLEARANCE + 4.0
_VARIANTS = 4
_BATCH = 4096
_SPLIT = 1024
_SPLIT_LABELS = 256
_ROUND = 8
_SEGMENT_REACH = 40.0
_NEAREST = CHUNKS * 12


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
    route: Sequence[Point] | np.ndarray
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

    def realigned(self, left_aligned: bool) -> Block:
        """The same lines, aligned as ``left_aligned`` says (not measured again).

        Examples
        --------
        >>> Block(("ab",), left_aligned=False).realigned(True).rects(10.0, 0.0, [4.0])
        [(2.31, -7.15, 6.31, 7.15)]
        """
        other = object.__new__(Block)
        other.__dict__.update((k, v) for k, v in self.__dict__.items() if k != "_variant_rects")
        other.left_aligned = left_aligned
        return other

    def variants(self) -> list[list[float]]:
        """Line widths of the blocks a frame can show: the first line alone (regular or
        bold), then every line (the first regular or bold, the others bold)."""
        out = [self.regular[:1], self.bold[:1]]
        if len(self.bold) > 1:
            out += [self.regular[:1] + self.bold[1:], self.bold]
        return out

    def variant_rects(self) -> np.ndarray:
        """The line rectangles of every variant around the anchor ``(0, 0)``, ``(n, 4)``."""
        found = self.__dict__.get("_variant_rects")
        if found is None:
            found = self._variant_rects = np.asarray(
                [r for widths in self.variants() for r in self.rects(0.0, 0.0, widths)],
                dtype=float)
        return found

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


def _sample_segments(p: np.ndarray, q: np.ndarray, spacing: float
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Points along segments ``p``-``q``, both ends included, at most ``spacing`` apart, as
    `densify` puts them, and the segment each belongs to.

    Examples
    --------
    >>> points, piece = _sample_segments(np.array([[0.0, 0.0]]), np.array([[2.0, 0.0]]), 1.0)
    >>> points.tolist(), piece.tolist()
    ([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]], [0, 0, 0])
    """
    x, y, piece = _sample_columns(p, q, spacing)
    return np.column_stack([x, y]), piece


def _sample_columns(p: np.ndarray, q: np.ndarray, spacing: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_sample_segments`, the points' x and y apart (contiguous arrays).

    Examples
    --------
    >>> x, y, piece = _sample_columns(np.array([[0.0, 1.0]]), np.array([[2.0, 1.0]]), 1.0)
    >>> x.tolist(), y.tolist(), piece.tolist()
    ([0.0, 1.0, 2.0], [1.0, 1.0, 1.0], [0, 0, 0])
    """
    steps = q - p
    counts = np.maximum(np.ceil(np.hypot(steps[:, 0], steps[:, 1]) / spacing), 1).astype(np.int64)
    piece = np.repeat(np.arange(len(p)), counts + 1)
    within = np.arange(len(piece)) - np.repeat(np.cumsum(counts + 1) - counts - 1, counts + 1)
    fraction = within / np.repeat(counts, counts + 1)
    x, y = (np.repeat(p[:, k], counts + 1) + np.repeat(steps[:, k], counts + 1) * fraction
            for k in (0, 1))
    return x, y, piece


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
        for k in np.flatnonzero(np.bincount(level[~empty])):
            rows = np.flatnonzero((level == k) & ~empty)
            table = tables[k]
            out[rows] = pick(table[start[rows]], table[stop[rows] - span[rows]])
        out[empty] = np.inf if least else -np.inf
        return out


class _Ranges:
    """Least and greatest coordinate ``1 - axis`` of the points whose coordinate ``axis``
    lies in a window, for many short windows at once: each window's points are reduced
    in one `numpy.ufunc.reduceat` over the sorted points (the work is the points in the
    windows, not a table over all of them, as `_Window` builds).

    Examples
    --------
    >>> w = _Ranges(np.array([[0.0, 5.0], [1.0, 2.0], [2.0, 9.0]]), axis=0)
    >>> w.extremes(np.array([0.5, 3.0, 0.0]), np.array([2.5, 4.0, 1.0]))[0].tolist()
    [2.0, inf, 2.0]
    """

    def __init__(self, points: np.ndarray, axis: int) -> None:
        self.keys, self.values = _sorted_by(points[:, axis], points[:, 1 - axis])

    @classmethod
    def of(cls, keys: np.ndarray, values: np.ndarray) -> _Ranges:
        """The ranges of points given as their keys (the coordinate ``axis``) and values
        (the other coordinate), in any order.

        Examples
        --------
        >>> _Ranges.of(np.array([2.0, 0.0]), np.array([9.0, 5.0])).keys.tolist()
        [0.0, 2.0]
        """
        ranges = object.__new__(cls)
        ranges.keys, ranges.values = _sorted_by(keys, values)
        return ranges

    def extremes(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per window ``[lo, hi]``, the least and the greatest value (infinite when
        empty), each window found once for both.

        Examples
        --------
        >>> w = _Ranges(np.array([[0.0, 5.0], [1.0, 2.0], [2.0, 9.0]]), axis=0)
        >>> [v.tolist() for v in w.extremes(np.array([0.5, 3.0]), np.array([2.5, 4.0]))]
        [[2.0, inf], [9.0, -inf]]
        """
        start = np.searchsorted(self.keys, lo, side="left")
        stop = np.searchsorted(self.keys, hi, side="right")
        least, greatest = np.full(len(lo), np.inf), np.full(len(lo), -np.inf)
        full = np.flatnonzero(stop > start)
        if not len(full):
            return least, greatest
        # By start, so that the spans between windows add up to the points once at most.
        full = full[np.argsort(start[full], kind="stable")]
        bounds = np.column_stack([start[full], stop[full]]).ravel()
        least[full] = np.minimum.reduceat(np.append(self.values, np.inf), bounds)[::2]
        greatest[full] = np.maximum.reduceat(np.append(self.values, -np.inf), bounds)[::2]
        return least, greatest


def _sorted_by(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys sorted (stably), and the values in the same order."""
    order = np.argsort(keys, kind="stable")
    return keys[order], values[order]


def _distinct_columns(*tables: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The columns of ``(n, R)`` tables that differ from every column before them (in
    any table), and for each column the position among those of the column it equals.

    Examples
    --------
    >>> a = np.array([[1.0, 2.0, 1.0], [3.0, 4.0, 3.0]])
    >>> [v.tolist() for v in _distinct_columns(a)]
    [[0, 1], [0, 1, 0]]
    """
    width = tables[0].shape[1]
    distinct: list[int] = []
    inverse = np.zeros(width, dtype=np.int64)
    for c in range(width):
        same = [k for k, d in enumerate(distinct)
                if all(np.array_equal(t[:, c], t[:, d]) for t in tables)]
        if same:
            inverse[c] = same[0]
        else:
            inverse[c] = len(distinct)
            distinct.append(c)
    return np.asarray(distinct, dtype=np.int64), inverse


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
                near: Point | None = None, nearest: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Anchors beside the route and a side penalty for each.

    Each block beside the route is pushed off it until every line of every
    variant of the block (`Block.variants`) is `GAP` away from the route.
    Above and below the route, the first line is centred over a route point;
    to its right or left, the block is centred on a route point's height.
    ``windows`` are the route's `_Window` along x and y (made when not given);
    with ``near``, only the ``nearest`` route points nearest it are used (by default
    `CHUNKS` ``*`` 12: about as many anchors as a label tries, cheapest first).
    """
    pts = densify(route, STEP)
    nearest = nearest or _NEAREST
    if near is not None and len(pts) > nearest:
        distance = np.hypot(pts[:, 0] - near[0], pts[:, 1] - near[1])
        pts = pts[distance <= np.partition(distance, nearest - 1)[nearest - 1]]
    if windows is None:
        # Only route points level with (or beside) the blocks around ``pts`` can push them.
        dense = densify(route, 1.0)
        reach = 2 * block.width + 2 * block.height + GAP
        low, high = pts.min(axis=0) - reach, pts.max(axis=0) + reach
        across = _Window(dense[(dense[:, 0] >= low[0]) & (dense[:, 0] <= high[0])], 0)
        down = (_Window(dense[(dense[:, 1] >= low[1]) & (dense[:, 1] <= high[1])], 1)
                if "right" in _penalties(tb, block.left_aligned) else across)
    else:
        across, down = windows
    rects = block.variant_rects()
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


def _column_extremes(points: np.ndarray, least: bool) -> np.ndarray:
    """The least (or greatest) of each column of ``(n, 2)`` points, column by column (as
    ``points.min(axis=0)``, without its slow strided pass).

    Examples
    --------
    >>> _column_extremes(np.array([[1.0, 5.0], [3.0, 2.0]]), least=True).tolist()
    [1.0, 2.0]
    """
    pick = np.min if least else np.max
    return np.array([pick(points[:, 0]), pick(points[:, 1])])


def _candidates_many(routes: Sequence[np.ndarray], starts: np.ndarray, blocks: Sequence[Block],
                     rects: np.ndarray, tb: bool, nearest: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_candidates` for many routes at once, in a few array operations over all of them:
    the anchors beside each route ``routes[r]`` (its ``nearest`` points nearest
    ``starts[r]``) for the block ``blocks[r]``, whose variants' line rectangles around
    ``(0, 0)`` are ``rects[r]`` (``(R, 4)``, padded with copies of the first); the anchors,
    their side penalty, and the route ``r`` each is for.

    Unlike `_candidates`, a block is pushed off only the route points within its reach
    of the points tried (a route leaving that box and coming back under a block makes the
    block's score, not its place, bad).

    Every route's points are keyed by their coordinate plus a span of its own (``r``
    times a width larger than the drawing), so that one `_Ranges` over all of them answers
    every route's queries, none reaching another route's points.

    Examples
    --------
    >>> block = Block(("ab",), left_aligned=False)
    >>> rects = block.variant_rects()[None]
    >>> found, penalty, owner = _candidates_many([np.array([[0.0, 10.0], [8.0, 10.0]])],
    ...                                          np.array([[4.0, 0.0]]), [block], rects,
    ...                                          False, 1)
    >>> found.round(2).tolist(), owner.tolist()
    ([[4.0, -0.15], [4.0, 20.15]], [0, 0])
    """
    none = (np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=np.int64))
    count = len(routes)
    if not count:
        return none
    shaped = [np.asarray(r, dtype=float).reshape(-1, 2) for r in routes]
    vertices = np.concatenate(shaped)
    if not len(vertices):
        return none
    vertex_owner = np.repeat(np.arange(count), [len(r) for r in shaped])
    pair = np.flatnonzero(vertex_owner[1:] == vertex_owner[:-1])
    p, q, piece_owner = vertices[pair], vertices[pair + 1], vertex_owner[pair]
    low_end, high_end = np.minimum(p, q), np.maximum(p, q)
    lone = np.flatnonzero(np.isin(vertex_owner, np.flatnonzero(
        np.bincount(vertex_owner, minlength=count) == 1)))
    # The route points tried: those ``STEP`` apart, as `densify` puts them, on the pieces
    # near enough the start to hold one of the ``nearest`` points nearest it.
    start = starts[piece_owner]
    gap = np.maximum(np.maximum(low_end - start, 0.0), start - high_end)
    nearest_vertex = np.full(count, np.inf)
    np.minimum.at(nearest_vertex, vertex_owner, np.hypot(*(vertices - starts[vertex_owner]).T))
    close = np.hypot(gap[:, 0], gap[:, 1]) <= nearest_vertex[piece_owner] + (nearest + 1) * STEP
    pts, piece = _sample_segments(p[close], q[close], STEP)
    chosen = np.flatnonzero(close)
    # A piece's first point is the end of the one before, when that one was sampled too.
    repeat = (np.r_[True, piece[1:] != piece[:-1]] &
              np.r_[False, chosen[piece[1:]] == chosen[piece[:-1]] + 1] &
              np.r_[False, piece_owner[chosen[piece[1:]]] == piece_owner[chosen[piece[:-1]]]])
    pts = np.concatenate([pts[~repeat], vertices[lone]])
    owner = np.concatenate([piece_owner[chosen[piece[~repeat]]], vertex_owner[lone]])
    order = np.argsort(owner, kind="stable")
    pts, owner = pts[order], owner[order]
    if not len(pts):
        return none
    distance = np.hypot(pts[:, 0] - starts[owner, 0], pts[:, 1] - starts[owner, 1])
    order = np.lexsort((distance, owner))
    rank = np.arange(len(order)) - np.searchsorted(owner[order], owner[order], side="left")
    keep = np.sort(order[rank < nearest])
    pts, owner = pts[keep], owner[keep]
    left_aligned = np.asarray([b.left_aligned for b in blocks], dtype=bool)
    width = np.asarray([b.width for b in blocks], dtype=float)
    height = np.asarray([b.height for b in blocks], dtype=float)
    first = np.asarray([b.regular[0] / 2 if b.regular else 0.0 for b in blocks], dtype=float)
    reach = width + height + GAP + 1.0
    # Per route, the box of its points tried, grown by how far a block beside one reaches
    # (and a block's height more, how far a route point in it can push the block).
    bounds = np.full((count, 4), np.nan)
    heads = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    which = owner[heads]
    bounds[which, :2] = np.minimum.reduceat(pts, heads, axis=0)
    bounds[which, 2:] = np.maximum.reduceat(pts, heads, axis=0)
    bounds += reach[:, None] * np.array([-1.0, -1.0, 1.0, 1.0])
    # Only the route pieces crossing that box are resampled finely: a block beside a
    # route is pushed off the route's points in that box only (where the route leaves the
    # box and comes back, the block's score rejects it).
    near = bounds[piece_owner]
    crossing = (low_end[:, 0] <= near[:, 2]) & (high_end[:, 0] >= near[:, 0]) & \
        (low_end[:, 1] <= near[:, 3]) & (high_end[:, 1] >= near[:, 1])
    dense_x, dense_y, piece = _sample_columns(p[crossing], q[crossing], 1.0)
    dense_x = np.concatenate([dense_x, vertices[lone, 0]])
    dense_y = np.concatenate([dense_y, vertices[lone, 1]])
    dense_owner = np.concatenate([piece_owner[crossing][piece], vertex_owner[lone]])
    margin = float(reach.max() + np.abs(rects).max() + GAP + 1.0)
    low = np.minimum(np.array([dense_x.min(), dense_y.min()]),
                     _column_extremes(pts, least=True)) - margin
    span = float((np.maximum(np.array([dense_x.max(), dense_y.max()]),
                             _column_extremes(pts, least=False)) - low).max() + margin)
    shift = owner * span
    rect = rects[owner]
    x0, y0, x1, y1 = (rect[:, :, k] for k in range(4))
    anchors: list[np.ndarray] = []
    penalty: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    sides = {flag: _penalties(tb, flag) for flag in (False, True)}

    def side(name: str) -> np.ndarray:
        return np.where(left_aligned, sides[True].get(name, np.nan),
                        sides[False].get(name, np.nan))[owner]

    inside = (dense_x >= bounds[:, 0][dense_owner]) & (dense_x <= bounds[:, 2][dense_owner]) & \
        (dense_y >= bounds[:, 1][dense_owner]) & (dense_y <= bounds[:, 3][dense_owner])
    across = _Ranges.of(dense_x[inside] - low[0] + dense_owner[inside] * span, dense_y[inside])
    cx = pts[:, 0] + np.where(left_aligned, width / 2 - first, 0.0)[owner]
    key = (cx - low[0] + shift)[:, None]
    # Lines of the same left and right end (as many variants have) share their windows;
    # the windows go column by column, each column in the order of the points.
    distinct, inverse = _distinct_columns(x0, x1)
    lo, hi = (key + x0[:, distinct] - GAP).T.ravel(), (key + x1[:, distinct] + GAP).T.ravel()
    least, greatest = (v.reshape(len(distinct), -1).T[:, inverse]
                       for v in across.extremes(lo, hi))
    top = (least - y1).min(axis=1)
    bottom = (greatest - y0).max(axis=1)
    anchors += [np.column_stack([cx, top - GAP]), np.column_stack([cx, bottom + GAP])]
    penalty += [side("above"), side("below")]
    owners += [owner, owner]
    aligned = np.flatnonzero(left_aligned[owner])
    if len(aligned):
        inside &= left_aligned[dense_owner]
        down = _Ranges.of(dense_y[inside] - low[1] + dense_owner[inside] * span,
                          dense_x[inside])
        cy = pts[aligned, 1]
        key = (cy - low[1] + shift[aligned])[:, None]
        low_y, high_y = y0[aligned], y1[aligned]
        distinct, inverse = _distinct_columns(low_y, high_y)
        lo = (key + low_y[:, distinct] - GAP).T.ravel()
        hi = (key + high_y[:, distinct] + GAP).T.ravel()
        least, greatest = (v.reshape(len(distinct), -1).T[:, inverse]
                           for v in down.extremes(lo, hi))
        right = (greatest - x0[aligned]).max(axis=1)
        left = (least - x1[aligned]).min(axis=1)
        anchors += [np.column_stack([right + GAP, cy]), np.column_stack([left - GAP, cy])]
        penalty += [side("right")[aligned], side("left")[aligned]]
        owners += [owner[aligned], owner[aligned]]
    found = np.concatenate(anchors)
    cost = np.concatenate(penalty)
    route = np.concatenate(owners)
    keep = np.isfinite(found).all(axis=1) & np.isfinite(cost)
    return found[keep], cost[keep], route[keep]


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


def segment_distances(p: np.ndarray, q: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """Exact distance from segments ``p``-``q`` (``(..., 2)``) to rectangles ``(..., 4)``
    (shapes broadcast): 0 where they meet, else the least of the ends' distances to the
    rectangle and the corners' distances to the segment.

    Examples
    --------
    >>> rects = np.array([[0.0, 0.0, 2.0, 2.0]] * 3)
    >>> p = np.array([[-1.0, 1.0], [3.0, -1.0], [5.0, 0.0]])
    >>> q = np.array([[4.0, 1.0], [4.0, 0.0], [5.0, 4.0]])
    >>> segment_distances(p, q, rects).round(3).tolist()  # across, beside a corner, beside
    [0.0, 1.414, 3.0]
    """
    p, q, rects = np.asarray(p), np.asarray(q), np.asarray(rects)
    shape = np.broadcast_shapes(p.shape[:-1], q.shape[:-1], rects.shape[:-1])
    p, q, rects = (np.broadcast_to(a, (*shape, a.shape[-1])).reshape(-1, a.shape[-1])
                   for a in (p, q, rects))
    return _segment_distances(p[:, 0], p[:, 1], q[:, 0], q[:, 1],
                              *(rects[:, k] for k in range(4))).reshape(shape)


def _segment_distances(px: np.ndarray, py: np.ndarray, qx: np.ndarray, qy: np.ndarray,
                       x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray
                       ) -> np.ndarray:
    """`segment_distances` of segments and rectangles given coordinate by coordinate
    (arrays that broadcast together): the same operations, on contiguous arrays where
    the caller has them, with few temporaries."""

    def to_rect(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        dx = np.subtract(x0, x)
        np.maximum(dx, 0.0, out=dx)
        np.maximum(dx, x - x1, out=dx)
        dy = np.subtract(y0, y)
        np.maximum(dy, 0.0, out=dy)
        np.maximum(dy, y - y1, out=dy)
        np.multiply(dx, dx, out=dx)
        np.multiply(dy, dy, out=dy)
        np.add(dx, dy, out=dx)
        return dx

    best = to_rect(px, py)
    np.minimum(best, to_rect(qx, qy), out=best)
    vx, vy = qx - px, qy - py
    length = np.maximum(vx * vx + vy * vy, 1e-12)
    # Which side of the segment's line each corner is on, ``(x - px) vy - (y - py) vx``:
    # its least and greatest over the corners, and the corner nearest the line.
    across = px * vy - py * vx
    ax, bx, ay, by = x0 * vy, x1 * vy, y0 * vx, y1 * vx
    low = np.minimum(ax, bx)
    np.subtract(low, np.maximum(ay, by), out=low)
    np.subtract(low, across, out=low)
    high = np.maximum(ax, bx, out=ax)
    np.subtract(high, np.minimum(ay, by, out=bx), out=high)
    np.subtract(high, across, out=high)
    above = low > 0.0  # every corner on one side: the nearest is the extreme one
    up, right = vy >= 0.0, vx >= 0.0
    cx = np.where(above == up, x0, x1)
    cy = np.where(above == right, y1, y0)
    side = np.where(above, low, high)
    np.subtract(cx, px, out=cx)
    np.multiply(cx, vx, out=cx)
    np.subtract(cy, py, out=cy)
    np.multiply(cy, vy, out=cy)
    t = np.add(cx, cy, out=cx)
    np.divide(t, length, out=t)
    apart = above | (high < 0.0)
    apart &= t >= 0.0
    apart &= t <= 1.0
    np.multiply(side, side, out=side)
    np.divide(side, length, out=side)
    np.minimum(best, side, out=side)
    best = np.where(apart, side, best)
    # Separating axes: the rectangle's two, and the segment's normal.
    meet = np.minimum(px, qx) <= x1
    meet &= np.maximum(px, qx) >= x0
    meet &= np.minimum(py, qy) <= y1
    meet &= np.maximum(py, qy) >= y0
    meet &= low <= 0.0
    meet &= high >= 0.0
    np.sqrt(best, out=best)
    best[meet] = 0.0
    return best


def simplify(points: np.ndarray, owner: np.ndarray, tolerance: float = SIMPLIFY,
             passes: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Polylines (``points`` of the polyline ``owner``, each in order) with the vertices
    that lie within ``tolerance`` of the chord of their neighbours dropped, in
    ``passes`` rounds (every other one at most per round): the result is within
    ``passes * tolerance`` of the original. The ends of each polyline stay.

    Examples
    --------
    >>> line = np.array([[0.0, 0.0], [1.0, 0.001], [2.0, 0.0], [3.0, 5.0]])
    >>> points, owner = simplify(line, np.zeros(4, dtype=int))
    >>> points.tolist()
    [[0.0, 0.0], [2.0, 0.0], [3.0, 5.0]]
    """
    keep = np.ones(len(points), dtype=bool)
    for k in range(passes):
        index = np.flatnonzero(keep)
        if len(index) < 3:
            break
        # Only every other vertex may go this pass: only those are measured.
        middle = np.arange(k % 2, len(index) - 2, 2)
        a, b, c = points[index[middle]], points[index[middle + 1]], points[index[middle + 2]]
        o = owner[index]
        inner = (o[middle + 1] == o[middle]) & (o[middle + 1] == o[middle + 2])
        v = c - a
        t = np.clip(((b - a) * v).sum(axis=1) / np.maximum((v * v).sum(axis=1), 1e-12),
                    0.0, 1.0)
        gap = np.hypot(*(a + t[:, None] * v - b).T)
        drop = inner & (gap < tolerance)
        keep[index[middle + 1][drop]] = False
    return points[keep], owner[keep]


class _Segments:
    """Every route as the segments of its polyline, bucketed by cell: distances to them
    are exact, and a route crossing a cell is one or two items, not a point every
    `SPACING`."""

    def __init__(self, routes: Sequence[np.ndarray], cells: _Cells) -> None:
        shaped = [np.asarray(r, dtype=float).reshape(-1, 2) for r in routes]
        shaped = [np.vstack([r, r]) if len(r) == 1 else r for r in shaped]
        points, owner = simplify(
            np.concatenate(shaped) if shaped else np.zeros((0, 2)),
            np.repeat(np.arange(len(shaped)), [len(r) for r in shaped]))
        pair = np.flatnonzero(owner[1:] == owner[:-1])
        self.p, self.q, self.owner = points[pair], points[pair + 1], owner[pair]
        rects = np.hstack([np.minimum(self.p, self.q), np.maximum(self.p, self.q)])
        self.index = _Index(cells, rects)
        self.count = len(self.p)
        # Coordinate by coordinate (contiguous): what `badness` gathers per pair.
        self.columns = [np.ascontiguousarray(a) for a in (*self.p.T, *self.q.T, *rects.T)]

    def near(self, rects: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (query, segment) pair of segments in a cell a query rectangle covers, each
        once, grouped by query in order."""
        query, item = self.index.pairs(rects)
        if len(query):
            # Sorted, then the repeats dropped (np.unique hashes: many times slower here).
            key = np.sort(query * self.count + item)
            key = key[np.r_[True, key[1:] != key[:-1]]]
            query, item = key // self.count, key % self.count
        return query, item

    def badness(self, ids: np.ndarray, anchors: np.ndarray, offsets: np.ndarray,
                member: np.ndarray) -> np.ndarray:
        """`_Placer._badness_rows` measured on the segments: for each anchor of the label
        ``ids[k]``, with the line rectangles ``offsets[k]`` (around ``(0, 0)``) of the
        variants ``member[k]``."""
        rows = len(ids)
        if not rows:
            return np.zeros(0)
        extent = np.concatenate([offsets[:, :, :2].min(axis=1), offsets[:, :, 2:].max(axis=1)],
                                axis=1)
        boxes = anchors[:, [0, 1, 0, 1]] + extent
        grown = boxes + np.array([-_CAP, -_CAP, _CAP, _CAP])
        query, item = self.near(grown)
        # Segments whose bounding box misses the grown box are farther than `_CAP`.
        rx0, ry0, rx1, ry1 = (c[item] for c in self.columns[4:])
        keep = (rx0 <= grown[:, 2][query]) & (rx1 >= grown[:, 0][query]) & \
               (ry0 <= grown[:, 3][query]) & (ry1 >= grown[:, 1][query])
        query, item = query[keep], item[keep]
        # Measured around each anchor, in single precision (a few hundredths of a point at
        # most off, well inside `CLEARANCE` and the margin under the guaranteed reach).
        ax, ay = anchors[:, 0][query], anchors[:, 1][query]
        px, qx = ((c[item] - ax).astype(np.float32) for c in self.columns[0:3:2])
        py, qy = ((c[item] - ay).astype(np.float32) for c in self.columns[1:4:2])
        union = _segment_distances(px, py, qx, qy, *(
            np.ascontiguousarray(extent[:, k], dtype=np.float32)[query] for k in range(4)))
        keep = union < _CAP
        query, item, union = query[keep], item[keep], union[keep]
        px, py, qx, qy = px[keep], py[keep], qx[keep], qy[keep]
        same = self.owner[item] == ids[query]
        width = offsets.shape[1]
        mine = np.full((rows, width), _CAP)
        theirs = np.full((rows, width), np.inf)
        # Line by line, each line's coordinates contiguous over the pairs (long loops).
        lines = [np.ascontiguousarray(offsets[:, :, k].T, dtype=np.float32) for k in range(4)]

        def measure(pick: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """Distance from every line rectangle of the picked pairs' blocks to their
            segments (``(lines, pairs)``), the pairs' queries, and the first pair of each
            query."""
            at = query[pick]
            distance = _segment_distances(px[pick], py[pick], qx[pick], qy[pick],
                                          *(line[:, at] for line in lines))
            return distance, at, np.flatnonzero(np.r_[True, at[1:] != at[:-1]])

        if same.any():
            distance, at, first = measure(same)
            mine[at[first]] = np.minimum(np.minimum.reduceat(distance, first, axis=1).T, _CAP)
        # Another route only matters nearer than a variant's own route + CLEARANCE.
        per_variant = np.where(member, mine[:, :, None], np.inf).min(axis=1)
        farthest = np.where(member.any(axis=1), per_variant, -np.inf).max(axis=1)
        other = ~same & (union < farthest[query] + CLEARANCE)
        if other.any():
            distance, at, first = measure(other)
            theirs[at[first]] = np.minimum.reduceat(distance, first, axis=1).T
        return _badness_terms(mine, theirs, member)


def _badness_terms(mine: np.ndarray, theirs: np.ndarray, member: np.ndarray) -> np.ndarray:
    """How far each row is from meeting the distance conditions (0: met), summed over the
    variants of its block, from the distances of every line rectangle to its own route
    (``mine``) and to the nearest other route (``theirs``)."""
    m = np.where(member, mine[:, :, None], np.inf).min(axis=1)
    t = np.where(member, theirs[:, :, None], np.inf).min(axis=1)
    present = member.any(axis=1)
    m = np.where(present, m, 2 * REACH)
    terms = (np.maximum(m - REACH, 0.0) + np.maximum(m + CLEARANCE - t, 0.0) +
             np.maximum(1.0 - m, 0.0) * 10.0)
    return np.asarray(np.where(present, terms, 0.0).sum(axis=1))


_PAD = np.array([-OBSTACLE_PAD, -OBSTACLE_PAD, OBSTACLE_PAD, OBSTACLE_PAD])

Key = tuple[str, str]
Placed = tuple[Point, bool]


def _shape(block: Block, most: int) -> tuple[np.ndarray, np.ndarray]:
    """The line rectangles of every variant of a block around the anchor ``(0, 0)``
    (``(most, 4)``, padded with copies of the first), and which variants each belongs
    to (``(most, _VARIANTS)``)."""
    rects: list[Rect] = []
    member: list[list[bool]] = []
    for v, widths in enumerate(block.variants()):
        for r in block.rects(0.0, 0.0, widths):
            if r in rects:
                member[rects.index(r)][v] = True
            else:
                rects.append(r)
                member.append([k == v for k in range(_VARIANTS)])
    while len(rects) < most:
        rects.append(rects[0])
        member.append([False] * _VARIANTS)
    return np.asarray(rects, dtype=float), np.asarray(member, dtype=bool)


def _shape_table(blocks: Sequence[Block]) -> tuple[np.ndarray, np.ndarray]:
    """`_shape` of many blocks at once, in array operations: the line rectangles of every
    variant of each block around the anchor ``(0, 0)`` (``(blocks, R, 4)``, each line
    shared by variants once, padded with copies of the first) and which variants each
    belongs to (``(blocks, R, _VARIANTS)``).

    Examples
    --------
    >>> rects, member = _shape_table([Block(("ab", "c"), left_aligned=False)])
    >>> rects[0, :, 1].tolist(), member[0].sum(axis=0).tolist()  # tops; lines per variant
    ([-7.15, -7.15, -14.3, -14.3, 0.0], [1, 1, 2, 2])
    >>> rects, member = _shape_table([Block(("ab",), left_aligned=False)] * 3)
    >>> rects.shape, member[0].sum(axis=0).tolist()  # one line each: two variants
    ((3, 2, 4), [1, 1, 0, 0])
    """
    count = max(max((len(b.regular) for b in blocks), default=1), 1)
    widest = 2 if count == 1 else 3 + count  # one-line blocks only: their two variants
    rects = np.zeros((len(blocks), widest, 4))
    member = np.zeros((len(blocks), widest, _VARIANTS), dtype=bool)
    lines = np.asarray([len(b.regular) for b in blocks])
    # Every line: its width, which line of a block of how many lines, which variants.
    spec = [(0, 1, 0, 0), (1, 1, 0, 1), (0, 0, 0, 2), (1, 0, 0, 3)] + \
        [(1, 0, k, -1) for k in range(1, count)]
    line = EDGE_SIZE * LINE_SPACING
    regular = np.asarray([b.regular[0] if b.regular else 0.0 for b in blocks])
    bold = np.zeros((len(blocks), count))
    for i, b in enumerate(blocks):
        bold[i, :len(b.bold)] = b.bold
    width = np.asarray([b.width for b in blocks])
    aligned = np.asarray([b.left_aligned for b in blocks], dtype=bool)
    for r, (heavy, single, k, variant) in enumerate(spec[:widest]):
        w = (bold[:, k] if heavy else regular)
        shown = lines if not single else np.ones(len(blocks))
        top = -line * shown / 2
        x0 = np.where(aligned, -width / 2, -w / 2)
        y0 = top + k * line
        rects[:, r] = np.round(np.column_stack([x0, y0, x0 + w, y0 + line]), 2)
        has = (lines > 1) | (r < 2)
        if variant >= 0:
            member[:, r, variant] = has & (lines > k)
        else:
            member[:, r, 2:] = (has & (lines > k))[:, None]
    # A row no variant shows is a copy of the first (measured, belonging to none).
    unused = ~member.any(axis=2)
    rects[unused] = np.repeat(rects[:, :1], widest, axis=1)[unused]
    return rects, member


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
        self.rects: list[Rect] = [(0.0, 0.0, 0.0, 0.0)] * len(self.keys)
        self.grid: dict[int, set[int]] = {}
        self.anchors: dict[Key, Placed] = {}
        self.journal: dict[Key, Placed] | None = None
        for key, label in labels.items():
            self._set(key, (label.start, tb))
        self.candidates: dict[Key, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.scores: dict[Key, np.ndarray] = {}
        self.shapes: dict[tuple[int, bool], tuple[np.ndarray, np.ndarray]] = {}
        self.most = max((2 + 2 * len(label.lines) for label in labels.values()), default=0)
        self.table: tuple[np.ndarray, np.ndarray] | None = None
        self.half: np.ndarray | None = None

    def _set(self, key: Key, placed: Placed) -> None:
        """Move a label, keeping the grid of placed labels (and the journal) up to date."""
        i = self.number[key]
        old = self.anchors.get(key)
        if old is not None:
            if self.journal is not None:
                self.journal.setdefault(key, old)
            for cell in self.box_cells.box_keys(self.rects[i]):
                self.grid[cell].discard(i)
        self.anchors[key] = placed
        anchor, aligned = placed
        self.boxes[i] = box = self.blocks[key][aligned].box(*anchor)
        self.rects[i] = box
        for cell in self.box_cells.box_keys(box):
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
            found = self.shapes[i, aligned] = _shape(self.blocks[self.keys[i]][aligned],
                                                     self.most)
        return found

    def _shape_table(self) -> tuple[np.ndarray, np.ndarray]:
        """`_shape` of every label, unaligned then aligned: ``(labels, 2, R, 4)`` and
        ``(labels, 2, R, _VARIANTS)``."""
        if self.table is None:
            shapes = [self._shape(i, aligned) for i in range(len(self.keys))
                      for aligned in (False, True)]
            count = len(self.keys)
            self.table = (np.stack([s[0] for s in shapes]).reshape(count, 2, self.most, 4),
                          np.stack([s[1] for s in shapes]).reshape(count, 2, self.most,
                                                                   _VARIANTS))
        return self.table

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
            table_offsets, table_member = self._shape_table()
            per_offsets = table_offsets[ids, aligned.astype(np.int64)]
            per_member = table_member[ids, aligned.astype(np.int64)]
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
            for aligned in (False, True):
                anchors, penalty = _candidates(route, self.blocks[key][aligned], self.tb,
                                               None, label.start)
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

    def place_many(self, keys: Sequence[Key]) -> None:
        """`place` for many labels, with their candidates scored together.

        Round ``k`` scores the ``k``-th group of candidates (`_CHUNK` of them) of every
        label still without a place meeting the distance conditions, in a few vectorised
        passes over all of them (`_badness_rows`; a label's badness does not depend on
        the other labels). Then each label, in order, takes the best of its group free
        of the other labels where they are at that moment, as `place` does; a label
        that finds no place meeting the conditions takes, after the last group, the
        least bad free place it saw if it is no worse than where it is.
        """
        if not keys:
            return
        current = self.badness_all()
        best: dict[Key, _Scored] = {}
        pending = list(keys)
        for start in range(0, _CHUNK * CHUNKS, _ROUND):
            rows: list[int] = []
            parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
            for key in pending:
                anchors, aligned, cost = self._candidates(key)
                if start >= len(anchors):
                    continue
                stop = min(start + _ROUND, len(anchors))
                rows.append(self.number[key])
                parts.append((anchors[start:stop], aligned[start:stop], cost[start:stop],
                              np.full(stop - start, self.number[key])))
            if not parts:
                break
            anchors = np.concatenate([p[0] for p in parts])
            aligned = np.concatenate([p[1] for p in parts])
            cost = np.concatenate([p[2] for p in parts])
            ids = np.concatenate([p[3] for p in parts])
            half = self._halves()[ids, aligned.astype(np.int64)]
            boxes = np.hstack([anchors, anchors]) + half
            keep = (boxes[:, 0] >= self.bounds[0]) & (boxes[:, 1] >= self.bounds[1]) & \
                   (boxes[:, 2] <= self.bounds[2]) & (boxes[:, 3] <= self.bounds[3])
            padded = boxes + _PAD
            query, item = self.fixed.pairs(padded[keep])
            if len(query):
                a, b = padded[keep][query], self.fixed.rects[item]
                over = (a[:, 0] < b[:, 2]) & (b[:, 0] < a[:, 2]) & \
                       (a[:, 1] < b[:, 3]) & (b[:, 1] < a[:, 3])
                inside = np.flatnonzero(keep)
                keep[inside[query[over]]] = False
            which = np.flatnonzero(keep)
            badness = np.full(len(anchors), np.inf)
            for lo in range(0, len(which), _BATCH):
                part = which[lo:lo + _BATCH]
                badness[part] = self._badness_rows(ids[part], anchors[part], aligned[part])
            order = which[np.lexsort((badness[which] * 1000.0 + cost[which], ids[which]))]
            groups = np.split(order, np.flatnonzero(np.diff(ids[order])) + 1) \
                if len(order) else []
            by_label = {int(ids[g[0]]): g for g in groups}
            still = []
            for key in pending:
                i = self.number[key]
                group = by_label.get(i)
                found = None
                if group is not None:
                    for k in group.tolist():
                        if not self._touches(i, padded[k].tolist()):
                            found = _Scored((float(anchors[k][0]), float(anchors[k][1])),
                                            bool(aligned[k]), float(badness[k]), float(cost[k]))
                            break
                old = best.get(key)
                if found is not None and (old is None or
                                          (found.badness, found.cost) < (old.badness, old.cost)):
                    best[key] = old = found
                if old is not None and old.badness == 0.0:
                    if old.badness <= current[i]:
                        self._set(key, (old.anchor, old.left_aligned))
                else:
                    still.append(key)
            pending = still
        for key in pending:
            found = best.get(key)
            if found is not None and found.badness <= current[self.number[key]] and \
                    not self._touches(self.number[key],
                                      list(self.blocks[key][found.left_aligned].box(
                                          *found.anchor) + _PAD)):
                self._set(key, (found.anchor, found.left_aligned))

    def _halves(self) -> np.ndarray:
        """Every label's reserved block around the anchor ``(0, 0)``, unaligned then
        aligned: ``(labels, 2, 4)``."""
        if self.half is None:
            self.half = np.asarray(
                [[[-b.width / 2, -b.height / 2, b.width / 2, b.height / 2]
                  for b in (self.blocks[key][False], self.blocks[key][True])]
                 for key in self.keys], dtype=float).reshape(-1, 2, 4)
        return self.half

    def _touches(self, i: int, box: Sequence[float]) -> bool:
        """Whether a (padded) box overlaps the block of a placed label other than ``i``."""
        x0, y0, x1, y1 = box
        seen = {i}
        for cell in self.box_cells.box_keys(box):
            for j in self.grid.get(cell, ()):
                if j in seen:
                    continue
                seen.add(j)
                r = self.rects[j]
                if x0 < r[2] and r[0] < x1 and y0 < r[3] and r[1] < y1:
                    return True
        return False

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


def _around(route: np.ndarray, start: np.ndarray, block: Block, points: int) -> np.ndarray:
    """The stretch of a route (consecutive vertices) within reach of the anchors tried
    near ``start``: the quick pass need not resample the rest."""
    if len(route) < 3:
        return route
    distance = np.hypot(route[:, 0] - start[0], route[:, 1] - start[1])
    reach = distance.min() + 2 * points * STEP + 2 * (block.width + block.height) + \
        _SEGMENT_REACH
    inside = np.flatnonzero(distance <= reach)
    return route[max(inside[0] - 1, 0):inside[-1] + 2]


def _candidates_of(around: list[np.ndarray], request: np.ndarray, request_flag: np.ndarray,
                   starts: np.ndarray, blocks: list[dict[bool, Block]], offsets: np.ndarray,
                   tb: bool, points: int, labels: int, alignments: int, part: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_candidates_many` for the labels ``part`` (positions among the ``labels`` a round
    places; ``request`` holds them once per alignment, ``request_flag`` which): the
    anchors, their penalties and the position in ``request`` each is for. Each label's
    anchors come in the order of a call for every label at once."""
    rows = np.concatenate([part + k * labels for k in range(alignments)])
    found, penalty, route = _candidates_many(
        [around[r] for r in rows.tolist()], starts[request[rows]],
        [blocks[i][f] for i, f in zip(request[rows].tolist(), request_flag[rows].tolist())],
        offsets[request[rows], request_flag[rows].astype(np.int64)], tb, points)
    return found, penalty, rows[route]


def _badness_of(segments: _Segments, ids: np.ndarray, anchors: np.ndarray, offsets: np.ndarray,
                member: np.ndarray, flag: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`_Segments.badness` of the anchors ``rows`` (of every label's line rectangles
    ``offsets`` and variants ``member``, in the alignment ``flag`` of each row)."""
    return segments.badness(ids[rows], anchors[rows], offsets[ids[rows], flag[rows]],
                            member[ids[rows], flag[rows]])


def _place_large(labels: Mapping[Key, Label], obstacles: np.ndarray, bounds: Rect,
                 tb: bool, unmet: list[Key] | None
                 ) -> dict[Key, tuple[Point, float | None]]:
    """`_place_rounds`, with a second thread to score anchors in when the machine has a
    second core (each row's score is its own: the same placement, sooner)."""
    if (os.cpu_count() or 1) < 2:
        return _place_rounds(labels, obstacles, bounds, tb, unmet, None)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="adviz-anchors") as helper:
        return _place_rounds(labels, obstacles, bounds, tb, unmet, helper)


def _place_rounds(labels: Mapping[Key, Label], obstacles: np.ndarray, bounds: Rect,
                  tb: bool, unmet: list[Key] | None, helper: ThreadPoolExecutor | None
                  ) -> dict[Key, tuple[Point, float | None]]:
    """The placement of a large graph's labels (more than `ROUNDS_FROM`), in rounds that
    score the anchors of every label still unplaced at once, on the routes' segments
    (`_Segments`: exact distances, few items per cell).

    Each round, every label left tries its cheapest anchors (`ROUNDS`: how many route
    points nearest Graphviz's label, how many anchors, which alignments; generated for
    all of them at once by `_candidates_many`, less those an earlier round scored) and
    takes the cheapest that meets the distance conditions and overlaps nothing placed
    before it. The anchors are scored in waves of the `WAVE` cheapest of each label: a
    label placed by one wave is not scored in the next, and anchors overlapping a label
    already placed are not scored. A label no round places takes the least bad anchor
    free of the others (reported in ``unmet``), or, with none, Graphviz's position.
    Waves of `_SPLIT` anchors or more are scored in parts, every other one in ``helper``'s
    thread (NumPy lets go of the interpreter inside its loops).
    """
    keys = list(labels)
    count = len(keys)
    blocks = [{False: b, True: b.realigned(True)}
              for b in (Block(labels[k].lines, False) for k in keys)]
    offsets, member = _shape_table([b[f] for b in blocks for f in (False, True)])
    offsets = offsets.reshape(count, 2, *offsets.shape[1:])
    member = member.reshape(count, 2, *member.shape[1:])
    half = np.asarray([[[-b[f].width / 2, -b[f].height / 2, b[f].width / 2, b[f].height / 2]
                        for f in (False, True)] for b in blocks], dtype=float)
    routes = [np.asarray(labels[k].route, dtype=float).reshape(-1, 2) for k in keys]
    extent = np.concatenate([*routes, obstacles[:, :2], obstacles[:, 2:],
                             np.asarray([bounds[:2], bounds[2:]], dtype=float)])
    whole: Rect = (*_column_extremes(extent, least=True), *_column_extremes(extent, least=False))
    box_cells = _Cells(whole, BOX_CELL)
    segments = _Segments(routes, _Cells(whole, SEGMENT_CELL))
    fixed = _Index(box_cells, obstacles)
    grid: dict[int, list[Rect]] = {}
    taken: list[Rect] = []
    placed: dict[Key, Placed] = {}
    seen: list[tuple[np.ndarray, ...]] = []

    def touches(box: Sequence[float]) -> bool:
        return any(box[0] < r[2] and r[0] < box[2] and box[1] < r[3] and r[1] < box[3]
                   for c in box_cells.box_keys(box) for r in grid.get(c, ()))

    def take(i: int, anchor: Point, aligned: bool) -> None:
        placed[keys[i]] = (anchor, aligned)
        x0, y0, x1, y1 = (half[i, int(aligned)] + [*anchor, *anchor]).tolist()
        own = (x0, y0, x1, y1)
        taken.append(own)
        for c in box_cells.box_keys(own):
            grid.setdefault(c, []).append(own)

    def free(padded: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The ``rows`` whose padded box overlaps no label placed so far (the others cannot
        be taken: placed labels stay)."""
        if not taken or not len(rows):
            return rows
        index = _Index(box_cells, np.asarray(taken, dtype=float))
        query, item = index.pairs(padded[rows])
        a, b = padded[rows][query], index.rects[item]
        hit = (a[:, 0] < b[:, 2]) & (b[:, 0] < a[:, 2]) & (a[:, 1] < b[:, 3]) & \
            (b[:, 1] < a[:, 3])
        blocked = np.zeros(len(rows), dtype=bool)
        blocked[query[hit]] = True
        return rows[~blocked]

    starts = np.asarray([labels[k].start for k in keys], dtype=float)
    low = np.minimum(_column_extremes(starts, least=True), _column_extremes(extent, least=True))
    quantum = max(0.25, float((_column_extremes(extent, least=False) - low).max()) / 2.0**21)
    scored = np.zeros(0, dtype=np.int64)
    left = np.arange(count)
    for points, tries, alignments in ROUNDS:
        if not len(left):
            break
        flags = (tb,) if alignments == 1 else (tb, not tb)
        request = np.concatenate([left] * len(flags))
        request_flag = np.repeat(np.asarray(flags, dtype=bool), len(left))
        # Both alignments of a block have the same size: the same stretch of route.
        around = [_around(routes[i], starts[i], blocks[i][False], points)
                  for i in left.tolist()] * len(flags)
        generate = partial(_candidates_of, around, request, request_flag, starts, blocks,
                           offsets, tb, points, len(left), len(flags))
        if helper is not None and len(left) >= _SPLIT_LABELS:  # each label's are its own
            later = helper.submit(generate, np.arange(len(left) // 2, len(left)))
            first_half = generate(np.arange(len(left) // 2))
            found, penalty, route = (np.concatenate(pair)
                                     for pair in zip(first_half, later.result()))
        else:
            found, penalty, route = generate(np.arange(len(left)))
        ids = np.concatenate([left, request[route]])
        aligned_all = np.concatenate([np.full(len(left), tb), request_flag[route]])
        anchors = np.concatenate([starts[left], found])
        cost = np.concatenate([np.zeros(len(left)),
                               np.hypot(found[:, 0] - starts[ids[len(left):], 0],
                                        found[:, 1] - starts[ids[len(left):], 1]) + penalty])
        # The cheapest ``tries`` of each label, less those an earlier round scored.
        order = np.lexsort((cost, ids))
        first = np.searchsorted(ids[order], ids[order], side="left")
        order = order[np.arange(len(order)) - first < tries]
        q = np.round((anchors[order] - low) / quantum).astype(np.int64)
        key = ((ids[order] * 2 + aligned_all[order]) << 44) | (q[:, 0] << 22) | q[:, 1]
        # ``scored`` is kept sorted: looked up by bisection, not hashed again each round.
        at = np.minimum(np.searchsorted(scored, key), max(len(scored) - 1, 0))
        fresh = scored[at] != key if len(scored) else np.ones(len(key), dtype=bool)
        scored = np.sort(np.concatenate([scored, key[fresh]]))
        order = order[fresh]
        anchors, cost, ids, aligned_all = (anchors[order], cost[order], ids[order],
                                           aligned_all[order])
        flag = aligned_all.astype(np.int64)
        boxes = np.hstack([anchors, anchors]) + half[ids, flag]
        keep = (boxes[:, 0] >= bounds[0]) & (boxes[:, 1] >= bounds[1]) & \
               (boxes[:, 2] <= bounds[2]) & (boxes[:, 3] <= bounds[3])
        padded = boxes + _PAD
        query, item = fixed.pairs(padded)
        if len(query):
            a, b = padded[query], fixed.rects[item]
            over = (a[:, 0] < b[:, 2]) & (b[:, 0] < a[:, 2]) & \
                   (a[:, 1] < b[:, 3]) & (b[:, 1] < a[:, 3])
            keep[query[over]] = False
        which = np.flatnonzero(keep)  # in order of label, then cost
        rank = np.arange(len(which)) - np.searchsorted(ids[which], ids[which], side="left")
        pending = np.zeros(count, dtype=bool)
        pending[left] = True
        badness = np.full(len(anchors), np.inf)
        # In waves of the cheapest anchors: a label placed by one scores no more.
        for lo in range(0, tries, WAVE):
            wave = which[(rank >= lo) & (rank < lo + WAVE)]
            wave = free(padded, wave[pending[ids[wave]]])
            if not len(wave):
                continue
            score = partial(_badness_of, segments, ids, anchors, offsets, member, flag)
            parts = np.array_split(wave, max(-(-len(wave) // _BATCH),
                                             2 if helper is not None and len(wave) >= _SPLIT
                                             else 1))
            theirs = [helper.submit(score, part) for part in parts[1::2]] if helper else []
            for part in parts if helper is None else parts[::2]:
                badness[part] = score(part)
            for part, future in zip(parts[1::2], theirs):
                badness[part] = future.result()
            ranked = wave[np.lexsort((cost[wave], badness[wave] * 1000.0, ids[wave]))]
            done = -1
            for k in ranked[badness[ranked] == 0.0].tolist():
                i = int(ids[k])
                if i != done and not touches(padded[k].tolist()):
                    done = i
                    take(i, (float(anchors[k, 0]), float(anchors[k, 1])),
                         bool(aligned_all[k]))
                    pending[i] = False
            seen.append((ids[wave], badness[wave], cost[wave], anchors[wave],
                         aligned_all[wave], padded[wave]))
        left = left[pending[left]]
    # The labels no round placed: the least bad anchor free of the others, of any round.
    if len(left) and seen:
        ids, badness, cost, anchors, aligned_all, padded = (
            np.concatenate([part[k] for part in seen]) for k in range(6))
        ranked = np.lexsort((cost, badness, ids))
        ranked = ranked[np.isin(ids[ranked], left)]  # not those a later round placed
        done = -1
        for k in ranked.tolist():
            i = int(ids[k])
            if i != done and not touches(padded[k].tolist()):
                done = i
                take(i, (float(anchors[k, 0]), float(anchors[k, 1])), bool(aligned_all[k]))
    for i in left.tolist():
        if keys[i] not in placed:
            placed[keys[i]] = (labels[keys[i]].start, tb)
        if unmet is not None:
            unmet.append(keys[i])
    out: dict[Key, tuple[Point, float | None]] = {}
    for key, block in zip(keys, blocks):
        (x, y), aligned = placed[key]
        x, y = round(x, 2), round(y, 2)
        out[key] = ((x, y), _left(block[True], (x, y)) if aligned else None)
    return out


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
    if len(labels) > ROUNDS_FROM:
        return _place_large(labels, np.asarray(obstacles, dtype=float).reshape(-1, 4), bounds,
                            tb, unmet)
    placer = _Placer(labels, obstacles, bounds, tb)
    fits = placer.fits_all()
    placer.place_many([key for key, fit in zip(placer.keys, fits.tolist()) if not fit])
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
