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

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

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


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, then rename)."""
    target = Path(path)
    _prepare_folder(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
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
    staging = Path(tempfile.mkdtemp(prefix=".frames-", suffix=".tmp", dir=target))
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
