"""Themes: complete, readable, colour-blind-safe accents, no heavy imports."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

import pytest

from adviz.errors import InputError
from adviz.scene.style import OKABE_ITO, THEMES, Theme, get_theme, style_table

REQUIRED = [
    "background", "text", "muted_text", "node_fill", "node_stroke", "input_fill", "output_fill",
    "active_fill", "active_stroke", "muted_fill", "muted_stroke", "edge", "muted_edge",
    "forward", "gradient", "tangent", "font",
]
FILLS = ["background", "node_fill", "input_fill", "output_fill", "active_fill"]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_builtin_themes_are_light_dark_print_with_light_default() -> None:
    assert list(THEMES) == ["light", "dark", "print"]
    assert get_theme() is THEMES["light"]
    assert get_theme("dark").name == "dark"


@pytest.mark.parametrize("name", list(THEMES))
def test_theme_has_every_field_as_a_hex_colour(name: str) -> None:
    theme = THEMES[name]
    fields = {f.name for f in dataclasses.fields(Theme)}
    assert set(REQUIRED) <= fields
    for field in REQUIRED:
        value = getattr(theme, field)
        if field != "font":
            assert re.fullmatch(r"#[0-9A-Fa-f]{6}", value), (field, value)
    assert theme.font == "Helvetica"


@pytest.mark.parametrize("name", list(THEMES))
def test_text_values_and_adjoints_are_readable_on_every_fill(name: str) -> None:
    theme = THEMES[name]
    for fill in FILLS:
        for ink in ("text", "forward", "gradient", "tangent"):
            assert contrast(getattr(theme, ink), getattr(theme, fill)) >= 4.5, (fill, ink)
    assert contrast(theme.muted_text, theme.muted_fill) >= 2.0


@pytest.mark.parametrize("name", list(THEMES))
def test_value_and_gradient_colours_are_distinct_okabe_ito_hues(name: str) -> None:
    theme = THEMES[name]
    assert theme.forward != theme.gradient
    assert theme.forward in OKABE_ITO.values()
    # the gradient colour is an Okabe–Ito colour or a darker shade of vermillion
    assert theme.gradient in OKABE_ITO.values() or theme.gradient.upper() == "#B34A00"


@pytest.mark.parametrize("name", list(THEMES))
def test_tangents_have_their_own_colour_in_the_one_style_table(name: str) -> None:
    """Forward mode's tangents: an Okabe–Ito bluish green (a darker or lighter shade), distinct
    from values and adjoints, for the tangent role and the edges that carry tangents."""
    theme = THEMES[name]
    assert theme.tangent not in (theme.forward, theme.gradient, theme.active_stroke)
    assert theme.tangent.upper() in (OKABE_ITO["bluish_green"], "#00795A", "#2DC295")
    table = style_table(theme)
    assert table["text"]["tangent"] == theme.tangent
    assert table["edge"]["tangent"]["colour"] == theme.tangent
    assert table["edge"]["tangent"]["bold"] == "tangent"
    assert table["edge"]["gradient"]["bold"] == "contribution"
    assert all(table["edge"][s]["bold"] is None for s in table["edge"]
               if s not in ("tangent", "gradient"))


def test_get_theme_passes_a_theme_through_and_rejects_unknown_names() -> None:
    custom = dataclasses.replace(THEMES["light"], name="mine", gradient="#CC79A7")
    assert get_theme(custom) is custom
    with pytest.raises(InputError, match="'light', 'dark', 'print'"):
        get_theme("neon")
    with pytest.raises(InputError):
        get_theme(3)  # type: ignore[arg-type]


def test_themes_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        THEMES["light"].text = "#000000"  # type: ignore[misc]


def test_style_imports_neither_graphviz_nor_matplotlib() -> None:
    code = ("import sys, adviz.scene.style; "
            "print(sorted(m for m in ('graphviz', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _inks(style: dict, roles: dict) -> list[str]:
    """The colours text is drawn in on a box or an edge of this style."""
    return [style["text"]] if style["text"] else sorted(set(roles.values()))


@pytest.mark.parametrize("name", list(THEMES))
def test_every_text_has_contrast_on_what_it_is_drawn_on_in_every_state(name: str) -> None:
    """WCAG AA (4.5:1) for every resolved text/background pair of the style table."""
    from adviz.scene.style import style_table

    table = style_table(THEMES[name])
    roles = table["text"]
    pairs: list[tuple[str, str, str]] = []
    for kind, states in table["node"].items():
        for state, style in states.items():
            pairs += [(f"node {kind}/{state}", ink, style["fill"])
                      for ink in _inks(style, roles)]
    grounds = [table["background"], table["cluster"]["fill"]]
    for state, style in table["edge"].items():
        pairs += [(f"edge {state}", ink, ground)
                  for ink in _inks(style, roles) for ground in grounds]
    pairs += [("caption", table["caption"], table["background"]),
              ("notice", table["notice"], table["background"]),
              ("scope label", table["cluster"]["text"], table["cluster"]["fill"])]
    low = [(what, ink, ground, round(contrast(ink, ground), 2))
           for what, ink, ground in pairs if contrast(ink, ground) < 4.5]
    assert not low, low


@pytest.mark.parametrize("name", list(THEMES))
def test_muted_nodes_mute_their_box_and_keep_their_numbers(name: str) -> None:
    from adviz.scene.style import node_style

    theme = THEMES[name]
    muted = node_style(theme, "op", "muted")
    assert muted.text is None  # values and adjoints keep their roles' colours
    assert (muted.fill, muted.stroke) == (theme.muted_fill, theme.muted_stroke)
