"""Every output format draws forward mode (``phase="tangent"``) for a seed, and refuses a seed
where no forward mode is drawn."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

import adviz
from adviz.renderers.mpl.animation import distinct_frame_count
from adviz.renderers.tikz import to_beamer, to_tikz

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace(SEED, x1=1, x2=2)


def test_svg_frames_and_png(seed: adviz.Trace, tmp_path: Path) -> None:
    paths = adviz.save_frames(seed, tmp_path / "frames", phase="tangent", seed="x2")
    assert [p.name for p in paths] == [f"tangent-{k:03d}.svg" for k in range(6)]
    assert "ẏ = 1.85888" in paths[-1].read_text(encoding="utf-8")
    both = adviz.save_frames(seed, tmp_path / "modes", phase="modes", seed="x2")
    assert [p.name.split("-")[0] for p in both] == ["tangent"] * 6 + ["reverse"] * 6
    png = adviz.save(seed, tmp_path / "t.png", phase="tangent", stage=2, seed="x2", dpi=30)
    with Image.open(png) as image:
        assert image.format == "PNG" and image.width > 100


def test_gif_has_every_stage_and_travel(seed: adviz.Trace, tmp_path: Path) -> None:
    gif = adviz.save(seed, tmp_path / "t.gif", phase="tangent", seed={"x1": 1, "x2": 1},
                     tween=2, hold=1, dpi=20)
    with Image.open(gif) as image:
        assert image.n_frames == distinct_frame_count(seed, "tangent", tween=2) == 16


def test_pdf_has_a_page_per_stage_of_both_modes(seed: adviz.Trace, tmp_path: Path) -> None:
    pdf = adviz.save(seed, tmp_path / "t.pdf", phase="modes", seed="x1", size="4:3")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes())) == 12


def test_tikz_and_beamer(seed: adviz.Trace) -> None:
    picture = to_tikz(seed, "tangent", 5, seed="x2")
    assert "adviztangent" in picture and "advizbox" in picture
    slides = to_beamer(seed, "modes", seed="x2", standalone=False)
    assert slides.count("\\only<") == 12
    assert "forward mode, seed $\\dot{x}_{1} = 0$, $\\dot{x}_{2} = 1$" in slides


def test_animate_and_draw(seed: adviz.Trace) -> None:
    anim = adviz.animate(seed, "tangent", seed="x2", tween=1, hold=1, dpi=20)
    assert {f.phase for f in anim.frame_schedule} == {"tangent"}
    ax = adviz.draw(seed, "tangent", 3, seed="x2")
    assert any("dot" in t.get_text() for t in ax.texts)


@pytest.mark.parametrize(("file", "options"), [
    ("x.gif", {"seed": "x1"}),
    ("x.png", {"phase": "forward", "seed": "x1"}),
    ("x.pdf", {"phase": "both", "seed": "x1"}),
    ("x.html", {"seed": "x1"}),
    ("x.svg", {"seed": {"x1": 1.0}}),
])
def test_a_seed_without_forward_mode_is_refused(seed: adviz.Trace, tmp_path: Path, file: str,
                                                options: dict[str, object]) -> None:
    with pytest.raises(adviz.InputError, match="seed does not apply to phase"):
        adviz.save(seed, tmp_path / file, **options)
    assert not (tmp_path / file).exists()


def test_a_seed_of_the_wrong_type_is_refused(seed: adviz.Trace, tmp_path: Path) -> None:
    with pytest.raises(adviz.InputError, match="seed must be a str or dict"):
        adviz.save(seed, tmp_path / "x.svg", phase="tangent", seed=1)
