"""Every gallery script runs on its own and writes its pictures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GALLERY = Path(__file__).resolve().parent.parent / "gallery"
SCRIPTS = sorted(GALLERY.glob("plot_*.py"))
PICTURES = {".png", ".svg", ".gif"}


def test_gallery_has_the_examples() -> None:
    assert (GALLERY / "README.rst").is_file()
    assert {p.stem for p in SCRIPTS} >= {
        "plot_seed_example", "plot_single_neuron", "plot_fan_out", "plot_logistic_loss",
        "plot_two_two_one_network", "plot_custom_op",
    }


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_script_runs_and_writes_pictures(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("ADVIZ_GALLERY_OUT", None)
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "gallery-out" / script.stem.removeprefix("plot_")
    pictures = [p for p in out.rglob("*") if p.suffix in PICTURES]
    assert pictures, f"{script.name} wrote no pictures under {out}"
    assert all(p.stat().st_size > 0 for p in pictures)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gallery-out"]  # writes only there


def test_seed_example_reproduces_the_seed_page(tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg", "ADVIZ_GALLERY_OUT": str(tmp_path / "o")}
    result = subprocess.run([sys.executable, str(GALLERY / "plot_seed_example.py")],
                            cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "dy/dx1 = g_x1 = -2.14112" in result.stdout
    assert "dy/dx2 = g_x2 = 1.85888" in result.stdout
    out = tmp_path / "o" / "seed_example"
    frames = sorted(p.name for p in (out / "frames").iterdir())
    assert frames[0] == "forward-000.svg" and frames[-1] == "reverse-005.svg"
    assert len(frames) == 12
    assert (out / "reverse.gif").read_bytes().startswith(b"GIF8")
    assert (out / "player.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
