"""Animations: the frame schedule, the frame loop, FuncAnimation."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.animation import AbstractMovieWriter, FuncAnimation

import adviz
from adviz.renderers.mpl.animation import (
    Animator,
    distinct_frame_count,
    frame_count,
    frame_schedule,
    write_frames,
)


@pytest.fixture
def seed() -> adviz.Trace:
    return adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)


class CountingWriter(AbstractMovieWriter):
    """A null writer: counts frames and remembers their sizes, writes nothing."""

    def __init__(self) -> None:
        super().__init__(fps=10)
        self.frames = 0
        self.finished = False

    def setup(self, fig, outfile, dpi=None):  # type: ignore[no-untyped-def]
        super().setup(fig, outfile, dpi)

    def grab_frame(self, **savefig_kwargs):  # type: ignore[no-untyped-def]
        self.frames += 1

    def finish(self) -> None:
        self.finished = True


@pytest.mark.parametrize("tween,hold", [(0, 1), (1, 1), (4, 3), (8, 12)])
def test_schedule_length_is_a_function_of_stages_tween_and_hold(
    seed: adviz.Trace, tween: int, hold: int
) -> None:
    frames = frame_schedule(seed, "reverse", tween=tween, hold=hold)
    stages = len(seed.reverse_stages)
    assert len(frames) == stages * hold + (stages - 1) * tween
    assert frame_count(seed, "reverse", tween=tween, hold=hold) == len(frames)
    assert distinct_frame_count(seed, "reverse", tween=tween) == stages + (stages - 1) * tween


def test_schedule_order(seed: adviz.Trace) -> None:
    frames = frame_schedule(seed, "reverse", tween=3, hold=2)
    assert [(f.stage, f.hold) for f in frames[:7]] == [
        (0, True), (0, True), (1, False), (1, False), (1, False), (1, True), (1, True)]
    travel = [f.fraction for f in frames if f.stage == 1 and not f.hold]
    assert travel == sorted(travel) and travel[0] == 0.0 and travel[-1] < 1.0
    assert all(f.phase == "reverse" for f in frames)


def test_both_phases_play_forward_then_reverse(seed: adviz.Trace) -> None:
    frames = frame_schedule(seed, "both", tween=1, hold=1)
    phases = [f.phase for f in frames]
    assert phases == sorted(phases)  # all forward frames, then all reverse frames
    assert len(frames) == frame_count(seed, "forward", tween=1, hold=1) + frame_count(
        seed, "reverse", tween=1, hold=1)


@pytest.mark.parametrize("bad", [{"tween": -1}, {"hold": 0}, {"tween": 1.5}])
def test_bad_counts(seed: adviz.Trace, bad: dict[str, object]) -> None:
    with pytest.raises(adviz.InputError):
        frame_schedule(seed, **bad)  # type: ignore[arg-type]


def test_unknown_phase(seed: adviz.Trace) -> None:
    with pytest.raises(adviz.InputError, match="unknown phase"):
        frame_schedule(seed, "sideways")


def test_frame_loop_with_a_null_writer(seed: adviz.Trace) -> None:
    animator = Animator(seed, "reverse", tween=3, hold=2, dpi=20)
    writer = CountingWriter()
    expected = frame_count(seed, "reverse", tween=3, hold=2)
    assert expected == 6 * 2 + 5 * 3
    assert write_frames(animator, writer, "unused.gif") == expected
    assert writer.frames == expected and writer.finished


def test_animate_returns_a_funcanimation_that_saves_every_frame(seed: adviz.Trace) -> None:
    anim = adviz.animate(seed, "forward", tween=2, hold=2, dpi=20)
    assert isinstance(anim, FuncAnimation)
    writer = CountingWriter()
    anim.save("unused.gif", writer=writer)
    assert writer.frames == frame_count(seed, "forward", tween=2, hold=2) == 22


def test_artists_are_created_once_across_the_animation(seed: adviz.Trace) -> None:
    """After the first frame (which draws the phase's legend once), no frame adds an artist."""
    animator = Animator(seed, "reverse", tween=2, hold=1, dpi=20)
    ax = animator.figure.axes[0]
    animator(frame_schedule(seed, "reverse", tween=2, hold=1)[0])
    count = len(ax.get_children())
    write_frames(animator, CountingWriter(), "unused.gif")
    assert len(ax.get_children()) == count


def test_cached_frames_equal_full_redraws(seed: adviz.Trace) -> None:
    """Blitted frames (static part cached) are pixel-identical to full redraws."""
    animator = Animator(seed, "reverse", tween=3, hold=1, dpi=30)
    for frame in frame_schedule(seed, "reverse", tween=3, hold=1)[:9]:
        animator(frame)
        fast = bytes(animator.rgba()[0])
        animator.canvas.draw()
        full = bytes(animator.canvas.buffer_rgba())
        assert fast == full


def test_travel_frames_differ_and_holds_repeat(seed: adviz.Trace) -> None:
    animator = Animator(seed, "reverse", tween=3, hold=2, dpi=30)
    images = []
    for frame in animator.frames:
        animator(frame)
        images.append(bytes(animator.rgba()[0]))
    distinct = [a for k, a in enumerate(images) if k == 0 or a != images[k - 1]]
    assert len(distinct) == distinct_frame_count(seed, "reverse", tween=3)


def test_stages_hold_long_enough_to_read_their_captions(seed: adviz.Trace) -> None:
    from adviz.renderers.mpl.animation import MIN_HOLD, hold_seconds, stage_holds
    from adviz.text.labels import stage_title

    holds = stage_holds(seed, "both", fps=10)
    captions = [stage_title(seed, p, k) for p in ("forward", "reverse")
                for k in range(len(seed.stages(p)))]
    assert len(holds) == len(captions)
    assert all(h >= MIN_HOLD * 10 for h in holds)
    longest = max(range(len(captions) - 1), key=lambda k: len(captions[k]))
    shortest = min(range(len(captions) - 1), key=lambda k: len(captions[k]))
    assert holds[longest] >= holds[shortest]
    assert len(captions[longest]) / 20 <= holds[longest] / 10 + 0.1  # 20 characters a second
    assert holds[-1] == 2 * round(hold_seconds(captions[-1]) * 10)  # the last one twice


def test_hold_in_seconds_and_in_frames(seed: adviz.Trace) -> None:
    from adviz.renderers.mpl.animation import frame_schedule, stage_holds

    stages = len(seed.stages("reverse"))
    assert stage_holds(seed, "reverse", hold=3.0, fps=4) == [12] * (stages - 1) + [24]
    assert stage_holds(seed, "reverse", hold=3, fps=4) == [3] * stages  # an int: frames
    frames = frame_schedule(seed, "reverse", tween=0, hold=0.5, fps=10)
    assert len(frames) == 5 * (stages - 1) + 10
    with pytest.raises(adviz.InputError, match="hold"):
        stage_holds(seed, "reverse", hold=-1.0)


def test_a_gif_shows_each_stage_for_its_seconds(seed: adviz.Trace, tmp_path: Path) -> None:
    from PIL import Image

    path = adviz.save(seed, tmp_path / "x.gif", phase="reverse", tween=0, hold=2.5, fps=10,
                      dpi=20)
    with Image.open(path) as im:
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
    assert durations == [2500] * (len(seed.stages("reverse")) - 1) + [5000]
