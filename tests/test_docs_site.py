"""The built documentation as a reader opens it: warning-free, offline, cards readable.

The site is built once for the module (``sphinx-build -W`` on a copy of
``docs/`` and ``gallery/``). The browser tests open it in headless Chromium
with every request that is not a local file blocked, as a reader without a
network would.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GALLERY = ROOT / "gallery"
EXAMPLES = sorted(p.stem for p in GALLERY.glob("plot_*.py"))

CARD_MIN_PX = 9.0
"""Smallest text on a gallery card, in pixels at the card's width on the page."""

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation built with warnings as errors; its HTML folder."""
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("furo")
    pytest.importorskip("sphinx_click")
    tmp = tmp_path_factory.mktemp("site")
    # Build a copy: sphinx-gallery and autosummary write generated sources
    # next to the documentation.
    shutil.copytree(DOCS, tmp / "docs",
                    ignore=shutil.ignore_patterns("_build", "generated", "auto_gallery",
                                                  "sg_execution_times.rst"))
    shutil.copytree(GALLERY, tmp / "gallery",
                    ignore=shutil.ignore_patterns("gallery-out", "__pycache__"))
    out = tmp / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(tmp / "docs"), str(out)],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "MPLBACKEND": "Agg",
             "ADVIZ_GALLERY_OUT": str(tmp / "gallery-out")},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out


def test_docs_build_with_warnings_as_errors(site: Path) -> None:
    tutorial = (site / "tutorial.html").read_text(encoding="utf-8")
    assert 'class="adviz-player' in tutorial
    assert re.search(r'src="_images/adviz/adviz-[0-9a-f]+\.gif"', tutorial)
    assert (site / "auto_gallery" / "plot_seed_example.html").is_file()
    cli = (site / "cli.html").read_text(encoding="utf-8")
    assert "adviz.faces.cli" in cli or "adviz render" in cli
    assert (site / "generated" / "adviz.trace.html").is_file()


def test_pages_load_no_script_from_the_network(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', html)
        assert not remote, f"{page.relative_to(site)} loads {remote}"
    tutorial = (site / "tutorial.html").read_text(encoding="utf-8")
    assert 'src="_static/mathjax/tex-chtml.js"' in tutorial
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    # MathJax's CHTML output draws with its own web fonts, served with the site too.
    assert list((site / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))


def test_gallery_card_tooltips_are_plain_text(site: Path) -> None:
    # A card's tooltip is its example's first paragraph, shown as it is: no TeX there.
    index = (site / "auto_gallery" / "index.html").read_text(encoding="utf-8")
    tooltips = re.findall(r'class="sphx-glr-thumbcontainer" tooltip="([^"]*)"', index)
    assert len(tooltips) == len(EXAMPLES)
    for tip in tooltips:
        assert "\\" not in tip and "^" not in tip and "_{" not in tip, tip


# ---------------------------------------------------------------- in the browser

class OfflinePage:
    """A page of the site opened with every request that is not a local file blocked."""

    def __init__(self, browser: Any, path: Path, width: int = 1280, height: int = 900):
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.route("**/*", self._route)
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri(), wait_until="load")

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()


@pytest.fixture
def open_offline(browser: Any) -> Iterator[Any]:
    pages: list[OfflinePage] = []

    def opener(path: Path, **options: Any) -> OfflinePage:
        page = OfflinePage(browser, path, **options)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        page.page.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", ["tutorial.html", "index.html",
                                  "auto_gallery/plot_seed_example.html"])
def test_math_is_typeset_without_a_network(site: Path, open_offline: Any, name: str) -> None:
    html = (site / name).read_text(encoding="utf-8")
    formulas = len(re.findall(r'class="math notranslate nohighlight"', html))
    assert formulas > 0
    shown = open_offline(site / name)
    page = shown.page
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=20_000)
    page.evaluate("() => MathJax.startup.promise")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    typeset = page.evaluate("() => document.querySelectorAll('mjx-container').length")
    assert typeset >= formulas
    assert page.evaluate("() => document.querySelectorAll('mjx-merror').length") == 0
    # Every displayed formula fits the column at 1280 pixels (none needs scrolling).
    wide = page.evaluate("() => [...document.querySelectorAll('mjx-container[display=\"true\"]')]"
                         ".filter(m => m.scrollWidth > m.clientWidth + 1)"
                         ".map(m => m.getAttribute('aria-label') || m.textContent.slice(0, 40))")
    assert wide == [], f"formulas wider than the column in {name}: {wide}"
    text = page.evaluate("() => document.querySelector('article').innerText")
    for raw in ("\\(", "\\)", "\\[", "\\]"):
        assert raw not in text, f"raw TeX {raw!r} left in {name}"
    # The CHTML output drew its glyphs with MathJax's own font, loaded from the site.
    loaded = page.evaluate("() => [...document.fonts].filter(f => f.status === 'loaded')"
                           ".map(f => f.family)")
    assert any(family.startswith("MJXZERO") or family.startswith("MJXTEX")
               for family in loaded), loaded
    assert shown.blocked == [], shown.blocked
    assert shown.failed == [], shown.failed
    assert shown.errors == [], shown.errors


def _card(example: str, out: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run a gallery example and return the card it draws (its last figure)."""
    import matplotlib.pyplot as plt

    if example == "plot_micrograd_mlp":
        pytest.importorskip("micrograd")
    monkeypatch.setenv("ADVIZ_GALLERY_OUT", str(out))
    monkeypatch.chdir(out)
    monkeypatch.syspath_prepend(str(GALLERY))
    plt.close("all")
    runpy.run_path(str(GALLERY / f"{example}.py"), run_name="__main__")
    return plt.figure(plt.get_fignums()[-1])


@pytest.mark.browser
def test_gallery_cards_are_square_and_readable_at_card_size(
        site: Path, open_offline: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np
    from matplotlib.text import Text
    from PIL import Image

    shown = open_offline(site / "auto_gallery" / "index.html")
    cards = shown.page.evaluate(
        "() => [...document.querySelectorAll('.sphx-glr-thumbcontainer img')].map(i => "
        "({src: i.getAttribute('src'), width: i.getBoundingClientRect().width, "
        "height: i.getBoundingClientRect().height}))")
    assert len(cards) == len(EXAMPLES)
    widths = {Path(c["src"]).name: c["width"] for c in cards}
    assert all(abs(c["width"] - c["height"]) < 0.5 for c in cards), cards
    try:
        for example in EXAMPLES:
            thumb = site / "_images" / f"sphx_glr_{example}_thumb.png"
            card_px = widths[thumb.name]
            with Image.open(thumb) as image:
                assert image.width == image.height, f"{thumb.name} is not square"
                thumb_rgb = np.asarray(_on_white(image), dtype=float)
            fig = _card(example, tmp_path, monkeypatch)
            width_in, height_in = fig.get_size_inches()
            assert width_in == height_in, f"{example}: the card figure is not square"
            # The thumbnail is the card (not another figure of the example).
            path = tmp_path / f"{example}-card.png"
            fig.savefig(path, facecolor=fig.get_facecolor())
            with Image.open(path) as image:
                drawn = np.asarray(_on_white(image.resize(thumb_rgb.shape[1::-1])), dtype=float)
            assert np.abs(drawn - thumb_rgb).mean() < 3.0, f"{example}: thumbnail is not its card"
            renderer = fig.canvas.get_renderer()
            texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
            assert texts, f"{example}: the card says nothing"
            for text in texts:
                px = text.get_fontsize() / 72.0 * card_px / width_in
                assert px >= CARD_MIN_PX, (
                    f"{example}: {text.get_text()!r} is {px:.1f} px on a {card_px:.0f} px card")
                box = text.get_window_extent(renderer)
                assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.width and \
                    box.y1 <= fig.bbox.height, f"{example}: {text.get_text()!r} is cut off"
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")


def _on_white(image: Any) -> Any:
    from PIL import Image

    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")
