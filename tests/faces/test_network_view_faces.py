"""The command line and the Sphinx directive draw the neuron view."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner

from adviz.faces.cli import main
from tests.faces.test_sphinxext import build

MODEL = '''
import adviz


def loss(x1=0.5, x2=-1.0, w11=0.3, w12=-0.2, b1=0.1, w21=0.8, w22=0.4, b2=-0.3, v1=0.6,
         v2=-0.7, c=0.05):
    hidden = []
    with adviz.scope("layer 1"):
        for j, (wa, wb, b) in enumerate(((w11, w12, b1), (w21, w22, b2)), start=1):
            with adviz.scope(f"neuron {j}"):
                hidden.append(adviz.tanh(wa * x1 + wb * x2 + b))
    with adviz.scope("layer 2"):
        with adviz.scope("neuron 1"):
            out = adviz.tanh(v1 * hidden[0] + v2 * hidden[1] + c)
    return (out - 1.0) ** 2
'''


def test_cli_render_takes_view_network(tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    model.write_text(textwrap.dedent(MODEL), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", f"{model}:loss", "--view", "network",
                                       "--granularity", "layer", "--format", "svg,html",
                                       "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    frames = sorted(p.name for p in (out / "frames").iterdir())
    # forward: inputs, 2 layers, loss; reverse by layer: loss, 2 layers, inputs
    assert frames == [f"forward-{i:03d}.svg" for i in range(4)] + [
        f"reverse-{i:03d}.svg" for i in range(4)]
    reverse = (out / "frames" / "reverse-002.svg").read_text(encoding="utf-8")
    assert "layer 1 (2 neurons)" in reverse
    assert "layer 1 (2 neurons)" in (out / "index.html").read_text(encoding="utf-8")


def test_cli_refuses_view_network_of_a_plain_expression(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["render", "x * x", "--at", "x=2", "--view", "network",
                                       "--format", "svg", "-o", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "not a network" in result.output


def test_sphinx_directive_draws_a_network(tmp_path: Path) -> None:
    out, warnings = build(tmp_path, """
        .. adviz:: mlp 2-3-1
           :output: svg
           :view: network
           :phase: reverse
           :stage: 2

        .. adviz:: mlp 2-3-1 relu
           :output: frames
           :view: network
           :phase: reverse
           :granularity: layer

        .. adviz:: x * x
           :at: x=2
           :view: network
        """)
    assert "not a network" in warnings
    assert warnings.count("WARNING") == 1
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "reverse stage 1: neuron 1 of layer 2" not in page  # layer granularity
    assert "reverse stage 1: layer 2 (1 neurons)" in page
    svgs = sorted((out / "_images" / "adviz").glob("*.svg"))
    assert any("neuron 1 of layer 1: g_a" in p.read_text(encoding="utf-8") for p in svgs)
