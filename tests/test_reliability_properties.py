"""Property tests: arbitrary Unicode names through every writer, and killed renders."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adviz
from adviz.errors import AdvizError

ROOT = Path(__file__).resolve().parents[1]

names = st.text(st.characters(codec=None), min_size=1, max_size=12)
"""Any code points: control characters, surrogates, newlines, markup, quotes."""


def _trace_or_none(label: str, scope: str) -> adviz.Trace | None:
    def f(x: adviz.Var) -> adviz.Var:
        with adviz.scope(scope):
            h = adviz.name(x * 2, label)
        return adviz.sin(h) + x

    try:
        return adviz.trace(f, x=0.5)
    except AdvizError:
        return None


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(constant)

    return json.loads(text, parse_constant=refuse)


def _markdown_intact(text: str) -> None:
    rows = [line for line in text.splitlines() if line.startswith("|")]
    for line in text.splitlines():
        assert not line.startswith("#")
    for line in rows:
        cells = line.replace("\\|", "").count("|")
        assert cells >= 3, line


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label=names, scope=names)
def test_text_and_svg_writers_are_well_formed_for_any_name(label: str, scope: str) -> None:
    from adviz.renderers.demo import demo_html
    from adviz.renderers.player import player_html
    from adviz.renderers.tikz import to_beamer
    from adviz.writers.text import graph_json

    t = _trace_or_none(label, scope)
    if t is None:
        return
    for phase in ("forward", "reverse", "summary"):
        ET.fromstring(adviz.to_svg(t, phase))
    data = _strict_json(graph_json(t))
    assert isinstance(data, dict) and any(n["id"] == t.program.nodes[2].id
                                          for n in data["nodes"])
    _markdown_intact(adviz.walkthrough(t, "markdown"))
    for page in (player_html(t), demo_html(t)):
        HTMLParser().feed(page)
        if "<" in label:
            assert label not in page
    tex = to_beamer(t)
    assert "\\end{document}" in tex


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label=names)
def test_matplotlib_writers_give_an_error_or_a_file_for_any_name(
        label: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    from PIL import Image

    t = _trace_or_none(label, "s")
    if t is None:
        return
    folder = tmp_path_factory.mktemp("mpl")
    options = {"png": {"dpi": 30}, "gif": {"dpi": 30, "tween": 1, "hold": 1}, "pdf": {}}
    for suffix, extra in options.items():
        path = adviz.save(t, folder / f"a.{suffix}", **extra)
        if suffix != "pdf":
            Image.open(path).load()
        else:
            assert path.read_bytes().startswith(b"%PDF")


# --- killed renders -----------------------------------------------------------------

EXPRESSIONS = ["x * x + 1", "(x1 - x2)**2 + cos(x1 + x2)", "sin(x) * exp(x) + x"]
POINTS = {"x * x + 1": ["x=2"], "(x1 - x2)**2 + cos(x1 + x2)": ["x1=1", "x2=2"],
          "sin(x) * exp(x) + x": ["x=0.5"]}


def _cli(expression: str, out: Path) -> list[str]:
    args = [sys.executable, "-m", "adviz", "render", expression, "-q", "--format",
            "svg,gif,md,json", "-o", str(out)]
    for at in POINTS[expression]:
        args += ["--at", at]
    return args


def _snapshot(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


ENV = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(pair=st.permutations(EXPRESSIONS), seed=st.integers(0, 2**32 - 1))
def test_killed_render_leaves_old_or_new_output_and_no_debris(
        pair: list[str], seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    old_expr, new_expr = pair[0], pair[1]
    base = tmp_path / f"run-{seed}"
    base.mkdir()
    out, reference = base / "out", base / "reference"
    subprocess.run(_cli(new_expr, reference), env=ENV, check=True)
    new = _snapshot(reference)
    subprocess.run(_cli(old_expr, out), env=ENV, check=True)
    old = _snapshot(out)
    started = time.monotonic()
    subprocess.run(_cli(new_expr, base / "timing"), env=ENV, check=True)
    duration = time.monotonic() - started
    for _ in range(3):
        process = subprocess.Popen(_cli(new_expr, out), env=ENV, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        process.send_signal(rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGKILL]))
        process.wait()
        now = _snapshot(out)
        assert now in (old, new)
        if now == new:  # start again from the old output
            subprocess.run(_cli(old_expr, out), env=ENV, check=True)
            assert _snapshot(out) == old
    subprocess.run(_cli(new_expr, out), env=ENV, check=True)
    assert _snapshot(out) == new
    leftovers = sorted(p.name for p in base.iterdir())
    assert leftovers == ["out", "reference", "timing"]
    assert not [p for p in out.rglob(".*") if p.name != ".adviz-manifest.json"]
