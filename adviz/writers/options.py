"""Typed writer options: what each format takes, checked before anything is rendered.

An `Option` names one keyword of `adviz.save` with its type, its default, a
help line and (for text values) the values it allows. A writer lists its
options; `check_options` refuses an option the writer does not take
(``'fps' does not apply to html (it takes: ...)``) and a value of the wrong
type or outside the allowed values, naming the option and the fix.

The options shared by several formats are defined here once (`THEME`,
`RANKDIR`, `DPI`, ...); `phase_option` makes the ``phase`` option of a format
from the phases it shows (`adviz.core.phases`).

Examples
--------
>>> check_options("gif", (FPS, DPI), {"fps": 12})
{'fps': 12}
>>> check_options("gif", (FPS, DPI), {"colour": "red"})
Traceback (most recent call last):
...
adviz.errors.InputError: 'colour' does not apply to gif (it takes: fps, dpi)
>>> check_options("gif", (FPS, DPI), {"fps": 0})
Traceback (most recent call last):
...
adviz.errors.InputError: fps must be a number from 0.1 to 60, not 0
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from adviz.core.phases import check_phase
from adviz.errors import InputError

Choices = tuple[Any, ...] | Callable[[], Iterable[Any]]


@dataclass(frozen=True)
class Option:
    """One keyword option of a writer.

    Parameters
    ----------
    name
        The keyword (``"fps"``).
    type
        The accepted type or types (``float``, ``(str, Theme)``); ``float``
        also accepts integers, and a ``bool`` is never taken for a number.
    default
        The value used when the option is not given (``None`` is then also
        accepted as "the default").
    help
        One line for help texts.
    choices
        The allowed values of a text value, or a function returning them
        (read when checked: the theme names come from `adviz.THEMES`).
    minimum
        The smallest number allowed (numbers only).
    exclusive
        Whether ``minimum`` itself is refused (``fps > 0``).
    maximum
        The largest number allowed (numbers only): the documented ceiling of a
        long loop or a large picture.
    """

    name: str
    type: type | tuple[type, ...]
    default: Any = None
    help: str = ""
    choices: Choices | None = None
    minimum: float | None = None
    exclusive: bool = False
    maximum: float | None = None

    def allowed(self) -> tuple[Any, ...]:
        """The allowed values (empty when any value of the right type goes)."""
        if self.choices is None:
            return ()
        return tuple(self.choices() if callable(self.choices) else self.choices)

    def type_name(self) -> str:
        """The type as help texts write it (``"float"``, ``"str or Theme"``)."""
        types = self.type if isinstance(self.type, tuple) else (self.type,)
        return " or ".join(t.__name__ for t in types)

    def check(self, value: Any, where: str) -> Any:
        """Return ``value`` when it fits; raise `InputError` naming the option otherwise."""
        if value is None and self.default is None:
            return value
        types = self.type if isinstance(self.type, tuple) else (self.type,)
        numeric = any(t in (int, float) for t in types)
        if float in types and isinstance(value, int) and not isinstance(value, bool):
            pass
        elif not isinstance(value, types) or (numeric and bool not in types
                                              and isinstance(value, bool)):
            raise InputError(f"{self.name} must be {self._kind()}, not {value!r}")
        if self.minimum is not None and numeric and not isinstance(value, bool):
            low = self.minimum
            if value < low or (self.exclusive and value == low):
                raise InputError(f"{self.name} must be {self._kind()}, not {value!r}")
        if self.maximum is not None and numeric and not isinstance(value, bool) \
                and value > self.maximum:
            raise InputError(f"{self.name} must be {self._kind()}, not {value!r}")
        allowed = self.allowed()
        if allowed and isinstance(value, str) and value not in allowed:
            if self.name == "phase":
                check_phase(value, allowed, where)
            names = ", ".join(repr(a) for a in allowed)
            raise InputError(f"unknown {self.name} {value!r} for {where}; use {names}")
        return value

    def _kind(self) -> str:
        types = self.type if isinstance(self.type, tuple) else (self.type,)
        if int in types and float not in types and bool not in types:
            noun = "an integer"
        elif float in types:
            noun = "a number"
        elif bool in types:
            return "True or False"
        else:
            return f"a {self.type_name()}"
        if self.minimum is not None and self.maximum is not None:
            return f"{noun} from {self.minimum:g} to {self.maximum:g}"
        if self.minimum == 0:
            return f"a positive {noun[noun.index(' ') + 1:]}" if self.exclusive else \
                f"{noun} >= 0"
        if self.minimum is not None:
            return f"{noun} {'>' if self.exclusive else '>='} {self.minimum:g}"
        return noun


def check_options(where: str, options: Iterable[Option], given: Mapping[str, Any]
                  ) -> dict[str, Any]:
    """Check keyword options against a writer's declaration; return them unchanged.

    Parameters
    ----------
    where
        The format as messages name it (``"gif"``).
    options
        The options it takes.
    given
        The options passed.

    Raises
    ------
    InputError
        An option it does not take (``'X' does not apply to <where> (it
        takes: ...)``), or a value of the wrong type or outside the allowed
        values.
    """
    declared = {o.name: o for o in options}
    unknown = [name for name in given if name not in declared]
    if unknown:
        takes = ", ".join(declared) or "no options"
        names = ", ".join(repr(n) for n in unknown)
        verb = "does" if len(unknown) == 1 else "do"
        raise InputError(f"{names} {verb} not apply to {where} (it takes: {takes})")
    return {name: declared[name].check(value, where) for name, value in given.items()}


def phase_option(phases: tuple[str, ...], default: str, help: str = "") -> Option:
    """The ``phase`` option of a format that shows ``phases`` (default ``default``)."""
    return Option("phase", str, default, help or f"which phase: {', '.join(phases)}",
                  choices=phases)


def _theme_names() -> tuple[str, ...]:
    from adviz.scene.style import THEMES

    return tuple(THEMES)


def _theme_type() -> tuple[type, ...]:
    from adviz.scene.style import Theme

    return (str, Theme)


THEME = Option("theme", _theme_type(), "light",
               "colours: a name of adviz.THEMES or a Theme", choices=_theme_names)
RANKDIR = Option("rankdir", str, "LR", "graph direction: left to right or top to bottom",
                 choices=("LR", "TB"))
PICTURE_RANKDIR = Option("rankdir", str, None,
                         "graph direction: LR (left to right), TB (top to bottom) or auto (the "
                         "one giving the larger text; the default with a size, else LR)",
                         choices=("LR", "TB", "auto"))
ENGINE = Option("engine", str, None, "Graphviz program that lays the graph out (default dot)")
COLLAPSE = Option("collapse", (list, tuple, set, frozenset), None,
                  "scopes (adviz.scope labels) drawn as one box")
FULL = Option("full", bool, False, "large graphs: every node and label")
COPIES = Option("copies", bool, None,
                "shared leaves drawn once per use, beside each node they feed "
                "(default: when they feed nodes far apart)")
TITLE = Option("title", str, None, "the page title")
SEED = Option("seed", (str, dict), None,
              "forward mode (phase 'tangent' or 'modes'): the seeded input's name or a dict "
              "of input name to tangent (default the first input)")
STAGE = Option("stage", int, -1, "the stage shown (default the last)")
FPS = Option("fps", float, 10, "frames per second", minimum=0.1, maximum=60)
TWEEN = Option("tween", int, 8, "travel frames per stage", minimum=0, maximum=60)
HOLD = Option("hold", float, None,
              "how long each stage is held: seconds (a float; default by the caption's "
              "length, at least 2.5 s, the last stage twice as long) or frames (an int)",
              minimum=0.1, maximum=600)
DPI = Option("dpi", float, 100.0, "dots per inch", minimum=10, maximum=600)
SIZE = Option("size", (str, tuple, list), None,
              "the page filled: '16:9' (1280x720 px), '4:3', 'a4', 'blog' (760 px wide), "
              "'WxH' pixels or (width, height) inches; text stays at least min_text px")
MIN_TEXT = Option("min_text", float, 14.0, "with size: the least text height in pixels",
                  minimum=1, maximum=200)
LEGEND = Option("legend", bool, False,
                "a legend of the colours of the graph (on by default in animations, PNG, PDF "
                "and PPTX; off in SVG frames and Beamer)")
"""The ``legend`` option (`adviz.scene.legend`); writers that show it by default take
``replace(LEGEND, default=True)`` (`LEGEND_ON`)."""
LEGEND_ON = Option("legend", bool, True, LEGEND.help)
"""`LEGEND`, on by default (animations, PDF, PowerPoint)."""
TRANSPARENT = Option("transparent", bool, False, "no background")
PROGRESS = Option("progress", bool, None,
                  "progress bar on standard error (default: when it is a terminal)")
VIEW = Option("view", str, "graph",
              "what is drawn: graph (every scalar node) or network (a scoped network's "
              "neurons as circles in columns, weights as edges)", choices=("graph", "network"))
"""The view of a picture (`adviz.scene.network`)."""
GRANULARITY = Option("granularity", str, None,
                     "view network: reverse stages one per neuron (default) or per layer",
                     choices=("neuron", "layer"))
"""The reverse stages of the network view."""
OUTPUT = Option("output", (str, int), None,
                "a trace with several outputs: the output whose reverse sweep is shown, by id "
                "(y2) or number (1 for the first); default the first (the player: every one)")
"""The output of a vector trace whose reverse sweep a file shows (`adviz.core.sweep`)."""
FOCUS = Option("focus", str, None,
               "a node (id such as w1_22) whose paths to the output stay in full colour, the "
               "rest muted; the caption adds the sum over those paths")
"""The node in focus (`adviz.scene.focus`)."""
ZOOM = Option("zoom", str, None,
              "a scope (such as 'neuron 2' or 'layer 1/neuron 2') drawn open, every other "
              "scope collapsed into a box around it")
"""The scope zoomed into (`adviz.scene.focus.zoom_collapse`)."""
