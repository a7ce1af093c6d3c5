"""GIF, WebP, APNG, MP4, PDF and PNG writers."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest
from PIL import Image, ImageSequence

import adviz
from adviz.renderers.mpl.animation import distinct_frame_count, frame_count
from adviz.writers import animation as animation_writers
from adviz.writers import save, writer_for, writers

SMALL = {"dpi": 30}


@pytest.fixture
def seed() -> adviz.Trace:
    return adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_registered_with_suffixes() -> None:
    names = writers()
    for name, suffix in [("gif", ".gif"), ("webp", ".webp"), ("apng", ".apng"),
                         ("mp4", ".mp4"), ("pdf", ".pdf"), ("png", ".png")]:
        assert name in names
        assert writer_for(f"a{suffix}").name == name
    assert names["mp4"].extra == "video"


@pytest.mark.parametrize("tween,hold", [(0, 1), (2, 3), (4, 1)])
def test_gif_frame_count_matches_stages_and_tween(
    seed: adviz.Trace, tmp_path: Path, tween: int, hold: int
) -> None:
    path = save(seed, tmp_path / "seed.gif", tween=tween, hold=hold, fps=10, **SMALL)
    with Image.open(path) as im:
        assert im.n_frames == distinct_frame_count(seed, "reverse", tween=tween)
        assert im.n_frames == 6 + 5 * tween
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(im)]
    # the holds are one frame each, shown hold / fps seconds; the total is every frame
    assert sum(durations) == frame_count(seed, "reverse", tween=tween, hold=hold) * 100
    assert durations[0] == hold * 100
    assert _leftovers(tmp_path) == ["seed.gif"]


def test_forward_gif(seed: adviz.Trace, tmp_path: Path) -> None:
    path = save(seed, tmp_path / "f.gif", phase="forward", tween=1, hold=1, **SMALL)
    with Image.open(path) as im:
        assert im.n_frames == distinct_frame_count(seed, "forward", tween=1) == 11


@pytest.mark.parametrize("suffix", [".webp", ".apng"])
def test_other_pillow_animations(seed: adviz.Trace, tmp_path: Path, suffix: str) -> None:
    path = save(seed, tmp_path / f"seed{suffix}", tween=1, hold=2, **SMALL)
    with Image.open(path) as im:
        assert im.n_frames == distinct_frame_count(seed, "reverse", tween=1)
        assert getattr(im, "is_animated", False)


def test_size_presets_and_dpi(seed: adviz.Trace, tmp_path: Path) -> None:
    path = save(seed, tmp_path / "a.gif", size="16:9", dpi=50, tween=0, hold=1)
    with Image.open(path) as im:
        assert im.size == (640, 360)
    path = save(seed, tmp_path / "b.png", size="4:3", dpi=50, stage=2)
    with Image.open(path) as im:
        assert im.size == (512, 384)


def test_transparent_png_and_webp(seed: adviz.Trace, tmp_path: Path) -> None:
    path = save(seed, tmp_path / "t.png", transparent=True, **SMALL)
    with Image.open(path) as im:
        assert im.mode == "RGBA" and im.getpixel((0, 0))[3] == 0
    path = save(seed, tmp_path / "t.webp", transparent=True, tween=0, hold=1, **SMALL)
    with Image.open(path) as im:
        assert im.convert("RGBA").getpixel((0, 0))[3] == 0


def test_png_is_one_stage(seed: adviz.Trace, tmp_path: Path) -> None:
    first = save(seed, tmp_path / "s0.png", stage=0, **SMALL).read_bytes()
    last = save(seed, tmp_path / "s5.png", stage=5, **SMALL).read_bytes()
    again = save(seed, tmp_path / "again.png", stage=5, **SMALL).read_bytes()
    assert first != last and last == again  # deterministic
    with pytest.raises(adviz.InputError, match="stage 6 does not exist"):
        save(seed, tmp_path / "bad.png", stage=6)
    assert not (tmp_path / "bad.png").exists()


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


@pytest.mark.parametrize("phase,pages", [("reverse", 6), ("forward", 6), ("both", 12)])
def test_pdf_has_one_page_per_stage(
    seed: adviz.Trace, tmp_path: Path, phase: str, pages: int
) -> None:
    path = save(seed, tmp_path / "slides.pdf", phase=phase, size="16:9")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and _pdf_pages(data) == pages
    assert _leftovers(tmp_path) == ["slides.pdf"]


def test_mp4_is_written_and_readable(seed: adviz.Trace, tmp_path: Path) -> None:
    import imageio_ffmpeg  # CI installs the video extra: this is tested, not skipped

    path = save(seed, tmp_path / "seed.mp4", tween=2, hold=2, fps=10, dpi=40)
    data = path.read_bytes()
    assert data[4:8] == b"ftyp"
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = reader.__next__()
    width, height = meta["size"]
    assert width % 2 == 0 and height % 2 == 0
    frames = sum(1 for _ in reader)
    assert frames == frame_count(seed, "reverse", tween=2, hold=2) == 22
    assert _leftovers(tmp_path) == ["seed.mp4"]


def test_mp4_refuses_transparency(seed: adviz.Trace, tmp_path: Path) -> None:
    with pytest.raises(adviz.InputError, match="transparency"):
        save(seed, tmp_path / "t.mp4", transparent=True)
    assert _leftovers(tmp_path) == []


def test_unknown_suffix_writes_nothing(seed: adviz.Trace, tmp_path: Path) -> None:
    with pytest.raises(adviz.AdvizError, match="cannot tell the format"):
        save(seed, tmp_path / "seed.avi")
    assert _leftovers(tmp_path) == []


def test_missing_video_extra_is_a_clear_error(
    seed: adviz.Trace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from adviz.writers import _REGISTRY

    mp4 = writers()["mp4"]
    monkeypatch.setitem(_REGISTRY, "mp4", replace(mp4, available=lambda: False))
    with pytest.raises(adviz.MissingDependencyError, match=r"adviz\[video\]"):
        save(seed, tmp_path / "seed.mp4")
    assert _leftovers(tmp_path) == []


def test_video_available_follows_the_import(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "imageio_ffmpeg":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    assert animation_writers.video_available() is False


def test_unknown_option_is_a_clear_error(seed: adviz.Trace, tmp_path: Path) -> None:
    with pytest.raises(adviz.InputError, match=r"'colour' does not apply to gif \(it takes: "):
        save(seed, tmp_path / "seed.gif", colour="red")
    assert _leftovers(tmp_path) == []


def test_failure_midway_leaves_nothing_and_keeps_the_old_file(
    seed: adviz.Trace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "seed.gif"
    target.write_bytes(b"old")
    from adviz.renderers.mpl.animation import Animator

    calls = {"n": 0}
    real = Animator.rgba

    def failing(self):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(self)

    monkeypatch.setattr(Animator, "rgba", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save(seed, target, tween=2, hold=1, **SMALL)
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == ["seed.gif"]


def test_progress_bar_is_quiet_off_a_terminal(
    seed: adviz.Trace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save(seed, tmp_path / "q.gif", tween=1, hold=1, **SMALL)
    assert capsys.readouterr().err == ""
    save(seed, tmp_path / "p.gif", tween=1, hold=1, progress=True, **SMALL)
    assert "frame" in capsys.readouterr().err
    save(seed, tmp_path / "n.gif", tween=1, hold=1, progress=False, **SMALL)
    assert capsys.readouterr().err == ""
