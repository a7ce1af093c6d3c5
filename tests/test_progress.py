"""The one progress bar of long renders (`adviz.progress`)."""

from __future__ import annotations

import pytest

import adviz.examples
from adviz.progress import progress_bar
from adviz.renderers.demo import demo_html


def test_bar_shows_when_asked_and_hides_off_a_terminal(
        capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(5, True, "zooms", "neuron") as bar:
        bar.update(5)
    assert "zooms" in capsys.readouterr().err
    with progress_bar(5, None, "zooms", "neuron") as bar:  # pytest's stderr is no terminal
        bar.update(5)
    with progress_bar(5, False, "zooms", "neuron") as bar:
        bar.update(5)
    assert capsys.readouterr().err == ""


def test_demo_page_counts_its_zooms(capsys: pytest.CaptureFixture[str]) -> None:
    net = adviz.examples.mlp((2, 2, 1))
    demo_html(net, view="network", analytic=False, progress=True)
    err = capsys.readouterr().err
    assert "zooms" in err and "3/3" in err  # one zoom per neuron: 2 + 1
    demo_html(net, view="network", analytic=False)
    assert capsys.readouterr().err == ""
