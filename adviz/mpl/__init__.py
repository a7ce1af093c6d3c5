"""Matplotlib rendering: one stage on an Axes (`draw`) and animations (`animate`).

This package imports Matplotlib; the core of adviz does not, so import it
(or call `adviz.draw` / `adviz.animate`, which import it on first use) only
where drawing is wanted.

- `adviz.mpl.scene`: the artists of a trace on an Axes, created once.
- `adviz.mpl.look`: what each frame shows, as plain data.
- `adviz.mpl.animation`: the frame schedule and `animate`.
- `adviz.mpl.draw`: `draw`.
- `adviz.mpl.figure`: size presets.
- `adviz.mpl.geometry`: edge routes as Bezier paths.
- `adviz.mpl.mathtext`: labels as mathtext.
"""

from adviz.mpl.animation import (
    Animator,
    Frame,
    animate,
    distinct_frame_count,
    frame_count,
    frame_schedule,
)
from adviz.mpl.draw import draw
from adviz.mpl.figure import SIZES
from adviz.mpl.scene import Scene

__all__ = ["SIZES", "Animator", "Frame", "Scene", "animate", "distinct_frame_count", "draw",
           "frame_count", "frame_schedule"]
