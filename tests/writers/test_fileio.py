"""Atomic writes and whole-sequence replacement."""

from __future__ import annotations

from pathlib import Path

import pytest

from adviz.errors import RenderError
from adviz.writers.files import atomic_write_text, replace_sequence


def test_atomic_write_replaces_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "a" / "out.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_sequence_replaces_stale_frames_but_keeps_other_files(tmp_path: Path) -> None:
    replace_sequence(tmp_path, "reverse", ".svg", [b"a"] * 5)
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "forward-000.svg").write_text("other sequence")
    paths = replace_sequence(tmp_path, "reverse", ".svg", [b"b"] * 3)
    assert [p.name for p in paths] == ["reverse-000.svg", "reverse-001.svg", "reverse-002.svg"]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["forward-000.svg", "notes.txt", *[p.name for p in paths]]
    assert all(p.read_bytes() == b"b" for p in paths)


def test_failure_midway_leaves_previous_frames_intact(tmp_path: Path) -> None:
    replace_sequence(tmp_path, "reverse", ".svg", [b"old"] * 4)

    def frames():
        yield b"new"
        yield b"new"
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_sequence(tmp_path, "reverse", ".svg", frames())
    files = sorted(tmp_path.iterdir())
    assert [p.name for p in files] == [f"reverse-00{i}.svg" for i in range(4)]
    assert all(p.read_bytes() == b"old" for p in files)


def test_unwritable_folder_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RenderError, match="cannot create the folder"):
        atomic_write_text(blocker / "sub" / "out.txt", "y")


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    import os
    import stat

    mask = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "page.html", "x")
        frames = replace_sequence(tmp_path, "reverse", ".svg", [b"a"])
    finally:
        os.umask(mask)
    for written in (path, frames[0]):
        assert stat.S_IMODE(written.stat().st_mode) == 0o644
