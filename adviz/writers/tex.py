r"""The ``tex`` writer: Beamer slides with one overlay per stage (TikZ at the stored layout).

Examples
--------
>>> import adviz, tempfile, pathlib
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> path = adviz.save(t, pathlib.Path(tempfile.mkdtemp()) / "slides.tex", phase="both")
>>> path.read_text(encoding="utf-8").count(r"\only<")
12
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adviz.core.phases import PLAY_PHASES
from adviz.renderers.tikz import MIN_FONT, to_beamer
from adviz.writers import Writer, register_writer
from adviz.writers.files import atomic_write_text
from adviz.writers.options import (
    COLLAPSE,
    COPIES,
    ENGINE,
    FOCUS,
    FULL,
    GRANULARITY,
    LEGEND,
    OUTPUT,
    PICTURE_RANKDIR,
    SEED,
    THEME,
    TITLE,
    VIEW,
    ZOOM,
    Option,
    phase_option,
)

if TYPE_CHECKING:
    from adviz.core.tracing import Trace
    from adviz.scene.style import Theme


def write_tex(trace: Trace, path: Path, *, phase: str = "reverse", standalone: bool = True,
              title: str | None = None, rankdir: str | None = None,
              engine: str | None = None, theme: str | Theme = "light",
              collapse: Iterable[str] | None = None, full: bool = False,
              copies: bool | None = None, seed: Any = None, aspect: str = "16:9",
              min_font: float = MIN_FONT, legend: bool = False, split: bool = True,
              focus: str | None = None, zoom: str | None = None, view: str = "graph",
              granularity: str | None = None) -> None:
    """Write Beamer slides; the options are `adviz.renderers.tikz.to_beamer`'s."""
    atomic_write_text(path, to_beamer(trace, phase, standalone=standalone, title=title,
                                      rankdir=rankdir, engine=engine, theme=theme,
                                      collapse=collapse, full=full, copies=copies,
                                      seed=seed, aspect=aspect, min_font=min_font,
                                      legend=legend, split=split, focus=focus, zoom=zoom,
                                      view=view, granularity=granularity))


OPTIONS: tuple[Option, ...] = (
    phase_option(PLAY_PHASES, "reverse"),
    Option("standalone", bool, True, "a whole document (False: one frame to \\input)"),
    TITLE, PICTURE_RANKDIR, ENGINE, THEME, COLLAPSE, FULL, COPIES, SEED,
    OUTPUT, FOCUS, ZOOM, VIEW, GRANULARITY,
    Option("aspect", str, "16:9", "the frame: 16:9 (aspectratio=169) or 4:3",
           choices=("16:9", "4:3")),
    Option("min_font", float, MIN_FONT, "the least font size in points at the frame's size",
           minimum=1, maximum=100),
    LEGEND,
    Option("split", bool, True, "a graph too large for the frame shown in parts (False: "
                                "refused)"),
)
"""The options of the tex writer (`adviz.to_beamer`'s)."""

register_writer(Writer("tex", (".tex",), write_tex,
                       description="Beamer slides, one overlay per stage",
                       options=OPTIONS, filename="slides.tex", mime="text/x-tex"))
