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


ROOT = Path(__file__).resolve().parents[2]


def _ended_pid() -> int:
    """The id of a process that has ended."""
    import subprocess
    import sys

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


def test_the_staging_folder_of_a_killed_sequence_is_removed_by_the_next(tmp_path: Path) -> None:
    """A frame sequence killed midway (SIGKILL: no clean-up runs) leaves the previous frames
    and its hidden staging folder; the next sequence written there removes that folder."""
    import os
    import signal
    import subprocess
    import sys

    replace_sequence(tmp_path, "reverse", ".svg", [b"<svg>old</svg>"])
    script = (
        "import sys, time\n"
        "from adviz.writers.files import replace_sequence\n"
        "def frames():\n"
        "    yield b'<svg>new</svg>'\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(120)\n"
        "    yield b''\n"
        "replace_sequence(sys.argv[1], 'reverse', '.svg', frames())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], env=env,
                               stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline() == b"writing\n"
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 2 and left[0].startswith(f".frames-{process.pid}-")
    assert (tmp_path / "reverse-000.svg").read_bytes() == b"<svg>old</svg>"
    replace_sequence(tmp_path, "reverse", ".svg", [b"<svg>new</svg>"] * 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reverse-000.svg", "reverse-001.svg"]


def test_temporary_files_of_ended_runs_go_and_those_of_running_ones_stay(
        tmp_path: Path) -> None:
    """A single file's temporary (page, animation) left by a run that ended is removed by
    the next write of that file; one of a process still running, another file's, and a
    user's file of a similar name stay."""
    import os

    from adviz.writers.animation import atomic_target

    ended, running = _ended_pid(), os.getppid()
    names = [f".page.html.{ended}-abcd1234.tmp", f".page.html.{running}-abcd1234.tmp",
             f".other.html.{ended}-abcd1234.tmp", ".page.html.notes.tmp",
             f".reverse.{ended}-abcd1234.gif", f".reverse.{running}-abcd1234.gif"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    atomic_write_text(tmp_path / "page.html", "<p>page</p>")
    with atomic_target(tmp_path / "reverse.gif") as part:
        part.write_bytes(b"GIF89a")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["page.html", "reverse.gif", *(n for n in names if str(ended) not in n
                                       or n.startswith(".other"))])
