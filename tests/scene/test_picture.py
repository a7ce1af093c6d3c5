"""Edge shapes of `adviz.scene.picture`: the reverse routes cut for their arrowheads."""

from __future__ import annotations

import random

from adviz.scene.picture import _split_tail, _trim_parameters, trim_start


def _cut(route: tuple[tuple[float, float], ...], t: float | None
         ) -> tuple[tuple[float, float], ...]:
    if t is None:
        return route
    piece = (route[0], route[1], route[2], route[3])
    return tuple((round(x, 6), round(y, 6)) for x, y in _split_tail(piece, t)) + route[4:]


def test_routes_cut_together_equal_routes_cut_one_by_one() -> None:
    """`_trim_parameters` bisects every route at once: each route cut where `trim_start`,
    which cuts one route, cuts it, to the last bit (short, long, straight and curled
    routes; first pieces shorter than the cut kept whole)."""
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
        for route, t in zip(routes, cuts):
            assert _cut(route, t) == trim_start(route, length)
    assert _trim_parameters([], 10.0) == []
