"""The analytic gradient (SymPy) set beside the reverse-mode numbers in a summary figure."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

import pytest

import adviz
from adviz.errors import MissingDependencyError
from adviz.scene.panel import analytic_panel
from adviz.text.labels import pretty_formula

SVG = "{http://www.w3.org/2000/svg}"


def panel_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "panel":
            return [t.text or "" for t in g.iter(f"{SVG}text")]
    return []


def test_summary_with_the_analytic_panel(seed_trace: adviz.Trace) -> None:
    pytest.importorskip("sympy")
    plain = adviz.to_svg(seed_trace, "summary")
    svg = adviz.to_svg(seed_trace, "summary", analytic=True)
    assert panel_texts(plain) == []
    texts = panel_texts(svg)
    assert texts[0].startswith("Analytic gradient")
    assert texts[1] == ("∂y/∂x₁ = 2x₁ − 2x₂ − sin(x₁ + x₂) = −2.14112 — reverse mode: "
                        "g_x₁ = −2.14112 ✓")
    assert texts[2].startswith("∂y/∂x₂ = ") and texts[2].endswith("g_x₂ = 1.85888 ✓")
    # the panel adds height below the graph; the graph itself does not move
    height = float(ET.fromstring(svg).get("viewBox").split()[3])
    assert height > float(ET.fromstring(plain).get("viewBox").split()[3])
    assert plain.split('<g class="caption">')[1].split("</g>")[0] in svg


def test_analytic_panel_on_a_reverse_frame(seed_trace: adviz.Trace) -> None:
    pytest.importorskip("sympy")
    assert len(panel_texts(adviz.to_svg(seed_trace, "reverse", 2, analytic=True))) == 3


def test_without_sympy_the_error_names_the_extra(seed_trace: adviz.Trace,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sympy", None)
    with pytest.raises(MissingDependencyError, match=r"adviz\[symbolic\]"):
        adviz.to_svg(seed_trace, "summary", analytic=True)
    with pytest.raises(MissingDependencyError, match=r"adviz\[symbolic\]"):
        analytic_panel(seed_trace)
    assert "g = −2.14112" in adviz.to_svg(seed_trace, "summary")


def test_pretty_formula() -> None:
    assert pretty_formula("2*x1 - 2*x2 - sin(x1 + x2)") == "2x₁ − 2x₂ − sin(x₁ + x₂)"
    assert pretty_formula("x**3*cos(x)") == "x^3·cos(x)"
    assert pretty_formula("sqrt(x)") == "sqrt(x)"
