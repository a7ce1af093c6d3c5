"""The examples of the page on imported networks (docs/howto/networks.rst) are right."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

pytest.importorskip("micrograd")
pytest.importorskip("torch")

PAGE = Path(__file__).resolve().parents[3] / "docs" / "howto" / "networks.rst"


def test_the_imported_networks_section_runs() -> None:
    text = PAGE.read_text(encoding="utf-8")
    section = text[text.index("Imported networks\n-----"):]
    test = doctest.DocTestParser().get_doctest(section, {}, "networks", str(PAGE), 0)
    assert len(test.examples) >= 10
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert runner.run(test).failed == 0
