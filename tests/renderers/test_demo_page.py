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
import adviz.examples
from adviz.errors import InputError, MissingDependencyError, RenderError
from adviz.renderers.demo import analytic_forms, demo_data, demo_html, kernel_script, missing_js_ops
from adviz.writers import writer_for
from tests.page_scripts import split_scripts

SEED = "(x1 - x2)**2 + cos(x1 + x2)"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace(SEED, x1=1, x2=2)


@pytest.fixture(scope="module")
def page(seed: adviz.Trace) -> str:
    return demo_html(seed)


def scripts(page: str) -> list[str]:
    """The texts of the page's code elements (``<script>``), split as a browser splits them."""
    return [text for tag, text in split_scripts(page)[1] if tag == "<script>"]


def page_data(page: str) -> dict:
    text = re.search(r'<script type="application/json" class="adviz-data">(.*?)</script>',
                     page, re.DOTALL)
    assert text is not None
    data = json.loads(text.group(1))
    for name in ("nodes", "edges"):  # shared keys and rows, as the page's script reads them
        data[name] = [dict(zip(data[name]["keys"], row, strict=True))
                      for row in data[name]["rows"]]
    rows = data["table"]["rows"]
    data["table"]["rows"] = [dict(zip(rows["keys"], row, strict=True)) for row in rows["rows"]]
    return data


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
    # the walkthrough is sent once, as templates the script builds its table from
    assert "<table" not in page and "<tr" not in page
    assert [(r["phase"], r["stage"]) for r in data["table"]["rows"]][-6:] == [
        ("reverse", k) for k in range(6)]
    assert "adviz.walkthrough(trace" in page.split("<noscript>")[1].split("</noscript>")[0]


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
    markup, found = split_scripts(page)
    assert HOSTILE not in markup
    # the data, the op kernel, the page script: the name inside the data ends nothing
    assert [tag for tag, _ in found] == [
        '<script type="application/json" class="adviz-data">', "<script>", "<script>"]
    assert "</" not in found[0][1] and "<!" not in found[0][1]
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


# --- text templates --------------------------------------------------------------------------

def test_templates_give_the_label_texts_at_any_numbers() -> None:
    """Filled with numbers, each template writes what adviz.text.labels writes for them."""
    import random

    from adviz.core.stages import Contribution
    from adviz.renderers.templates import fill
    from adviz.text.labels import accumulation_lines, adjoint_line, contribution_label, value_line

    t = adviz.trace(SEED, x1=1, x2=2)
    data = demo_data(t, analytic=False)[0]
    texts = data["texts"]
    rng = random.Random(11)
    for _ in range(200):
        a, b, c = (rng.choice([-1, 1]) * 10 ** rng.uniform(-6, 7) for _ in range(3))
        own = {"value": a, "adjoint": a, "before": a, "delta": b, "after": c}

        def mine(quantity: str, index: int | None, own: dict = own) -> float:
            assert index is None  # these lines show the numbers of the node they are on
            return own[quantity]

        assert fill(texts["value"], mine) == value_line(a)
        assert fill(texts["adjoint"], mine) == adjoint_line(a)
        assert [fill(x, mine) for x in texts["accumulation"]] == list(
            accumulation_lines(a, b, c))
        for number, edge in enumerate(data["edges"]):
            p, ch = edge["key"].split("->")
            contribution = Contribution(p, ch, a, 0.0, b, 0.0, 0.0, "", "")
            numbers = {("upstream", number): a, ("delta", number): b}
            shown = fill(edge["contribution"], lambda q, i, numbers=numbers: numbers[q, i])
            assert shown == contribution_label(t, contribution)


def _network(x1, x2, w1, w2, b):
    with adviz.scope("layer"):
        h = adviz.name(adviz.tanh(w1 * x1 + w2 * x2 + b), "h")
    return 2.5 * h * h - h / 3


def _hostile(x, y):
    return adviz.name(adviz.sin(x * y), '<b>"&amp;</b> a->b') * 2.0 + y


TEMPLATE_TRACES = {
    "seed": lambda: adviz.trace(SEED, x1=1, x2=2),
    "tape-edges": lambda: adviz.trace(SEED, x1=1, x2=2, order="tape", granularity="edge"),
    "network": lambda: adviz.trace(_network, x1=1.0, x2=-1.0, w1=0.5, w2=-0.3, b=0.1),
    "hostile": lambda: adviz.trace(_hostile, x=1.0, y=0.5),
    "constants": lambda: adviz.trace("log(1 + exp(-y*(w*x + b)))", w=0.4, b=-0.2, x=1.5, y=1.0),
}


def _numbers(at: adviz.Trace):
    """The number of each page hole, read from a trace's graph and stages."""
    edges = list(at.graph.edges)
    contributions = {(c.parent, c.child): c for s in at.reverse_stages for c in s.contributions}
    nodes = at.program.nodes

    def number(quantity: str, index: int) -> float:
        if quantity == "value":
            return at.graph.nodes[nodes[index].id]["value"]
        if quantity == "adjoint":
            return at.graph.nodes[nodes[index].id].get("adjoint", 0.0)
        if quantity == "partial":
            return at.graph.edges[edges[index]]["partial"]
        return getattr(contributions[edges[index]], quantity)
    return number


_ROW = re.compile(r'<tr data-phase="(\w+)" data-stage="(\d+)"><td>\d+</td><td>(.*?)</td>'
                  r"<td>(.*?)</td></tr>")
_FINAL = re.compile(r"<tr><td></td><td>(.*?)</td><td>(.*?)</td></tr>")


@pytest.mark.parametrize("name", sorted(TEMPLATE_TRACES))
def test_templates_filled_at_random_points_give_the_texts_of_the_trace_there(name: str) -> None:
    """Templates made at the traced point, filled with the numbers of a trace at another point,
    give that trace's labels, captions and walkthrough (structure does not depend on the
    point)."""
    import html
    import random

    from adviz.renderers.templates import fill
    from adviz.text.labels import contribution_label, partial_label, stage_title
    from adviz.text.mathml import mathml_text

    t = TEMPLATE_TRACES[name]()
    data = demo_data(t, analytic=False)[0]
    rng = random.Random(f"templates-{name}")
    points = [t.inputs] + [{k: round(v + rng.uniform(-2, 2), 6) for k, v in t.inputs.items()}
                           for _ in range(4)]
    for point in points:
        at = t.retrace(point)
        number = _numbers(at)
        for phase in ("forward", "reverse"):
            for k, stage in enumerate(at.stages(phase)):
                assert fill(data["titles"][phase][k], number) == stage_title(at, phase, k)
                assert fill(data["captions"][phase][k], number, "plain") == stage.caption
        contributions = {(c.parent, c.child): c for s in at.reverse_stages
                         for c in s.contributions}
        for edge in data["edges"]:
            p, c = edge["key"].split("->") if name != "hostile" else _edge(at, edge)
            assert fill(edge["partial"], number) == partial_label(at, p, c)
            if (p, c) in contributions:
                assert fill(edge["contribution"], number) == contribution_label(
                    at, contributions[p, c])
        # the walkthrough table: caption, rows and final gradients, cell by cell
        table = adviz.walkthrough(at, "html")
        caption = re.search(r"<caption>(.*?)</caption>", table)
        assert caption is not None
        # cells are HTML with MathML, numbers written as <mn>
        assert fill(data["table"]["title"], number, "mathml") == caption.group(1)
        assert mathml_text(caption.group(1)).replace(" ", "").replace("\u2212", "-") == \
            html.unescape(fill(data["table"]["heading"], number, "plain")).replace(" ", "")
        rows = [(r["phase"], str(r["stage"]), fill(r["step"], number, "mathml"),
                 "<br>".join(fill(u, number, "mathml") for u in r["updates"]))
                for r in data["table"]["rows"]]
        assert rows == _ROW.findall(table)
        finals = [tuple(fill(cell, number, "mathml") for cell in f)
                  for f in data["table"]["finals"]]
        assert finals == _FINAL.findall(table)


def _edge(at: adviz.Trace, edge: dict) -> tuple[str, str]:
    nodes = at.program.nodes
    return nodes[edge["parent"]].id, nodes[edge["child"]].id


def test_a_number_without_a_key_cannot_be_a_page_template(seed: adviz.Trace) -> None:
    from adviz.renderers.templates import Slots, page_template
    from adviz.text.tokens import Num, num_key, text

    slots = Slots(seed)
    assert page_template(text("g_t1 = ", Num(1.0, key=num_key("adjoint", "t1"))), slots) == [
        "g_t1 = ", ["adjoint", 2, 0]]
    with pytest.raises(RenderError, match="does not compute"):
        page_template(text("x = ", Num(2.0)), slots)
    with pytest.raises(RenderError, match="does not compute"):
        page_template(text("x = ", Num(2.0, key=num_key("value", "nowhere"))), slots)


def test_the_page_script_builds_no_caption_or_row() -> None:
    """The script fills templates: none of the captions' or rows' words or symbols is in it."""
    from adviz.renderers.page import asset

    strings = " | ".join(re.findall(r'"(?:[^"\\]|\\.)*"', asset("demo.js")))
    assert '"forward"' in strings and "they agree" in strings  # the literals were found
    for fragment in ("g_", "Process parent", "Evaluate", "Initialise", "Constants", "Stage ",
                     "+=", "\\u2202", "\\u00b7", " * ", "/d", "i.e.", " = "):
        assert fragment not in strings, fragment


def test_no_svg_is_parsed_and_the_base_is_painted_once(seed: adviz.Trace) -> None:
    import inspect

    import adviz.renderers.demo as module

    source = inspect.getsource(module)
    assert "ElementTree" not in source and "drop_captions" not in source
    page = demo_html(seed, analytic=False)
    svg = adviz.to_svg(seed, "forward", 0, collapse=(), full=True)
    assert svg[svg.index("<svg"):] in page
    assert page.count("<svg") == 1


def test_demo_page_grows_with_the_graph() -> None:
    def chain(n: int) -> adviz.Trace:
        def f(x):
            for _ in range(n):
                x = adviz.sin(x) + x
            return x
        return adviz.trace(f, x=0.5)

    small, large = (len(demo_html(chain(n), analytic=False).encode()) for n in (40, 80))
    assert large < 2.3 * small


def _absolute(relative: str) -> list[tuple[float, float]]:
    """The points of a path ``M x,y c dx,dy ...`` (relative cubic segments) made absolute."""
    head, rest = relative[1:].split("c")
    x0, y0 = (float(v) for v in head.split(","))
    points = [(x0, y0)]
    pairs = [tuple(float(v) for v in pair.split(",")) for pair in rest.split()]
    for k in range(0, len(pairs), 3):
        segment = [(x0 + dx, y0 + dy) for dx, dy in pairs[k:k + 3]]
        points += segment
        x0, y0 = segment[-1]
    return points


@pytest.mark.parametrize("sizes", [(2, 4, 1), (3, 6, 1)])
def test_reverse_routes_are_the_figure_s_routes(sizes: tuple[int, ...]) -> None:
    """The page writes reverse routes with relative segments: made absolute again, they
    are the figure's routes as the SVG writes them (two decimals)."""
    from adviz.renderers.page import path_data
    from adviz.scene.picture import figure

    t = adviz.examples.mlp(sizes)
    data = page_data(demo_html(t, analytic=False))
    fig = figure(t, collapse=(), full=True, copies=False)
    assert data["edges"]
    for edge in data["edges"]:
        parent, child = edge["key"].split("->")
        route = fig.edges[parent, child].reverse
        written = _absolute(edge["rev"][0])
        assert len(written) == len(route)
        expected = [tuple(float(v) for v in pair.split(","))
                    for pair in path_data(route)[1:].replace("C", " ").split()]
        assert all(abs(a - b) < 1e-6 for p, q in zip(written, expected) for a, b in zip(p, q))
        assert len(edge["rev"][0]) < len(path_data(route))
