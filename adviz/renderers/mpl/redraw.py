"""Drawing animation frames by repairing only what changed (Agg).

A `Redraw` keeps the picture of a `adviz.renderers.mpl.artists.Scene`
without its moving artists (the pulses) and, when a stage changes some
elements, repaints only the rectangles those elements covered before and
cover now: each rectangle is reset to the empty figure and every artist
crossing it is drawn again, clipped to it, in the Axes' drawing order. The
result is the same pixels as a full redraw (the tests compare them); the
cost is that of the changed elements, not of the graph. The moving artists
are then drawn over a copy of that picture, so a frame between two stages
draws only the pulses.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from matplotlib.figure import Figure
>>> import adviz
>>> from adviz.renderers.mpl.artists import Scene
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> fig = Figure(figsize=(4, 2), dpi=50)
>>> scene = Scene(t, fig.add_axes((0, 0, 1, 1)))
>>> redraw = Redraw(scene)
>>> _ = scene.show("reverse", 1)
>>> pixels, size = redraw.rgba()
>>> size
(200, 100)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from adviz.text.mathtext import large_parse_cache

if TYPE_CHECKING:
    from matplotlib.artist import Artist

    from adviz.renderers.mpl.artists import Scene

FULL_FRACTION = 0.35
"""Repaint everything when the changed rectangles cover more than this share of the picture."""

PAD = 3
"""Pixels added around each artist's extent (antialiasing, line joins)."""

RIM = 4
"""Pixels drawn beyond each repaired rectangle and then discarded (see `Redraw`)."""


class Redraw:
    """The frames of one scene as RGBA pixels, repainting only what changes (see the module).

    The scene's figure must have a `FigureCanvasAgg`.
    """

    def __init__(self, scene: Scene) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.scene = scene
        self.figure: Any = scene.ax.get_figure(root=True)
        canvas = self.figure.canvas  # type: ignore[union-attr]
        if not isinstance(canvas, FigureCanvasAgg):
            canvas = FigureCanvasAgg(self.figure)
        self.canvas = canvas
        self._blank: np.ndarray | None = None
        self._background: np.ndarray | None = None
        self._extents: dict[Artist, tuple[int, int, int, int] | None] = {}
        self.full_draws = 0
        self.repairs = 0

    # ------------------------------------------------------------ pixels

    def _buffer(self) -> np.ndarray:
        return np.asarray(self.canvas.get_renderer().buffer_rgba())

    def _extent(self, artist: Artist, renderer: Any) -> tuple[int, int, int, int] | None:
        """The pixel rectangle ``(x0, y0, x1, y1)`` (rows from the top) an artist covers."""
        if not artist.get_visible():
            return None
        box = artist.get_window_extent(renderer)
        if not (np.all(np.isfinite(box.extents)) and box.width >= 0 and box.height >= 0):
            return None
        lw = 0.0
        getter = getattr(artist, "get_linewidth", None)
        if getter is not None:
            lw = float(np.max(getter())) * renderer.points_to_pixels(1.0)
        pad = PAD + lw
        height = renderer.height
        x0 = max(math.floor(box.x0 - pad), 0)
        x1 = min(math.ceil(box.x1 + pad), int(renderer.width))
        y0 = max(math.floor(height - box.y1 - pad), 0)
        y1 = min(math.ceil(height - box.y0 + pad), int(height))
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1, y1

    def _full(self) -> None:
        scene, canvas = self.scene, self.canvas
        static = scene.static_artists()
        moving = scene.moving_artists()
        if self._blank is None:
            hidden = [a for a in static if a.get_visible()]
            for artist in [*hidden, *moving]:
                artist.set_visible(False)
            canvas.draw()
            self._blank = self._buffer().copy()
            for artist in hidden:
                artist.set_visible(True)
            for artist in moving:
                artist.set_visible(True)
        for artist in moving:
            artist.set_animated(True)
        with large_parse_cache():
            canvas.draw()
        for artist in moving:
            artist.set_animated(False)
        renderer = canvas.get_renderer()
        self._extents = {a: self._extent(a, renderer) for a in static}
        self._background = self._buffer().copy()
        self.full_draws += 1

    def _repair(self, touched: list[Artist]) -> bool:
        """Repaint the rectangles of the touched artists; ``False`` when a full draw is cheaper."""
        assert self._blank is not None and self._background is not None
        renderer = self.canvas.get_renderer()
        rects: list[tuple[int, int, int, int]] = []
        seen: set[int] = set()
        for artist in touched:
            if id(artist) in seen:
                continue
            seen.add(id(artist))
            old = self._extents.get(artist)
            if old is not None:
                rects.append(old)
            with large_parse_cache():
                new = self._extent(artist, renderer)
            self._extents[artist] = new
            if new is not None:
                rects.append(new)
        rects = _merge(rects)
        area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in rects)
        if area > FULL_FRACTION * renderer.width * renderer.height:
            return False
        buffer = self._buffer()
        buffer[...] = self._background
        static = self.scene.static_artists()
        order = {a: k for k, a in enumerate(static)}
        boxes = np.array([self._extents.get(a) or (0, 0, 0, 0) for a in static], dtype=float)
        from matplotlib.transforms import Bbox

        height = renderer.height
        with large_parse_cache():
            for x0, y0, x1, y1 in rects:
                # Clipping shifts the coverage of the pixels along the clip's edge by a
                # rounding step: draw into a slightly larger rectangle and keep its inside.
                a0, b0 = max(x0 - RIM, 0), max(y0 - RIM, 0)
                a1, b1 = min(x1 + RIM, buffer.shape[1]), min(y1 + RIM, buffer.shape[0])
                before = buffer[b0:b1, a0:a1].copy()
                buffer[b0:b1, a0:a1] = self._blank[b0:b1, a0:a1]
                hits = np.nonzero((boxes[:, 0] < a1) & (boxes[:, 2] > a0)
                                  & (boxes[:, 1] < b1) & (boxes[:, 3] > b0))[0]
                chosen = sorted((static[k] for k in hits if static[k].get_visible()),
                                key=lambda a: (a.get_zorder(), order[a]))
                clip = Bbox.from_extents(a0, height - b1, a1, height - b0)
                for artist in chosen:
                    _draw_clipped(artist, renderer, clip)
                inside = buffer[y0:y1, x0:x1].copy()
                buffer[b0:b1, a0:a1] = before
                buffer[y0:y1, x0:x1] = inside
        self._background = buffer.copy()
        self.repairs += 1
        return True

    def rgba(self) -> tuple[memoryview, tuple[int, int]]:
        """The scene as it is now, as RGBA pixels, and the (width, height)."""
        scene = self.scene
        touched, scene.touched = scene.touched, []
        if self._background is None or self._size_changed():
            self._full()
        elif touched and not self._repair(touched):
            self._full()
        else:
            self._buffer()[...] = self._background
        for artist in scene.moving_artists():
            if artist.get_visible():
                self.figure.draw_artist(artist)
        return self.canvas.buffer_rgba(), self.canvas.get_width_height()

    def _size_changed(self) -> bool:
        assert self._background is not None
        w, h = self.canvas.get_width_height()
        return self._background.shape[:2] != (h, w)


def _draw_clipped(artist: Artist, renderer: Any, clip: Any) -> None:
    box, on = artist.get_clip_box(), artist.get_clip_on()
    artist.set_clip_box(clip)
    artist.set_clip_on(True)
    try:
        artist.draw(renderer)
    finally:
        artist.set_clip_box(box)
        artist.set_clip_on(on)


def _merge(rects: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Merge overlapping rectangles (so no pixel is repainted twice by accident)."""
    out: list[list[int]] = []
    for rect in sorted(rects):
        merged = list(rect)
        changed = True
        while changed:
            changed = False
            for other in out:
                if (other[0] < merged[2] and merged[0] < other[2]
                        and other[1] < merged[3] and merged[1] < other[3]):
                    merged = [min(merged[0], other[0]), min(merged[1], other[1]),
                              max(merged[2], other[2]), max(merged[3], other[3])]
                    out.remove(other)
                    changed = True
                    break
        out.append(merged)
    return [(r[0], r[1], r[2], r[3]) for r in out]
