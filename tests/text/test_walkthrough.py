"""The walkthrough in its four formats."""

from __future__ import annotations

import pytest

import adviz


def test_text_walkthrough_matches_the_seed_rows(seed_trace: adviz.Trace) -> None:
    text = adviz.walkthrough(seed_trace)
    assert "Process parents of y, i.e. (t2, t4): g_t2 += g_y * dy/dt2 = 1 * 1 = 1" in text
    assert "Process parents of t2, i.e. t1: g_t1 += g_t2 * dt2/dt1 = 1 * (2 t1) = -2" in text
    assert "t4 = cos(t3) = -0.98999" in text
    assert "dy/dx1 = g_x1 = -2.14112" in text and "dy/dx2 = g_x2 = 1.85888" in text
    order = [text.index(f"Process parents of {n}") for n in ["y", "t2", "t4", "t1", "t3"]]
    assert order == sorted(order)


@pytest.mark.parametrize("fmt", ["markdown", "latex", "html"])
def test_other_formats_carry_the_numbers(seed_trace: adviz.Trace, fmt: str) -> None:
    out = adviz.walkthrough(seed_trace, fmt).replace("\u2212", "-")  # html: MathML, −
    for number in ["-0.14112", "-2.14112", "1.85888", "0.01001"]:
        assert number in out


def test_latex_uses_math() -> None:
    out = adviz.walkthrough(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2), "latex")
    assert r"\frac{\partial t_{2}}{\partial t_{1}}" in out
    assert r"\left(2 t_{1}\right)" in out


HOSTILE = '<script>alert("x")</script> & 100% {a_b}'


def _hostile_trace() -> adviz.Trace:
    return adviz.trace(lambda x: adviz.name(adviz.sin(x), HOSTILE) * 2.0, x=1.0)


def test_html_escapes_names() -> None:
    out = adviz.walkthrough(_hostile_trace(), "html")
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_markdown_escapes_names() -> None:
    out = adviz.walkthrough(_hostile_trace(), "markdown")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "a\\_b" in out


def test_latex_escapes_names() -> None:
    out = adviz.walkthrough(_hostile_trace(), "latex")
    assert "100\\%" in out and "\\&" in out and "\\{a" in out


def test_unknown_format() -> None:
    with pytest.raises(adviz.InputError, match="markdown"):
        adviz.walkthrough(_hostile_trace(), "rtf")
