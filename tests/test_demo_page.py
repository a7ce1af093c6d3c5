"""The interactive demonstration page: structure, safety, fallback, size, determinism."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from pathlib import Path

import pytest

import adviz
from adviz.errors import InputError, MissingDependencyError
from adviz.renderers.demo import analytic_forms, demo_data, demo_html, kernel_script, missing_js_ops
from adviz.writers import writer_for

SEED = "(x1 - x2)**2 + cos(x1 + x2)"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace(SEED, x1=1, x2=2)


@pytest.fixture(scope="module")
def page(seed: adviz.Trace) -> str:
    return demo_html(seed)


def scripts(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, re.DOTALL)


def page_data(page: str) -> dict:
    text = re.search(r'<script type="application/json" class="adviz-data">(.*?)</script>',
                     page, re.DOTALL)
    assert text is not None
    return json.loads(text.group(1))


def test_structure(page: str, seed: adviz.Trace) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 1
    assert page.count('class="adviz-demo adviz-light"') == 1
    for section in ("adviz-inputs", "adviz-graph", "adviz-table", "adviz-check",
                    "adviz-descent", "adviz-controls", "adviz-caption"):
        assert f'class="{section}' in page
    data = page_data(page)
    assert [n["id"] for n in data["nodes"]] == [n.id for n in seed.program.nodes]
    assert [n["op"] for n in data["nodes"]] == [None, None, "sub", "pow", "add", "cos", "add"]
    assert data["nodes"][3]["slots"] == [{"p": 2}, {"c": 2.0}]
    assert [e["key"] for e in data["edges"]] == [f"{p}->{c}" for p, c in seed.graph.edges]
    assert [i["id"] for i in data["inputs"]] == ["x1", "x2"]
    assert data["order"] == "seed" and data["granularity"] == "node"
    # every node and edge of the graph is drawn once, found by its <title>
    assert page.count('class="node"') == seed.graph.number_of_nodes()
    assert page.count('class="edge"') == seed.graph.number_of_edges()
    for node in seed.graph.nodes:
        assert f"<title>{node}</title>" in page
    # the walkthrough table is there before any script runs
    assert page.count('<tr data-phase="reverse"') == 6


def test_self_contained_with_csp(page: str) -> None:
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    policy = csp.group(1)
    assert "default-src 'none'" in policy and "unsafe-eval" not in policy
    bodies = scripts(page)
    assert len(bodies) == 2
    for body in bodies:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    without_ns = page.replace("http://www.w3.org/2000/svg", "")
    assert "http://" not in without_ns and "https://" not in without_ns
    assert "<link" not in page and "@import" not in page and " src=" not in page


def test_kernel_holds_the_ops_of_the_table(seed: adviz.Trace) -> None:
    kernel = kernel_script(seed)
    for name in ("sub", "pow", "add", "cos"):
        op = adviz.OPS[name]
        assert f'"{name}": {{"f": function' in kernel
        assert op.js_forward is not None and op.js_partials is not None
        assert op.js_forward in kernel
        assert all(p in kernel for p in op.js_partials)
    assert '"mul"' not in kernel


def test_an_op_added_to_the_table_reaches_the_page() -> None:
    cube = adviz.register_op("cube", lambda a: a**3, lambda a: 3 * a**2, replace=True,
                             js_forward="a * a * a", js_partials=["3 * a * a"])
    try:
        t = adviz.trace(lambda x: cube(x) + 1, x=2.0)
        assert missing_js_ops(t) == []
        page = demo_html(t, analytic=False)
        assert 'class="adviz-demo' in page
        assert "a * a * a" in page and "3 * a * a" in page
    finally:
        adviz.unregister_op("cube")


def test_custom_op_without_javascript_falls_back_to_the_player() -> None:
    twice = adviz.register_op("twice", lambda a: 2 * a, lambda a: 2.0, replace=True)
    try:
        t = adviz.trace(lambda x: twice(x) * x, x=1.5)
        assert missing_js_ops(t) == ["twice"]
        page = demo_html(t)
        assert 'class="adviz-demo-notice"' in page and "<strong>twice</strong>" in page
        assert 'class="adviz-player' in page and 'class="adviz-demo ' not in page
        assert page.index("adviz-demo-notice") < page.index('class="adviz-player')
    finally:
        adviz.unregister_op("twice")


def test_markup_in_an_op_javascript_form_is_refused() -> None:
    with pytest.raises(adviz.OpError, match="not allowed"):
        adviz.register_op("bad", lambda a: a, lambda a: 1.0, replace=True,
                          js_forward="a </script><script>alert(1)", js_partials=["1"])
    assert "bad" not in adviz.core.ops.OPS


def test_hostile_node_name_is_escaped() -> None:
    def f(x):
        return adviz.name(x * 2, HOSTILE) + 1

    page = demo_html(adviz.trace(f, x=1.0))
    assert HOSTILE not in page
    assert page.count("<script") == 3  # the data, the op kernel, the page script
    data = page_data(page)
    assert [n["id"] for n in data["nodes"]] == ["x", HOSTILE, "y"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # in the SVG <title>


def test_hostile_title_is_escaped(seed: adviz.Trace) -> None:
    page = demo_html(seed, title=HOSTILE, analytic=False)
    assert HOSTILE not in page and "&lt;script&gt;" in page
    assert page_data(page)["title"] == HOSTILE


def test_seed_page_size(page: str) -> None:
    assert len(page.encode("utf-8")) < 200_000


def test_deterministic(seed: adviz.Trace, page: str) -> None:
    assert demo_html(seed) == page
    assert demo_html(adviz.trace(SEED, x1=1, x2=2)) == page
    dark = demo_html(seed, theme="dark")
    assert dark == demo_html(seed, theme="dark") and dark != page
    assert 'class="adviz-demo adviz-dark"' in dark


def test_analytic_formulas_are_embedded_as_javascript(seed: adviz.Trace, page: str) -> None:
    pytest.importorskip("sympy")
    forms = analytic_forms(seed)
    assert [g["input"] for g in forms["grads"]] == ["x1", "x2"]
    assert all(g["js"] for g in forms["grads"])
    assert forms["code"]["x1"] == "2*_v[0] - 2*_v[1] - Math.sin(_v[0] + _v[1])"
    assert forms["code"]["x1"] in page
    data = page_data(page)
    assert data["analytic"]["state"] == "on"
    assert math.isclose(data["analytic"]["grads"][0]["value"], seed.grad["x1"])


def test_analytic_without_a_javascript_form_keeps_the_value() -> None:
    pytest.importorskip("sympy")
    forms = analytic_forms(adviz.trace("relu(x) * x", x=2.0))
    (grad,) = forms["grads"]
    assert grad["value"] == pytest.approx(4.0)
    assert grad["js"] == ("x" in forms["code"])


def test_analytic_off_and_missing(seed: adviz.Trace, monkeypatch: pytest.MonkeyPatch) -> None:
    assert demo_data(seed, analytic=False)[0]["analytic"] == {"state": "off"}
    assert demo_data(seed, analytic=False)[2] == {}

    def missing(trace: adviz.Trace) -> dict:
        raise MissingDependencyError("the analytic gradient needs SymPy")

    monkeypatch.setattr("adviz.renderers.demo.analytic_forms", missing)
    assert demo_data(seed)[0]["analytic"] == {"state": "missing"}
    with pytest.raises(MissingDependencyError):
        demo_data(seed, analytic=True)


def test_input_ranges_surround_the_traced_point() -> None:
    t = adviz.trace("w * x + b", w=0.5, x=-10.0, b=0.0)
    for item in page_data(demo_html(t, analytic=False))["inputs"]:
        assert item["min"] < item["value"] < item["max"]
        assert item["max"] - item["min"] >= 4.0
        assert 0 < item["step"] <= (item["max"] - item["min"]) / 100


def test_save_interactive_writes_the_demo_atomically(
    seed: adviz.Trace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adviz.writers.files as fileio

    assert writer_for("demo.html", interactive=True).name == "demo"
    assert writer_for("demo.htm", interactive=True).name == "demo"
    assert writer_for("demo.html").name == "html"
    calls: list[Path] = []
    real = fileio.atomic_write_text

    def spy(path: Path, text: str) -> Path:
        calls.append(Path(path))
        return real(path, text)

    monkeypatch.setattr(fileio, "atomic_write_text", spy)
    path = adviz.save(seed, tmp_path / "demo.html", interactive=True, analytic=False)
    assert calls == [tmp_path / "demo.html"]
    text = path.read_text(encoding="utf-8")
    assert 'class="adviz-demo' in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.html"]
    player = adviz.save(seed, tmp_path / "player.html")
    assert 'class="adviz-demo' not in player.read_text(encoding="utf-8")


def test_save_interactive_rejects_unknown_options(seed: adviz.Trace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="phase"):
        adviz.save(seed, tmp_path / "demo.html", interactive=True, phase="forward")
    assert not (tmp_path / "demo.html").exists()


def test_unknown_theme_is_an_input_error(seed: adviz.Trace) -> None:
    with pytest.raises(InputError, match="theme"):
        demo_html(seed, theme="neon")


def test_custom_op_with_javascript_and_analytic_default() -> None:
    """A custom op SymPy cannot evaluate still gives a page (formula or a note)."""
    cube = adviz.register_op("cube", lambda a: a**3, lambda a: 3 * a**2, replace=True,
                             js_forward="a * a * a", js_partials=["3 * a * a"])
    try:
        page = demo_html(adviz.trace(lambda x: cube(x) + x, x=2.0))
    finally:
        adviz.unregister_op("cube")
    state = page_data(page)["analytic"]["state"]
    assert state in ("on", "failed", "missing")
    if state == "on":
        assert not any(g["js"] for g in page_data(page)["analytic"]["grads"])
