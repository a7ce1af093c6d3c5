"""Write the README's animation, docs/_static/seed-reverse.gif.

Run from the repository's root after a change to the pictures::

    python docs/readme_animation.py

The README is read in a repository page's column, about 830 pixels wide, so
the animation is drawn at that width and shown at its own size. At that
width the full labels of the seed example (formulas on every node, partials
and contributions on every edge) would be about 8 pixels high, so the
animation shows each node's name, value and adjoint (the labels of a large
graph, see `adviz.scene.view`), and the caption says what each stage adds:
its smallest label is `smallest_label_px` pixels high.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import adviz
from adviz.renderers.mpl.animation import Animator
from adviz.scene.layout import compute_layout
from adviz.writers.animation import _movie_writer_class, _write_animation

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "_static" / "seed-reverse.gif"
"""Where the README's animation lives (README.md shows it)."""

SEED = "(x1 - x2)**2 + cos(x1 + x2)"
WIDTH_PX = 830
"""Width of the animation: a repository page's column."""
DPI = 100.0
OPTIONS: dict[str, Any] = {"phase": "reverse", "rankdir": "LR", "tween": 4, "hold": 12,
                           "fps": 10.0}
"""How the animation is played: the reverse pass, 4 travel frames per stage,
each stage held 1.2 s."""


def seed() -> adviz.Trace:
    """The seed example at x1 = 1, x2 = 2."""
    return adviz.trace(SEED, x1=1, x2=2)


def animator(trace: adviz.Trace | None = None) -> Animator:
    """The animation's frames: `WIDTH_PX` wide, the height the drawing needs."""
    trace = trace or seed()
    layout = compute_layout(trace, rankdir=OPTIONS["rankdir"], compact=True)
    probe = Animator(trace, OPTIONS["phase"], tween=0, hold=1, dpi=DPI, layout=layout)
    scene = probe.scene.fig
    width = WIDTH_PX / DPI
    size = (width, round(width * scene.height / scene.width, 2))
    return Animator(trace, OPTIONS["phase"], tween=OPTIONS["tween"], hold=OPTIONS["hold"],
                    size=size, dpi=DPI, layout=layout)


def smallest_label_px(frames: Animator) -> float:
    """Height in pixels of the smallest text the animation shows (font size, pt -> px)."""
    from matplotlib.text import Text

    sizes = []
    for frame in frames.frames:
        frames(frame)
        sizes += [t.get_fontsize() for t in frames.figure.findobj(Text)
                  if t.get_visible() and t.get_text().strip()]
    return min(sizes) * frames.figure.dpi / 72.0


def write(path: Path = TARGET) -> Path:
    """Write the animation to ``path``."""
    frames = animator()
    writer = _movie_writer_class()(frames, "GIF", OPTIONS["fps"])
    _write_animation(frames, writer, path, progress=False)
    return path


if __name__ == "__main__":
    out = write(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET)
    print(f"{out}: {WIDTH_PX} px wide, smallest label "
          f"{smallest_label_px(animator()):.1f} px")
