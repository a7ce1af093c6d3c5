"""The documentation: its API page covers ``adviz.__all__``, and it builds with -W."""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import adviz

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_api_reference_lists_every_public_name() -> None:
    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    listed = set(re.findall(r"^   (\w+)$", text, re.M)) | set(
        re.findall(r"^\.\. data:: (\w+)$", text, re.M))
    missing = sorted(set(adviz.__all__) - listed)
    assert not missing, f"add these names of adviz.__all__ to docs/api.rst: {missing}"


def test_docs_pages_are_in_a_toctree() -> None:
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    for page in ["tutorial", "api", "cli", "conventions", "howto/slides", "howto/gifs",
                 "howto/embedding", "howto/custom-ops", "howto/themes",
                 "howto/forward-or-reverse"]:
        assert (DOCS / f"{page}.rst").is_file()
        assert f"   {page}\n" in index


@pytest.mark.parametrize("page", ["tutorial.rst", "conventions.rst",
                                  "howto/forward-or-reverse.rst"])
def test_pycon_examples_in_pages_are_right(page: str) -> None:
    # The relative errors of finite differences depend on the last bits of libm.
    text = re.sub(r"\d\.\d\de-\d\d", "...", (DOCS / page).read_text(encoding="utf-8"))
    test = doctest.DocTestParser().get_doctest(text, {}, page, str(DOCS / page), 0)
    assert test.examples
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    result = runner.run(test)
    assert result.failed == 0


@pytest.mark.slow
def test_docs_build_with_warnings_as_errors(tmp_path: Path) -> None:
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("furo")
    pytest.importorskip("sphinx_click")
    # Build a copy: sphinx-gallery and autosummary write generated sources
    # next to the documentation.
    shutil.copytree(DOCS, tmp_path / "docs",
                    ignore=shutil.ignore_patterns("_build", "generated", "auto_gallery",
                                                  "sg_execution_times.rst"))
    shutil.copytree(ROOT / "gallery", tmp_path / "gallery",
                    ignore=shutil.ignore_patterns("gallery-out", "__pycache__"))
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(tmp_path / "docs"), str(out)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "MPLBACKEND": "Agg",
             "ADVIZ_GALLERY_OUT": str(tmp_path / "gallery-out")},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    tutorial = (out / "tutorial.html").read_text(encoding="utf-8")
    assert 'class="adviz-player' in tutorial
    assert re.search(r'src="_images/adviz/adviz-[0-9a-f]+\.gif"', tutorial)
    assert (out / "auto_gallery" / "plot_seed_example.html").is_file()
    assert "adviz.faces.cli" in (out / "cli.html").read_text(encoding="utf-8") or \
        "adviz render" in (out / "cli.html").read_text(encoding="utf-8")
    assert (out / "generated" / "adviz.trace.html").is_file()
