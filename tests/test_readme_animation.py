"""The README's animation fits a repository page's column and is what its command draws."""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
GIF = ROOT / "docs" / "_static" / "seed-reverse.gif"
COLUMN_PX = 830
"""Width of the README's column on a repository page."""
MIN_LABEL_PX = 12.0


@pytest.fixture(scope="module")
def command() -> ModuleType:
    """docs/readme_animation.py, the one command that draws the animation."""
    spec = importlib.util.spec_from_file_location("readme_animation",
                                                  ROOT / "docs" / "readme_animation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_shows_the_animation_and_names_its_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/_static/seed-reverse.gif)" in readme
    assert "`python docs/readme_animation.py`" in readme


def test_committed_animation_fits_the_column() -> None:
    from PIL import Image

    with Image.open(GIF) as image:
        assert image.format == "GIF"
        assert image.width <= COLUMN_PX
        assert image.n_frames > 6  # the reverse pass's six stages and the travel between


def test_command_draws_labels_readable_in_the_column(command: ModuleType) -> None:
    frames = command.animator()
    width_px = frames.figure.get_size_inches()[0] * frames.figure.dpi
    assert round(width_px) <= COLUMN_PX
    smallest = command.smallest_label_px(frames)
    # Shown at its own size in the column, a label of s points at d dpi is s * d / 72 px.
    assert smallest >= MIN_LABEL_PX
    from matplotlib.text import Text

    texts = [t for t in frames.figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    least = min(t.get_fontsize() for t in texts) * frames.figure.dpi / 72.0
    assert least >= smallest  # the last frame's labels, measured here too


def test_committed_animation_is_what_the_command_draws(command: ModuleType,
                                                       tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image, ImageSequence

    fresh = command.write(tmp_path / "seed-reverse.gif")
    with Image.open(GIF) as old, Image.open(fresh) as new:
        assert old.size == new.size
        assert old.n_frames == new.n_frames
        for a, b in zip(ImageSequence.Iterator(old), ImageSequence.Iterator(new)):
            assert a.info.get("duration") == b.info.get("duration")
            difference = np.abs(np.asarray(a.convert("RGB"), dtype=float)
                                - np.asarray(b.convert("RGB"), dtype=float)).mean()
            assert difference < 2.0, "run `python docs/readme_animation.py` and commit the GIF"


def test_the_animation_shows_the_seed_example(command: ModuleType) -> None:
    assert re.fullmatch(r"\(x1 - x2\)\*\*2 \+ cos\(x1 \+ x2\)", command.SEED)
    trace = command.seed()
    assert trace.grad["x1"] == pytest.approx(-2.0 - math.sin(3.0))
