"""`save_frames`: every stage of a pass as numbered SVG or PNG files.

Frames are named ``forward-000.svg, forward-001.svg, ...`` and
``reverse-000.svg, ...`` (the stage number, three digits). Frames are
painted from one scene (`adviz.scene.picture.figure`), each from the one before,
and streamed into a staging folder as they are produced (memory does not grow
with the number of frames); only when every frame of every sequence is there
do the sequences replace the folder's old frames as a whole
(`adviz.writers.files.replace_sequences`), so stale frames of a longer earlier
run disappear and a failure midway leaves the previous output as it was.
``phase="paths"`` writes the chain-rule path frames of one input
(`adviz.path_frames`) as ``paths-000.svg, ...``; ``phase="tangents"`` one
forward-mode sweep per input (`adviz.scene.tangents`), sweep after sweep, as
``tangent-x1-000.svg, ..., tangent-x2-000.svg, ...``, the last sweep's last
file showing the gradient assembled from the sweeps.

Examples
--------
>>> import adviz, tempfile
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> paths = adviz.save_frames(t, tempfile.mkdtemp())
>>> [p.name for p in paths][:2], [p.name for p in paths][-1], len(paths)
(['forward-000.svg', 'forward-001.svg'], 'reverse-005.svg', 12)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adviz.core.phases import FRAME_PHASES, PER_INPUT, check_seed, expand_phases
from adviz.errors import InputError
from adviz.progress import progress_bar
from adviz.renderers.svg import paint, view_choice
from adviz.scene.content import frame_count
from adviz.scene.picture import figure
from adviz.scene.sizes import MIN_TEXT, Size
from adviz.scene.style import Theme, get_theme
from adviz.writers.files import replace_sequence, replace_sequences

if TYPE_CHECKING:
    from adviz.core.forward import Seed
    from adviz.core.tracing import Trace
    from adviz.scene.content import Frame
    from adviz.scene.picture import Figure

PROGRESS_THRESHOLD = 40
"""Sequences with at least this many frames show a progress bar on a terminal."""


def frame_formats() -> tuple[str, ...]:
    """The formats `save_frames` writes: the registered writers with a ``frame`` encoder."""
    from adviz.writers import writers

    return tuple(w.name for w in writers().values() if w.frame is not None)


def _encoder(fmt: str, scale: float) -> Callable[[str], bytes]:
    from adviz.writers import writers

    writer = writers().get(fmt)
    if writer is None or writer.frame is None:
        raise InputError(f"unknown frame format {fmt!r}; use "
                         f"{', '.join(map(repr, frame_formats()))}")
    frame_encoder = writer.frame
    return lambda svg: frame_encoder(svg, scale)


def save_frames(
    trace: Trace,
    directory: str | os.PathLike[str],
    phase: str = "both",
    fmt: str = "svg",
    *,
    theme: str | Theme = "light",
    rankdir: str | None = None,
    engine: str | None = None,
    scale: float | None = None,
    progress: bool | None = None,
    collapse: Iterable[str] | None = None,
    full: bool = False,
    input: str | None = None,
    copies: bool | None = None,
    size: Size = None,
    min_text: float = MIN_TEXT,
    seed: Seed = None,
    output: str | int | None = None,
    view: str = "graph",
    granularity: str | None = None,
    focus: str | None = None,
    zoom: str | None = None,
    legend: bool = False,
) -> list[Path]:
    """Write every frame of one or both passes as numbered files.

    Parameters
    ----------
    trace
        A `Trace`.
    directory
        Target folder (created when missing).
    phase
        ``"both"`` (default), ``"forward"``, ``"reverse"``, ``"tangent"``
        (forward mode, seeded by ``seed``), ``"modes"`` (tangent, then
        reverse), ``"tangents"`` (one forward-mode sweep per input, each seeded
        with that input's unit vector: ``tangent-x1-000``, ..., then
        ``tangent-x2-000``, ...; the last file shows the gradient), ``"summary"``
        (one file, ``summary-000``) or ``"paths"`` (the chain-rule paths of
        ``input``, then their sum: `adviz.path_frames`).
    fmt
        ``"svg"`` (default) or ``"png"`` (rendered with resvg and the DejaVu
        fonts Matplotlib ships: no system fonts or libraries needed).
    theme, rankdir, engine
        As for `adviz.to_svg`.
    scale
        PNG pixels per SVG unit: ``None`` (default) is 1.5 pixels per point
        for natural-size frames and 1 (the page's own pixels) with a ``size``.
    progress
        Show a progress bar; ``None`` shows one for long sequences when
        standard error is a terminal.
    collapse, full
        As for `adviz.to_svg`: scopes drawn as one box, and large graphs with
        every label.
    input
        The input whose paths ``phase="paths"`` shows (default: the first).
    copies
        As for `adviz.to_svg`: shared leaves drawn once per use (not with
        ``phase="paths"``, whose frames follow the graph's own edges).
    size, min_text
        As for `adviz.to_svg`: the page each frame fills (``"16:9"``,
        ``"4:3"``, ``"a4"``, ``"blog"``, ``"WxH"``) and the least text height
        in pixels; not with ``phase="paths"``.
    seed
        Forward mode: the seeded input's name or a dict of input name to
        tangent, as `adviz.forward_mode` takes it (default: the first input).
    output
        A trace with several outputs: the output whose reverse sweep is shown, by id
        (``"y2"``) or number (1 for the first); default the first. A trace with one
        output takes only its own.
    view, granularity
        As for `adviz.to_svg`: ``view="network"`` draws a scoped network's
        neurons in columns, with one reverse stage per neuron (or per layer).
    focus, zoom
        As for `adviz.to_svg`: a node whose paths to the output stay in colour
        (the caption adds the sum over them), a scope drawn open with the others
        collapsed.
    legend
        Draw a legend of the colours under the graph (`adviz.scene.legend`);
        off by default for frames.

    Returns
    -------
    list of Path
        The files written: forward frames first, then reverse frames.

    Raises
    ------
    InputError
        Unknown phase, format, theme or rankdir.
    RenderError
        Graphviz or the PNG renderer failed, or the folder is not writable;
        the folder's previous frames are then left as they were.
    """
    from adviz.core.sweep import output_sweep

    trace = output_sweep(trace, output)
    encode = _encoder(fmt, scale if scale is not None else 1.5 if size is None else 1.0)
    phases = expand_phases(phase, FRAME_PHASES, "save_frames")
    check_seed(phase, seed, "save_frames")
    resolved = get_theme(theme)
    if phases == ("paths",):
        from adviz.renderers.path_svg import path_frames

        if size is not None:
            raise InputError("size does not apply to phase='paths'; draw the paths at their "
                             "natural size")
        svgs = path_frames(trace, input, theme=resolved,
                           rankdir="LR" if rankdir in (None, "auto") else rankdir,
                           engine=engine, full=full)
        return replace_sequence(directory, "paths", f".{fmt}", [encode(s) for s in svgs])
    if phases[0] in PER_INPUT:
        return _save_sweeps(trace, directory, fmt, encode, progress, dict(
            theme=resolved, rankdir=rankdir, engine=engine, collapse=collapse, full=full,
            copies=copies, size=size, min_text=min_text))
    fig = figure(trace, theme=resolved, rankdir=rankdir, engine=engine, collapse=collapse,
                 full=full, copies=copies, size=size, min_text=min_text, seed=seed,
                 focus=focus, zoom=zoom, legend=legend, **view_choice(view, granularity))
    counted = getattr(fig, "stage_count", None)
    total = sum(counted(p) if counted is not None else frame_count(trace, p) for p in phases)
    bar = progress_bar(total, progress, f"{fmt} frames", least=PROGRESS_THRESHOLD)

    def stream(name: str) -> Iterator[bytes]:
        for content in fig.frames(name):
            yield encode(render_frame(fig, content))
            bar.update(1)

    try:
        written = replace_sequences(directory, {name: (f".{fmt}", stream(name))
                                                for name in phases})
    finally:
        bar.close()
    return [path for name in phases for path in written[name]]


def _save_sweeps(trace: Trace, directory: str | os.PathLike[str], fmt: str,
                 encode: Callable[[str], bytes], progress: bool | None,
                 options: dict[str, Any]) -> list[Path]:
    """Phase ``"tangents"``: every input's forward-mode sweep, one sequence each, on one
    figure (`adviz.scene.tangents.tangents_figure`), then the gradient's frame."""
    from adviz.scene.tangents import input_parts, tangents_figure

    fig = tangents_figure(trace, **options)
    parts = input_parts(fig)
    total = len(parts) * frame_count(trace, "forward") + 1
    bar = progress_bar(total, progress, f"{fmt} frames", least=PROGRESS_THRESHOLD)

    def stream(part: Any) -> Iterator[bytes]:
        for content in part.frames():
            yield encode(render_frame(fig, content))
            bar.update(1)

    try:
        written = replace_sequences(directory, {p.key: (f".{fmt}", stream(p)) for p in parts})
    finally:
        bar.close()
    return [path for p in parts for path in written[p.key]]


def render_frame(fig: Figure, content: Frame) -> str:
    """One frame file's SVG text: the step every frame goes through."""
    return paint(fig, content)
