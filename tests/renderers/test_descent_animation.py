"""Gradient-descent animations: two panels per step, saved by the animation writers."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import math

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.contour import QuadContourSet
from PIL import Image, ImageSequence

import adviz
from adviz.errors import InputError
from adviz.faces.cli import main
from adviz.renderers.mpl.descent import (
    DEFAULT_HOLD,
    FINAL_HOLD,
    DescentAnimator,
    contour_levels,
    descent_schedule,
    plot_box,
)
from adviz.scene.layout import line_sizes
from adviz.text.labels import text_width
from adviz.writers import save
from adviz.writers.animation import video_available

SEED = "(x1 - x2)**2 + cos(x1 + x2)"
SMALL = {"dpi": 30, "size": (6.4, 3.6)}


@pytest.fixture(scope="module")
def seed_run() -> adviz.Descent:
    return adviz.descent(SEED, {"x1": 1.0, "x2": 2.0}, lr=0.1, steps=3)


def _animator(run: adviz.Descent, **options: object) -> DescentAnimator:
    return DescentAnimator(run, dpi=30, size=(6.4, 3.6), grid=15, **options)  # type: ignore[arg-type]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


# ------------------------------------------------------------------ schedule and panels


def test_schedule_shows_each_step_and_holds_the_last() -> None:
    frames = descent_schedule(4, hold=2)
    assert frames[:6] == (0, 0, 1, 1, 2, 2)
    assert frames.count(3) == 2 * FINAL_HOLD
    with pytest.raises(InputError, match="hold"):
        descent_schedule(4, hold=0)


def test_two_inputs_give_a_contour_plot_with_the_path(seed_run: adviz.Descent) -> None:
    animator = _animator(seed_run)
    assert animator.kind == "contour"
    assert isinstance(animator.surface, QuadContourSet)
    assert any(isinstance(c, QuadContourSet) for c in animator.plot_ax.collections)
    animator.show(2)
    xs, ys = animator.path.get_data()
    assert list(xs) == [x["x1"] for x in seed_run.inputs[:3]]
    assert list(ys) == [x["x2"] for x in seed_run.inputs[:3]]
    assert list(animator.current.get_xdata()) == [seed_run.inputs[2]["x1"]]
    # the arrow is the next step, -lr * grad
    assert animator.arrow.get_visible() and animator.arrow_ends is not None
    tail, tip = animator.arrow_ends
    grad = seed_run.grads[2]
    assert tip[0] - tail[0] == pytest.approx(-seed_run.lr * grad["x1"])
    assert tip[1] - tail[1] == pytest.approx(-seed_run.lr * grad["x2"])
    # the contour plot covers the whole trajectory
    (x0, x1), (y0, y1) = animator.plot_ax.get_xlim(), animator.plot_ax.get_ylim()
    assert all(x0 < p["x1"] < x1 and y0 < p["x2"] < y1 for p in seed_run.inputs)


def test_three_inputs_give_the_value_per_step() -> None:
    run = adviz.descent("(a - 1)**2 + (b + 2)**2 + (c - a*b)**2",
                        {"a": 0.0, "b": 0.0, "c": 1.0}, lr=0.1, steps=4)
    animator = _animator(run)
    assert animator.kind == "values"
    assert not any(isinstance(c, QuadContourSet) for c in animator.plot_ax.collections)
    animator.show(3)
    xs, ys = animator.path.get_data()
    assert list(xs) == [0, 1, 2, 3]
    assert list(ys) == list(run.values[:4])
    assert not animator.arrow.get_visible()
    lo, hi = animator.plot_ax.get_ylim()
    assert lo < min(run.values) and max(run.values) < hi


def test_many_inputs_are_summarised_in_the_subtitle() -> None:
    names = ["a", "b", "c", "d", "e", "g", "h", "k"]
    run = adviz.descent(" + ".join(f"({n} - 1.123456)**2" for n in names),
                        {n: 0.0 for n in names}, lr=0.1, steps=1)
    animator = _animator(run)
    animator.show(0)
    text = animator.subtitle.get_text()
    assert text.startswith("at a = 0, b = 0") and text.endswith("more inputs)")
    assert "f at each step" in animator.status.get_text()


def test_one_input_gives_the_curve_of_f() -> None:
    run = adviz.descent("(x - 3)**2 + sin(2*x)", {"x": 0.0}, lr=0.1, steps=4)
    animator = _animator(run)
    assert animator.kind == "curve"
    assert animator.curve is not None
    cx, cy = animator.curve.get_data()
    assert cy[0] == pytest.approx((cx[0] - 3) ** 2 + math.sin(2 * cx[0]))
    animator.show(-1)
    xs, ys = animator.path.get_data()
    assert list(xs) == [x["x"] for x in run.inputs]
    assert list(ys) == list(run.values)


def test_titles_say_the_step_and_at_the_end_why_it_stopped(seed_run: adviz.Descent) -> None:
    animator = _animator(seed_run)
    animator.show(1)
    assert animator.title.get_text() == (
        "Step 1 of 3 — f = −0.63358, |grad| = 1.70458, lr = 0.1")
    assert "x₁ = 1.21411" in animator.subtitle.get_text()
    assert "Stopped" not in animator.status.get_text()
    animator.show(-1)
    assert animator.status.get_text() == f"Stopped: {seed_run.message}"
    with pytest.raises(InputError, match="step 9 does not exist"):
        animator.show(9)


def test_graph_panel_shows_each_steps_values_and_adjoints(seed_run: adviz.Descent) -> None:
    animator = _animator(seed_run)
    animator.show(2)
    assert animator.scene is not None
    shown = [t.get_text() for t in animator.scene.node_texts["x1"] if t.get_visible()]
    assert any("1.34542" in line for line in shown)  # x1 at step 2
    assert any("-0.81062" in line for line in shown)  # its adjoint, df/dx1
    box = animator.scene.node_boxes["x1"]
    animator.show(0)
    assert animator.scene.node_boxes["x1"] is box  # restyled, not redrawn
    shown = [t.get_text() for t in animator.scene.node_texts["x1"] if t.get_visible()]
    assert any("-2.14112" in line for line in shown)


def test_one_layout_fits_every_step() -> None:
    run = adviz.descent(SEED, {"x1": 1.0, "x2": 2.0}, lr=0.1, steps=30)
    animator = _animator(run)
    assert all(layout is animator.layouts[0] for layout in animator.layouts)
    assert not any(animator.changed)
    from adviz.scene.view import graph_view

    for t in animator.traces:
        for node, lines in graph_view(t, compact=True).node_lines.items():
            width = max(text_width(text, size) for text, size in
                        zip(lines, line_sizes(len(lines))))
            assert width < animator.layouts[0].nodes[node].width


def test_a_step_with_another_graph_gets_its_own_layout() -> None:
    def f(x, y):
        if x > 1:
            return x * y + x
        return x * x + y * y

    run = adviz.descent(f, {"x": 1.3, "y": 0.8}, lr=0.3, steps=3)
    animator = _animator(run)
    assert animator.changed == [False, True, True, True]
    assert animator.layouts[1] is not animator.layouts[0]
    for k in range(len(run)):
        animator.show(k)
    assert "differs" in animator.subtitle.get_text()


def test_helpers() -> None:
    assert plot_box([(1.0, 1.0), (1.0, 1.0)]) == [(0.0, 2.0), (0.0, 2.0)]
    levels = contour_levels(np.array([0.0, 1e300, 1.0, float("nan")]))
    assert len(levels) >= 2 and all(math.isfinite(v) for v in levels)


# ------------------------------------------------------------------ writers


def test_gif_has_one_frame_per_step(seed_run: adviz.Descent, tmp_path: Path) -> None:
    path = save(seed_run, tmp_path / "descent.gif", fps=4, **SMALL)
    with Image.open(path) as im:
        assert im.n_frames == len(seed_run) == 4
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(im)]
    assert durations == [DEFAULT_HOLD * 250] * 3 + [DEFAULT_HOLD * FINAL_HOLD * 250]
    assert _leftovers(tmp_path) == ["descent.gif"]


def test_public_api_and_webp(seed_run: adviz.Descent, tmp_path: Path) -> None:
    assert "animate_descent" in adviz.__all__
    anim = adviz.animate_descent(seed_run, hold=1, **SMALL)
    assert anim.animator.frames == (0, 1, 2, 3, 3, 3, 3)
    assert anim.to_jshtml().count("frames[") >= len(seed_run)
    path = save(seed_run, tmp_path / "descent.webp", hold=1, theme="dark", **SMALL)
    with Image.open(path) as im:
        assert im.n_frames == len(seed_run)


def test_pdf_has_one_page_per_step(seed_run: adviz.Descent, tmp_path: Path) -> None:
    path = save(seed_run, tmp_path / "descent.pdf", size=(6.4, 3.6))
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and _pdf_pages(data) == len(seed_run)


def test_png_shows_one_step(seed_run: adviz.Descent, tmp_path: Path) -> None:
    path = save(seed_run, tmp_path / "last.png", **SMALL)
    with Image.open(path) as im:
        assert im.size == (192, 108)
    save(seed_run, tmp_path / "first.png", step=0, **SMALL)
    again = save(seed_run, tmp_path / "again.png", **SMALL)
    assert again.read_bytes() == path.read_bytes()  # same input, same bytes
    again.unlink()
    with pytest.raises(InputError, match="step 7 does not exist"):
        save(seed_run, tmp_path / "bad.png", step=7, **SMALL)
    assert _leftovers(tmp_path) == ["first.png", "last.png"]


@pytest.mark.skipif(not video_available(), reason="needs the video extra (imageio-ffmpeg)")
def test_mp4(seed_run: adviz.Descent, tmp_path: Path) -> None:
    path = save(seed_run, tmp_path / "descent.mp4", dpi=30, size=(6.3, 3.5))
    assert path.stat().st_size > 0


def test_options_and_formats_are_checked(seed_run: adviz.Descent, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'tween' does not apply to gif of a gradient-descent run"):
        save(seed_run, tmp_path / "a.gif", tween=2)
    with pytest.raises(InputError, match="fps must be a number from 0.1 to 60"):
        save(seed_run, tmp_path / "a.gif", fps=0)
    with pytest.raises(InputError, match=r"cannot be saved as svg.*\.gif"):
        save(seed_run, tmp_path / "a.svg")
    assert _leftovers(tmp_path) == []


def test_a_diverging_run_still_renders(tmp_path: Path) -> None:
    run = adviz.descent("x**2 + 3*y**2", {"x": 1.0, "y": 1.0}, lr=1.0, steps=40)
    assert run.reason == "diverged"
    path = save(run, tmp_path / "div.gif", hold=1, **SMALL)
    with Image.open(path) as im:
        assert im.n_frames == len(run)
    animator = _animator(run)
    animator.show(-1)
    (x0, x1), (y0, y1) = animator.plot_ax.get_xlim(), animator.plot_ax.get_ylim()
    assert all(math.isfinite(v) for v in (x0, x1, y0, y1))
    assert "diverged" in animator.status.get_text()
    one = adviz.descent(lambda x: x * x, {"x": 1.0}, lr=3.0, steps=100)
    assert one.reason == "diverged"
    animator = _animator(one)
    animator.show(-1)
    lo, hi = animator.plot_ax.get_ylim()
    assert math.isfinite(lo) and math.isfinite(hi) and hi >= max(one.values)


def test_leaving_the_domain_is_hatched(tmp_path: Path) -> None:
    run = adviz.descent("log(x) + log(y) + x + y", {"x": 0.5, "y": 2.0}, lr=5.0, steps=10)
    animator = _animator(run)
    assert animator.undefined is not None
    animator.show(-1)
    animator.rgba()


# ------------------------------------------------------------------ command line


def test_cli_writes_the_animation_and_prints_the_table(tmp_path: Path) -> None:
    out = tmp_path / "out.gif"
    result = CliRunner().invoke(main, ["descent", SEED, "--at", "x1=1", "--at", "x2=2",
                                       "--lr", "0.1", "--steps", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split() == ["step", "x1", "x2", "f", "df/dx1",
                                                     "df/dx2"]
    assert "stopped: steps done" in result.output
    assert f"wrote {out}" in result.output
    with Image.open(out) as im:
        assert im.n_frames == 3


def test_cli_quiet_and_bad_suffix(tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = CliRunner().invoke(main, ["descent", "x**2", "--at", "x=1", "--steps", "1",
                                       "-o", str(out), "--quiet", "--theme", "dark"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert _pdf_pages(out.read_bytes()) == 2
    result = CliRunner().invoke(main, ["descent", "x**2", "--at", "x=1", "-o",
                                       str(tmp_path / "out.svg")])
    assert result.exit_code == 2
    assert ".gif" in result.output
    assert _leftovers(tmp_path) == ["out.pdf"]
