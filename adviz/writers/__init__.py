"""The registry of output formats, and `save`, which picks one by file suffix.

A `Writer` names a format, the suffixes it handles, whether it can run here
(its optional dependencies are installed) and which extra installs them.
Adding a format means registering one writer; `save` and the command line
pick it up. Writers produce bytes (or a file) for a trace; `save` checks the
format and availability before anything is rendered, and every file is
written atomically.

Examples
--------
>>> import adviz
>>> from adviz.writers import writer_for
>>> writer_for("walkthrough.md").name
'markdown'
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adviz.errors import AdvizError, InputError, MissingDependencyError

if TYPE_CHECKING:
    from adviz.core.gradient_descent import Descent
    from adviz.core.tracing import Trace


@dataclass(frozen=True)
class Writer:
    """One output format.

    Parameters
    ----------
    name
        Format name (``"gif"``, ``"html"``, ...).
    suffixes
        File suffixes it handles, lower case with the dot (``(".gif",)``).
    write
        ``write(trace, path, **options)``: renders and writes ``path``
        atomically (through `adviz.writers.files`).
    available
        Returns ``True`` when the writer's dependencies are importable.
    extra
        The pip extra that provides the dependencies (``"video"`` for
        ``pip install 'adviz[video]'``), or ``None``.
    description
        One line for help texts.
    descent
        Whether it also writes a gradient-descent run (`adviz.descent`).
    """

    name: str
    suffixes: tuple[str, ...]
    write: Callable[..., Any]
    available: Callable[[], bool]
    extra: str | None = None
    description: str = ""
    descent: bool = False


_REGISTRY: dict[str, Writer] = {}


def register_writer(writer: Writer, *, replace: bool = False) -> Writer:
    """Add a writer to the registry (by name); its suffixes then work in `save`."""
    if writer.name in _REGISTRY and not replace:
        raise AdvizError(f"a writer named {writer.name!r} is already registered")
    _REGISTRY[writer.name] = writer
    return writer


def writers() -> dict[str, Writer]:
    """All registered writers, by name (the built-in ones are loaded first)."""
    _load_builtin()
    return dict(_REGISTRY)


def writer_for(path: str | os.PathLike[str], *, interactive: bool = False) -> Writer:
    """The writer for a file name's suffix; a clear error for an unknown one."""
    _load_builtin()
    suffix = Path(path).suffix.lower()
    if interactive and suffix in (".html", ".htm") and "demo" in _REGISTRY:
        return _REGISTRY["demo"]
    for writer in _REGISTRY.values():
        if suffix in writer.suffixes and writer.name != "demo":
            return writer
    known = sorted({s for w in _REGISTRY.values() for s in w.suffixes})
    raise AdvizError(
        f"cannot tell the format of {str(path)!r} from its suffix {suffix or '(none)'!r}; "
        f"known suffixes: {', '.join(known)}"
    )


def require(writer: Writer) -> None:
    """Raise `MissingDependencyError` naming the extra when a writer cannot run."""
    if not writer.available():
        extra = f"pip install 'adviz[{writer.extra}]'" if writer.extra else "its dependencies"
        raise MissingDependencyError(
            f"the {writer.name} format needs optional dependencies that are not installed: "
            f"run {extra}"
        )


def save(trace: Trace | Descent, path: str | os.PathLike[str], **options: Any) -> Path:
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
    **options
        Passed to the writer (``phase``, ``theme``, ``fps``, ...;
        ``interactive=True`` for the interactive ``.html`` page).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    AdvizError
        Unknown suffix; `MissingDependencyError` when the format's extra is
        not installed; `InputError` for a descent run and a format that does
        not show one. Nothing is written in any of these cases.
    """
    from adviz.core.gradient_descent import Descent

    writer = writer_for(path, interactive=bool(options.get("interactive")))
    if isinstance(trace, Descent) and not writer.descent:
        known = sorted({s for w in writers().values() if w.descent for s in w.suffixes})
        raise InputError(f"a gradient-descent run cannot be saved as {writer.name} "
                         f"({str(path)!r}); use one of {', '.join(known)}")
    require(writer)
    options.pop("interactive", None)
    writer.write(trace, Path(path), **options)
    return Path(path)


def _always() -> bool:
    return True


def text_writer(
    label: str, allowed: tuple[str, ...], render: Callable[..., str]
) -> Callable[..., None]:
    """A writer function: check the options, render text, write it atomically.

    Parameters
    ----------
    label
        How error messages name the format (``"the html format"``).
    allowed
        The keyword options ``render`` accepts.
    render
        ``render(trace, **options) -> str``.
    """

    def write(trace: Trace, path: Path, **options: Any) -> None:
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise InputError(f"{label} does not take the option(s) {', '.join(unknown)}; "
                             f"it takes {', '.join(allowed)}")
        from adviz.writers.files import atomic_write_text

        atomic_write_text(path, render(trace, **options))

    return write


_loaded = False


def _load_builtin() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from adviz.writers import (
        animation,  # noqa: F401  (gif, webp, apng, mp4, pdf, png)
        demo,  # noqa: F401  (registers the interactive demonstration page)
        html,  # noqa: F401  (registers the html player)
        svg,  # noqa: F401  (registers the svg frame writer)
        tex,  # noqa: F401  (registers the Beamer slides writer)
        text,  # noqa: F401  (registers the text formats)
    )
