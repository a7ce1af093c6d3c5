"""The surface of f in 3D in the descent animation (``surface=True``, Matplotlib 3D)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from PIL import Image, ImageSequence

import adviz
from adviz.errors import InputError
from adviz.renderers.mpl.descent import DescentAnimator

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


@pytest.fixture(scope="module")
def seed_run() -> adviz.Descent:
    return adviz.descent(SEED, {"x1": 1.0, "x2": 2.0}, lr=0.1, steps=3)


def test_the_surface_panel_shows_f_and_the_path_on_it(seed_run: adviz.Descent) -> None:
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    animator = DescentAnimator(seed_run, dpi=30, size=(8, 4), grid=15, surface=True)
    ax = animator.surface_ax
    assert ax is not None and ax.name == "3d"
    assert any(isinstance(c, Poly3DCollection) for c in ax.collections)
    # the contour keeps its own panel, left of the surface
    assert animator.plot_ax.get_position().x1 <= ax.get_position().x0 + 1e-9
    animator.show(2)
    xs, ys, zs = animator.path3d.get_data_3d()
    assert list(xs) == [p["x1"] for p in seed_run.inputs[:3]]
    assert list(ys) == [p["x2"] for p in seed_run.inputs[:3]]
    # heights are f at each point, computed independently of the run
    assert list(zs) == pytest.approx([(p["x1"] - p["x2"]) ** 2 + math.cos(p["x1"] + p["x2"])
                                      for p in seed_run.inputs[:3]])
    azimuth = ax.azim
    animator.show(3)
    assert ax.azim != azimuth  # it turns from step to step
    assert animator.path3d in animator.artists()


def test_without_surface_there_is_no_3d_panel(seed_run: adviz.Descent) -> None:
    animator = DescentAnimator(seed_run, dpi=30, size=(8, 4), grid=15)
    assert animator.surface_ax is None
    assert all(getattr(ax, "name", "") != "3d" for ax in animator.figure.axes)


def test_surface_needs_two_inputs() -> None:
    run = adviz.descent("x**2", {"x": 1.0}, lr=0.25, steps=2)
    with pytest.raises(InputError, match=r"surface=True draws f over two inputs; this run has 1"):
        DescentAnimator(run, dpi=30, surface=True)


def test_save_with_surface(seed_run: adviz.Descent, tmp_path: Path) -> None:
    plain = adviz.save(seed_run, tmp_path / "plain.png", dpi=30)
    with_surface = adviz.save(seed_run, tmp_path / "surface.png", dpi=30, surface=True)
    a = np.asarray(Image.open(plain).convert("RGB"), dtype=float)
    b = np.asarray(Image.open(with_surface).convert("RGB"), dtype=float)
    assert a.shape == b.shape
    right = slice(a.shape[1] * 3 // 4, None)  # the surface takes the right of the plot area
    assert np.abs(a[:, right] - b[:, right]).mean() > 5
    gif = adviz.save(seed_run, tmp_path / "run.gif", dpi=20, surface=True, hold=1)
    assert sum(1 for _ in ImageSequence.Iterator(Image.open(gif))) >= len(seed_run)
    with pytest.raises(InputError, match="surface"):
        adviz.save(adviz.descent("x**2", {"x": 1.0}, steps=1), tmp_path / "x.gif",
                   surface=True)
    assert not (tmp_path / "x.gif").exists()
