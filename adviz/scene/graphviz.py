"""Find and run the Graphviz program.

The default is the ``graphviz-pure`` program that the ``graphviz-pure`` wheel
installs (found through the installed distribution's file list, so it works
when the environment's ``bin`` folder is not on ``PATH``). A system Graphviz
``dot`` is chosen with the environment variable ``ADVIZ_GRAPHVIZ=system`` or
``engine="system"``; a path to a program selects that program. DOT source
goes to the program's standard input; its output comes back as bytes.

Examples
--------
>>> out = run_graphviz("digraph { a -> b }", ["-Tplain"])
>>> out.splitlines()[0].startswith(b"graph 1")
True
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from adviz.errors import RenderError

ENV_VAR = "ADVIZ_GRAPHVIZ"
"""Environment variable choosing the engine: ``pure``, ``system`` or a program path."""

_HOW_TO_GET = (
    "install the bundled engine with `pip install graphviz-pure`, or install Graphviz "
    "(https://graphviz.org/download/) and set ADVIZ_GRAPHVIZ=system"
)


def _bundled() -> str | None:
    """Path of the ``graphviz-pure`` program of the installed wheel, if any."""
    try:
        dist = importlib.metadata.distribution("graphviz-pure")
    except importlib.metadata.PackageNotFoundError:
        return shutil.which("graphviz-pure")
    for file in dist.files or ():
        if file.name in ("graphviz-pure", "graphviz-pure.exe"):
            path = Path(str(dist.locate_file(file))).resolve()
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    return shutil.which("graphviz-pure")


def find_engine(engine: str | None = None) -> str:
    """The path of the Graphviz program to run.

    Parameters
    ----------
    engine
        ``"pure"`` (the bundled ``graphviz-pure``), ``"system"`` (``dot`` on
        ``PATH``), a path to a program, or ``None``: the ``ADVIZ_GRAPHVIZ``
        environment variable, else ``"pure"``, falling back to a system
        ``dot`` when the bundled engine is missing.

    Raises
    ------
    RenderError
        No usable program; the message says how to get one.

    Examples
    --------
    >>> Path(find_engine("pure")).name
    'graphviz-pure'
    """
    return _find(engine if engine is not None else os.environ.get(ENV_VAR) or None)


@functools.lru_cache(maxsize=16)
def _find(choice: str | None) -> str:
    if choice is None or choice == "pure":
        path = _bundled()
        if path is None and choice is None:
            path = shutil.which("dot")
        if path is None:
            raise RenderError(f"the bundled Graphviz engine (graphviz-pure) was not found: "
                              f"{_HOW_TO_GET}")
        return path
    if choice == "system":
        path = shutil.which("dot")
        if path is None:
            raise RenderError(f"no system Graphviz `dot` program on PATH: {_HOW_TO_GET}, "
                              f"or use the bundled engine (ADVIZ_GRAPHVIZ=pure)")
        return path
    candidate = Path(choice).expanduser()
    found = str(candidate) if candidate.is_file() else shutil.which(choice)
    if found is None or not os.access(found, os.X_OK):
        raise RenderError(f"the Graphviz program {choice!r} (from engine= or {ENV_VAR}) does "
                          f"not exist or is not executable; use 'pure', 'system' or a path to "
                          f"a Graphviz program: {_HOW_TO_GET}")
    return found


MESSAGE_LINES = 8
"""How many lines of Graphviz's error output a `RenderError` quotes."""

RANK_TROUBLE = "trouble in init_rank"
"""Graphviz's error when its ranking of a graph with clusters fails."""


def run_layout(source: str, *, engine: str | None = None) -> bytes:
    """Graphviz's layout of DOT ``source`` as JSON (``-Tjson0``).

    With scopes (clusters), ``dot``'s classic ranking fails on some graphs
    ("trouble in init_rank", for example a network of 16-neuron layers drawn
    in full); the layout is then made once more with ``newrank=true``, which
    ranks the whole graph at once and does not fail there. Graphs that lay
    out the first time are unchanged.

    Raises
    ------
    RenderError
        As `run_graphviz`.

    Examples
    --------
    >>> b'"bb"' in run_layout("digraph { a -> b }")
    True
    """
    try:
        return run_graphviz(source, ["-Tjson0"], engine=engine)
    except RenderError as err:
        if RANK_TROUBLE not in str(err):
            raise
    return run_graphviz(source, ["-Tjson0", "-Gnewrank=true"], engine=engine)


def run_graphviz(
    source: str, args: Sequence[str], *, engine: str | None = None, timeout: float = 300.0
) -> bytes:
    """Run Graphviz on DOT ``source`` with command-line ``args``; return its output.

    Raises
    ------
    RenderError
        The program is missing, fails or times out (with its error message).
    """
    program = find_engine(engine)
    try:
        done = subprocess.run(
            [program, *args], input=source.encode("utf-8"), capture_output=True,
            timeout=timeout, check=False,
        )
    except OSError as err:
        raise RenderError(f"cannot run Graphviz ({program}): {err.strerror}") from err
    except subprocess.TimeoutExpired as err:
        raise RenderError(f"Graphviz ({program}) took longer than {timeout:g} s") from err
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        message = "\n".join(lines[:MESSAGE_LINES]) or "no message"
        if len(lines) > MESSAGE_LINES:
            message += f"\n(and {len(lines) - MESSAGE_LINES} more lines)"
        raise RenderError(f"Graphviz ({program}) failed with exit code {done.returncode}: "
                          f"{message}")
    return done.stdout
