"""The command line and the Sphinx directive focus and zoom in the neuron view."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner

from adviz.faces.cli import main
from tests.faces.test_network_view_faces import MODEL
from tests.faces.test_sphinxext import build


def test_cli_focus_and_zoom_with_view_network(tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    model.write_text(textwrap.dedent(MODEL), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", f"{model}:loss", "--view", "network",
                                       "--focus", "w21", "--format", "svg", "-o", str(out),
                                       "-q"])
    assert result.exit_code == 0, result.output
    frames = sorted((out / "frames").iterdir())
    assert len(frames) == 4 + 6  # forward: inputs, 2 layers, loss; reverse: per neuron
    last = frames[-1].read_text(encoding="utf-8")
    assert "g_w₂₁ = Σ over 1 path" in last and 'data-state="unfocused"' in last
    zoomed = tmp_path / "zoomed"
    result = CliRunner().invoke(main, ["render", f"{model}:loss", "--view", "network",
                                       "--zoom", "layer 1/neuron 2", "--format", "svg",
                                       "-o", str(zoomed), "-q"])
    assert result.exit_code == 0, result.output
    assert len(list((zoomed / "frames").iterdir())) == 10
    assert "<title>[neuron 1]</title>" in (zoomed / "frames" / "reverse-000.svg").read_text(
        encoding="utf-8")


def test_sphinx_focus_with_view_network(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, """
        .. adviz:: mlp 2-3-1
           :output: svg
           :view: network
           :focus: w1_22
        """)
    assert "WARNING" not in warnings
    svgs = sorted((out / "_images" / "adviz").glob("*.svg"))
    assert any("g_w1_22 = Σ over 1 path" in p.read_text(encoding="utf-8") for p in svgs)
