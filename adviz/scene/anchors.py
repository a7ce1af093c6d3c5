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
least (still without any overlap) is kept. The layout and the node
coordinates are not changed.

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
positions are kept: the placement would cost many times the layout."""

_CHUNK = 48
_CAP = REACH + CLEARANCE + 4.0
_OWN_CAP = 80.0


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


def _candidates(route: np.ndarray, block: Block, tb: bool) -> tuple[np.ndarray, np.ndarray]:
    """Anchors beside the route and a side penalty for each.

    Each block beside the route is pushed off it until every line of every
    variant of the block (`Block.variants`) is `GAP` away from the route.
    Above and below the route, the first line is centred over a route point;
    to its right or left, the block is centred on a route point's height.
    """
    pts = densify(route, STEP)
    dense = densify(route, 1.0)
    across, down = _Window(dense, 0), _Window(dense, 1)
    rects = np.asarray([r for widths in block.variants() for r in block.rects(0.0, 0.0, widths)],
                       dtype=float)
    half_first = block.regular[0] / 2 if block.regular else 0.0
    penalties = _penalties(tb, block.left_aligned)
    anchors: list[np.ndarray] = []
    penalty: list[float] = []
    cx = pts[:, 0] + (block.width / 2 - half_first if block.left_aligned else 0.0)
    top = np.full(len(pts), np.inf)
    bottom = np.full(len(pts), -np.inf)
    for x0, y0, x1, y1 in rects:
        lo, hi = cx + x0 - GAP, cx + x1 + GAP
        top = np.minimum(top, across.extreme(lo, hi, least=True) - y1)
        bottom = np.maximum(bottom, across.extreme(lo, hi, least=False) - y0)
    for gap in GAPS:
        anchors += [np.column_stack([cx, top - gap]), np.column_stack([cx, bottom + gap])]
        penalty += [penalties["above"] + gap - GAP] * len(pts)
        penalty += [penalties["below"] + gap - GAP] * len(pts)
    if "right" in penalties:
        cy = pts[:, 1]
        right = np.full(len(pts), -np.inf)
        left = np.full(len(pts), np.inf)
        for x0, y0, x1, y1 in rects:
            lo, hi = cy + y0 - GAP, cy + y1 + GAP
            right = np.maximum(right, down.extreme(lo, hi, least=False) - x0)
            left = np.minimum(left, down.extreme(lo, hi, least=True) - x1)
        for gap in GAPS:
            anchors += [np.column_stack([right + gap, cy]), np.column_stack([left - gap, cy])]
            penalty += [penalties["right"] + gap - GAP] * len(pts)
            penalty += [penalties["left"] + gap - GAP] * len(pts)
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


def _distances(anchors: np.ndarray, block: Block, own: np.ndarray, others: np.ndarray,
               widths: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Per anchor, the distance of a block of lines of ``widths`` to its own route and to
    the others."""
    offsets = np.asarray(block.rects(0.0, 0.0, widths), dtype=float)
    rects = (np.repeat(anchors, len(offsets), axis=0)[:, [0, 1, 0, 1]] +
             np.tile(offsets, (len(anchors), 1)))
    mine = np.minimum(near_distances(rects, own, _OWN_CAP), _OWN_CAP)
    mine = mine.reshape(len(anchors), -1).min(axis=1)
    theirs = near_distances(rects, others, _CAP).reshape(len(anchors), -1).min(axis=1)
    return mine, theirs


def _badness(anchors: np.ndarray, block: Block, own: np.ndarray,
             others: np.ndarray) -> np.ndarray:
    """How far each anchor is from meeting the distance conditions (0: met)."""
    badness = np.zeros(len(anchors))
    for widths in block.variants():
        mine, theirs = _distances(anchors, block, own, others, widths)
        badness += np.maximum(mine - REACH, 0.0)
        badness += np.maximum(mine + CLEARANCE - theirs, 0.0)
        badness += np.maximum(1.0 - mine, 0.0) * 10.0
    return badness


def _by_x(points: np.ndarray) -> np.ndarray:
    return points[np.argsort(points[:, 0], kind="stable")]


class _Placer:
    """The anchors placed so far, and the moves that improve them."""

    def __init__(self, labels: Mapping[tuple[str, str], Label], obstacles: Sequence[Rect],
                 bounds: Rect, tb: bool) -> None:
        self.labels = labels
        self.bounds = bounds
        self.tb = tb
        self.keys = list(labels)
        self.routes = {key: _by_x(densify(label.route, 1.0)) for key, label in labels.items()}
        coarse = [densify(labels[k].route, 1.5) for k in self.keys]
        self.blocks = {key: {aligned: Block(label.lines, aligned) for aligned in (False, True)}
                       for key, label in labels.items()}
        self.anchors: dict[tuple[str, str], tuple[Point, bool]] = {
            key: (label.start, tb) for key, label in labels.items()}
        self.fixed = np.asarray(obstacles, dtype=float).reshape(-1, 4)
        points = np.concatenate(coarse) if coarse else np.zeros((0, 2))
        owner = np.concatenate([np.full(len(r), i) for i, r in enumerate(coarse)]) \
            if coarse else np.zeros(0, dtype=int)
        order = np.argsort(points[:, 0], kind="stable")  # sorted by x for near_distances
        self.points, self.owner = points[order], owner[order]
        self.number = {key: i for i, key in enumerate(self.keys)}
        self.candidates: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.scores: dict[tuple[str, str], np.ndarray] = {}

    def _near(self, key: tuple[str, str], lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The points of the other routes inside ``[lo, hi]``, sorted by x."""
        first = int(np.searchsorted(self.points[:, 0], lo[0], side="left"))
        last = int(np.searchsorted(self.points[:, 0], hi[0], side="right"))
        points, owner = self.points[first:last], self.owner[first:last]
        keep = (owner != self.number[key]) & (points[:, 1] >= lo[1]) & (points[:, 1] <= hi[1])
        return points[keep]

    def box(self, key: tuple[str, str]) -> Rect:
        anchor, aligned = self.anchors[key]
        return self.blocks[key][aligned].box(*anchor)

    def badness(self, key: tuple[str, str]) -> float:
        """How far the label's current anchor is from meeting the distance conditions."""
        return self._badness_at(key, self.anchors[key])

    def _badness_at(self, key: tuple[str, str], placed: tuple[Point, bool]) -> float:
        anchor, aligned = placed
        point = np.asarray([anchor], dtype=float)
        block = self.blocks[key][aligned]
        reach = np.array([block.width / 2, block.height / 2]) + _CAP
        near = self._near(key, point[0] - reach, point[0] + reach)
        return float(_badness(point, block, self.routes[key], near)[0])

    def _candidates(self, key: tuple[str, str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every anchor tried for a label, cheapest first: anchors, alignment, cost."""
        found = self.candidates.get(key)
        if found is None:
            label = self.labels[key]
            route = np.asarray(label.route, dtype=float)
            parts = [(np.asarray([label.start], dtype=float), np.asarray([self.tb]),
                      np.zeros(1))]
            for aligned in (False, True):
                anchors, penalty = _candidates(route, self.blocks[key][aligned], self.tb)
                cost = np.hypot(anchors[:, 0] - label.start[0],
                                anchors[:, 1] - label.start[1]) + penalty
                parts.append((anchors, np.full(len(anchors), aligned), cost))
            anchors = np.concatenate([p[0] for p in parts])
            aligned_all = np.concatenate([p[1] for p in parts])
            cost = np.concatenate([p[2] for p in parts])
            order = np.argsort(cost, kind="stable")
            found = self.candidates[key] = (anchors[order], aligned_all[order], cost[order])
        return found

    def _scores(self, key: tuple[str, str], start: int, stop: int) -> np.ndarray:
        """The badness of the candidates ``start:stop`` of a label (computed once)."""
        anchors, aligned, _ = self._candidates(key)
        scores = self.scores.setdefault(key, np.full(len(anchors), np.nan))
        if np.isnan(scores[start:stop]).any():
            for flag in (False, True):
                pick = np.flatnonzero(aligned[start:stop] == flag) + start
                if not len(pick):
                    continue
                block = self.blocks[key][flag]
                chunk = anchors[pick]
                # Only route points near the blocks matter (farther ones meet the conditions).
                reach = np.array([block.width / 2, block.height / 2]) + _CAP
                near = self._near(key, chunk.min(axis=0) - reach, chunk.max(axis=0) + reach)
                scores[pick] = _badness(chunk, block, self.routes[key], near)
        return scores[start:stop]

    def _find(self, key: tuple[str, str], ignore: set[tuple[str, str]]) -> _Scored | None:
        """The best anchor free of obstacles and of the labels not in ``ignore``."""
        placed = np.asarray([self.box(k) for k in self.keys if k != key and k not in ignore],
                            dtype=float).reshape(-1, 4)
        obstacles = np.concatenate([self.fixed, placed])
        anchors, aligned, cost = self._candidates(key)
        pad = np.array([-OBSTACLE_PAD, -OBSTACLE_PAD, OBSTACLE_PAD, OBSTACLE_PAD])
        half = {flag: np.array([-b.width / 2, -b.height / 2, b.width / 2, b.height / 2])
                for flag, b in self.blocks[key].items()}
        best: _Scored | None = None
        for start in range(0, min(len(anchors), _CHUNK * CHUNKS), _CHUNK):
            stop = min(start + _CHUNK, len(anchors))
            chunk = anchors[start:stop]
            boxes = np.hstack([chunk, chunk]) + np.where(aligned[start:stop, None],
                                                         half[True], half[False])
            inside = (boxes[:, 0] >= self.bounds[0]) & (boxes[:, 1] >= self.bounds[1]) & \
                     (boxes[:, 2] <= self.bounds[2]) & (boxes[:, 3] <= self.bounds[3])
            free = np.flatnonzero(inside & ~_overlaps(boxes + pad, obstacles))
            if not len(free):
                continue
            badness = self._scores(key, start, stop)[free]
            k = int(np.argmin(badness * 1000.0 + cost[start + free]))
            i = start + int(free[k])
            found = _Scored((float(anchors[i][0]), float(anchors[i][1])), bool(aligned[i]),
                            float(badness[k]), float(cost[i]))
            if best is None or (found.badness, found.cost) < (best.badness, best.cost):
                best = found
            if best.badness == 0.0:
                break
        return best

    def place(self, key: tuple[str, str]) -> None:
        """Move a label to its best anchor among those free of every other label."""
        found = self._find(key, set())
        if found is not None and found.badness <= self.badness(key):
            self.anchors[key] = (found.anchor, found.left_aligned)

    def repair(self, key: tuple[str, str]) -> None:
        """Take a better anchor held by other labels, if they (and the labels they in turn
        move, up to `CHAIN` deep) find places that leave the labels involved better off."""
        found = self._find(key, set(self.keys))
        if found is None or found.badness >= self.badness(key):
            return
        saved = dict(self.anchors)
        if self._take(key, found, CHAIN, {key}):
            moved = [k for k in self.keys if self.anchors[k] != saved[k]]
            before = sum(self._badness_at(k, saved[k]) for k in moved)
            if sum(self.badness(k) for k in moved) < before:
                return
        self.anchors = saved

    def _take(self, key: tuple[str, str], found: _Scored, depth: int,
              involved: set[tuple[str, str]]) -> bool:
        """Put a label at ``found`` and move the labels in its way; ``False``: impossible."""
        self.anchors[key] = (found.anchor, found.left_aligned)
        pad = np.array([-OBSTACLE_PAD, -OBSTACLE_PAD, OBSTACLE_PAD, OBSTACLE_PAD])
        mine = np.asarray([self.box(key)], dtype=float) + pad
        displaced = [k for k in self.keys if k not in involved and
                     _overlaps(mine, np.asarray([self.box(k)], dtype=float))[0]]
        involved.update(displaced)
        for other in displaced:
            free = self._find(other, set())
            if (free is None or free.badness > 0.0) and depth > 0:
                ignore = set(self.keys) - involved
                pushing = self._find(other, ignore)
                if pushing is not None and (free is None or pushing.badness < free.badness):
                    if not self._take(other, pushing, depth - 1, involved):
                        return False
                    continue
            if free is None:
                return False
            self.anchors[other] = (free.anchor, free.left_aligned)
        return True


def place_labels(labels: Mapping[tuple[str, str], Label], *, obstacles: Sequence[Rect],
                 bounds: Rect, tb: bool) -> dict[tuple[str, str], tuple[Point, float | None]]:
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

    Returns
    -------
    dict
        Edge key -> (anchor, left): the centre of the reserved text block,
        and the x where left-aligned lines start (``None``: lines centred on
        the anchor), rounded to 0.01 point.
    """
    placer = _Placer(labels, obstacles, bounds, tb)
    if len(labels) > MANY_LABELS:
        return {key: (label.start, _left(placer, key, label.start) if tb else None)
                for key, label in labels.items()}
    for key in labels:
        placer.place(key)
    for key in labels:
        if placer.badness(key) > 0.0:
            placer.place(key)
    for _ in range(REPAIRS):
        bad = [key for key in labels if placer.badness(key) > 0.0]
        for key in bad:
            placer.repair(key)
    out: dict[tuple[str, str], tuple[Point, float | None]] = {}
    for key, ((x, y), aligned) in placer.anchors.items():
        x, y = round(x, 2), round(y, 2)
        out[key] = ((x, y), _left(placer, key, (x, y)) if aligned else None)
    return out


def _left(placer: _Placer, key: tuple[str, str], anchor: Point) -> float:
    return round(anchor[0] - placer.blocks[key][True].width / 2, 2)
