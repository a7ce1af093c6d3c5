"""Every trace the gallery examples build, collected without rendering anything."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

import adviz

GALLERY = Path(__file__).resolve().parent.parent / "gallery"
_OUTPUTS = ("save", "save_frames", "draw", "animate", "to_svg", "path_frames")


class _Skipped(Exception):
    """Raised by adviz's output functions while the gallery's traces are collected."""


def _skip(*args: object, **kwargs: object) -> None:
    raise _Skipped


@contextmanager
def gallery_traces(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, adviz.Trace]]:
    """Run each gallery script statement by statement, skipping every statement that
    writes or draws (and those that need what such a statement made); yield the traces.

    Custom ops the scripts register stay registered until the context ends.
    """
    before = set(adviz.OPS)
    found: dict[str, adviz.Trace] = {}
    with monkeypatch.context() as patch:
        for name in _OUTPUTS:
            patch.setattr(adviz, name, _skip)
        for script in sorted(GALLERY.glob("plot_*.py")):
            tree = ast.parse(script.read_text(encoding="utf-8"))
            scope: dict[str, object] = {"__name__": "__gallery__", "__file__": str(script)}
            for statement in tree.body:
                code = compile(ast.Module([statement], []), str(script), "exec")
                try:
                    exec(code, scope)
                except Exception:  # an output statement, or one that needs its result
                    continue
            for var, value in scope.items():
                if isinstance(value, adviz.Trace):
                    found[f"{script.stem}:{var}"] = value
            plt.close("all")  # figures the script opened for its own drawing
    try:
        yield found
    finally:
        for name in set(adviz.OPS) - before:
            adviz.unregister_op(name)
