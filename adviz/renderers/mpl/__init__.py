"""Matplotlib rendering: one stage on an Axes (`draw`) and animations (`animate`).

This package imports Matplotlib; the core of adviz does not, so import it
(or call `adviz.draw` / `adviz.animate`, which import it on first use) only
where drawing is wanted.

- `adviz.renderers.mpl.artists`: the artists of a trace on an Axes, created once.
- `adviz.renderers.mpl.look`: what each frame shows, as plain data.
- `adviz.renderers.mpl.animation`: the frame schedule and `animate`.
- `adviz.renderers.mpl.stage`: `draw`.
- `adviz.scene.sizes`: size presets.
- `adviz.scene.curves`: edge routes as Bezier paths.
- `adviz.text.mathtext`: labels as mathtext.
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
from adviz.renderers.mpl.stage import draw
from adviz.scene.sizes import SIZES

__all__ = ["SIZES", "Animator", "Frame", "Scene", "animate", "distinct_frame_count", "draw",
           "frame_count", "frame_schedule"]
