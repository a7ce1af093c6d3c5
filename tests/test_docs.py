"""The documentation's sources: the API page covers ``adviz.__all__``, pages are linked."""

from __future__ import annotations

import doctest
import re
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
                 "howto/forward-or-reverse", "howto/notebook"]:
        assert (DOCS / f"{page}.rst").is_file()
        assert f"   {page}\n" in index


@pytest.mark.parametrize("page", ["tutorial.rst", "conventions.rst",
                                  "howto/forward-or-reverse.rst", "howto/notebook.rst"])
def test_pycon_examples_in_pages_are_right(page: str) -> None:
    if page == "howto/notebook.rst":
        pytest.importorskip("anywidget", reason="the widget needs the notebook extra")
    # The relative errors of finite differences depend on the last bits of libm.
    text = re.sub(r"\d\.\d\de-\d\d", "...", (DOCS / page).read_text(encoding="utf-8"))
    test = doctest.DocTestParser().get_doctest(text, {}, page, str(DOCS / page), 0)
    assert test.examples
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    result = runner.run(test)
    assert result.failed == 0


# The build itself (with -W) and the site in a browser: tests/test_docs_site.py.
