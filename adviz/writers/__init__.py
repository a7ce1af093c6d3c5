"""The registry of output formats, and `save`, which picks one by file suffix.

A `Writer` declares a format: its name, the suffixes it handles, its default
file name, its typed options (`adviz.writers.options.Option`), what it
accepts (a `Trace`, a gradient-descent run `adviz.Descent`, which phases),
whether it can run here (its optional dependencies are installed) and which
extra installs them. `adviz.save`, the command line's ``--format`` and the
Sphinx directive's ``:output:`` all read this registry: adding a format
means registering one writer, here or from another package through the
entry-point group ``adviz.writers`` (see `ENTRY_POINT_GROUP`).

`save` checks the format, the options and availability before anything is
rendered, and every file is written atomically.

Examples
--------
>>> import adviz
>>> from adviz.writers import writer_for, writers
>>> writer_for("walkthrough.md").name
'markdown'
>>> writers()["gif"].phases
('forward', 'reverse', 'tangent', 'both', 'modes')
>>> t = adviz.trace("x * x", x=3)
>>> adviz.save(t, "x.html", fps=12)
Traceback (most recent call last):
...
adviz.errors.InputError: 'fps' does not apply to html (it takes: theme, rankdir, phase, title, ...)
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adviz.errors import AdvizError, InputError, MissingDependencyError
from adviz.writers.options import Option, check_options

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from adviz.core.gradient_descent import Descent
    from adviz.core.tracing import Trace

ENTRY_POINT_GROUP = "adviz.writers"
"""Entry-point group of third-party writers: each entry point names a `Writer`
(or a function without arguments that returns one)."""


def _always() -> bool:
    return True


@dataclass(frozen=True)
class Writer:
    """One output format.

    Parameters
    ----------
    name
        Format name (``"gif"``, ``"html"``, ...): lower case letters, digits,
        ``-`` or ``_``; the command line's ``--format`` and the Sphinx
        directive's ``:output:`` take it.
    suffixes
        File suffixes it handles, lower case with the dot (``(".gif",)``).
    write
        ``write(obj, path, **options)``: renders ``obj`` (a `Trace`, or a
        `adviz.Descent` when ``descent`` is true) and writes ``path``
        atomically (through `adviz.writers.files`). The options it gets have
        been checked against ``options`` (or ``descent_options``); options
        not given are left out, so ``write`` applies the declared defaults.
    available
        Returns ``True`` when the writer's dependencies are importable.
    extra
        The pip extra that provides the dependencies (``"video"`` for
        ``pip install 'adviz[video]'``), or ``None``.
    description
        One line for help texts.
    descent
        Whether it also writes a gradient-descent run (`adviz.descent`).
    options
        The keyword options it takes for a trace.
    descent_options
        The keyword options it takes for a gradient-descent run.
    filename
        Default file name (the command line writes it into its output
        folder); ``{phase}`` is replaced by the phase shown.
    mime
        Media type of the file (how a page embeds it: ``image/...`` as a
        picture, ``video/...`` as a video, ``text/html`` in a frame, anything
        else as a link).
    trace
        Whether it writes a `Trace` (``False`` for a writer of descent runs
        only).
    interactive
        Picked for its suffixes only by ``save(..., interactive=True)``.
    frame
        ``frame(svg, scale) -> bytes``: one frame (SVG text) as this format's
        file content; when set, `adviz.save_frames` writes the format one
        file per stage (``fmt=name``) and so does the command line.
    default
        Written by ``adviz render`` when ``--format`` is not given.
    """

    name: str
    suffixes: tuple[str, ...]
    write: Callable[..., Any]
    available: Callable[[], bool] = _always
    extra: str | None = None
    description: str = ""
    descent: bool = False
    options: tuple[Option, ...] = ()
    descent_options: tuple[Option, ...] = ()
    filename: str = ""
    mime: str = "application/octet-stream"
    trace: bool = True
    interactive: bool = False
    frame: Callable[[str, float], bytes] | None = None
    default: bool = False

    @property
    def phases(self) -> tuple[str, ...]:
        """The values of its ``phase`` option for a trace (empty: it takes no phase)."""
        for option in self.options:
            if option.name == "phase":
                return tuple(str(p) for p in option.allowed())
        return ()

    def option(self, name: str, descent: bool = False) -> Option | None:
        """Its option called ``name`` (for a descent run with ``descent=True``), or ``None``."""
        for option in self.descent_options if descent else self.options:
            if option.name == name:
                return option
        return None

    def takes(self, name: str, descent: bool = False) -> bool:
        """Whether it takes the option ``name`` (for a trace, or a descent run)."""
        return self.option(name, descent) is not None

    def file_name(self, phase: str | None = None) -> str:
        """Its default file name, ``{phase}`` replaced (by the default phase if not given)."""
        option = self.option("phase")
        chosen = phase or (option.default if option is not None else "reverse")
        stem = self.filename or f"{self.name}{self.suffixes[0] if self.suffixes else ''}"
        return stem.replace("{phase}", str(chosen))

    def check(self, obj: object, options: dict[str, Any]) -> dict[str, Any]:
        """Check that it writes ``obj`` with these options; return them.

        Raises
        ------
        InputError
            ``obj`` is neither kind of object it writes, or an option does
            not apply to it or has a wrong value.
        """
        from adviz.core.gradient_descent import Descent
        from adviz.core.tracing import Trace

        if isinstance(obj, Descent):
            if not self.descent:
                known = sorted({s for w in writers().values() if w.descent for s in w.suffixes})
                raise InputError(f"a gradient-descent run cannot be saved as {self.name}; "
                                 f"use one of {', '.join(known)}")
            return check_options(f"{self.name} of a gradient-descent run",
                                 self.descent_options, options)
        if not isinstance(obj, Trace):
            raise InputError(f"save takes a Trace (adviz.trace) or a Descent (adviz.descent), "
                             f"not {type(obj).__name__}")
        if not self.trace:
            raise InputError(f"the {self.name} format writes gradient-descent runs only "
                             f"(adviz.descent), not a Trace")
        return check_options(self.name, self.options, options)


_REGISTRY: dict[str, Writer] = {}
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_SUFFIX = re.compile(r"^\.[a-z0-9][a-z0-9._-]*$")


def register_writer(writer: Writer, *, replace: bool = False) -> Writer:
    """Add a writer to the registry (by name); its suffixes then work in `save`.

    Raises
    ------
    AdvizError
        The name is taken (and ``replace`` is false), or the name or a
        suffix is malformed.
    """
    if not isinstance(writer, Writer):
        raise AdvizError(f"register_writer takes an adviz.writers.Writer, "
                         f"not {type(writer).__name__}")
    if not _NAME.match(writer.name):
        raise AdvizError(f"writer name {writer.name!r} must be lower case letters, digits, "
                         f"'-' or '_'")
    bad = [s for s in writer.suffixes if not _SUFFIX.match(s)]
    if bad or not writer.suffixes:
        raise AdvizError(f"writer {writer.name!r}: suffixes must be lower case and start "
                         f"with a dot (got {', '.join(map(repr, writer.suffixes)) or 'none'})")
    if writer.name in _REGISTRY and not replace:
        raise AdvizError(f"a writer named {writer.name!r} is already registered")
    _REGISTRY[writer.name] = writer
    return writer


def writers() -> dict[str, Writer]:
    """All registered writers, by name: the built-in ones (A to Z), then the others."""
    _ensure_loaded()
    return _ordered()


def _ordered() -> dict[str, Writer]:
    names = sorted(n for n in _REGISTRY if n in _BUILTIN)
    names += [n for n in _REGISTRY if n not in _BUILTIN]
    return {n: _REGISTRY[n] for n in names}


def writer_for(path: str | os.PathLike[str], *, interactive: bool = False) -> Writer:
    """The writer for a file name's suffix; a clear error for an unknown one."""
    _ensure_loaded()
    suffix = Path(path).suffix.lower()
    matching = [w for w in _ordered().values() if suffix in w.suffixes]
    if interactive:
        chosen = [w for w in matching if w.interactive]
        if matching and not chosen:
            raise InputError(f"interactive=True does not apply to {matching[0].name} "
                             f"({str(path)!r}); interactive pages are written as "
                             + ", ".join(s for w in _REGISTRY.values() if w.interactive
                                         for s in w.suffixes))
    else:
        chosen = [w for w in matching if not w.interactive]
    if chosen:
        return chosen[0]
    known = sorted({s for w in _REGISTRY.values() for s in w.suffixes})
    raise AdvizError(
        f"cannot tell the format of {str(path)!r} from its suffix {suffix or '(none)'!r}; "
        f"known suffixes: {', '.join(known)}"
    )


def format_named(name: str) -> Writer:
    """The writer called ``name``, or the one for the suffix ``.name`` (``"md"``).

    Raises
    ------
    InputError
        No such format; the message lists the known ones.

    Examples
    --------
    >>> format_named("md").name
    'markdown'
    """
    _ensure_loaded()
    key = name.strip().lower()
    if key in _REGISTRY:
        return _REGISTRY[key]
    for writer in _ordered().values():
        if f".{key}" in writer.suffixes and not writer.interactive:
            return writer
    raise InputError(f"unknown format {name!r}; use one of {', '.join(format_names())}")


def format_names() -> tuple[str, ...]:
    """Every format name the registry knows, in registration order."""
    return tuple(writers())


def require(writer: Writer) -> None:
    """Raise `MissingDependencyError` naming the extra when a writer cannot run."""
    if not writer.available():
        extra = f"pip install 'adviz[{writer.extra}]'" if writer.extra else "its dependencies"
        raise MissingDependencyError(
            f"the {writer.name} format needs optional dependencies that are not installed: "
            f"run {extra}"
        )


def save(trace: Trace | Descent, path: str | os.PathLike[str], *, interactive: bool = False,
         format: str | None = None, **options: Any) -> Path:
    """Write a trace (or a gradient-descent run) to ``path`` in the format its suffix names.

    Parameters
    ----------
    trace
        A `Trace`, or a `adviz.core.gradient_descent.Descent` (the result of
        `adviz.descent`): animations (``.gif``, ``.webp``, ``.apng``,
        ``.mp4``) with one frame per step, ``.pdf`` with one page per step,
        ``.png`` of the last step (see `adviz.writers.animation`).
    path
        Target file; the suffix picks the writer (see `writers`).
    interactive
        For ``.html``: the interactive demonstration page instead of the
        player.
    format
        The format's name (`format_named`), when not the one the suffix
        names (``format="demo"`` is ``interactive=True``).
    **options
        The writer's options (``phase``, ``theme``, ``fps``, ...: see
        `adviz.writers.writers` and each writer's ``options``).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    AdvizError
        Unknown suffix; `MissingDependencyError` when the format's extra is
        not installed; `InputError` for an option the format does not take
        (``'fps' does not apply to html (it takes: ...)``), a wrong option
        value, or a descent run and a format that does not show one.
        Nothing is written in any of these cases.
    """
    writer = format_named(format) if format else writer_for(path, interactive=interactive)
    if format and interactive and not writer.interactive:
        raise InputError(f"interactive=True does not apply to {writer.name}")
    writer.check(trace, options)
    require(writer)
    if options.get("output") is not None:  # one output's reverse sweep (adviz.core.sweep)
        from adviz.core.sweep import output_sweep

        trace = output_sweep(trace, options.pop("output"))  # type: ignore[arg-type]
    options.pop("output", None)
    writer.write(trace, Path(path), **options)
    return Path(path)


def text_writer(
    label: str, options: Iterable[Option], render: Callable[..., str]
) -> Callable[..., None]:
    """A writer function: check the options, render text, write it atomically.

    Parameters
    ----------
    label
        How error messages name the format (``"html"``).
    options
        The options ``render`` accepts.
    render
        ``render(trace, **options) -> str``.
    """
    declared = tuple(options)

    def write(trace: Trace, path: Path, **given: Any) -> None:
        check_options(label, declared, given)
        from adviz.writers.files import atomic_write_text

        atomic_write_text(path, render(trace, **given))

    return write


class PluginWarning(UserWarning):
    """A third-party writer (entry point ``adviz.writers``) could not be loaded."""


BUILTIN_MODULES = ("animation", "demo", "html", "slides", "svg", "tex", "text")
"""The modules of `adviz.writers` that register the built-in writers."""

_builtin_loaded = False
_BUILTIN: set[str] = set()
_plugins_loaded = False


def _entry_points() -> Iterable[EntryPoint]:
    from importlib.metadata import entry_points

    return entry_points(group=ENTRY_POINT_GROUP)


def _ensure_loaded() -> None:
    """Register the built-in writers, then the third-party ones (once each)."""
    global _builtin_loaded, _plugins_loaded
    if not _builtin_loaded:
        _builtin_loaded = True
        for module in BUILTIN_MODULES:
            import_module(f"adviz.writers.{module}")
        _BUILTIN.update(_REGISTRY)
    if not _plugins_loaded:
        _plugins_loaded = True
        load_plugins()


def load_plugins() -> list[Writer]:
    """Register the writers of the entry-point group ``adviz.writers``; return them.

    Called on the registry's first use. A plugin that fails to import, does
    not give a `Writer`, or clashes with a registered name is skipped with a
    `PluginWarning` naming it; adviz itself keeps working.
    """
    loaded: list[Writer] = []
    try:
        points = list(_entry_points())
    except Exception as err:  # a broken installation's metadata
        warnings.warn(f"adviz: cannot list the {ENTRY_POINT_GROUP!r} plugins: {err}",
                      PluginWarning, stacklevel=2)
        return loaded
    for point in points:
        try:
            obj = point.load()
            if callable(obj) and not isinstance(obj, Writer):
                obj = obj()
            if not isinstance(obj, Writer):
                raise AdvizError(f"it gives a {type(obj).__name__}, not an adviz.writers.Writer")
            register_writer(obj)
        except Exception as err:
            warnings.warn(f"adviz: the writer plugin {point.name!r} ({point.value}) was not "
                          f"loaded: {type(err).__name__}: {err}", PluginWarning, stacklevel=2)
            continue
        loaded.append(obj)
    return loaded

