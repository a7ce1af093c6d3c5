"""The Sphinx extension: an ``adviz`` directive that renders diagrams at build time.

Add the extension to a Sphinx project's ``conf.py``::

    extensions = ["adviz.faces.sphinx"]

and write, in any reStructuredText page:

.. code-block:: rst

   .. adviz:: (x1 - x2)**2 + cos(x1 + x2)
      :at: x1=1, x2=2
      :output: player
      :caption: The seed example, both passes.

Instead of an expression, ``:function:`` names a Python function by its import
path, ``package.module:function`` (its package on ``sys.path``, as ``conf.py``
can arrange), or as ``path/to/file.py:function`` (relative to the page), exactly
as the command line's ``adviz render`` takes it
(`adviz.faces.cli.load_function`); ``:at:`` gives its inputs' values (its
defaults fill the others), and a function returning several values has several
outputs, one of which ``:output-node:`` picks:

.. code-block:: rst

   .. adviz::
      :function: mypackage.models:polar
      :at: r=2, a=0.5
      :output: svg
      :output-node: y2

The expression (or function) is traced when the page is read (a bad expression
or point is reported as a warning naming the file and line); the pictures are rendered
when the HTML page is written, into the build's ``_images/adviz`` folder,
under names derived from the directive's content, so an unchanged diagram is
not rendered twice. Other builders (LaTeX, text, man) get the walkthrough
table as a literal block instead.

==============  ==============================================================
option          meaning
==============  ==============================================================
``:at:``        the point: ``x1=1, x2=2`` (commas or spaces between inputs)
``:function:``  a function instead of an expression: ``package.module:function`` or
                ``path/to/file.py:function``
``:output:``    ``player`` (default), ``frames`` or a format (``gif``, ``svg``, ``demo``, ...)
``:phase:``     ``forward``, ``reverse``, ``tangent`` (forward mode), ``both`` or ``modes``;
                ``tangents`` (one forward sweep per input, then the gradient) for
                ``player`` and ``frames``; ``summary`` for ``svg``
``:seed:``      forward mode's seeded input: ``x1``, or tangents ``x1=1, x2=0.5``
``:focus:``     a node whose paths to the output stay in colour, the rest muted: ``x1``
``:zoom:``      a scope drawn open, the others collapsed: ``neuron 2``
``:stage:``     stage shown by ``svg`` (default ``-1``: the last)
``:order:``     reverse order: ``seed`` (default) or ``tape``
``:theme:``     ``light`` (default), ``dark`` or ``print``
``:rankdir:``   ``LR`` (default), ``TB`` or ``auto`` (the default with ``:size:``)
``:size:``      the page a picture fills: ``16:9``, ``4:3``, ``a4``, ``blog``, ``WxH`` pixels
``:legend:``    ``on`` or ``off``: a legend of the colours (the format's default otherwise:
                on in ``gif``, ``mp4``, ``pdf``, ``pptx``; off in ``svg`` and ``frames``)
``:fps:``       stages per second of a ``gif`` (its ``tween`` frames included)
``:tween:``     travel frames per stage of a ``gif`` (default 4)
``:dpi:``       dots per inch of a ``gif`` (default 72)
``:width:``     CSS width of the picture, e.g. ``80%`` or ``600px``
``:alt:``       text alternative of a picture (a default is written)
``:caption:``   a caption (inline markup allowed); the diagram becomes a figure
``:name:``      a target name, to refer to the figure with ``:ref:``
``:view:``      ``graph`` (default) or ``network``: a network's neurons in columns
                (``player``, ``frames`` and ``svg``); with it, ``:granularity:``
                ``neuron`` (default: one reverse stage per neuron) or ``layer``
==============  ==============================================================

Instead of an expression, the argument may name a network of
`adviz.examples.mlp`: ``mlp 2-4-1`` (sizes, inputs first), optionally with its
activation (``mlp 2-16-16-1 relu``); ``:view: network`` draws its neuron view.

The ``:output:`` values come from the format registry (`OUTPUTS`): every
registered format that writes a trace (`adviz.writers.writers`, third-party
ones included) is a value, plus ``player`` (the player of the ``html`` format,
inline in the page) and ``frames`` (every stage as an ``svg`` image). A
picture format is embedded as an image, a video as a video, an HTML page in
a frame, anything else as a link to the file. Each takes the options of its
format that the directive has (``:phase:``, ``:stage:``, ``:fps:``, ...).
``:output-node:`` is the writers' ``output`` option (`adviz.writers.options.OUTPUT`,
named apart from ``:output:``): the output whose reverse sweep is drawn, by
name or number; an expression has one output, so only its own (``y`` or ``1``)
is taken, and any other value is reported; a ``:function:`` returning a tuple
has ``y1, y2, ...``.

Configuration values: ``adviz_default_output`` (``"player"``) and
``adviz_default_theme`` (``"light"``).

Examples
--------
>>> parse_at("x1=1, x2=2")
{'x1': 1.0, 'x2': 2.0}
>>> {"player", "frames", "gif", "svg", "demo", "pdf"} <= set(OUTPUTS)
True
>>> OUTPUTS["gif"].default_phase, OUTPUTS["gif"].writer
('reverse', 'gif')
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import adviz
from adviz.core.expression import parse
from adviz.core.phases import (
    ALL_PHASES,
    PASSES,
    PLAYER_PHASES,
    SWEEPS,
    Phase,
    check_seed,
)
from adviz.errors import AdvizError, InputError
from adviz.scene.content import frame_count
from adviz.scene.style import THEMES as _THEMES

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.writers.html5 import HTML5Translator

    from adviz.core.tracing import Trace

logger = logging.getLogger(__name__)

PHASES = tuple(p for p in ALL_PHASES if p != Phase.PATHS)
ORDERS = ("seed", "tape")
THEMES = tuple(_THEMES)
RANKDIRS = ("LR", "TB", "auto")
FOLDER = "adviz"
"""Subfolder of the builder's image folder (``_images``) that receives the pictures."""

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_at(text: str) -> dict[str, float]:
    """Parse an ``:at:`` option: ``"x1=1, x2=2"`` (commas or spaces between inputs).

    Raises
    ------
    InputError
        An item that is not ``NAME=NUMBER``, or an input given twice.

    Examples
    --------
    >>> parse_at("w=0.5 x=-2 b=1e-1")
    {'w': 0.5, 'x': -2.0, 'b': 0.1}
    >>> parse_at("x1=one")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: :at: value 'one' of x1 is not a number
    """
    point: dict[str, float] = {}
    for item in (i for i in re.split(r"[,\s]+", text.strip()) if i):
        name, sep, number = item.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise InputError(f":at: item {item!r} is not NAME=VALUE (write x1=1, x2=2)")
        if name in point:
            raise InputError(f":at: gives {name} twice")
        try:
            point[name] = float(number)
        except ValueError:
            raise InputError(f":at: value {number!r} of {name} is not a number") from None
    return point


@dataclass(frozen=True)
class Request:
    """Everything an output kind needs to render one directive.

    Attributes
    ----------
    trace
        The traced expression.
    options
        The directive's resolved options (``phase``, ``stage``, ``theme``, ...).
    folder
        Folder on disk that receives the files (created when missing).
    url
        The same folder as a URL relative to the page being written.
    key
        A name derived from the directive's content (expression, point, options).
    alt
        Text alternative for pictures.
    """

    trace: Trace
    options: Mapping[str, Any]
    folder: Path
    url: str
    key: str
    alt: str


@dataclass(frozen=True)
class OutputKind:
    """One ``:output:`` of the directive.

    Attributes
    ----------
    name
        The option value (``"player"``).
    phases
        The ``:phase:`` values it accepts.
    default_phase
        Its phase when ``:phase:`` is not given.
    render
        ``render(request) -> str``: writes its files (if any) and returns the
        HTML that embeds them.
    description
        One line for the documentation.
    writer
        The registered format it renders (`adviz.writers.writers`).
    takes
        The directive options of its format it takes (``stage``, ``fps``,
        ``tween``, ``dpi``); the others are refused for it.
    """

    name: str
    phases: tuple[str, ...]
    default_phase: str
    render: Callable[[Request], str]
    description: str
    writer: str = ""
    takes: frozenset[str] = frozenset()


def _publish(path: Path) -> None:
    """Make a written file readable by a web server (atomic writes create it private)."""
    path.chmod(0o644)


def _style(options: Mapping[str, Any]) -> str:
    width = str(options.get("width") or "")
    if width and width[-1].isdigit():  # unitless: pixels
        width += "px"
    return f' style="width:{html.escape(width)}"' if width else ""


def _img(url: str, alt: str, options: Mapping[str, Any], css: str) -> str:
    return (f'<img class="adviz-picture {css}" src="{html.escape(url)}" '
            f'alt="{html.escape(alt)}"{_style(options)}>')


def render_player(request: Request) -> str:
    """The player, inline: one ``<div>`` with its style, frames and script."""
    from adviz.renderers.player import player_fragment

    o = request.options
    fragment = player_fragment(request.trace, theme=o["theme"], rankdir=o["rankdir"],
                               phase=o["phase"], compact=True, seed=o.get("seed"),
                               focus=o.get("focus"), zoom=o.get("zoom"), **_view(o))
    return f'<div class="adviz-embed adviz-embed-player"{_style(o)}>\n{fragment}</div>\n'


DEMO_HEIGHT = "56rem"
"""Height of the frame that holds the interactive demonstration (``:output: demo``)."""


def render_demo(request: Request) -> str:
    """The interactive demonstration (`adviz.renderers.demo`), as its own page in an iframe.

    The page carries its own Content-Security-Policy and script, so it is
    written next to the pictures and framed rather than inlined.
    """
    o = request.options
    path = request.folder / f"{request.key}.html"
    if not path.exists():
        adviz.save(request.trace, path, interactive=True, theme=o["theme"],
                   rankdir=o["rankdir"])
        _publish(path)
    width = str(o.get("width") or "100%")
    if width[-1].isdigit():
        width += "px"
    return (f'<iframe class="adviz-embed adviz-embed-demo" src="{html.escape(request.url)}/'
            f'{html.escape(path.name)}" title="{html.escape(request.alt)}" loading="lazy" '
            f'style="width:{html.escape(width)};height:{DEMO_HEIGHT};border:0"></iframe>\n')


def render_gif(request: Request) -> str:
    """An animated GIF of one pass (or both), as an image."""
    o = request.options
    path = request.folder / f"{request.key}.gif"
    if not path.exists():
        options: dict[str, Any] = {"phase": o["phase"], "theme": o["theme"],
                                   "rankdir": o["rankdir"], "tween": o["tween"],
                                   "dpi": o["dpi"], "progress": False}
        for name in ("size", "fps", "seed", "focus", "zoom", "legend", "view", "granularity"):
            if o.get(name) is not None:
                options[name] = o[name]
        adviz.save(request.trace, path, **options)
        _publish(path)
    return _img(f"{request.url}/{path.name}", request.alt, o, "adviz-gif")


def render_svg(request: Request) -> str:
    """One frame (a stage, or the summary) as an SVG image."""
    from adviz.writers.files import atomic_write_text

    o = request.options
    path = request.folder / f"{request.key}.svg"
    if not path.exists():
        svg = adviz.to_svg(request.trace, o["phase"], o["stage"], theme=o["theme"],
                           rankdir=o["rankdir"], size=o.get("size"), seed=o.get("seed"),
                           focus=o.get("focus"), zoom=o.get("zoom"),
                           legend=bool(o.get("legend")), **_view(o))
        atomic_write_text(path, svg)
        _publish(path)
    return _img(f"{request.url}/{path.name}", request.alt, o, "adviz-svg")


def _lens(options: Mapping[str, Any]) -> dict[str, str]:
    """The ``:focus:`` and ``:zoom:`` options given (`adviz.scene.focus`)."""
    return {name: options[name] for name in ("focus", "zoom") if options.get(name)}


COMPLETE = ".complete"
"""Written into a frames folder after its last frame: only then is the folder reused."""


def render_frames(request: Request) -> str:
    """Every frame of the pass(es) as a sequence of SVG images with their captions."""
    from adviz.writers.files import atomic_write_text

    o = request.options
    folder = request.folder / request.key
    done = folder / COMPLETE
    paths = sorted(folder.glob("*.svg")) if done.is_file() else []
    if not paths:  # the cache holds completed renders only (the marker is written last)
        done.unlink(missing_ok=True)
        paths = adviz.save_frames(request.trace, folder, phase=o["phase"], fmt="svg",
                                  theme=o["theme"], rankdir=o["rankdir"], progress=False,
                                  size=o.get("size"), seed=o.get("seed"),
                                  focus=o.get("focus"), zoom=o.get("zoom"),
                           legend=bool(o.get("legend")), **_view(o))
        for path in paths:
            _publish(path)
        atomic_write_text(done, "\n".join(p.name for p in paths) + "\n")
    items = []
    for path in paths:
        phase, _, number = path.stem.rpartition("-")
        captions = _captions(request.trace, phase, o)
        index = int(number)
        label = f"{phase} stage {index}" if captions and phase != "summary" else "summary"
        text = f"{label}: {captions[index]}" if index < len(captions) else label
        if phase.startswith(f"{Phase.TANGENT.value}-") and index == len(captions):
            text = "gradient from the forward sweeps"  # the file after the last sweep
        image = _img(f"{request.url}/{request.key}/{path.name}", f"{request.alt}, {text}",
                     {}, "adviz-svg")
        items.append(f'<li class="adviz-frame-item">{image}</li>')
    return (f'<ol class="adviz-embed adviz-embed-frames"{_style(o)}>\n'
            + "\n".join(items) + "\n</ol>\n")


def _captions(trace: Trace, phase: str, options: Mapping[str, Any]) -> list[str]:
    """The caption of every frame file of ``phase`` (the neuron view's own, when drawn)."""
    if options.get("view") == "network":
        from adviz.scene.network import network_figure

        fig = network_figure(trace, granularity=options.get("granularity"))
        return [] if phase == "summary" else [c.title for c in fig.frames(phase)]
    return [s.caption for s in _stages(trace, phase, options.get("seed"))]


def _stages(trace: Trace, phase: str, seed: Any) -> tuple[Any, ...]:
    """The stages of a frame file's phase (none for the summary)."""
    if phase == Phase.TANGENT:
        return adviz.forward_mode(trace, seed).stages
    if phase.startswith(f"{Phase.TANGENT.value}-"):  # phase "tangents": tangent-<input>
        return adviz.forward_mode(trace, phase.partition("-")[2]).stages
    return trace.stages(phase) if phase in PASSES else ()


def render_file(request: Request) -> str:
    """Any registered format: the file written by `adviz.save`, embedded by its media type."""
    from adviz.writers import writers

    o = request.options
    writer = writers()[OUTPUTS[o["output"]].writer]
    path = request.folder / f"{request.key}{writer.suffixes[0]}"
    if not path.exists():
        given = {"phase": o["phase"], "stage": o["stage"], "theme": o["theme"],
                 "rankdir": o["rankdir"], "fps": o.get("fps"), "tween": o.get("tween"),
                 "dpi": o.get("dpi"), "progress": False, "size": o.get("size"),
                 "seed": o.get("seed"), "legend": o.get("legend"), **_lens(o), **_view(o)}
        options = {k: v for k, v in given.items() if v is not None and writer.takes(k)}
        adviz.save(request.trace, path, format=writer.name, **options)
        _publish(path)
    url = f"{request.url}/{path.name}"
    if writer.mime.startswith("image/"):
        return _img(url, request.alt, o, f"adviz-{writer.name}")
    if writer.mime.startswith("video/"):
        return (f'<video class="adviz-picture adviz-{writer.name}" src="{html.escape(url)}" '
                f'controls loop muted playsinline{_style(o)}>'
                f'{html.escape(request.alt)}</video>\n')
    if writer.mime == "text/html":
        return (f'<iframe class="adviz-embed adviz-embed-{writer.name}" src="{html.escape(url)}" '
                f'title="{html.escape(request.alt)}" loading="lazy" style="width:100%;'
                f'height:{DEMO_HEIGHT};border:0"></iframe>\n')
    return (f'<p class="adviz-embed adviz-embed-file"><a class="reference download" '
            f'href="{html.escape(url)}" download>{html.escape(path.name)}</a>: '
            f'{html.escape(writer.description)}</p>\n')


FORMAT_OPTIONS = ("stage", "fps", "tween", "dpi", "size", "legend")
"""Directive options passed on to the format, for the outputs whose format takes them."""

_PAGE_OUTPUTS: dict[str, tuple[str, tuple[str, ...], str, Callable[[Request], str], str]] = {
    "player": ("html", PLAYER_PHASES, "both", render_player,
               "the interactive player, inline in the page"),
    "frames": ("svg", PLAYER_PHASES, "both", render_frames,
               "every stage as an SVG image, with its caption"),
}
"""Outputs of the page itself: name to (format, phases, default phase, render, description)."""

_RENDERERS: dict[str, Callable[[Request], str]] = {
    "demo": render_demo,
    "gif": render_gif,
    "svg": render_svg,
}
"""Formats embedded by a renderer of their own; every other format uses `render_file`."""


def _output_kinds() -> dict[str, OutputKind]:
    from adviz.writers import writers

    kinds = {name: OutputKind(name, phases, default, render, description, writer,
                              frozenset({"size", "legend"}) if name == "frames"
                              else frozenset())
             for name, (writer, phases, default, render, description) in _PAGE_OUTPUTS.items()}
    for writer in writers().values():
        if not writer.trace or writer.name in kinds:
            continue
        option = writer.option("phase")
        phases = writer.phases or (Phase.BOTH.value,)
        default = str(option.default) if option is not None else phases[0]
        takes = frozenset(n for n in FORMAT_OPTIONS if writer.takes(n))
        kinds[writer.name] = OutputKind(writer.name, phases, default,
                                        _RENDERERS.get(writer.name, render_file),
                                        writer.description, writer.name, takes)
    return kinds


class _Outputs(Mapping[str, OutputKind]):
    """The output kinds by ``:output:`` name, read from the format registry when used."""

    def __getitem__(self, name: str) -> OutputKind:
        return _output_kinds()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_output_kinds())

    def __len__(self) -> int:
        return len(_output_kinds())

    def __repr__(self) -> str:
        return f"OUTPUTS({', '.join(self)})"


OUTPUTS: Mapping[str, OutputKind] = _Outputs()
"""The directive's output kinds, by ``:output:`` name: ``player``, ``frames`` and every
registered format that writes a trace."""


class adviz_diagram(nodes.General, nodes.Element):
    """A diagram to render: expression, point and resolved options (all picklable)."""


def _choice(values: tuple[str, ...]) -> Callable[[str], str]:
    """A directive option that takes one of ``values``, exactly as written (``TB``)."""

    def convert(argument: str) -> str:
        value = (argument or "").strip()
        if value not in values:
            raise ValueError(f"{value!r} unknown; choose from {', '.join(values)}")
        return value

    return convert


def _output_choice(argument: str) -> str:
    return _choice(tuple(OUTPUTS))(argument)


def _output_node(argument: str) -> str | int:
    """``:output-node:``: an output's id (``y2``) or number (``2``); see
    `adviz.writers.options.OUTPUT`."""
    value = (argument or "").strip()
    if not value:
        raise ValueError("give an output's name (y2) or number (2)")
    return int(value) if value.isdigit() else value


def _int(argument: str) -> int:
    try:
        return int(argument)
    except (TypeError, ValueError):
        raise ValueError(f"{argument!r} is not an integer") from None


class AdvizDirective(SphinxDirective):
    """``.. adviz:: EXPRESSION``: trace an expression (or, with ``:function:``, a Python
    function) and embed its diagram."""

    has_content = False
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "at": directives.unchanged,
        "function": directives.unchanged_required,
        "output": _output_choice,
        "phase": _choice(PHASES),
        "seed": directives.unchanged,
        "focus": directives.unchanged_required,
        "zoom": directives.unchanged_required,
        "stage": _int,
        "order": _choice(ORDERS),
        "theme": _choice(THEMES),
        "rankdir": _choice(RANKDIRS),
        "size": directives.unchanged_required,
        "legend": _choice(("on", "off")),
        "fps": directives.positive_int,
        "tween": directives.nonnegative_int,
        "dpi": directives.positive_int,
        "width": directives.length_or_percentage_or_unitless,
        "alt": directives.unchanged,
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "output-node": _output_node,
        "view": _choice(("graph", "network")),
        "granularity": _choice(("neuron", "layer")),
    }

    def _warn(self, message: str) -> list[nodes.Node]:
        logger.warning("adviz directive: %s", message, location=self.get_location(),
                       type="adviz", subtype="directive")
        return []

    def _function(self) -> str:
        """The ``:function:`` option with a file's path made absolute (from the page's
        folder) and noted as a dependency of the page; ``""`` when not given.

        Raises
        ------
        InputError
            Both an expression and ``:function:``, or neither.
        """
        spec = " ".join(str(self.options.get("function", "")).split())
        if spec and self.arguments:
            raise InputError("give an expression or :function:, not both")
        if not spec and not self.arguments:
            raise InputError("give an expression (x1 * x2) or :function: "
                             "package.module:function")
        path, sep, name = spec.rpartition(":")
        if sep and path.endswith(".py"):
            _, absolute = self.env.relfn2path(path)
            self.env.note_dependency(absolute)
            spec = f"{absolute}:{name}"
        return spec

    def run(self) -> list[nodes.Node]:
        from adviz.writers import writers

        try:
            function = self._function()
        except InputError as err:
            return self._warn(str(err))
        expression = "" if function else " ".join(self.arguments[0].split())
        shown = expression or str(self.options["function"]).strip()
        config = self.config
        kind = self.options.get("output", config.adviz_default_output)
        if kind not in OUTPUTS:
            return self._warn(f"unknown output {kind!r} (adviz_default_output); "
                              f"use one of {', '.join(OUTPUTS)}")
        output = OUTPUTS[kind]
        refused = [name for name in FORMAT_OPTIONS
                   if name in self.options and name not in output.takes]
        if refused:
            takes = ", ".join(f":{n}:" for n in FORMAT_OPTIONS if n in output.takes)
            verb = "does" if len(refused) == 1 else "do"
            return self._warn(f"{', '.join(f':{n}:' for n in refused)} {verb} not apply to "
                              f":output: {kind} (it takes: {takes or 'none of these'})")
        phase = self.options.get("phase", output.default_phase)
        if phase not in output.phases:
            return self._warn(f":phase: {phase} does not go with :output: {kind}; "
                              f"use one of {', '.join(output.phases)}")
        theme = self.options.get("theme", config.adviz_default_theme)
        if theme not in THEMES:
            return self._warn(f"unknown theme {theme!r} (adviz_default_theme); "
                              f"use one of {', '.join(THEMES)}")
        try:
            _check_limits(self.options)
            if "size" in self.options:
                from adviz.scene.sizes import page_pixels

                page_pixels(self.options["size"])
            point = parse_at(self.options.get("at", ""))
            network = _MLP.fullmatch(expression) is not None if expression else False
            missing = [] if network or not expression else [
                n for n in parse(expression).names if n not in point]
            if missing:
                given = ", ".join(f"{k}={_number(v)}" for k, v in point.items())
                wanted = ", ".join(f"{n}=..." for n in missing)
                raise InputError(f"no value for {', '.join(missing)}: write "
                                 f":at: {', '.join(p for p in (given, wanted) if p)}")
            source = ""
            if function:
                trace, source = _function_trace(function, point,
                                                self.options.get("order", "seed"))
            else:
                trace = trace_of(expression, point, self.options.get("order", "seed"))
            if "view" in self.options or "granularity" in self.options:
                from adviz.scene.network import check_view

                check_view(self.options.get("view", "graph"), self.options.get("granularity"))
                if self.options.get("view") == "network":
                    _ = trace.network  # a trace that is not a network is reported here
            if "output-node" in self.options:
                from adviz.core.sweep import output_sweep

                trace = output_sweep(trace, self.options["output-node"])
            seed = parse_seed(self.options.get("seed"))
            check_seed(phase, seed, f":output: {kind}")
            if seed is not None:
                adviz.forward_mode(trace, seed)  # an unknown input is reported here
            if "focus" in self.options or "zoom" in self.options:
                from adviz.scene.focus import focus_of, zoom_collapse

                if "focus" in self.options:  # an unknown node is reported here
                    focus_of(trace, self.options["focus"].strip())
                if "zoom" in self.options:
                    zoom_collapse(trace, self.options["zoom"].strip())
            stage = self.options.get("stage", -1)
            writer = writers().get(output.writer)
            if writer is not None and writer.takes("stage") and phase in SWEEPS:
                count = _stage_count(trace, phase, self.options)
                if not -count <= stage < count:
                    raise InputError(f":stage: {stage} does not exist: the {phase} pass has "
                                     f"{count} stages (0 to {count - 1})")
        except AdvizError as err:
            return self._warn(f"{shown!r}: {err}")
        except Exception as err:  # a build never aborts on one diagram
            return self._warn(f"{shown!r}: {type(err).__name__}: {err}")
        options = {
            "output": kind, "phase": phase, "stage": stage, "theme": theme,
            "order": self.options.get("order", "seed"),
            "rankdir": self.options.get("rankdir", None if "size" in self.options else "LR"),
            "size": self.options.get("size"),
            "fps": self.options.get("fps"), "tween": self.options.get("tween", 4),
            "dpi": self.options.get("dpi", 72), "width": self.options.get("width"),
        }
        if "output-node" in self.options:  # only when given: other diagrams keep their keys
            options["output_node"] = self.options["output-node"]
        if seed is not None:  # kept out of the options otherwise: unchanged keys of old pages
            options["seed"] = seed
        for name in ("view", "granularity"):  # likewise
            if name in self.options:
                options[name] = self.options[name]
        if function:  # the function, and its source (an edited function is drawn again)
            options["function"] = function
            options["source"] = source
        for name in ("focus", "zoom"):  # likewise
            if name in self.options:
                options[name] = self.options[name].strip()
        if "legend" in self.options:  # likewise
            options["legend"] = self.options["legend"] == "on"
        where = ", ".join(f"{k} = {_number(v)}" for k, v in trace.inputs.items())
        what = {"summary": "summary", "tangent": "forward mode",
                "modes": "forward and reverse mode",
                "tangents": "one forward-mode sweep per input"}.get(phase, f"{phase} pass")
        node = adviz_diagram()
        node["expression"] = expression
        node["point"] = dict(trace.inputs)
        node["options"] = options
        head = f"y = {expression}" if expression else shown
        node["alt"] = self.options.get("alt", f"{head} at {where}: {what}")
        self.set_source_info(node)
        if "caption" not in self.options:
            self.add_name(node)
            return [node]
        figure = nodes.figure("", node, classes=["adviz-figure-wrap"])
        self.set_source_info(figure)
        text_nodes, messages = self.state.inline_text(self.options["caption"], self.lineno)
        caption = nodes.caption(self.options["caption"], "", *text_nodes)
        self.set_source_info(caption)
        figure += caption
        self.add_name(figure)
        return [figure, *messages]


def _stage_count(trace: Trace, phase: str, options: Mapping[str, Any]) -> int:
    """Stages of ``phase`` in the directive's view (the neuron view has its own)."""
    if options.get("view") == "network":
        from adviz.scene.network import network_figure

        return network_figure(trace, granularity=options.get("granularity")).stage_count(phase)
    return frame_count(trace, phase)


def _view(options: Mapping[str, Any]) -> dict[str, Any]:
    """The ``view`` and ``granularity`` options of a diagram (none when not given)."""
    return {k: options[k] for k in ("view", "granularity") if options.get(k) is not None}


def _check_limits(options: Mapping[str, Any]) -> None:
    """``:tween:``, ``:dpi:`` and ``:fps:`` within the animation writers' limits."""
    from adviz.writers.animation import MAX_DPI, MAX_FPS, MAX_TWEEN, MIN_DPI

    if options.get("tween", 0) > MAX_TWEEN:
        raise InputError(f":tween: {options['tween']} is over the limit of {MAX_TWEEN}")
    if "dpi" in options and not MIN_DPI <= options["dpi"] <= MAX_DPI:
        raise InputError(f":dpi: {options['dpi']} is outside {MIN_DPI:g} to {MAX_DPI:g}")
    if options.get("fps", 1) > MAX_FPS:
        raise InputError(f":fps: {options['fps']} is over the limit of {MAX_FPS:g}")


def parse_seed(text: str | None) -> str | dict[str, float] | None:
    """The ``:seed:`` option: an input's name, or tangents written as ``:at:`` writes a point.

    Examples
    --------
    >>> parse_seed("x2"), parse_seed("x1=1, x2=0.5"), parse_seed(None)
    ('x2', {'x1': 1.0, 'x2': 0.5}, None)
    """
    if text is None or not text.strip():
        return None
    return parse_at(text) if "=" in text else text.strip()


def _number(value: float) -> str:
    """A point coordinate as the player writes it (``1`` for ``1.0``)."""
    from adviz.formatting import format_number

    return format_number(value)


def diagram_key(node: adviz_diagram) -> str:
    """A file name stem derived from the directive's expression, point and options."""
    content = json.dumps([adviz.__version__, node["expression"], node["point"], node["options"]],
                         sort_keys=True)
    return "adviz-" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


_MLP = re.compile(r"mlp\s+(\d+(?:-\d+)+)(?:\s+(tanh|relu|sigmoid))?")
"""The argument naming a network of `adviz.examples.mlp`: ``mlp 2-4-1 [activation]``."""


def trace_of(expression: str, point: Mapping[str, float], order: str = "seed") -> Trace:
    """The trace of a directive's argument: an expression at a point, or ``mlp 2-4-1``.

    Examples
    --------
    >>> trace_of("mlp 2-3-1 relu", {}).network.sizes
    (2, 3, 1)
    """
    found = _MLP.fullmatch(expression.strip())
    if found is None:
        return adviz.trace(expression, dict(point), order=order)
    from adviz import examples

    sizes = tuple(int(n) for n in found.group(1).split("-"))
    return examples.mlp(sizes, found.group(2) or "tanh")


def _function_trace(spec: str, point: dict[str, float], order: str) -> tuple[Trace, str]:
    """Trace the function ``spec`` names as the command line does
    (`adviz.faces.cli.load_function`, `adviz.faces.cli.function_trace`); with a digest of
    its source, part of the diagram's file names."""
    import inspect

    from adviz.faces.cli import function_trace, load_function

    function = load_function(spec)
    if function is None:
        raise InputError(f":function: {spec!r} is not package.module:function or "
                         f"path/to/file.py:function")
    try:
        text = inspect.getsource(function)
    except (OSError, TypeError):
        text = spec
    return (function_trace(function, point, order),
            hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])


def _retrace(node: adviz_diagram) -> Trace:
    from adviz.core.sweep import output_sweep

    options = node["options"]
    if options.get("function"):
        trace, _ = _function_trace(options["function"], dict(node["point"]), options["order"])
    else:
        trace = trace_of(node["expression"], dict(node["point"]), options["order"])
    return output_sweep(trace, options.get("output_node"))


def visit_adviz_html(self: HTML5Translator, node: adviz_diagram) -> None:
    """Render the diagram's files into ``_images/adviz`` and embed them."""
    builder = self.builder
    options = node["options"]
    folder = Path(builder.outdir) / builder.imagedir / FOLDER
    try:
        request = Request(
            trace=_retrace(node),
            options=options,
            folder=folder,
            url=f"{builder.imgpath}/{FOLDER}",
            key=diagram_key(node),
            alt=node["alt"],
        )
        folder.mkdir(parents=True, exist_ok=True)
        body = OUTPUTS[options["output"]].render(request)
    except Exception as err:
        message = " ".join(str(err).split())
        if not isinstance(err, (AdvizError, OSError)):
            message = f"{type(err).__name__}: {message}"
        logger.warning("adviz directive: cannot render %r as %s: %s",
                       node["expression"] or options.get("function"),
                       options["output"], message, location=node, type="adviz",
                       subtype="render")
        raise nodes.SkipNode from None
    ids = " ".join(node["ids"])
    anchor = f'<span id="{html.escape(ids)}"></span>' if ids else ""
    self.body.append(anchor + body)
    raise nodes.SkipNode


class AdvizFallback(SphinxPostTransform):
    """For non-HTML builders: the walkthrough table as a literal block."""

    default_priority = 200

    def is_supported(self) -> bool:
        builder = getattr(self.env, "_builder_cls", None)  # Sphinx >= 8.1
        if builder is None:  # pragma: no cover - older Sphinx
            builder = self.app.builder
        return builder.format != "html"

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(adviz_diagram)):
            try:
                text = adviz.walkthrough(_retrace(node))
            except AdvizError as err:  # pragma: no cover - checked when read
                text = f"{node['expression']}: {err}"
            block = nodes.literal_block(text, text)
            block.source, block.line = node.source, node.line
            node.replace_self(block)


CSS = """\
.adviz-picture { max-width: 100%; height: auto; }
.adviz-embed-frames { list-style: none; margin: 1em 0; padding: 0; }
.adviz-embed-frames .adviz-frame-item { margin: 0 0 0.75em 0; padding: 0; }
.adviz-embed-frames .adviz-picture { display: block; }
.adviz-embed-player { max-width: 100%; margin: 1em 0; }
figure.adviz-figure-wrap { margin-left: 0; margin-right: 0; }
"""
"""Style of the embedded pictures, written to ``_static/adviz-sphinx.css``."""

CSS_FILE = "adviz-sphinx.css"


def _write_css(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from adviz.writers.files import atomic_write_text

    path = Path(app.outdir) / "_static" / CSS_FILE
    if not path.is_file() or path.read_text(encoding="utf-8") != CSS:
        atomic_write_text(path, CSS)
        _publish(path)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``adviz`` directive, its node, its style and configuration values."""
    app.add_config_value("adviz_default_output", "player", "env", types=[str])
    app.add_config_value("adviz_default_theme", "light", "env", types=[str])
    app.add_node(adviz_diagram, html=(visit_adviz_html, None))
    app.add_directive("adviz", AdvizDirective)
    app.add_post_transform(AdvizFallback)
    app.add_css_file(CSS_FILE)
    app.connect("build-finished", _write_css)
    return {"version": adviz.__version__, "parallel_read_safe": True,
            "parallel_write_safe": True, "env_version": 1}


__all__ = ["OUTPUTS", "AdvizDirective", "OutputKind", "Request", "adviz_diagram", "parse_at",
           "setup"]
