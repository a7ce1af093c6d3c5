"""Edge shapes of `adviz.scene.picture`: the reverse routes cut for their arrowheads."""

from __future__ import annotations

import math
import random

from adviz.scene.picture import _split_tail, _trim_parameters, trim_start


def _one_by_one(route: tuple[tuple[float, float], ...], length: float
                ) -> tuple[tuple[float, float], ...]:
    """A route cut alone, point by point in plain Python: the first cubic piece bisected
    until its point is ``length`` from the start (the way arrowheads were cut before all
    routes were cut at once)."""
    if len(route) < 4:
        return route
    p = route[:4]
    start = route[0]
    if math.dist(start, p[3]) <= length:
        return route
    lo, hi = 0.0, 1.0
    for _ in range(30):
        t = (lo + hi) / 2
        s = 1 - t
        point = (s**3 * p[0][0] + 3 * s * s * t * p[1][0] + 3 * s * t * t * p[2][0]
                 + t**3 * p[3][0],
                 s**3 * p[0][1] + 3 * s * s * t * p[1][1] + 3 * s * t * t * p[2][1]
                 + t**3 * p[3][1])
        if math.dist(start, point) < length:
            lo = t
        else:
            hi = t
    head = (p[0], p[1], p[2], p[3])
    return tuple((round(x, 6), round(y, 6)) for x, y in _split_tail(head, hi)) + route[4:]


def test_routes_cut_together_equal_routes_cut_one_by_one() -> None:
    """`_trim_parameters` bisects every route at once: each route is cut where a plain
    bisection of that route alone cuts it, to the last bit (short, long, straight and
    curled routes; first pieces shorter than the cut kept whole)."""
    rng = random.Random(7)
    routes = []
    for _ in range(3000):
        count = rng.choice([4, 7, 10])
        scale = rng.choice([0.5, 5.0, 50.0, 500.0])
        x, y = rng.uniform(-300, 300), rng.uniform(-300, 300)
        routes.append(tuple((round(x + rng.uniform(-scale, scale) * k, 2),
                             round(y + rng.uniform(-scale, scale) * k, 2))
                            for k in range(count)))
    for length in (3.0, 10.0):
        cuts = _trim_parameters(routes, length)
        assert any(c is None for c in cuts) and any(c is not None for c in cuts)
        for route in routes:
            assert trim_start(route, length) == _one_by_one(route, length)
    assert _trim_parameters([], 10.0) == []
    assert trim_start(((0.0, 0.0), (1.0, 1.0)), 10.0) == ((0.0, 0.0), (1.0, 1.0))
