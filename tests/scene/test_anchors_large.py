"""The placement of a large graph's labels (beyond `ROUNDS_FROM`) and the array steps it
is made of, each checked against a plain reference: distances measured on densely
sampled segments, windows reduced point by point, placements checked for the
conditions they promise (every label placed, no overlaps, inside the bounds, the
distance conditions met by all but the few labels reported unmet).

The placements of the ``benchmarks/anchors_identity.py`` graphs are compared float for
float with those of an earlier version by that script (``--save`` then ``--check``).
"""

from __future__ import annotations

import numpy as np
import pytest

import adviz.examples
from adviz.scene import picture
from adviz.scene.anchors import (
    OBSTACLE_PAD,
    REACH,
    ROUNDS_FROM,
    Block,
    Label,
    _distinct_columns,
    _Ranges,
    _sample_columns,
    _sample_segments,
    _segment_distances,
    densify,
    place_labels,
    segment_distances,
    simplify,
)
from adviz.scene.layout import compute_layout
from adviz.scene.view import graph_view, view_options
from tests.scene.test_anchoring import _large


def _reference_distances(p: np.ndarray, q: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """Distance from each segment to its rectangle, from points 0.001 of the segment's
    length apart (at most that far above the exact distance)."""
    t = np.linspace(0.0, 1.0, 1001)[None, :, None]
    points = p[:, None, :] + (q - p)[:, None, :] * t
    dx = np.maximum(np.maximum(rects[:, None, 0] - points[..., 0], 0.0),
                    points[..., 0] - rects[:, None, 2])
    dy = np.maximum(np.maximum(rects[:, None, 1] - points[..., 1], 0.0),
                    points[..., 1] - rects[:, None, 3])
    return np.sqrt(dx * dx + dy * dy).min(axis=1)


def _random_segments(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    p = rng.uniform(-40.0, 40.0, (n, 2))
    q = p + rng.uniform(-25.0, 25.0, (n, 2))
    corner = rng.uniform(-30.0, 30.0, (n, 2))
    rects = np.hstack([corner, corner + rng.uniform(0.5, 30.0, (n, 2))])
    return p, q, rects


def test_segment_distances_match_densely_sampled_segments() -> None:
    """Exact segment-to-rectangle distances: never above the distance from the segment's
    sampled points, and at most the sampling step below it."""
    p, q, rects = _random_segments(np.random.default_rng(3), 4000)
    found = segment_distances(p, q, rects)
    reference = _reference_distances(p, q, rects)
    step = np.hypot(*(q - p).T) / 1000
    assert (found <= reference + 1e-9).all()
    assert (reference - found <= step / 2 + 1e-9).all()
    assert (found == 0.0).sum() > 100  # segments crossing their rectangle come out as 0


def test_segment_distances_broadcast_as_the_per_coordinate_form() -> None:
    """Segments ``(n, 1, 2)`` against rectangles ``(n, R, 4)`` (as the placement measures
    every line of a block), and the coordinate-by-coordinate form with lines along the
    first axis: the same floats, in single precision too."""
    p, q, rects = _random_segments(np.random.default_rng(5), 3000)
    lines = rects.reshape(-1, 5, 4)
    p, q = p[::5], q[::5]
    for dtype in (np.float64, np.float32):
        a, b, r = p.astype(dtype), q.astype(dtype), lines.astype(dtype)
        whole = segment_distances(a[:, None], b[:, None], r)
        by_line = _segment_distances(a[:, 0], a[:, 1], b[:, 0], b[:, 1],
                                     *(np.ascontiguousarray(r[:, :, k].T) for k in range(4)))
        assert whole.shape == (len(p), 5) and whole.dtype == dtype
        assert np.array_equal(whole, by_line.T)
        one_by_one = np.array([[segment_distances(a[i], b[i], r[i, k]) for k in range(5)]
                               for i in range(0, len(p), 37)])
        assert np.array_equal(whole[::37], one_by_one)


def test_window_extremes_are_those_of_the_points_inside() -> None:
    """The least and greatest value of the points whose key lies in each window, from
    the points themselves (empty windows: infinite)."""
    rng = np.random.default_rng(11)
    keys = np.round(rng.uniform(0.0, 100.0, 500), 1)  # ties included
    values = rng.uniform(-50.0, 50.0, 500)
    lo = rng.uniform(-5.0, 100.0, 300)
    hi = lo + rng.uniform(-1.0, 8.0, 300)
    least, greatest = _Ranges.of(keys, values).extremes(lo, hi)
    same = _Ranges(np.column_stack([keys, values]), 0).extremes(lo, hi)
    for k in range(300):
        inside = values[(keys >= lo[k]) & (keys <= hi[k])]
        assert least[k] == (inside.min() if len(inside) else np.inf)
        assert greatest[k] == (inside.max() if len(inside) else -np.inf)
    assert np.array_equal(same[0], least) and np.array_equal(same[1], greatest)


def test_distinct_columns_map_every_column_to_an_equal_one() -> None:
    rng = np.random.default_rng(2)
    a = rng.uniform(size=(40, 3))
    table = a[:, [0, 1, 0, 2, 1, 1]]
    other = np.column_stack([table[:, :5], table[:, 5] + 1.0])  # the last differs here
    distinct, inverse = _distinct_columns(table, other)
    assert distinct.tolist() == [0, 1, 3, 5]
    for c in range(6):
        d = distinct[inverse[c]]
        assert np.array_equal(table[:, c], table[:, d]) and np.array_equal(other[:, c],
                                                                          other[:, d])


def test_segments_are_sampled_as_each_alone() -> None:
    """Points along many segments at once, both ends included: those `densify` puts on
    each segment alone, in order, coordinate by coordinate as together."""
    rng = np.random.default_rng(4)
    p = rng.uniform(-100.0, 100.0, (50, 2))
    q = p + rng.uniform(-30.0, 30.0, (50, 2))
    q[7] = p[7]  # a segment of no length
    for spacing in (1.0, 4.0):
        x, y, piece = _sample_columns(p, q, spacing)
        points, same_piece = _sample_segments(p, q, spacing)
        alone = [densify(np.array([a, b]), spacing) for a, b in zip(p, q)]
        assert np.array_equal(np.column_stack([x, y]), np.concatenate(alone))
        assert np.array_equal(points, np.concatenate(alone))
        assert piece.tolist() == same_piece.tolist() == [
            i for i, part in enumerate(alone) for _ in range(len(part))]


def test_simplified_routes_stay_within_their_tolerance() -> None:
    """Every vertex dropped lies within ``passes * tolerance`` of the simplified polyline;
    each polyline keeps its ends; nearly straight runs lose most of their vertices."""
    rng = np.random.default_rng(8)
    lines = []
    for _ in range(30):
        t = np.sort(rng.uniform(0.0, 200.0, int(rng.integers(2, 60))))
        lines.append(np.column_stack([t, 0.02 * np.sin(t) + (t > 120) * (t - 120) * 0.5]))
    points = np.concatenate(lines)
    owner = np.repeat(np.arange(len(lines)), [len(line) for line in lines])
    kept, kept_owner = simplify(points, owner, tolerance=0.05, passes=8)
    assert len(kept) < 0.6 * len(points)
    for k, line in enumerate(lines):
        mine = kept[kept_owner == k]
        assert np.array_equal(mine[0], line[0]) and np.array_equal(mine[-1], line[-1])
        p, q = mine[:-1], mine[1:]
        for point in line:
            spot = np.repeat(np.r_[point, point][None], len(p), axis=0)
            assert segment_distances(p, q, spot).min() <= 8 * 0.05 + 1e-9


def _placement(sizes: tuple[int, ...], rankdir: str) -> tuple[dict, dict, list]:
    """The arguments `figure` gives `place_labels` for an MLP drawn in full, the anchors
    it finds, and the labels it reports unmet."""
    trace = adviz.examples.mlp(sizes)
    options = view_options(trace, None, True, None)
    view = graph_view(trace, options.collapse, options.compact, options.copies)
    layout = compute_layout(trace, rankdir=rankdir, collapse=view.collapse,
                            compact=view.compact, copies=tuple(view.copies))
    given: dict = {}

    def catch(labels: dict, **keywords: object) -> dict:
        given.update(keywords, labels=labels)
        return {}

    original = picture.place_labels
    picture.place_labels = catch  # type: ignore[assignment]
    try:
        picture._label_anchors(view, layout)
    finally:
        picture.place_labels = original  # type: ignore[assignment]
    unmet: list = []
    found = place_labels(given["labels"], obstacles=given["obstacles"], bounds=given["bounds"],
                         tb=given["tb"], unmet=unmet)
    return given, found, unmet


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_large_placements_keep_their_promises(rankdir: str) -> None:
    """Beyond `ROUNDS_FROM` labels: every label placed once; the blocks of the labels
    not reported unmet overlap no obstacle and no other such block (`OBSTACLE_PAD`
    apart), stay inside the bounds and lie beside their own route (every block a frame
    can show 1 to `REACH` points from it)."""
    given, found, unmet = _placement((2, 6, 6, 1), rankdir)
    labels: dict[tuple[str, str], Label] = given["labels"]
    assert len(labels) > ROUNDS_FROM
    assert set(found) == set(labels) and len(unmet) <= len(labels) // 10
    met = [key for key in labels if key not in set(unmet)]
    boxes = {}
    for key in met:
        (x, y), left = found[key]
        block = Block(labels[key].lines, left is not None)
        boxes[key] = block.box(x, y)
        if left is not None:
            assert left == round(x - block.width / 2, 2)
    x0, y0, x1, y1 = given["bounds"]
    obstacles = np.asarray(given["obstacles"], dtype=float)
    keys = list(boxes)
    array = np.asarray([boxes[k] for k in keys])
    assert (array[:, 0] >= x0 - 0.01).all() and (array[:, 2] <= x1 + 0.01).all()
    assert (array[:, 1] >= y0 - 0.01).all() and (array[:, 3] <= y1 + 0.01).all()
    pad = OBSTACLE_PAD - 0.02  # anchors are rounded to 0.01 point
    for k, box in enumerate(array):
        for others in (obstacles, np.delete(array, k, axis=0)):
            over = (box[0] - pad < others[:, 2]) & (others[:, 0] < box[2] + pad) & \
                (box[1] - pad < others[:, 3]) & (others[:, 1] < box[3] + pad)
            assert not over.any(), keys[k]
        # Each block a frame can show: its lines 1 to `REACH` points from its own route.
        route = np.asarray(labels[keys[k]].route, dtype=float)
        (x, y), left = found[keys[k]]
        block = Block(labels[keys[k]].lines, left is not None)
        for widths in block.variants():
            lines = np.asarray(block.rects(x, y, widths))
            gap = min(segment_distances(route[:-1], route[1:],
                                        np.repeat(line[None], len(route) - 1, axis=0)).min()
                      for line in lines)
            assert 1.0 - 0.05 <= gap <= REACH + 0.05, (keys[k], gap)



def test_large_placements_of_one_line_labels_keep_their_promises() -> None:
    """Beyond `ROUNDS_FROM` labels of one line each (as a fitted slide's shortened labels
    are): every label placed beside its own route, the blocks inside the bounds."""
    given, _, _ = _placement((2, 6, 6, 1), "LR")
    labels = {key: Label(label.lines[:1], label.route, label.start)
              for key, label in given["labels"].items()}
    assert len(labels) > ROUNDS_FROM and all(len(label.lines) == 1 for label in labels.values())
    unmet: list = []
    found = place_labels(labels, obstacles=given["obstacles"], bounds=given["bounds"],
                         tb=False, unmet=unmet)
    assert set(found) == set(labels) and len(unmet) <= len(labels) // 10
    x0, y0, x1, y1 = given["bounds"]
    for key in set(labels) - set(unmet):
        (x, y), left = found[key]
        bx0, by0, bx1, by1 = Block(labels[key].lines, left is not None).box(x, y)
        assert x0 - 0.01 <= bx0 and bx1 <= x1 + 0.01 and y0 - 0.01 <= by0 and by1 <= y1 + 0.01
        route = np.asarray(labels[key].route, dtype=float)
        gap = segment_distances(route[:-1], route[1:],
                                np.repeat(np.asarray([[bx0, by0, bx1, by1]]), len(route) - 1,
                                          axis=0)).min()
        assert 1.0 - 0.05 <= gap <= REACH + 0.05, (key, gap)

def test_beyond_rounds_from_labels_are_anchored_top_to_bottom(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """As `test_anchoring.test_beyond_rounds_from_every_label_is_placed`, top to
    bottom: what the renderers draw meets the distance conditions."""
    _large(monkeypatch, (2, 6, 6, 1), "TB")


def test_anchors_scored_in_two_threads_equal_those_scored_in_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A round's anchors are generated for two halves of the labels, and a wave's anchors
    scored in parts, one half or every other part in a second thread when the machine
    has two cores: the placement equals the one made in a single thread. (The sizes
    from which work is split are lowered so that this graph splits it in every round.)"""
    import os

    from adviz.scene import anchors

    monkeypatch.setattr(anchors, "_SPLIT", 16)
    monkeypatch.setattr(anchors, "_SPLIT_LABELS", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    given, found, unmet = _placement((2, 6, 6, 1), "TB")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    alone: list = []
    assert place_labels(given["labels"], obstacles=given["obstacles"], bounds=given["bounds"],
                        tb=given["tb"], unmet=alone) == found
    assert alone == unmet
