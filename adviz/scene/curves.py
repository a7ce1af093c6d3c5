"""Edge-route geometry: Bezier paths, arc-length sampling, arrowheads.

Routes come from the stored layout as cubic Bezier control points
``p0, c1, c2, p1, c1, c2, p2, ...`` from the parent's side to the arrowhead
base at the child. `Route` turns them into a Matplotlib `Path` (``CURVE4``
segments) for drawing and into an arc-length parametrised polyline for the
moving pulse and its trail.

Examples
--------
>>> r = Route(((0.0, 0.0), (10.0, 0.0), (20.0, 0.0), (30.0, 0.0)), head=(40.0, 0.0))
>>> round(r.length, 6)
40.0
>>> r.point_at(0.25)
(10.0, 0.0)
>>> r.path().codes.tolist()
[1, 4, 4, 4]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.path import Path

Point = tuple[float, float]

SAMPLES_PER_SEGMENT = 24


def bezier_points(controls: Sequence[Point], samples: int = SAMPLES_PER_SEGMENT) -> np.ndarray:
    """Sample a chain of cubic Bezier segments into an ``(n, 2)`` polyline.

    Examples
    --------
    >>> bezier_points([(0, 0), (0, 1), (1, 1), (1, 0)], samples=2).tolist()
    [[0.0, 0.0], [0.5, 0.75], [1.0, 0.0]]
    """
    pts = np.asarray(controls, dtype=float).reshape(-1, 2)
    if len(pts) < 4 or (len(pts) - 1) % 3:
        return pts.copy()
    t = np.linspace(0.0, 1.0, samples + 1)[:, None]
    out = [pts[:1]]
    for k in range(0, len(pts) - 1, 3):
        p0, c1, c2, p1 = pts[k], pts[k + 1], pts[k + 2], pts[k + 3]
        seg = ((1 - t) ** 3) * p0 + 3 * ((1 - t) ** 2) * t * c1 + 3 * (1 - t) * t**2 * c2 \
            + t**3 * p1
        out.append(seg[1:])
    return np.concatenate(out)


class Route:
    """One edge route: control points from the parent to the child, and the arrow tip.

    Parameters
    ----------
    points
        Cubic Bezier control points (parent side first).
    head
        Arrow tip at the child, or ``None`` when the route ends at the child.
    """

    def __init__(self, points: Sequence[Point], head: Point | None = None) -> None:
        self.points = tuple((float(x), float(y)) for x, y in points)
        self.head = None if head is None else (float(head[0]), float(head[1]))

    def path(self) -> Path:
        """The route as a Matplotlib path of ``CURVE4`` segments (straight when not cubic)."""
        from matplotlib.path import Path

        pts = self.points
        if len(pts) >= 4 and (len(pts) - 1) % 3 == 0:
            codes = [Path.MOVETO] + [Path.CURVE4] * (len(pts) - 1)
        else:
            codes = [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1)
        return Path(np.asarray(pts, dtype=float), codes)

    @cached_property
    def polyline(self) -> np.ndarray:
        """Sampled points from the parent to the arrow tip (the tip included)."""
        line = bezier_points(self.points)
        if self.head is not None:
            line = np.vstack([line, np.asarray(self.head, dtype=float)[None, :]])
        return line

    @cached_property
    def _cumulative(self) -> np.ndarray:
        steps = np.hypot(*np.diff(self.polyline, axis=0).T)
        return np.concatenate([[0.0], np.cumsum(steps)])

    @property
    def length(self) -> float:
        """Arc length from the parent to the tip."""
        return float(self._cumulative[-1])

    def point_at(self, fraction: float) -> Point:
        """The point at ``fraction`` of the arc length from the parent (0) to the tip (1)."""
        cum = self._cumulative
        if cum[-1] == 0.0:
            x, y = self.polyline[0]
            return float(x), float(y)
        s = min(max(fraction, 0.0), 1.0) * cum[-1]
        x = float(np.interp(s, cum, self.polyline[:, 0]))
        y = float(np.interp(s, cum, self.polyline[:, 1]))
        return x, y

    def piece(self, start: float, stop: float) -> np.ndarray:
        """The polyline between two arc-length fractions (``start <= stop``)."""
        cum = self._cumulative
        total = cum[-1]
        a, b = start * total, stop * total
        inner = self.polyline[(cum > a) & (cum < b)]
        first = np.asarray(self.point_at(start))[None, :]
        last = np.asarray(self.point_at(stop))[None, :]
        return np.vstack([first, inner, last])

    def head_polygon(self, width: float) -> np.ndarray | None:
        """Triangle of the forward arrowhead: from the route's end to the tip."""
        if self.head is None:
            return None
        return arrowhead(self.head, self.points[-1], width)

    def reverse_head_polygon(self, length: float, width: float) -> np.ndarray:
        """Triangle of an arrowhead pointing back into the parent, tip at the route's start."""
        tip = self.points[0]
        total = self.length
        base = self.point_at(min(length / total, 1.0)) if total > 0 else tip
        return arrowhead(tip, base, width)


def arrowhead(tip: Point, base: Point, width: float) -> np.ndarray:
    """A ``(3, 2)`` triangle with its tip at ``tip`` and its base centred on ``base``.

    Examples
    --------
    >>> arrowhead((10.0, 0.0), (0.0, 0.0), 4.0).tolist()
    [[10.0, 0.0], [0.0, -2.0], [0.0, 2.0]]
    """
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    norm = math.hypot(dx, dy) or 1.0
    nx_, ny_ = -dy / norm * width / 2, dx / norm * width / 2
    return np.array([tip, (base[0] - nx_, base[1] - ny_), (base[0] + nx_, base[1] + ny_)])


def ease(fraction: float) -> float:
    """Smooth start and stop of a motion (smoothstep), 0 -> 0 and 1 -> 1.

    Examples
    --------
    >>> ease(0.0), ease(0.5), ease(1.0)
    (0.0, 0.5, 1.0)
    """
    f = min(max(fraction, 0.0), 1.0)
    return f * f * (3.0 - 2.0 * f)
