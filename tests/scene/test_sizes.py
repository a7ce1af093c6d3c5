"""Pages a picture fills: presets, 'WxH', the orientation chosen, the minimum text height."""

from __future__ import annotations

import pytest

import adviz
from adviz.errors import InputError
from adviz.examples import network
from adviz.scene.picture import figure, smallest_text
from adviz.scene.sizes import MIN_TEXT, PAGES, fit_scale, page_pixels


def test_presets_are_the_slide_and_column_sizes() -> None:
    assert page_pixels("16:9") == (1280.0, 720.0)
    assert page_pixels("4:3") == (1024.0, 768.0)
    assert page_pixels("blog") == (760.0, None)
    a4_width, a4_height = page_pixels("a4")
    assert a4_height is not None and a4_height > a4_width  # upright
    assert page_pixels("1920x1080") == (1920.0, 1080.0)
    assert page_pixels((12.8, 7.2)) == pytest.approx((1280.0, 720.0))
    assert set(PAGES) >= {"16:9", "4:3", "a4", "blog"}


@pytest.mark.parametrize("bad", ["huge", "0x10", "1280x", "x720", "-5x5"])
def test_an_unknown_size_names_the_choices(bad: str) -> None:
    with pytest.raises(InputError, match="size"):
        page_pixels(bad)


def test_fit_scale_fills_the_tighter_side() -> None:
    assert fit_scale(1280.0, 100.0, (1280.0, 720.0)) == 1.0
    assert fit_scale(100.0, 720.0, (1280.0, 720.0)) == 1.0
    assert fit_scale(380.0, 9000.0, (760.0, None)) == 2.0


def test_auto_orientation_gives_the_larger_text(seed_trace: adviz.Trace) -> None:
    page = page_pixels("16:9")
    by_direction = {}
    for rankdir in ("LR", "TB"):
        plain = figure(seed_trace, rankdir=rankdir)
        by_direction[rankdir] = fit_scale(plain.width, plain.height, page) * smallest_text(plain)
    fig = figure(seed_trace, size="16:9")
    assert fig.page is not None
    best = max(by_direction, key=lambda k: by_direction[k])
    assert by_direction[best] >= MIN_TEXT  # the seed fits at 16:9 without giving anything up
    assert fig.rankdir == best and fig.notice == ""
    assert fig.page.smallest == pytest.approx(by_direction[best], abs=0.01)


def test_without_a_size_nothing_changes(seed_trace: adviz.Trace) -> None:
    plain = figure(seed_trace)
    assert plain.page is None and plain.rankdir == "LR"
    assert figure(seed_trace, rankdir="auto").rankdir == "LR"


def test_a_page_too_small_refuses_with_the_fix() -> None:
    with pytest.raises(InputError, match=r"min_text=\d"):
        figure(network((2, 2, 1)), size="400x300")


def test_collapsing_is_said_in_the_notice() -> None:
    fig = figure(network((2, 1)), size="16:9")
    assert fig.page is not None and fig.page.smallest >= MIN_TEXT
    assert "to fit 16:9" in fig.notice
    assert figure(network((2, 1)), size="16:9", min_text=5).notice == ""


def test_a_size_in_inches_is_a_figure_size_without_minimum() -> None:
    fig = figure(network((2, 2, 1)), size=(8, 4.5))
    assert fig.page is not None and fig.rankdir == "LR" and fig.notice == ""
    assert (fig.page.width, fig.page.height) == pytest.approx((800.0, 450.0))


@pytest.mark.parametrize(("sizes", "size"), [((2, 4, 1), "16:9"), ((2, 4, 1), "blog")])
def test_a_size_too_small_suggests_one_that_is_large_enough(sizes: tuple[int, ...],
                                                            size: str) -> None:
    """The error names a larger size (never the one given) on which the text reaches the
    minimum: drawn at that size, the same graph fits."""
    import re

    from adviz.examples import mlp
    from adviz.scene.picture import figure

    t = mlp(sizes)
    with pytest.raises(InputError, match="use a larger size") as caught:
        figure(t, size=size)
    suggested = re.search(r"such as '(\d+x\d+)'", str(caught.value))
    assert suggested is not None and suggested.group(1) != size
    fig = figure(t, size=suggested.group(1))
    assert fig.page is not None and fig.page.smallest >= 14.0
