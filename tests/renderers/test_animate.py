"""Animations: the frame schedule, the frame loop, FuncAnimation."""

from __future__ import annotations

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
    animator = Animator(seed, "reverse", tween=2, hold=1, dpi=20)
    ax = animator.figure.axes[0]
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
