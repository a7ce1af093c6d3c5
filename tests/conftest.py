"""Shared fixtures: the seed page's example 3 in both of its forms."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import adviz

SEED_EXPRESSION = "(x1 - x2)**2 + cos(x1 + x2)"


def seed_function(x1, x2):
    return (x1 - x2) ** 2 + adviz.cos(x1 + x2)


SEED_VALUES = {
    "t1": -1.0,
    "t2": 1.0,
    "t3": 3.0,
    "t4": math.cos(3.0),
    "y": 1.0 + math.cos(3.0),
}
SEED_GRAD = {"x1": -2.0 - math.sin(3.0), "x2": 2.0 - math.sin(3.0)}


@pytest.fixture(params=["function", "string"])
def seed_trace(request: pytest.FixtureRequest) -> adviz.Trace:
    """The seed example traced from a Python function and from the expression string."""
    f = seed_function if request.param == "function" else SEED_EXPRESSION
    return adviz.trace(f, x1=1.0, x2=2.0)


CHROMIUM = os.environ.get("ADVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
HOW_TO = ("run `sudo bash .ci/install-browser.sh` (Debian's chromium) or set ADVIZ_CHROMIUM to a "
          "Chromium binary")


def _unavailable(reason: str) -> None:
    """Browser tests are required in CI; elsewhere a missing browser skips them, saying why."""
    if os.environ.get("CI") and os.environ.get("ADVIZ_SKIP_BROWSER") != "1":
        pytest.fail(f"{reason}: {HOW_TO}", pytrace=False)
    pytest.skip(f"{reason}; {HOW_TO} to run the browser tests")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright (never a browser download)."""
    if os.environ.get("ADVIZ_SKIP_BROWSER") == "1":
        pytest.skip("browser tests skipped (ADVIZ_SKIP_BROWSER=1)")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install 'adviz[test]')")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


class BrowserPage:
    """A page loaded in the browser that records requests, errors and dialogs.

    ``ready`` is a CSS selector to wait for after loading (``None``: don't wait).
    """

    def __init__(self, browser: Any, path: Path, *, width: int = 1400, height: int = 900,
                 ready: str | None = None):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", self._dialog)
        self.page.clock.install()
        self.page.goto(path.as_uri())
        if ready is not None:
            self.page.wait_for_selector(ready, state="attached")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.page.close()


def page_opener(browser: Any, page_class: type[BrowserPage]) -> Iterator[Callable[..., Any]]:
    """Body of an ``open_page`` fixture: open pages, then check each stayed clean and offline."""
    pages: list[BrowserPage] = []

    def opener(path: Path, **options: Any) -> BrowserPage:
        page = page_class(browser, path, **options)
        pages.append(page)
        return page

    yield opener
    for page in pages:
        assert page.errors == [], page.errors
        assert page.dialogs == [], page.dialogs
        assert all(u.startswith(("file://", "data:")) for u in page.requests), page.requests
        page.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that import JAX last.

    JAX starts threads when imported; tests that fork afterwards (Sphinx's
    parallel builds, MP4 encoding) would run in a process that forked with
    those threads alive, which can deadlock.
    """
    items.sort(key=lambda item: "jax" in item.nodeid.lower())


def same_text(unicode: str | None, shown: str | None) -> bool:
    """Whether a page's MathML (its text content) shows a text's Unicode form: the same
    characters once subscript digits are digits and spaces and ``_`` are dropped."""
    import unicodedata

    def normal(text: str | None) -> str:
        return unicodedata.normalize("NFKD", text or "").replace(" ", "").replace("_", "")

    return normal(unicode) == normal(shown)
