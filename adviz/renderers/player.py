"""The HTML player: every stage of both passes in one self-contained page.

`player_html` renders all SVG frames of the forward and the reverse pass and
inlines them, with the stage captions and the walkthrough table, into a
single HTML file that works from ``file://`` with no network: previous /
next / play / pause buttons, a slider, keyboard arrows (space plays and
pauses), a forward/reverse switch, and the walkthrough row of the current
stage highlighted beside the graph.

Everything taken from the user (node names, formulas, the title) is escaped;
frame data is embedded as JSON in a ``<script type="application/json">``
element with ``<``, ``>`` and ``&`` written as ``\\u003c`` escapes, and the
standalone page carries a Content-Security-Policy that allows only its own
script (by hash) and no network access. The same trace gives the same bytes.

Examples
--------
>>> import adviz
>>> from adviz.renderers.player import player_html
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> page = player_html(t)
>>> page.startswith("<!DOCTYPE html>"), page.count('<tr data-phase="reverse"')
(True, 6)
>>> "http://" in page.replace("http://www.w3.org/", ""), page == player_html(t)
(False, True)
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from adviz.errors import InputError, RenderError
from adviz.formatting import format_number
from adviz.text.tables import walkthrough

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

PHASES = ("both", "forward", "reverse")
"""Values of the ``phase`` argument of `player_html`."""

PHASE_LABELS = {"forward": "Forward pass", "reverse": "Reverse pass"}

INTERVAL_MS = 1400
"""Time between frames while playing, in milliseconds."""

WIDE_ASPECT = 2.2
"""Frames wider than this (width / height) get the whole page width, the table below them."""

SMALL_SCREEN_SCALE = 0.7
"""On narrow screens frames keep this share of their natural size and scroll sideways."""

NOTEBOOK_MAX_FRAMES = 120
"""Above this many frames a notebook shows the summary figure instead of the player."""

_ICONS = {
    "prev": '<path d="M11.5 2.5 5 8l6.5 5.5z"/><rect x="2.5" y="2.5" width="2" height="11"/>',
    "next": '<path d="M4.5 2.5 11 8l-6.5 5.5z"/><rect x="11.5" y="2.5" width="2" height="11"/>',
    "play": '<path d="M4 2v12l10-6z"/>',
    "pause": '<rect x="3" y="2" width="3.5" height="12"/><rect x="9.5" y="2" width="3.5" '
             'height="12"/>',
}

_FORBIDDEN_TAGS = frozenset({"script", "foreignobject", "iframe", "object", "embed", "animate",
                             "set", "handler", "listener"})
_LOCAL_URL = re.compile(r"\s*url\(\s*['\"]?#[^)]*\)\s*")
_XML_PREAMBLE = re.compile(r"\A\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_CAPTION = re.compile(r'<g class="caption">(.*?)</g>\n?', re.DOTALL)
_TEXT_Y = re.compile(r'<text\b[^>]*?\by="(-?[0-9.]+)"[^>]*?\bfont-size="([0-9.]+)"')
_SVG_TAG = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([^"]*)"')
_HEIGHT = re.compile(r'\bheight="([0-9.]+)([a-z]*)"')
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                               "\u2028": "\\u2028", "\u2029": "\\u2029"})


@cache
def _asset(name: str) -> str:
    return (resources.files("adviz") / "assets" / name).read_text(encoding="utf-8")


def _icon(name: str, extra: str = "") -> str:
    cls = f"adviz-icon {extra}".strip()
    return (f'<svg class="{cls}" viewBox="0 0 16 16" aria-hidden="true" focusable="false">'
            f"{_ICONS[name]}</svg>")


def _frame_functions() -> tuple[Callable[..., str], Callable[[Trace, str, int], str]]:
    import adviz
    from adviz.text.labels import stage_title

    return adviz.to_svg, stage_title


def _local_href(value: str) -> bool:
    value = value.strip().lower()
    return value.startswith("#") or bool(re.match(r"data:image/(png|jpeg|gif|webp)[;,]", value))


def _check_urls(text: str) -> None:
    if "@import" in text.lower():
        raise RenderError("an SVG frame imports an outside style sheet")
    for match in re.finditer(r"url\([^)]*\)", text, re.IGNORECASE):
        if not _LOCAL_URL.fullmatch(match.group(0)):
            raise RenderError(f"an SVG frame refers to an outside resource ({match.group(0)!r})")


def inline_svg(svg: str) -> str:
    """Prepare one SVG document for inlining into HTML.

    Drops the XML declaration, the DOCTYPE and comments, and refuses
    anything that could run code or load a resource (scripts, foreign
    objects, event-handler attributes, links to other documents).

    Parameters
    ----------
    svg
        A complete SVG document, as Graphviz writes it.

    Returns
    -------
    str
        The ``<svg>`` element's text.

    Raises
    ------
    RenderError
        The SVG is not well-formed or holds active content.

    Examples
    --------
    >>> inline_svg('<?xml version="1.0"?>\\n<!-- x -->\\n<svg viewBox="0 0 1 1"><g/></svg>\\n')
    '<svg viewBox="0 0 1 1"><g/></svg>'
    >>> inline_svg('<svg><g onclick="f()"/></svg>')
    Traceback (most recent call last):
    ...
    adviz.errors.RenderError: an SVG frame holds active content (attribute onclick of <g>)
    """
    text = _COMMENT.sub("", _XML_PREAMBLE.sub("", svg, count=1)).strip()
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise RenderError(f"an SVG frame is not well-formed XML: {err}") from err
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if tag.lower() in _FORBIDDEN_TAGS:
            raise RenderError(f"an SVG frame holds active content (<{tag}> element)")
        for key, value in element.attrib.items():
            attr = key.rsplit("}", 1)[-1].lower()
            if attr.startswith("on") or (attr == "href" and not _local_href(value)):
                raise RenderError(
                    f"an SVG frame holds active content (attribute {attr} of <{tag}>)")
            _check_urls(value)
        if tag.lower() == "style":
            _check_urls(element.text or "")
    if not text.startswith("<svg"):
        raise RenderError("an SVG frame does not start with an <svg> element")
    return text


def _finite(data: Any) -> Any:
    """``data`` with NaN and infinities as ``None`` (JSON ``null``)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(value) for value in data]
    return data


def json_for_script(data: Any) -> str:
    """Serialise ``data`` as JSON that is safe inside an HTML ``<script>`` element.

    Keys are sorted (same input, same bytes); ``<``, ``>``, ``&`` and the
    line separators U+2028/U+2029 are written as ``\\u`` escapes, so no
    text in the data can end the script element or open a comment.

    Examples
    --------
    >>> json_for_script({"name": "</script><b>&"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(_finite(data), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False)  # NaN, inf: null
    return text.translate(_JSON_ESCAPES)


def default_title(trace: Trace) -> str:
    """The player's heading: output, formula (or function name) and the point.

    Examples
    --------
    >>> import adviz
    >>> default_title(adviz.trace("x * x", x=3))
    'y = x * x at x = 3'
    """
    point = ", ".join(f"{k} = {format_number(v)}" for k, v in trace.inputs.items())
    what = trace.expression or getattr(trace.function, "__name__", "f")
    return f"{trace.output} = {what} at {point}"


def _phases(phase: str) -> tuple[str, ...]:
    if phase not in PHASES:
        raise InputError(f"unknown phase {phase!r} for the player; use one of "
                         f"{', '.join(repr(p) for p in PHASES)}")
    return ("forward", "reverse") if phase == "both" else (phase,)


def drop_captions(frames: list[str]) -> list[str]:
    """Remove the caption band from the top of frames whose caption the page shows.

    Each frame drawn by `adviz.to_svg` carries its caption as a
    ``<g class="caption">`` at the top; the player shows the caption as
    text beside the controls instead. The band is cut from every frame by
    the same amount (the lowest caption line of any of them), so all frames
    keep one ``viewBox``. Frames without a caption group are returned as
    they are.

    Examples
    --------
    >>> svg = ('<svg width="100pt" height="80pt" viewBox="0.00 0.00 100.00 80.00">'
    ...        '<g class="caption"><text x="1" y="20.00" font-size="10.00">Stage 0</text></g>'
    ...        '<g class="node"/></svg>')
    >>> print(drop_captions([svg])[0])
    <svg width="100pt" height="57.00pt" viewBox="0.00 23.00 100.00 57.00"><g class="node"/></svg>
    """
    cut = 0.0
    for svg in frames:
        band = _CAPTION.search(svg)
        if band is None:
            return list(frames)
        for y, size in _TEXT_Y.findall(band.group(1)):
            cut = max(cut, float(y) + 0.3 * float(size))
    result = []
    for svg in frames:
        tag = _SVG_TAG.search(svg)
        box = _VIEWBOX.search(tag.group(0)) if tag else None
        if tag is None or box is None or cut <= 0:
            return list(frames)
        x, y, w, h = (float(v) for v in box.group(1).replace(",", " ").split())
        if cut >= h:
            return list(frames)
        new_tag = _VIEWBOX.sub(f'viewBox="{x:.2f} {y + cut:.2f} {w:.2f} {h - cut:.2f}"',
                               tag.group(0), count=1)
        height = _HEIGHT.search(new_tag)
        if height is not None:
            scaled = float(height.group(1)) * (h - cut) / h
            new_tag = _HEIGHT.sub(f'height="{scaled:.2f}{height.group(2)}"', new_tag, count=1)
        body = _CAPTION.sub("", svg, count=1)
        result.append(body.replace(tag.group(0), new_tag, 1))
    return result


def player_frames(
    trace: Trace, phase: str = "both", *, theme: str = "light", rankdir: str = "LR"
) -> dict[str, list[str]]:
    """The frames a player shows, by phase: inline SVG, caption band removed.

    Parameters
    ----------
    trace
        A `Trace`.
    phase, theme, rankdir
        As for `player_html`.

    Returns
    -------
    dict of str to list of str
        ``{"forward": [...], "reverse": [...]}`` (the phases asked for), one
        SVG text per stage; all share one ``viewBox``.

    Examples
    --------
    >>> import adviz
    >>> frames = player_frames(adviz.trace("x * x", x=3))
    >>> {name: len(svgs) for name, svgs in frames.items()}
    {'forward': 2, 'reverse': 2}
    """
    to_svg, _ = _frame_functions()
    names = _phases(phase)
    flat = [
        inline_svg(to_svg(trace, name, index, theme=theme, rankdir=rankdir))
        for name in names
        for index in range(len(trace.stages(name)))
    ]
    flat = drop_captions(flat)
    result = {}
    for name in names:
        count = len(trace.stages(name))
        result[name], flat = flat[:count], flat[count:]
    return result


def _player_data(
    trace: Trace, names: tuple[str, ...], theme: str, rankdir: str
) -> tuple[dict[str, Any], str]:
    _, stage_title = _frame_functions()
    svgs = player_frames(trace, "both" if len(names) == 2 else names[0], theme=theme,
                         rankdir=rankdir)
    phases: list[dict[str, Any]] = []
    for name in names:
        frames: list[str | None] = list(svgs[name])
        if not phases:
            frames[0] = None  # shown inline in the page, not stored twice
        phases.append({
            "name": name,
            "label": PHASE_LABELS[name],
            "frames": frames,
            "captions": [stage_title(trace, name, i) for i in range(len(frames))],
        })
    data = {"phases": phases, "start": [names[0], 0], "interval": INTERVAL_MS}
    return data, svgs[names[0]][0]


def _aspect(svg: str) -> float:
    box = _VIEWBOX.search(svg)
    if box is None:
        return 1.0
    numbers = box.group(1).replace(",", " ").split()
    return float(numbers[2]) / max(float(numbers[3]), 1e-9) if len(numbers) == 4 else 1.0


def _small_width(svg: str) -> str:
    """CSS width of a frame on small screens: 70 % of its natural size, scrolled sideways."""
    tag = _SVG_TAG.search(svg)
    width = re.search(r'\bwidth="([0-9.]+)(pt|px)?"', tag.group(0)) if tag else None
    if width is None:
        return "auto"
    scale = 4 / 3 if width.group(2) == "pt" else 1.0
    return f"{round(float(width.group(1)) * scale * SMALL_SCREEN_SCALE)}px"


def _controls(last: int) -> str:
    return (
        '<div class="adviz-controls" role="group" aria-label="Stage controls">'
        '<button type="button" class="adviz-prev" aria-label="Previous stage" '
        f'title="Previous stage (Left arrow)">{_icon("prev")}<span>Prev</span></button>'
        '<button type="button" class="adviz-play" aria-label="Play" '
        f'title="Play / pause (Space)">{_icon("play", "adviz-icon-play")}'
        f'{_icon("pause", "adviz-icon-pause")}<span class="adviz-play-text">Play</span></button>'
        '<button type="button" class="adviz-next" aria-label="Next stage" '
        f'title="Next stage (Right arrow)">{_icon("next")}<span>Next</span></button>'
        f'<input type="range" class="adviz-slider" min="0" max="{last}" step="1" value="0" '
        f'aria-label="Stage">'
        f'<output class="adviz-counter" aria-hidden="true">0 / {last}</output>'
        "</div>"
    )


def _switch(names: tuple[str, ...]) -> str:
    if len(names) < 2:
        return ""
    buttons = "".join(
        f'<button type="button" data-phase="{n}" aria-pressed="{str(i == 0).lower()}">'
        f"{PHASE_LABELS[n]}</button>"
        for i, n in enumerate(names)
    )
    return f'<div class="adviz-phases" role="group" aria-label="Pass">{buttons}</div>'


def player_fragment(
    trace: Trace,
    *,
    theme: str = "light",
    rankdir: str = "LR",
    phase: str = "both",
    title: str | None = None,
    compact: bool = False,
    document_keys: bool = False,
    styles: bool = True,
) -> str:
    """The player as one ``<div>`` (with its style and script), to embed in a page.

    Parameters
    ----------
    trace
        A `Trace`.
    theme, rankdir, phase, title
        As for `player_html`.
    compact
        Smaller heading and frame height, for notebooks.
    document_keys
        Listen for the keyboard on the whole document (a standalone page)
        instead of only while the player has the focus.
    styles
        Include the ``<style>`` element (a standalone page puts it in the head).

    Returns
    -------
    str
        HTML text.

    Examples
    --------
    >>> import adviz
    >>> html_text = player_fragment(adviz.trace("x * x", x=3), compact=True)
    >>> html_text.startswith('<div class="adviz-player adviz-light adviz-compact')
    True
    """
    from adviz.scene.style import get_theme

    names = _phases(phase)
    frame_bg = get_theme(theme).background
    data, first_frame = _player_data(trace, names, theme, rankdir)
    first = data["phases"][0]
    heading = html.escape(default_title(trace) if title is None else title)
    level = "div" if compact else "h1"
    table = walkthrough(trace, "html")
    classes = f"adviz-player adviz-{'dark' if theme == 'dark' else 'light'}"
    classes += " adviz-compact" if compact else ""
    classes += " adviz-wide" if _aspect(first_frame) > WIDE_ASPECT else ""
    keys = "document" if document_keys else "player"
    last = len(first["frames"]) - 1
    parts = [
        f'<div class="{classes}" style="--adviz-frame-bg:{html.escape(frame_bg)};'
        f'--adviz-small-width:{_small_width(first_frame)}" '
        f'tabindex="-1" data-keys="{keys}" data-phase="{names[0]}" data-stage="0">',
        f"<style>{_asset('player.css')}</style>" if styles else "",
        f'<div class="adviz-head"><{level} class="adviz-title">{heading}</{level}>'
        f"{_switch(names)}</div>",
        '<div class="adviz-body"><div class="adviz-main">',
        '<figure class="adviz-figure">',
        f'<div class="adviz-frame" role="img" aria-label="{html.escape(first["label"])}, '
        f'stage 0 of {last}">{first_frame}</div>',
        f'<figcaption class="adviz-caption" aria-live="polite">'
        f"{html.escape(first['captions'][0])}</figcaption>",
        "</figure>",
        _controls(last),
        "</div>",
        f'<div class="adviz-table" tabindex="0" role="region" aria-label="Walkthrough">'
        f"{table}</div>",
        "</div>",
        f'<script type="application/json" class="adviz-data">{json_for_script(data)}</script>',
        f"<script>{_asset('player.js')}</script>",
        "</div>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def script_hash() -> str:
    """The CSP source expression (``'sha256-...'``) of the player's script."""
    digest = hashlib.sha256(_asset("player.js").encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def player_html(
    trace: Trace,
    *,
    theme: str = "light",
    rankdir: str = "LR",
    phase: str = "both",
    title: str | None = None,
) -> str:
    """One self-contained HTML page that plays the forward and reverse pass.

    Parameters
    ----------
    trace
        A `Trace`.
    theme
        Frame and page theme: ``"light"`` (default), ``"dark"`` or
        ``"print"`` (light page).
    rankdir
        ``"LR"`` (inputs left, output right) or ``"TB"``.
    phase
        ``"both"`` (default: the forward pass, then the reverse pass, with a
        switch), ``"forward"`` or ``"reverse"``.
    title
        Page heading; default ``"y = <formula> at x1 = 1, x2 = 2"``.

    Returns
    -------
    str
        The page: all frames inlined as SVG, no external resources.

    Raises
    ------
    InputError
        Unknown ``phase``.

    Examples
    --------
    >>> import adviz
    >>> page = player_html(adviz.trace("x * x", x=3), theme="dark", phase="reverse")
    >>> page.count('class="adviz-player adviz-dark'), 'class="adviz-phases"' in page
    (1, False)
    """
    body = player_fragment(trace, theme=theme, rankdir=rankdir, phase=phase, title=title,
                           document_keys=True, styles=False)
    heading = html.escape(default_title(trace) if title is None else title)
    dark = theme == "dark"
    csp = (f"default-src 'none'; script-src {script_hash()}; style-src 'unsafe-inline'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="color-scheme" content="{"dark" if dark else "light"}">\n'
        '<meta name="generator" content="adviz">\n'
        f"<title>{heading} — adviz</title>\n"
        f"<style>html,body{{margin:0;background:{'#151618' if dark else '#ffffff'}}}\n"
        f"{_asset('player.css')}</style>\n"
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )


def notebook_svg(trace: Trace, *, theme: str = "light") -> str:
    """The summary figure (all values and final adjoints) as SVG text, for notebooks.

    Examples
    --------
    >>> import adviz
    >>> "<svg" in notebook_svg(adviz.trace("x * x", x=3))
    True
    """
    to_svg, _ = _frame_functions()
    return to_svg(trace, "summary", theme=theme)


def notebook_html(trace: Trace, *, theme: str = "light") -> str:
    """What a notebook shows for a trace: the compact player, or the summary when large.

    A trace with more than `NOTEBOOK_MAX_FRAMES` frames would make the
    notebook file heavy, so it gets the summary figure and a hint to write
    the player to a file instead.

    Examples
    --------
    >>> import adviz
    >>> notebook_html(adviz.trace("x * x", x=3)).count('class="adviz-data"')
    1
    """
    frames = len(trace.forward_stages) + len(trace.reverse_stages)
    if frames <= NOTEBOOK_MAX_FRAMES:
        return player_fragment(trace, theme=theme, compact=True)
    svg = inline_svg(notebook_svg(trace, theme=theme))
    return (
        f'<figure class="adviz-summary" style="margin:0">{svg}'
        f"<figcaption>{html.escape(default_title(trace))} ({frames} stages: write the "
        "player with <code>adviz.save(trace, &quot;page.html&quot;)</code>)</figcaption>"
        "</figure>\n"
    )
