"""The neuron view (``view="network"``) in the Matplotlib formats: GIF, PDF, PNG, animate.

Stage counts are checked against the network's structure (one reverse stage for the loss,
one per neuron, one per input (or one per layer and one for the inputs with
``granularity="layer"``); one forward stage for the inputs, one per layer, one for the
loss), not against the figure that schedules them.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import adviz
import adviz.examples
from adviz.core.network import network
from adviz.scene.network import NETWORK_MIN_TEXT, network_figure
from adviz.scene.sizes import page_pixels


@pytest.fixture(scope="module")
def mlp() -> adviz.Trace:
    return adviz.examples.mlp((2, 4, 1))


def _stages(trace: adviz.Trace, phase: str, granularity: str = "neuron") -> int:
    net = network(trace)
    if phase == "forward":
        return 1 + len(net.layers) + 1
    if granularity == "layer":  # the loss, each layer, the inputs together
        return 1 + len(net.layers) + 1
    return 1 + sum(len(layer.neurons) for layer in net.layers) + len(net.inputs)


def _neurons(trace: adviz.Trace) -> int:
    return sum(len(layer.neurons) for layer in network(trace).layers)


def test_gif_holds_each_neuron_stage_after_its_pulses(mlp: adviz.Trace, tmp_path: Path) -> None:
    """Reverse pass: each stage held 2 frames (200 ms; an int hold, the last stage alike);
    before each neuron's stage, 4 frames (100 ms each) of pulses travelling back along its
    weights; the loss's stage and the inputs' (no weight edges) are reached without them."""
    from PIL import Image

    target = adviz.save(mlp, tmp_path / "net.gif", view="network", size="16:9", hold=2,
                        fps=10, tween=4, progress=False)
    stages, neurons = _stages(mlp, "reverse"), _neurons(mlp)
    with Image.open(target) as image:
        assert image.size == (1280, 720)
        assert image.n_frames == stages + 4 * neurons == 8 + 4 * 5
        durations, pictures = [], []
        for k in range(image.n_frames):
            image.seek(k)
            durations.append(image.info["duration"])
            pictures.append(image.convert("RGB").tobytes())
    expected = [200]  # the loss
    expected += ([100] * 4 + [200]) * neurons  # each neuron: its pulses, then its stage
    expected += [200] * len(network(mlp).inputs)
    assert durations == expected
    assert all(a != b for a, b in itertools.pairwise(pictures))


def test_gif_shows_the_legend_by_default_and_svg_frames_do_not(mlp: adviz.Trace) -> None:
    from adviz.renderers.mpl.animation import Animator

    animator = Animator(mlp, "reverse", view="network", size="16:9", hold=1, tween=0, dpi=20)
    animator(animator.frames[0])
    assert animator.scene.fig.legend is not None and animator.scene.legend_artists
    assert 'class="legend"' not in adviz.to_svg(mlp, view="network")
    assert 'class="legend"' in adviz.to_svg(mlp, view="network", legend=True)
    import matplotlib.pyplot as plt

    plt.close(animator.figure)


def test_layer_granularity_animates_one_stage_per_layer(mlp: adviz.Trace) -> None:
    """One held frame per layer stage (``tween=0``); with ``tween=3``, three frames of pulses
    before each layer's stage (its weights), none before the loss's or the inputs'."""
    import matplotlib.pyplot as plt

    anim = adviz.animate(mlp, view="network", granularity="layer", hold=1, tween=0, dpi=20)
    stages = sorted({(f.phase, f.stage) for f in anim.frame_schedule})
    assert len(stages) == len(anim.frame_schedule) == _stages(mlp, "reverse", "layer")
    plt.close(anim.animator.figure)
    anim = adviz.animate(mlp, view="network", granularity="layer", hold=1, tween=3, dpi=20)
    layers = len(network(mlp).layers)
    assert len(anim.frame_schedule) == _stages(mlp, "reverse", "layer") + 3 * layers
    travelling = sorted({f.stage for f in anim.frame_schedule if not f.hold})
    assert travelling == list(range(1, 1 + layers))
    plt.close(anim.animator.figure)


def test_png_still_of_a_network_stage(mlp: adviz.Trace, tmp_path: Path) -> None:
    from PIL import Image

    last = _stages(mlp, "reverse") - 1
    target = adviz.save(mlp, tmp_path / "net.png", view="network", size="16:9", stage=last)
    with Image.open(target) as image:
        assert image.size == (1280, 720)
    with pytest.raises(adviz.InputError, match="stage 8 does not exist: there are 8"):
        adviz.save(mlp, tmp_path / "no.png", view="network", stage=last + 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.png"]


def _dejavu_extent() -> float:
    from matplotlib import font_manager, ft2font

    font = ft2font.FT2Font(font_manager.findfont("DejaVu Sans"))
    return (font.ascender - font.descender) / font.units_per_EM


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils are not installed")
def test_pdf_has_a_page_per_stage_and_reads_at_12_px(mlp: adviz.Trace, tmp_path: Path) -> None:
    target = adviz.save(mlp, tmp_path / "net.pdf", view="network", phase="both", size="16:9",
                        progress=False)
    html = subprocess.run(["pdftotext", "-bbox", str(target), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)
    assert len(pages) == _stages(mlp, "forward") + _stages(mlp, "reverse")
    extent = _dejavu_extent()
    page_width, _ = page_pixels("16:9")
    for width, _height, body in pages:
        px = page_width / float(width)
        words = [(*(float(v) for v in m[:4]), m[4]) for m in re.findall(
            r'xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<',
            body)]
        assert words
        previous, level = None, 0
        for x0, y0, x1, y1, text in words:
            size = (y1 - y0) * px / extent
            # An index (the 1 of x1) is a separate, smaller word touching the one before,
            # 70% of its size (Matplotlib's mathtext): held to 70% of the minimum per level.
            touching = previous is not None and abs(x0 - previous[2]) < 1.0
            before = previous[3] - previous[1] if previous is not None else 0.0
            if touching and y1 - y0 < before - 0.5:
                level += 1
            elif not (touching and level and abs(y1 - y0 - before) <= 0.5):
                level = 0
            assert size >= 0.7 ** level * NETWORK_MIN_TEXT - 0.5, (text, size)
            previous = (x0, y0, x1, y1)


def test_a_trace_that_is_no_network_is_refused_in_a_gif(tmp_path: Path) -> None:
    t = adviz.trace("x * x + 1", x=3)
    with pytest.raises(adviz.InputError):
        adviz.save(t, tmp_path / "x.gif", view="network")
    assert list(tmp_path.iterdir()) == []


def _figure_stages(mlp: adviz.Trace, phases: tuple[str, ...]) -> list[tuple[str, int]]:
    return [(p, k) for p in phases for k in range(_stages(mlp, p))]


def test_beamer_has_one_overlay_per_network_stage(mlp: adviz.Trace, tmp_path: Path) -> None:
    from adviz.renderers.tikz import network_captions
    from adviz.scene.picture import figure

    target = adviz.save(mlp, tmp_path / "net.tex", view="network", phase="both")
    tex = target.read_text(encoding="utf-8")
    stages = _figure_stages(mlp, ("forward", "reverse"))
    assert tex.count(r"\only<") == len(stages)
    assert f"\\only<{len(stages)}>" in tex
    fig = figure(mlp, view="network")
    for phase in ("forward", "reverse"):
        captions = network_captions(fig, phase)
        assert len(captions) == _stages(mlp, phase)
        for caption in captions:  # every caption once, and no Unicode pdflatex refuses
            assert f"{{\\small {caption}\\par}}" in tex
            assert all(ord(c) < 128 for c in caption), caption
    assert "neuron 3 of layer 1" in tex


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.slow
def test_beamer_network_compiles(mlp: adviz.Trace, tmp_path: Path) -> None:
    adviz.save(mlp, tmp_path / "net.tex", view="network", phase="both")
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "net.tex"],
                   cwd=tmp_path, check=True, capture_output=True, timeout=300)
    info = subprocess.run(["pdfinfo", str(tmp_path / "net.pdf")], check=True,
                          capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+(\d+)", info)[1] == str(  # type: ignore[index]
        len(_figure_stages(mlp, ("forward", "reverse"))))


def test_pptx_has_one_slide_per_network_stage_and_paints_each_frame(
        mlp: adviz.Trace, tmp_path: Path) -> None:
    pptx = pytest.importorskip("pptx")
    from pptx.enum.shapes import MSO_SHAPE

    from adviz.scene.picture import figure

    target = adviz.save(mlp, tmp_path / "net.pptx", view="network")
    deck = pptx.Presentation(str(target))
    stages = _figure_stages(mlp, ("forward", "reverse"))
    assert len(deck.slides) == len(stages)
    fig = figure(mlp, view="network", size="16:9")
    net = network(mlp)
    weights = sum(len(n.inputs) for layer in net.layers for n in layer.neurons)
    checked = 0
    for slide, (phase, k) in zip(deck.slides, stages, strict=True):
        content = fig.frame(phase, k)
        shapes = {shape.name: shape for shape in slide.shapes}
        assert shapes["caption"].text_frame.text == content.title.replace("\u2212", "-") \
            or shapes["caption"].text_frame.text == content.title
        edges = [name for name in shapes if name.startswith("edge ")]
        assert len(edges) == weights + len(net.layers[-1].neurons)  # weights, into the loss
        for node, view in content.nodes.items():
            if fig.nodes[node].shape == "circle":  # neurons are ellipses, as in the SVG
                assert shapes[f"node {node}"].auto_shape_type == MSO_SHAPE.OVAL
            text = shapes[f"node {node}"].text_frame.text
            for line in view.lines:  # the same numbers as the frame
                for number in re.findall(r"\d+\.\d+", line.text):
                    assert number in text, (phase, k, node, number)
                    checked += 1
    assert checked > len(stages) * 4


def test_the_demo_page_draws_the_neuron_view(mlp: adviz.Trace, tmp_path: Path) -> None:
    path = adviz.save(mlp, tmp_path / "demo.html", interactive=True, view="network",
                      analytic=False)
    page = path.read_text(encoding="utf-8")
    assert page.count('class="node"') == len(network_figure(mlp).view.nodes)
    assert '"network":' in page
    seed = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    with pytest.raises(adviz.InputError):
        adviz.save(seed, tmp_path / "seed.html", interactive=True, view="network",
                   analytic=False)
    assert [p.name for p in tmp_path.iterdir()] == ["demo.html"]
