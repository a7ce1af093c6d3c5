"""Safe output: atomic file writes and whole-sequence replacement.

Every file adviz writes goes through here. A single file is written to a
temporary file in the same folder and renamed over the target, so readers see
the old file or the new one, never half of one. A frame sequence is written
completely into a temporary folder first; only then are the old frames of
that sequence removed and the new ones moved in, so a failure midway leaves
the previous output as it was and no temporary files behind.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_text(folder / "a.txt", "hello")
PosixPath('...a.txt')
>>> paths = replace_sequence(folder, "reverse", ".svg", [b"<svg/>", b"<svg/>"])
>>> [p.name for p in paths]
['reverse-000.svg', 'reverse-001.svg']
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from adviz.errors import RenderError


def _default_file_mode() -> int:
    """Mode of a newly created ordinary file under the current umask (``0o644`` typically)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _default_file_mode()


def _prepare_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RenderError(f"cannot create the folder {str(folder)!r}: {err.strerror}") from err
    if not os.access(folder, os.W_OK):
        raise RenderError(f"the folder {str(folder)!r} is not writable")


def fresh_prefix(folder: Path, prefix: str, suffix: str) -> str:
    """How this run's temporary ``prefix…suffix`` in ``folder`` begins: ``prefix`` and this
    process's id, so that a later run can tell one a killed run left behind. Those that
    killed runs left there under that name are removed first (`remove_left_behind`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fresh_prefix(pathlib.Path(tempfile.mkdtemp()), ".frames-", ".tmp") == (
    ...     f".frames-{os.getpid()}-")
    True
    """
    remove_left_behind(folder, prefix, suffix)
    return f"{prefix}{os.getpid()}-"


def _running(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, run by another user
        return True
    return True


_RANDOM_PART = re.compile(r"(?P<pid>\d+)-[A-Za-z0-9_]{8}")


def remove_left_behind(folder: Path, prefix: str, suffix: str) -> list[Path]:
    """Remove the temporary files and folders in ``folder`` named ``prefix``, a process id,
    ``-``, eight random characters and ``suffix`` (`fresh_prefix`) whose process no
    longer runs: what a killed run left (a run that ends any other way removes its own).
    Returns what was removed.

    Temporaries of a process still running are kept, and so is every other name. (Only
    on POSIX systems, where a process id can be checked without touching the process.)

    Examples
    --------
    >>> import tempfile, pathlib, subprocess, sys
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> ended = subprocess.Popen([sys.executable, "-c", "pass"])  # a run that has ended
    >>> _ = ended.wait()
    >>> (folder / f".frames-{ended.pid}-abcd1234.tmp").mkdir()
    >>> (folder / f".frames-{os.getpid()}-efgh5678.tmp").mkdir()
    >>> [p.name for p in remove_left_behind(folder, ".frames-", ".tmp")] == [
    ...     f".frames-{ended.pid}-abcd1234.tmp"]
    True
    >>> [p.name for p in folder.iterdir()] == [f".frames-{os.getpid()}-efgh5678.tmp"]
    True
    """
    if os.name != "posix":
        return []
    try:
        names = [item.name for item in os.scandir(folder)
                 if item.name.startswith(prefix) and item.name.endswith(suffix)]
    except OSError:
        return []
    removed = []
    for name in names:
        found = _RANDOM_PART.fullmatch(name[len(prefix):len(name) - len(suffix)])
        if found is not None and not _running(int(found["pid"])):
            _remove(folder / name)
            removed.append(folder / name)
    return removed


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, then rename); a temporary
    file a killed run left for the same path is removed first."""
    target = Path(path)
    _prepare_folder(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=fresh_prefix(target.parent, f".{target.name}.", ".tmp"),
                               suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, target)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise RenderError(f"cannot write {str(target)!r}: {err.strerror}") from err
        raise
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def sequence_name(prefix: str, index: int, suffix: str) -> str:
    """File name of frame ``index`` of a sequence: ``reverse-003.svg``.

    Examples
    --------
    >>> sequence_name("forward", 12, ".png")
    'forward-012.png'
    """
    return f"{prefix}-{index:03d}{suffix}"


def replace_sequence(
    folder: str | os.PathLike[str], prefix: str, suffix: str, frames: Iterable[bytes]
) -> list[Path]:
    """Replace the frame sequence ``prefix-NNN<suffix>`` in ``folder`` as a whole.

    ``frames`` may be a generator: each frame is written as it comes (nothing
    holds the whole sequence), and nothing in ``folder`` changes until every
    frame has been produced. Old frames of the same sequence (also from a
    longer earlier run) are removed; other files are left alone.

    Returns
    -------
    list of Path
        The new frame files, in order.
    """
    return replace_sequences(folder, {prefix: (suffix, frames)})[prefix]


def replace_sequences(
    folder: str | os.PathLike[str], sequences: dict[str, tuple[str, Iterable[bytes]]]
) -> dict[str, list[Path]]:
    """Replace several frame sequences at once: ``{prefix: (suffix, frames)}``.

    Every frame of every sequence is streamed into one staging folder first;
    only when all are complete are the old sequences replaced, so a failure in
    the last frame of the last sequence leaves every old sequence as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> done = replace_sequences(folder, {"forward": (".svg", iter([b"<svg/>"])),
    ...                                   "reverse": (".svg", (b"<svg/>" for _ in range(2)))})
    >>> sorted(p.name for p in folder.iterdir())
    ['forward-000.svg', 'reverse-000.svg', 'reverse-001.svg']
    """
    target = Path(folder)
    _prepare_folder(target)
    staging = Path(tempfile.mkdtemp(prefix=fresh_prefix(target, ".frames-", ".tmp"),
                                    suffix=".tmp", dir=target))
    try:
        names: dict[str, list[str]] = {}
        for prefix, (suffix, frames) in sequences.items():
            names[prefix] = []
            for index, data in enumerate(frames):
                name = sequence_name(prefix, index, suffix)
                (staging / name).write_bytes(data)
                os.chmod(staging / name, _FILE_MODE)
                names[prefix].append(name)
        for prefix, (suffix, _) in sequences.items():
            pattern = re.compile(re.escape(prefix) + r"-\d{3,}" + re.escape(suffix) + "$")
            keep = set(names[prefix])
            for old in sorted(target.iterdir()):
                if pattern.match(old.name) and old.name not in keep:
                    old.unlink()
        for prefix in sequences:
            for name in names[prefix]:
                os.replace(staging / name, target / name)
        return {prefix: [target / name for name in names[prefix]] for prefix in sequences}
    except OSError as err:
        raise RenderError(f"cannot write frames into {str(target)!r}: {err.strerror}") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------------------
# A whole output folder, all or nothing

MANIFEST = ".adviz-manifest.json"
"""The file in an output folder listing what adviz wrote there (relative paths)."""

_STAGE = ".adviz-stage-"
_LOCK = ".adviz-lock"
_TEMP_NAME = re.compile(r"^\..+\.(\d+-)?[A-Za-z0-9_]{8}"
                        r"(\.tmp|\.gif|\.webp|\.apng|\.mp4|\.pdf|\.png)$"
                        r"|^\.(forward|reverse|paths|summary|frames)-(\d+-)?[A-Za-z0-9_]{8}\.tmp$")
_SEQUENCE = re.compile(r"^(?P<prefix>.+)-\d{3,}\.[a-z]+$")


class BusyError(RenderError):
    """Another run is writing the same output folder."""


def check_output_folder(out: str | os.PathLike[str]) -> Path:
    """The absolute path of an output folder, checked before anything runs.

    Raises `RenderError` for an empty path, a file system root, the current
    folder or one of its parents (it would be replaced as a whole), an
    existing file, or a symbolic link.

    Examples
    --------
    >>> check_output_folder("")
    Traceback (most recent call last):
    ...
    adviz.errors.RenderError: the output folder is empty: give a folder name, e.g. -o out
    """
    text = os.fspath(out)
    if not str(text).strip():
        raise RenderError("the output folder is empty: give a folder name, e.g. -o out")
    path = Path(os.path.abspath(text))
    if path.parent == path:
        raise RenderError(f"the output folder {str(path)!r} is a file system root; give a "
                          f"subfolder")
    here = Path(os.path.abspath(os.getcwd()))
    if path == here or path in here.parents:
        raise RenderError(f"the output folder {str(text)!r} is the current folder or contains "
                          f"it; give a subfolder (adviz replaces the output folder as a whole)")
    if path.is_symlink():
        raise RenderError(f"the output folder {str(path)!r} is a symbolic link; give the "
                          f"folder it points to")
    if path.exists() and not path.is_dir():
        raise RenderError(f"the output folder {str(path)!r} exists and is not a folder")
    return path


def _lock(out: Path) -> Any:
    import fcntl

    lock_path = out.parent / f".{out.name}{_LOCK}"
    try:
        handle = open(lock_path, "a+b")
    except OSError as err:
        raise RenderError(f"cannot create {str(lock_path)!r}: {err.strerror}") from err
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise BusyError(f"another adviz run is writing {str(out)!r}; wait for it to finish "
                        f"or choose another folder") from None
    return handle


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def remove_debris(out: Path) -> list[Path]:
    """Remove what an interrupted or killed run left next to and inside ``out``.

    Only call while holding the folder's lock. Returns the removed paths.
    """
    removed = []
    prefix = f".{out.name}{_STAGE}"
    if out.parent.is_dir():
        for item in out.parent.iterdir():
            if item.name.startswith(prefix):
                _remove(item)
                removed.append(item)
    if out.is_dir() and not out.is_symlink():
        for root, dirs, files in os.walk(out):
            for name in [*files, *dirs]:
                if _TEMP_NAME.match(name):
                    _remove(Path(root) / name)
                    removed.append(Path(root) / name)
    return removed


def _read_manifest(out: Path) -> set[str]:
    import json

    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
        return {str(p) for p in data.get("files", [])}
    except (OSError, ValueError, AttributeError):
        return set()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); ``False`` where unsupported."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), exchange)
    if result != 0:
        errno = ctypes.get_errno()
        if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not supported here
            return False
        raise OSError(errno, os.strerror(errno))
    return True


def _carry_over(out: Path, stage: Path, written: set[str]) -> None:
    """Link every file of ``out`` that this run does not replace into ``stage``.

    Files adviz wrote last time (the manifest) that belong to a frame sequence
    written again are dropped; everything else (the user's files too) is kept.
    Symbolic links are copied as links, never followed.
    """
    old = _read_manifest(out)
    rewritten = {(str(Path(p).parent), m.group("prefix")) for p in written
                 if (m := _SEQUENCE.match(Path(p).name))}
    for root, dirs, files in os.walk(out):
        rel_root = Path(root).relative_to(out)
        for name in list(dirs):
            if (Path(root) / name).is_symlink():
                dirs.remove(name)
                files.append(name)
        for name in files:
            source = Path(root) / name
            rel_path = (rel_root / name).as_posix()
            rel = rel_path
            if rel == MANIFEST or rel in written or _TEMP_NAME.match(name):
                continue
            if any(rel == w or w.startswith(rel + "/") or rel.startswith(w + "/")
                   for w in written):
                continue  # a written file replaces a link or file of the same path
            m = _SEQUENCE.match(name)
            if rel in old and m and (str(rel_root) if str(rel_root) != "." else ".",
                                     m.group("prefix")) in rewritten:
                continue
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
                continue
            try:
                os.link(source, target, follow_symlinks=False)
            except OSError:
                shutil.copy2(source, target, follow_symlinks=False)


@contextlib.contextmanager
def output_folder(out: str | os.PathLike[str]) -> Iterator[Staging]:
    """Write a whole output folder all or nothing.

    Yields a `Staging` whose ``path`` is an empty folder next to ``out``;
    everything is written there. On success, the files of ``out`` that this
    run does not replace are linked in, a manifest of the written files is
    added (`MANIFEST`), and the staging folder takes the place of ``out`` in
    one atomic exchange. On any exception (Ctrl-C too) ``out`` is left exactly
    as it was and the staging folder is removed; a killed run's leftovers are
    removed by the next run. A second run into the same folder at the same
    time fails at once with `BusyError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with output_folder(out) as staging:
    ...     _ = atomic_write_text(staging.path / "a.txt", "hello")
    >>> sorted(p.name for p in out.iterdir())
    ['.adviz-manifest.json', 'a.txt']
    """
    import json

    target = check_output_folder(out)
    _prepare_folder(target.parent)
    handle = _lock(target)
    stage = None
    try:
        remove_debris(target)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}{_STAGE}", dir=target.parent))
        staging = Staging(target, stage)
        yield staging
        written = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*")
                         if p.is_file() or p.is_symlink())
        if target.is_dir():
            _carry_over(target, stage, set(written))
        data = json.dumps({"files": written}, indent=1, ensure_ascii=False) + "\n"
        atomic_write_text(stage / MANIFEST, data)
        os.chmod(stage, 0o777 & ~_umask())
        if target.exists():
            if not _exchange(stage, target):
                old = stage.with_name(stage.name + "-old")
                os.replace(target, old)
                os.replace(stage, target)
                stage = old
        else:
            os.replace(stage, target)
            stage = None
        staging.done = True
    except OSError as err:
        raise RenderError(f"cannot write the output folder {str(target)!r}: "
                          f"{err.strerror}") from err
    finally:
        if stage is not None:
            _remove(stage)
        with contextlib.suppress(OSError):
            (target.parent / f".{target.name}{_LOCK}").unlink()
        handle.close()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class Staging:
    """Where a run writes: ``path`` (the staging folder), ``out`` (the final folder).

    ``done`` becomes ``True`` once the new output is in place.
    """

    def __init__(self, out: Path, path: Path) -> None:
        self.out = out
        self.path = path
        self.done = False

    def final(self, path: Path) -> Path:
        """Where a file written under `path` ends up under ``out``."""
        return self.out / Path(path).relative_to(self.path)
