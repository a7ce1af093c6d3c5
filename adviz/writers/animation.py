"""Writers for Matplotlib output: GIF, WebP, APNG, MP4, PDF pages and PNG stills.

======  =====================================================  ==========
suffix  what                                                   needs
======  =====================================================  ==========
.gif    animation (Pillow)                                     --
.webp   animation (Pillow)                                     --
.apng   animation (Pillow)                                     --
.mp4    H.264 video, ``yuv420p``, even pixel size              ``video``
.pdf    one page per stage (slides)                            --
.png    one stage as a still image (``stage=``, default last)  --
======  =====================================================  ==========

Options (all optional): ``phase`` (``"reverse"``, ``"forward"``, ``"both"``
for animations and PDF), ``fps``, ``tween``, ``hold``, ``dpi``, ``size``
(``"16:9"``, ``"4:3"``, ... or ``(width, height)`` inches), ``theme``,
``rankdir``, ``transparent``, ``progress`` (a progress bar on a terminal;
``False`` silences it, ``True`` forces it), ``stage`` (PNG only), and
``collapse`` / ``full`` (what to draw of a large or scoped graph, as for the
SVG frames), ``view`` / ``granularity`` (``view="network"``: the neuron view
of a scoped network, `adviz.scene.network`, with stages of its own: each is
held, nothing travels between them; a PDF has one page per such stage).

A gradient-descent run (`adviz.descent`) is written by the same writers
with `adviz.renderers.mpl.descent.DescentAnimator`: one frame per step (the graph
beside the path on f), one PDF page per step, and the last step (or
``step=``) as a PNG. Its options are ``fps``, ``hold`` (frames per step),
``dpi``, ``size``, ``theme``, ``rankdir``, ``transparent``, ``progress``,
``full`` (every label of the graph) and ``step`` (PNG only); a GIF of a run
has one frame per step (``len(run)``).

Pillow animations store each hold as one frame shown ``hold / fps``
seconds, so a GIF of ``S`` stages has ``S + (S - 1) * tween`` frames per
phase (`adviz.renderers.mpl.animation.distinct_frame_count`); MP4 repeats held frames
at a constant frame rate (`adviz.renderers.mpl.animation.frame_count`). Every file is
rendered to a temporary file in the target folder and renamed into place:
nothing is left behind on failure.

GIF, WebP and APNG frames are encoded as they are drawn
(`StreamEncoder`): memory does not grow with the number of frames. Limits:
``dpi`` from `MIN_DPI` to `MAX_DPI`, ``fps`` from `MIN_FPS` to `MAX_FPS`,
``tween`` up to `MAX_TWEEN`, ``hold`` up to `MAX_HOLD` and `MAX_FRAMES`
frames per animation (an `InputError` beyond them); a frame over
`MAX_PIXELS` pixels (a PNG or PDF page over `MAX_STILL_PIXELS`) is drawn at
a lower dpi, with a `SizeWarning` naming the sizes.

Examples
--------
>>> import adviz, tempfile, pathlib
>>> from adviz.writers import save
>>> t = adviz.trace("x * x + 1", x=3)
>>> path = save(t, pathlib.Path(tempfile.mkdtemp()) / "x.gif", tween=1, hold=1, dpi=30)
>>> from PIL import Image
>>> Image.open(path).n_frames  # 3 stages + 2 travels of 1 frame
5
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adviz.core.gradient_descent import Descent
from adviz.core.phases import PLAY_PHASES, SWEEPS, check_phase, check_seed, expand_phases
from adviz.errors import InputError, RenderError
from adviz.progress import progress_bar
from adviz.scene.content import frame_count
from adviz.writers import Writer, register_writer
from adviz.writers.files import fresh_prefix
from adviz.writers.options import (
    COLLAPSE,
    COPIES,
    DPI,
    FOCUS,
    FPS,
    FULL,
    GRANULARITY,
    HOLD,
    LEGEND_ON,
    MIN_TEXT,
    OUTPUT,
    PICTURE_RANKDIR,
    PROGRESS,
    RANKDIR,
    SEED,
    SIZE,
    STAGE,
    THEME,
    TRANSPARENT,
    TWEEN,
    VIEW,
    ZOOM,
    Option,
    check_options,
    phase_option,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from adviz.core.tracing import Trace
    from adviz.renderers.mpl.animation import FrameSource
    from adviz.renderers.mpl.descent import DescentAnimator

ANIMATION: tuple[Option, ...] = (
    phase_option(PLAY_PHASES, "reverse"), FPS, TWEEN, HOLD, DPI, SIZE, THEME, PICTURE_RANKDIR,
    TRANSPARENT, PROGRESS, COLLAPSE, FULL, COPIES, MIN_TEXT, SEED,
    OUTPUT, FOCUS, ZOOM, LEGEND_ON, VIEW, GRANULARITY,
)
"""Options of an animation of a trace (GIF, WebP, APNG, MP4)."""
STILL: tuple[Option, ...] = (
    phase_option(SWEEPS, "reverse"), STAGE, DPI, SIZE, THEME, PICTURE_RANKDIR, TRANSPARENT,
    COLLAPSE, FULL, COPIES, MIN_TEXT, SEED,
    OUTPUT, FOCUS, ZOOM, LEGEND_ON, VIEW, GRANULARITY,
)
"""Options of a PNG of one stage."""
PDF: tuple[Option, ...] = (
    phase_option(PLAY_PHASES, "reverse"), SIZE, THEME, PICTURE_RANKDIR, TRANSPARENT, PROGRESS,
    COLLAPSE, FULL, COPIES, MIN_TEXT, SEED,
    OUTPUT, FOCUS, ZOOM, LEGEND_ON, VIEW, GRANULARITY,
)
"""Options of a PDF of a trace (one page per stage)."""
_DESCENT_FPS = replace(FPS, default=4)
_DESCENT_HOLD = replace(HOLD, type=int, default=2, help="frames each step is held", minimum=1)
_DESCENT_FULL = replace(FULL, help="every label of the graph")
_DESCENT_RANKDIR = replace(RANKDIR, default="LR", choices=("LR", "TB"),
                           help="graph direction: left to right or top to bottom")
_DESCENT_SURFACE = Option("surface", bool, False, "two inputs: the surface of f in 3D as well")
DESCENT: tuple[Option, ...] = (
    _DESCENT_FPS, _DESCENT_HOLD, DPI, SIZE, THEME, _DESCENT_RANKDIR, TRANSPARENT, PROGRESS,
    _DESCENT_FULL, _DESCENT_SURFACE,
)
"""Options of an animation of a gradient-descent run."""
DESCENT_STILL: tuple[Option, ...] = (
    Option("step", int, -1, "the step shown (default the last)"), DPI, SIZE, THEME,
    _DESCENT_RANKDIR, TRANSPARENT, _DESCENT_FULL, _DESCENT_SURFACE,
)
"""Options of a PNG of one step of a gradient-descent run."""
DESCENT_PDF: tuple[Option, ...] = (SIZE, THEME, _DESCENT_RANKDIR, TRANSPARENT, PROGRESS,
                                   _DESCENT_FULL, _DESCENT_SURFACE)
"""Options of a PDF of a gradient-descent run (one page per step)."""

ANIMATION_OPTIONS = frozenset(o.name for o in ANIMATION)
STILL_OPTIONS = frozenset(o.name for o in STILL)
PDF_OPTIONS = frozenset(o.name for o in PDF)
DESCENT_OPTIONS = frozenset(o.name for o in DESCENT)
"""Options of a gradient-descent run's animations."""
DESCENT_STILL_OPTIONS = frozenset(o.name for o in DESCENT_STILL)
DESCENT_PDF_OPTIONS = frozenset(o.name for o in DESCENT_PDF)


MIN_DPI, MAX_DPI = float(DPI.minimum or 0), float(DPI.maximum or 0)
"""Allowed range of ``dpi`` (declared by the ``dpi`` option)."""
MIN_FPS, MAX_FPS = float(FPS.minimum or 0), float(FPS.maximum or 0)
"""Allowed range of ``fps`` (declared by the ``fps`` option)."""
MAX_TWEEN = int(TWEEN.maximum or 0)
"""Most travel frames per stage."""
MAX_HOLD = int(HOLD.maximum or 0)
"""Most hold frames per stage."""
MAX_FRAMES = 50_000
"""Most frames of one animation (all phases, holds included)."""
MAX_PIXELS = 4_000_000
"""Largest frame of an animation, in pixels (width times height): a larger
figure is drawn at a lower dpi, with a `SizeWarning`."""
MAX_STILL_PIXELS = 16_000_000
"""Largest PNG still or PDF page, in pixels at its dpi (same rule)."""


class SizeWarning(UserWarning):
    """A picture was drawn smaller than asked, to stay within the pixel limits."""


def _check_options(fmt: str, options: dict[str, Any], declared: tuple[Option, ...],
                   descent: bool = False) -> None:
    where = f"{fmt} of a gradient-descent run" if descent else fmt
    check_options(where, declared, options)


def bound_pixels(figure: Figure, limit: int, name: str, even: bool = False) -> None:
    """Lower a figure's dpi so that it has at most ``limit`` pixels; warn when it does.

    Parameters
    ----------
    figure
        A Matplotlib figure (its size in inches is kept).
    limit
        Most pixels (width times height).
    name
        The file name the warning mentions.
    even
        Keep the pixel width and height even (H.264).
    """
    import math
    import warnings

    width, height = (float(v) for v in figure.get_size_inches())
    dpi = float(figure.dpi)
    if width * height * dpi * dpi <= limit:
        return
    lower = math.floor(math.sqrt(limit / (width * height)))
    if lower < 1:
        raise RenderError(f"{name}: the figure ({width:g} x {height:g} inches) is too large "
                          f"to draw within {limit:,} pixels")
    figure.set_dpi(lower)
    figure._original_dpi = lower  # type: ignore[attr-defined]  # what savefig(dpi="figure") uses
    if even:
        from adviz.scene.sizes import even_size

        figure.set_size_inches(even_size((width, height), lower))
    warnings.warn(f"{name}: {round(width * dpi)} x {round(height * dpi)} pixels is over the "
                  f"{limit:,}-pixel limit; drawn at dpi {lower} "
                  f"({round(width * lower)} x {round(height * lower)})", SizeWarning,
                  stacklevel=2)


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix) renamed onto it on success.

    On any error the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RenderError(f"cannot create the folder {str(target.parent)!r}: "
                          f"{err.strerror}") from err
    fd, name = tempfile.mkstemp(
        prefix=fresh_prefix(target.parent, f".{target.stem}.", target.suffix),
        suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _movie_writer_class() -> type:
    from matplotlib.animation import AbstractMovieWriter

    class PillowSequenceWriter(AbstractMovieWriter):
        """Streams frames into a GIF, WebP or APNG file as they are drawn, no ffmpeg.

        Frames come from `adviz.renderers.mpl.animation.Animator.rgba` (cached
        static part, pulses drawn on top). A run of identical frames (a hold)
        becomes one frame with the summed duration. Only the frame being
        compared and the one before it are in memory: peak memory does not
        grow with the number of frames (`StreamEncoder`).
        """

        def __init__(self, animator: FrameSource, fmt: str, fps: float,
                     transparent: bool = False) -> None:
            super().__init__(fps=fps)  # type: ignore[arg-type]
            self.animator = animator
            self.fmt = fmt
            self.transparent = transparent
            self.pending: tuple[bytes, tuple[int, int], int] | None = None
            self.encoder: StreamEncoder | None = None
            self.frames_written = 0

        def setup(self, fig: Figure, outfile: Any, dpi: float | None = None) -> None:
            super().setup(fig, outfile, dpi)
            self.pending = None
            self.frames_written = 0
            palette = None
            if self.fmt == "GIF":
                palette = _sample_palette(self.animator, self.transparent)
            self.encoder = StreamEncoder(Path(outfile), self.fmt, self.transparent, palette)

        def grab_frame(self, **savefig_kwargs: Any) -> None:
            pixels, size = self.animator.rgba()
            data = bytes(pixels)
            if self.pending is not None and self.pending[1] == size and \
                    self.pending[0] == data:
                self.pending = (self.pending[0], size, self.pending[2] + 1)
                return
            self._flush()
            self.pending = (data, size, 1)

        def _flush(self) -> None:
            if self.pending is None or self.encoder is None:
                return
            data, size, count = self.pending
            self.pending = None
            self.encoder.add(data, size, count * 1000.0 / self.fps)
            self.frames_written += 1

        def finish(self) -> None:
            self._flush()
            if self.encoder is not None:
                self.encoder.close()
                self.encoder = None

    return PillowSequenceWriter


def _sample_palette(animator: FrameSource, transparent: bool, samples: int = 8) -> Any:
    """One palette (255 colours, median cut) from up to ``samples`` frames spread over the run.

    Mapping every frame onto one palette avoids colour flicker in GIFs. The
    frames are drawn here once more; their pixels are freed before the
    animation is written.
    """
    from PIL import Image

    frames = animator.frames
    step = max(1, len(frames) // samples)
    picks = sorted({*range(0, len(frames), step), len(frames) - 1})[: samples + 1]
    pieces = []
    for index in picks:
        animator(frames[index])
        pixels, size = animator.rgba()
        image = Image.frombuffer("RGBA", size, bytes(pixels), "raw", "RGBA", 0, 1)
        pieces.append(image.convert("RGB"))
    width = max(im.width for im in pieces)
    sheet = Image.new("RGB", (width, sum(im.height for im in pieces)))
    y = 0
    for im in pieces:
        sheet.paste(im, (0, y))
        y += im.height
    del pieces
    return sheet.quantize(colors=255, method=Image.Quantize.MEDIANCUT)


class StreamEncoder:
    """Writes an animated GIF, WebP or APNG one frame at a time.

    Parameters
    ----------
    path
        The (temporary) file written.
    fmt
        ``"GIF"``, ``"WEBP"`` or ``"PNG"`` (APNG).
    transparent
        Keep transparency (GIF: palette index 255, disposal 2).
    palette
        For GIF: a ``"P"`` image whose palette every frame is mapped onto.

    Notes
    -----
    GIF frames are mapped to the palette and appended as they come (Pillow's
    GIF frame encoder); APNG frames are PNG-compressed and appended as
    ``fdAT`` chunks, the frame count written at the end; WebP frames go to
    libwebp's animation encoder, which keeps only compressed frames.
    """

    def __init__(self, path: Path, fmt: str, transparent: bool, palette: Any = None) -> None:
        self.fmt = fmt
        self.transparent = transparent
        self.palette = palette
        self.count = 0
        self.handle = open(path, "wb")
        self.webp: Any = None
        self.timestamp = 0.0
        self.sequence = 0
        self.actl_at = 0
        self.previous: Any = None

    def add(self, rgba: bytes, size: tuple[int, int], duration_ms: float) -> None:
        """Append one frame shown for ``duration_ms`` milliseconds."""
        from PIL import Image

        image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1)
        if self.fmt == "GIF":
            self._add_gif(image, duration_ms)
        elif self.fmt == "WEBP":
            self._add_webp(image, duration_ms)
        else:
            self._add_apng(image, duration_ms)
        self.count += 1

    def _add_gif(self, image: Any, duration_ms: float) -> None:
        from PIL import GifImagePlugin, Image, ImageChops

        frame = image.convert("RGB").quantize(palette=self.palette, dither=Image.Dither.NONE)
        params: dict[str, Any] = {"duration": max(20, min(655_350, round(duration_ms)))}
        if self.transparent:
            clear = image.getchannel("A").point(lambda a: 255 if a < 128 else 0, "1")
            frame.paste(255, mask=clear)
            params.update(transparency=255, disposal=2)
        offset = (0, 0)
        if self.count == 0:
            header, _ = GifImagePlugin.getheader(frame, None, {"loop": 0, "optimize": False,
                                                              "duration": params["duration"]})
            for chunk in header:
                self.handle.write(chunk)
            self.previous = frame
        elif not self.transparent:  # only the changed rectangle; the rest stays on screen
            bbox = ImageChops.difference(self.previous, frame).getbbox() or (0, 0, 1, 1)
            self.previous = frame
            frame = frame.crop(bbox)
            offset = bbox[:2]
            params["disposal"] = 1
        for chunk in GifImagePlugin.getdata(frame, offset, **params):
            self.handle.write(chunk)

    def _add_webp(self, image: Any, duration_ms: float) -> None:
        from PIL import _webp

        if self.webp is None:
            try:
                self.webp = _webp.WebPAnimEncoder(image.size, 0, 0, False, 9, 17, False, False)
            except TypeError:  # Pillow 10: width and height as two arguments
                self.webp = _webp.WebPAnimEncoder(*image.size, 0, 0, False, 9, 17, False,
                                                  False)
        frame = image if image.mode == "RGBA" else image.convert("RGBA")
        frame.load()
        handle = frame.getim() if hasattr(frame, "getim") else frame.im.id
        self.webp.add(handle, round(self.timestamp), True, 80, 100, 3)
        self.timestamp += duration_ms

    def _add_apng(self, image: Any, duration_ms: float) -> None:
        import struct
        import zlib

        from PIL import ImageChops

        x, y = 0, 0
        whole = image
        if self.count > 0:  # only the changed rectangle (dispose: none, blend: source)
            bbox = _changed_box(ImageChops.difference(self.previous, image))
            image = image.crop(bbox)
            x, y = bbox[:2]
        self.previous = whole
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=6)
        chunks = _png_chunks(buffer.getvalue())

        def chunk(kind: bytes, body: bytes) -> None:
            self.handle.write(struct.pack(">I", len(body)) + kind + body +
                              struct.pack(">I", zlib.crc32(kind + body)))

        if self.count == 0:
            self.handle.write(b"\x89PNG\r\n\x1a\n")
            chunk(b"IHDR", next(body for kind, body in chunks if kind == b"IHDR"))
            self.actl_at = self.handle.tell()
            chunk(b"acTL", struct.pack(">II", 0, 0))
        delay = max(1, min(65_535, round(duration_ms)))
        width, height = image.size
        chunk(b"fcTL", struct.pack(">IIIIIHHBB", self.sequence, width, height, x, y,
                                   delay, 1000, 0, 0))
        self.sequence += 1
        for kind, body in chunks:
            if kind != b"IDAT":
                continue
            if self.count == 0:
                chunk(b"IDAT", body)
            else:
                chunk(b"fdAT", struct.pack(">I", self.sequence) + body)
                self.sequence += 1

    def close(self) -> None:
        """Finish the file (trailer, frame count) and close it."""
        import struct
        import zlib

        try:
            if self.fmt == "GIF":
                self.handle.write(b";")
            elif self.fmt == "WEBP" and self.webp is not None:
                self.webp.add(None, round(self.timestamp), True, 80, 100, 0)
                data = self.webp.assemble("", b"", b"")
                if data is None:
                    raise RenderError("the WebP encoder returned no data")
                self.handle.write(data)
            elif self.fmt == "PNG" and self.count:
                body = struct.pack(">II", self.count, 0)
                self.handle.write(struct.pack(">I", 0) + b"IEND" +
                                  struct.pack(">I", zlib.crc32(b"IEND")))
                self.handle.seek(self.actl_at)
                self.handle.write(struct.pack(">I", len(body)) + b"acTL" + body +
                                  struct.pack(">I", zlib.crc32(b"acTL" + body)))
        finally:
            self.handle.close()


def _changed_box(difference: Any) -> tuple[int, int, int, int]:
    """The box of the non-zero pixels of a difference image, over all bands (alpha too)."""
    boxes = [box for band in difference.split() if (box := band.getbbox()) is not None]
    if not boxes:
        return (0, 0, 1, 1)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    import struct

    chunks = []
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        chunks.append((kind, data[position + 8:position + 8 + length]))
        position += 12 + length
    return chunks


def shared_palette(images: list[Any], samples: int = 8) -> list[Any]:
    """Map RGB frames onto one 255-colour palette (fast, and no colour flicker in GIFs).

    The palette is computed once (median cut) from up to ``samples`` frames
    spread over the animation; each frame is then mapped without dithering.
    """
    from PIL import Image

    step = max(1, len(images) // samples)
    chosen = [*images[::step][:samples], images[-1]]
    width = max(im.width for im in chosen)
    sheet = Image.new("RGB", (width, sum(im.height for im in chosen)))
    y = 0
    for im in chosen:
        sheet.paste(im, (0, y))
        y += im.height
    palette = sheet.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    return [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]


def _ffmpeg_writer_class() -> type:
    from matplotlib.animation import FFMpegWriter

    class FastFFMpegWriter(FFMpegWriter):
        """Matplotlib's ffmpeg writer fed from `Animator.rgba` (raw RGBA on its pipe)."""

        def __init__(self, animator: FrameSource, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.animator = animator

        def grab_frame(self, **savefig_kwargs: Any) -> None:
            pixels, _ = self.animator.rgba()
            self._proc.stdin.write(bytes(pixels))  # type: ignore[attr-defined]

    return FastFFMpegWriter


def _positive(options: dict[str, Any], name: str, default: float) -> float:
    value = options.get(name, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
        raise InputError(f"{name} must be a positive number, not {value!r}")
    return float(value)


def _descent_animator(run: Descent, options: dict[str, Any], even: bool = False
                      ) -> tuple[DescentAnimator, float]:
    from adviz.renderers.mpl.descent import DEFAULT_FPS, DEFAULT_HOLD, DescentAnimator

    fps = _positive(options, "fps", DEFAULT_FPS)
    animator = DescentAnimator(run, hold=options.get("hold", DEFAULT_HOLD),
                               theme=options.get("theme"), size=options.get("size"),
                               dpi=_positive(options, "dpi", 100.0),
                               rankdir=options.get("rankdir", "LR"),
                               transparent=bool(options.get("transparent", False)), even=even,
                               full=bool(options.get("full", False)),
                               surface=bool(options.get("surface", False)))
    return animator, fps


def _animator(trace: Trace | Descent, options: dict[str, Any], even: bool = False
              ) -> tuple[FrameSource, float]:
    """The animator for a trace's pass or for a descent run (options checked first)."""
    from adviz.renderers.mpl.animation import DEFAULT_FPS, DEFAULT_HOLD, DEFAULT_TWEEN, Animator

    if isinstance(trace, Descent):
        return _descent_animator(trace, options, even)
    fps = _positive(options, "fps", DEFAULT_FPS)
    dpi = _positive(options, "dpi", 100.0)
    animator = Animator(trace, options.get("phase", "reverse"),
                        tween=options.get("tween", DEFAULT_TWEEN),
                        hold=options.get("hold", DEFAULT_HOLD), theme=options.get("theme"),
                        fps=fps,
                        size=options.get("size"), dpi=float(dpi),
                        rankdir=options.get("rankdir"),
                        min_text=float(options.get("min_text", MIN_TEXT.default)),
                        transparent=bool(options.get("transparent", False)), even=even,
                        collapse=options.get("collapse"), full=bool(options.get("full", False)),
                        copies=options.get("copies"), seed=options.get("seed"),
                        focus=options.get("focus"), zoom=options.get("zoom"),
                        legend=bool(options.get("legend", LEGEND_ON.default)),
                        view=options.get("view") or "graph",
                        granularity=options.get("granularity"))
    return animator, fps


def _write_animation(animator: FrameSource, writer: Any, target: Path,
                     progress: bool | None) -> None:
    from adviz.renderers.mpl.animation import write_frames

    if len(animator.frames) > MAX_FRAMES:
        raise InputError(f"{target.name} would have {len(animator.frames):,} frames; the limit "
                         f"is {MAX_FRAMES:,}: lower tween or hold, or draw one phase")
    bound_pixels(animator.figure, MAX_PIXELS, target.name, even=getattr(writer, "even", False))

    with progress_bar(len(animator.frames), progress, target.name) as bar, \
            atomic_target(target) as tmp:
        write_frames(animator, writer, tmp, on_frame=lambda _: bar.update(1))


def _pillow_writer(fmt: str, name: str) -> Callable[..., None]:
    def write(trace: Trace | Descent, path: Path, **options: Any) -> None:
        descent = isinstance(trace, Descent)
        _check_options(name, options, DESCENT if descent else ANIMATION, descent)
        animator, fps = _animator(trace, options)
        writer = _movie_writer_class()(animator, fmt, fps,
                                       bool(options.get("transparent", False)))
        _write_animation(animator, writer, Path(path), options.get("progress"))

    return write


def video_available() -> bool:
    """Whether MP4 can be written: the ``imageio-ffmpeg`` wheel (extra ``video``) is installed."""
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


def _write_mp4(trace: Trace | Descent, path: Path, **options: Any) -> None:
    descent = isinstance(trace, Descent)
    _check_options("mp4", options, DESCENT if descent else ANIMATION, descent)
    if options.get("transparent"):
        raise InputError("MP4 (H.264) has no transparency: use .webp, .apng or .gif for "
                         "transparent=True")
    import imageio_ffmpeg
    import matplotlib

    matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    animator, fps = _animator(trace, options, even=True)
    writer = _ffmpeg_writer_class()(
        animator, fps=fps, codec="libx264",
        extra_args=["-pix_fmt", "yuv420p", "-preset", "medium", "-crf", "20"])
    writer.frame_format = "rgba"
    writer.even = True
    _write_animation(animator, writer, Path(path), options.get("progress"))


def _figure(trace: Trace, options: dict[str, Any], phase: str, legend: bool = True) -> Any:
    from adviz.renderers.mpl.stage import still

    return still(trace, theme=options.get("theme"), rankdir=options.get("rankdir"),
                 size=options.get("size"), dpi=float(options.get("dpi", 100.0)),
                 min_text=float(options.get("min_text", MIN_TEXT.default)),
                 transparent=bool(options.get("transparent", False)),
                 collapse=options.get("collapse"), full=bool(options.get("full", False)),
                 copies=options.get("copies"), seed=options.get("seed"),
                 focus=options.get("focus"), zoom=options.get("zoom"),
                 legend=bool(options.get("legend", legend)),
                 view=options.get("view") or "graph", granularity=options.get("granularity"))


def _stage_count(fig: Any, trace: Trace, phase: str) -> int:
    """Stages of ``phase``: the figure's own (the neuron view) or the trace's."""
    own = getattr(fig, "stage_count", None)
    return int(own(phase)) if own is not None else frame_count(trace, phase)


def _save_png(fig: Figure, path: Path, transparent: bool) -> None:
    from adviz.text.mathtext import large_parse_cache

    bound_pixels(fig, MAX_STILL_PIXELS, Path(path).name)

    buffer = io.BytesIO()
    with large_parse_cache():
        fig.savefig(buffer, format="png", metadata={"Software": None}, transparent=transparent)
    with atomic_target(Path(path)) as tmp:
        tmp.write_bytes(buffer.getvalue())


def _write_descent_png(run: Descent, path: Path, **options: Any) -> None:
    _check_options("png", options, DESCENT_STILL, descent=True)
    step = options.pop("step", -1)
    n = len(run)
    if not isinstance(step, int) or isinstance(step, bool) or not -n <= step < n:
        raise InputError(f"step {step!r} does not exist: the run has {n} steps (0 to {n - 1})")
    animator, _ = _descent_animator(run, options)
    animator.show(step)
    _save_png(animator.figure, path, bool(options.get("transparent", False)))


def _write_png(trace: Trace | Descent, path: Path, **options: Any) -> None:
    if isinstance(trace, Descent):
        _write_descent_png(trace, path, **options)
        return
    _check_options("png", options, STILL)
    phase = check_phase(options.get("phase", "reverse"), SWEEPS, "png")
    check_seed(phase, options.get("seed"), "png")
    stage = options.get("stage", -1)
    fig, scene = _figure(trace, options, phase)
    n = _stage_count(scene.fig, trace, phase)
    if not isinstance(stage, int) or not -n <= stage < n:
        raise InputError(f"{phase} stage {stage!r} does not exist: there are {n} stages "
                         f"(0 to {n - 1})")
    scene.show(phase, stage)
    _save_png(fig, path, bool(options.get("transparent", False)))


def _png_frame(svg: str, scale: float) -> bytes:
    """An SVG frame as PNG bytes (resvg, no system fonts needed): ``save_frames(fmt="png")``."""
    from adviz.renderers.raster import svg_to_png

    return svg_to_png(svg, scale=scale)


def _write_pages(fig: Figure, pages: list[Any], show: Callable[[Any], object], path: Path,
                 options: dict[str, Any]) -> None:
    """One PDF page per item of ``pages``, each drawn by ``show(item)``."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    from adviz.text.mathtext import large_parse_cache

    transparent = bool(options.get("transparent", False))
    bound_pixels(fig, MAX_STILL_PIXELS, Path(path).name)
    with progress_bar(len(pages), options.get("progress"), Path(path).name) as bar, \
            atomic_target(Path(path)) as tmp, matplotlib.rc_context({"pdf.fonttype": 42}):
        # TrueType fonts embedded as Type 42 (searchable, editable), not Type 3.
        with PdfPages(tmp, metadata={"Creator": "adviz", "Producer": "adviz",
                                     "CreationDate": None}) as pdf:
            for page in pages:
                show(page)
                with large_parse_cache():
                    pdf.savefig(fig, transparent=transparent)
                bar.update(1)


def _write_pdf(trace: Trace | Descent, path: Path, **options: Any) -> None:
    if isinstance(trace, Descent):
        _check_options("pdf", options, DESCENT_PDF, descent=True)
        animator, _ = _descent_animator(trace, options)
        _write_pages(animator.figure, list(range(len(trace))), animator.show, path, options)
        return
    _check_options("pdf", options, PDF)
    phases = expand_phases(options.get("phase", "reverse"), PLAY_PHASES, "pdf")
    check_seed(options.get("phase", "reverse"), options.get("seed"), "pdf")
    fig, scene = _figure(trace, options, phases[0], legend=LEGEND_ON.default)
    pages = [(p, k) for p in phases for k in range(_stage_count(scene.fig, trace, p))]
    _write_pages(fig, pages, lambda page: scene.show(*page), path, options)


def _animation_writer(name: str, write: Callable[..., None], description: str, mime: str,
                      **extra: Any) -> Writer:
    return Writer(name, (f".{name}",), write, description=description, descent=True,
                  options=ANIMATION, descent_options=DESCENT, filename=f"{{phase}}.{name}",
                  mime=mime, **extra)


register_writer(_animation_writer("gif", _pillow_writer("GIF", "gif"),
                                  "animated GIF of the reverse (or forward) pass", "image/gif",
                                  default=True))
register_writer(_animation_writer("webp", _pillow_writer("WEBP", "webp"),
                                  "animated WebP (lossless)", "image/webp"))
register_writer(_animation_writer("apng", _pillow_writer("PNG", "apng"), "animated PNG",
                                  "image/apng"))
register_writer(_animation_writer("mp4", _write_mp4,
                                  "H.264 video (needs the video extra: imageio-ffmpeg)",
                                  "video/mp4", available=video_available, extra="video"))
register_writer(Writer("pdf", (".pdf",), _write_pdf,
                       description="one PDF page per stage, for slides", descent=True,
                       options=PDF, descent_options=DESCENT_PDF, filename="{phase}.pdf",
                       mime="application/pdf"))
register_writer(Writer("png", (".png",), _write_png,
                       description="one stage as a PNG image; in adviz render, every stage "
                                   "(frames/)",
                       descent=True, options=STILL, descent_options=DESCENT_STILL,
                       filename="{phase}.png", mime="image/png", frame=_png_frame))
