"""Matplotlib rendering: one stage on an Axes (`draw`) and animations (`animate`).

This package imports Matplotlib; the core of adviz does not, so import it
(or call `adviz.draw` / `adviz.animate`, which import it on first use) only
where drawing is wanted. It paints a scene (`adviz.scene.picture.Figure`).

- `adviz.renderers.mpl.artists`: the artists of a figure on an Axes, created once.
- `adviz.renderers.mpl.look`: what each frame shows, as plain data.
- `adviz.renderers.mpl.redraw`: animation frames that repaint only what changed.
- `adviz.renderers.mpl.records`: `painted`, what the artists show, as data.
- `adviz.renderers.mpl.animation`: the frame schedule and `animate`.
- `adviz.renderers.mpl.stage`: `draw`.
- `adviz.renderers.mpl.canvas`: `new_figure`.
"""

from adviz.renderers.mpl.animation import (
    Animator,
    Frame,
    animate,
    distinct_frame_count,
    frame_count,
    frame_schedule,
)
from adviz.renderers.mpl.artists import Scene
from adviz.renderers.mpl.canvas import new_figure
from adviz.renderers.mpl.records import painted
from adviz.renderers.mpl.stage import draw
from adviz.scene.sizes import SIZES

__all__ = ["SIZES", "Animator", "Frame", "Scene", "animate", "distinct_frame_count", "draw",
           "frame_count", "frame_schedule", "new_figure", "painted"]
