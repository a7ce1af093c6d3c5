"""The HTML player: self-contained, complete, escaped and deterministic."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import adviz
from adviz.errors import InputError
from adviz.renderers.player import (
    NOTEBOOK_MAX_FRAMES,
    json_for_script,
    notebook_html,
    player_fragment,
    player_html,
)
from adviz.scene.picture import figure
from adviz.scene.style import get_theme, style_table
from adviz.text.labels import stage_title
from tests.page_scripts import split_scripts

SEED = "(x1 - x2)**2 + cos(x1 + x2)"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_OUT = "<img src=x onerror=alert(2)>"
HOSTILE_TITLE = "</title><script>alert(3)</script>&\"'"
URL_ATTRIBUTES = {"src", "href", "xlink:href", "action", "formaction", "data", "poster",
                  "background", "srcset", "manifest", "ping"}


@pytest.fixture(scope="module")
def seed() -> adviz.Trace:
    return adviz.trace(SEED, x1=1, x2=2)


@pytest.fixture(scope="module")
def page(seed: adviz.Trace) -> str:
    return player_html(seed)


@pytest.fixture(scope="module")
def hostile() -> adviz.Trace:
    def f(x1, x2):
        h = adviz.name((x1 - x2) ** 2, HOSTILE)
        return h + adviz.cos(x1 + x2)

    f.__name__ = "<b>f&amp;</b>"
    return adviz.trace(f, x1=1.0, x2=2.0, output=HOSTILE_OUT)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def elements(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    parser.close()
    return parser


def player_data(text: str) -> dict:
    scripts = [s for a, s in elements(text).scripts if a.get("type") == "application/json"]
    assert len(scripts) == 1
    return json.loads(scripts[0])


def base_svg(text: str) -> str:
    """The one SVG document of a player: its first stage, painted whole."""
    shown = re.search(r'<div class="adviz-frame"[^>]*>(.*?)</div>', text, re.DOTALL)
    assert shown is not None
    return shown.group(1)


def all_markup(text: str) -> list[str]:
    """The page's markup, its script elements' texts left out (split as a browser splits
    them): the data's texts reach the page as text nodes only (never markup)."""
    assert "innerHTML" not in text and "insertAdjacentHTML" not in text
    assert "textContent = line[2]" in text
    return [split_scripts(text)[0]]


def assert_data_stays_in_its_element(text: str, hostile: tuple[str, ...]) -> None:
    """A browser splits the page into the player's two script elements, and the data's
    element holds JSON that reads back with every hostile text as it was."""
    found = split_scripts(text)[1]
    assert [tag for tag, _ in found] == ['<script type="application/json" class="adviz-data">',
                                         "<script>"]
    json_text = found[0][1]
    assert "</" not in json_text and "<!" not in json_text
    written = json.dumps(json.loads(json_text), ensure_ascii=False)
    assert all(h in written for h in hostile)


def replay(data: dict, trace: adviz.Trace, **options: object) -> dict[tuple[str, int], dict]:
    """Apply the embedded changes in order to the first stage: what each stage shows.

    Each element as ``(state, lines)`` (edges: ``(state, toward parent, lines)``),
    by ``(phase, stage)``.
    """
    fig = figure(trace, **options)
    scene = data["scene"]
    nodes = [n[0] for n in scene["nodes"]]
    edges = [(e[0], e[1]) for e in scene["edges"]]
    lines, states = data["lines"], data["states"]
    first = data["phases"][0]["name"]
    base = fig.frame(first, 0)
    shown: dict = {f"node:{n}": (v.state, [[ln.role, ln.size, ln.text] for ln in v.lines])
                   for n, v in base.nodes.items()}
    shown.update({f"edge:{p}->{c}": (v.state, v.toward_parent,
                                     [[ln.role, ln.size, ln.text] for ln in v.lines])
                  for (p, c), v in base.edges.items()})
    out = {}
    for phase in data["phases"]:
        for k, (node_changes, edge_changes) in enumerate(phase["stages"]):
            for i, state, *refs in node_changes:
                shown[f"node:{nodes[i]}"] = (states[state], [lines[r] for r in refs])
            for i, state, toward, *refs in edge_changes:
                p, c = edges[i]
                shown[f"edge:{p}->{c}"] = (states[state], bool(toward), [lines[r] for r in refs])
            out[phase["name"], k] = dict(shown)
    return out


def expected_view(trace: adviz.Trace, phase: str, stage: int, **options: object) -> dict:
    frame = figure(trace, **options).frame(phase, stage)
    out: dict = {f"node:{n}": (v.state, [[ln.role, ln.size, ln.text] for ln in v.lines])
                 for n, v in frame.nodes.items()}
    out.update({f"edge:{p}->{c}": (v.state, v.toward_parent,
                                   [[ln.role, ln.size, ln.text] for ln in v.lines])
                for (p, c), v in frame.edges.items()})
    return out


def assert_inert(markup: str) -> None:
    """No event handlers, no outside URLs, no script element but the player's own."""
    for tag, attrs in elements(markup).tags:
        for key, value in attrs.items():
            assert not key.startswith("on"), (tag, key, value)
            if key in URL_ATTRIBUTES:
                assert value is not None
                assert value.startswith(("#", "data:image/")), (tag, key, value)
        assert tag not in {"iframe", "object", "embed", "link", "base", "foreignobject"}, tag


# --- self-contained ---------------------------------------------------------------------------


def test_page_is_a_complete_document(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert page.endswith("</html>\n")
    assert '<meta charset="utf-8">' in page
    assert '<meta name="viewport"' in page


def test_no_network_resources(page: str) -> None:
    for markup in all_markup(page):
        assert_inert(markup)
        assert "@import" not in markup
        assert re.search(r"url\(\s*['\"]?(https?:)?//", markup) is None
    # the only absolute URLs are XML namespace names, which are never fetched
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls


def test_scripts_are_inline_and_allowed_by_the_policy(page: str) -> None:
    scripts = elements(page).scripts
    assert [a.get("type") for a, _ in scripts] == ["application/json", None]
    assert all("src" not in a for a, _ in scripts)
    code = scripts[1][1]
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy is not None
    assert f"script-src 'sha256-{digest}'" in policy.group(1)
    assert "default-src 'none'" in policy.group(1)


# --- content -----------------------------------------------------------------------------------


def test_all_stages_and_captions_present(seed: adviz.Trace, page: str) -> None:
    data = player_data(page)
    assert [p["name"] for p in data["phases"]] == ["forward", "reverse"]
    assert data["start"] == ["forward", 0]
    for phase in data["phases"]:
        name = phase["name"]
        assert len(phase["stages"]) == len(phase["captions"]) == 6
        assert phase["captions"] == [stage_title(seed, name, i) for i in range(6)]
    assert data["phases"][0]["stages"][0] == [[], []]  # the base SVG shows it
    assert "Stage 3 of 5 — process parents of t₄" in data["phases"][1]["captions"][3]


def test_the_base_is_the_first_frame_painted_once(seed: adviz.Trace, page: str) -> None:
    svg = adviz.to_svg(seed, "forward", 0)
    assert base_svg(page) == svg[svg.index("<svg"):]
    assert page.count("<svg") == 1 + page.count('<svg class="adviz-icon')
    for node in ("x1", "x2", "t1", "t2", "t3", "t4", "y"):
        assert page.count(f"<title>{node}</title>") == svg.count(f"<title>{node}</title>") >= 1


@pytest.mark.parametrize("options", [{}, {"theme": "dark", "rankdir": "TB"},
                                     {"phase": "reverse"}, {"phase": "tangent"},
                                     {"phase": "modes", "seed": "x2", "theme": "print"},
                                     {"phase": "tangent", "seed": {"x1": 1.0, "x2": -0.5}}])
def test_replaying_the_changes_gives_every_frame(seed: adviz.Trace, options: dict) -> None:
    drawing = {k: v for k, v in options.items() if k != "phase"}
    data = player_data(player_html(seed, **options))
    shown = replay(data, seed, **drawing)
    phases = [p["name"] for p in data["phases"]]
    assert len(shown) == 6 * len(phases)
    for (phase, stage), elements_shown in shown.items():
        assert elements_shown == expected_view(seed, phase, stage, **drawing), (phase, stage)


def test_replaying_a_collapsed_network() -> None:
    import adviz.examples

    net = adviz.examples.network()
    data = player_data(player_html(net, collapse=["hidden layer"]))
    for (phase, stage), shown in replay(data, net, collapse=["hidden layer"]).items():
        assert shown == expected_view(net, phase, stage, collapse=["hidden layer"])
    assert any(n[1] == "scope" for n in data["scene"]["nodes"])


def test_only_changed_elements_are_embedded(seed: adviz.Trace, page: str) -> None:
    data = player_data(page)
    fig = figure(seed)
    changed = sum(len(c.nodes) + len(c.edges) for p in ("forward", "reverse")
                  for c in fig.changes(p))
    embedded = sum(len(n) + len(e) for p in data["phases"] for n, e in p["stages"])
    elements_count = len(seed.graph) + seed.graph.number_of_edges()
    assert embedded <= changed - elements_count  # the first stage is not stored twice
    texts = [line[2] for line in data["lines"]]
    assert len(texts) == len(set(map(tuple, data["lines"])))  # each line stored once


def test_page_grows_with_the_graph_not_with_stages_times_nodes() -> None:
    def chain(n: int) -> adviz.Trace:
        def f(x):
            for _ in range(n):
                x = adviz.sin(x) + x
            return x
        return adviz.trace(f, x=0.5)

    small, large = (len(player_html(chain(n), full=True).encode()) for n in (40, 80))
    assert large < 2.3 * small  # stages x nodes would be about 4 times


def test_style_table_and_geometry_embedded_once(seed: adviz.Trace) -> None:
    data = player_data(player_html(seed, theme="dark"))
    assert data["scene"]["styles"] == json.loads(json.dumps(style_table(get_theme("dark"))))
    fig = figure(seed, theme="dark")
    edge = fig.edges["t1", "t2"]
    item = next(e for e in data["scene"]["edges"] if e[:2] == ["t1", "t2"])
    assert item[2].startswith(f"M{edge.forward[0][0]:.2f},{edge.forward[0][1]:.2f}C")
    assert item[4].startswith(f"M{edge.reverse[0][0]:.2f},{edge.reverse[0][1]:.2f}C")
    tip = edge.reverse_head.tip
    assert item[5].startswith(f"{tip[0]:.2f},{tip[1]:.2f} ")
    assert data["scene"]["crop"] > 0


def test_walkthrough_table_rows(seed: adviz.Trace, page: str) -> None:
    assert adviz.walkthrough(seed, "html") in page
    rows = [(a.get("data-phase"), a.get("data-stage")) for t, a in elements(page).tags
            if t == "tr" and "data-phase" in a]
    assert [s for p, s in rows if p == "reverse"] == [str(i) for i in range(6)]
    assert {s for p, s in rows if p == "forward"} == {str(i) for i in range(6)}


def test_controls_are_labelled(page: str) -> None:
    tags = elements(page).tags
    buttons = [a for t, a in tags if t == "button"]
    assert {b.get("aria-label") for b in buttons if "aria-label" in b} == {
        "Previous stage", "Play", "Next stage"}
    assert [b.get("data-phase") for b in buttons if "data-phase" in b] == ["forward", "reverse"]
    assert all(b.get("type") == "button" for b in buttons)
    slider = [a for t, a in tags if t == "input"]
    assert slider == [{"type": "range", "class": "adviz-slider", "min": "0", "max": "5",
                       "step": "1", "value": "0", "aria-label": "Stage"}]
    assert any(a.get("aria-live") == "polite" for _, a in tags)


def test_forward_mode_player(seed: adviz.Trace) -> None:
    """Forward mode, then reverse mode: a switch, the seed in every forward-mode caption,
    tangent edges toward their child, and the forward-mode trace table beside the graph."""
    page = player_html(seed, phase="modes", seed="x2")
    data = player_data(page)
    assert [p["name"] for p in data["phases"]] == ["tangent", "reverse"]
    tangent = data["phases"][0]
    assert all("forward mode, seed ẋ₁ = 0, ẋ₂ = 1" in c for c in tangent["captions"])
    assert tangent["captions"][-1].endswith("= 1.85888")
    states = data["states"]
    edges = [change for _, changed in tangent["stages"] for change in changed]
    carrying = [change for change in edges if states[change[1]] == "tangent"]
    assert carrying and all(change[2] == 0 for change in carrying)  # toward the child
    assert data["scene"]["styles"]["edge"]["tangent"]["colour"] == "#00795A"
    assert "Forward mode" in page and "x2_dot" not in page.split("adviz-table")[0]
    assert "ẏ" in page.split('class="adviz-table"')[1]  # the trace table's tangent column


def test_seed_needs_a_forward_mode_phase(seed: adviz.Trace) -> None:
    with pytest.raises(adviz.InputError, match="seed does not apply to phase 'both'"):
        player_html(seed, seed="x1")
    with pytest.raises(adviz.InputError, match="which this trace has no input of"):
        player_html(seed, phase="tangent", seed="z")


def test_one_phase_has_no_switch(seed: adviz.Trace) -> None:
    text = player_html(seed, phase="reverse")
    assert 'class="adviz-phases"' not in text
    data = player_data(text)
    assert [p["name"] for p in data["phases"]] == ["reverse"]
    assert data["phases"][0]["stages"][0] == [[], []]
    svg = adviz.to_svg(seed, "reverse", 0)
    assert base_svg(text) == svg[svg.index("<svg"):]


def test_unknown_phase(seed: adviz.Trace) -> None:
    with pytest.raises(InputError, match="phase"):
        player_html(seed, phase="sideways")


def test_unknown_theme(seed: adviz.Trace) -> None:
    with pytest.raises(InputError, match="neon"):
        player_html(seed, theme="neon")


def test_title(seed: adviz.Trace, page: str) -> None:
    assert "<title>y = (x1 - x2)**2 + cos(x1 + x2) at x1 = 1, x2 = 2 — adviz</title>" in page
    titled = player_html(seed, title="Gradient & co")
    assert '<h1 class="adviz-title">Gradient &amp; co</h1>' in titled


def test_dark_theme(seed: adviz.Trace) -> None:
    text = player_html(seed, theme="dark")
    assert 'class="adviz-player adviz-dark adviz-wide"' in text
    assert '<meta name="color-scheme" content="dark">' in text
    svg = adviz.to_svg(seed, "forward", 0, theme="dark")
    assert base_svg(text) == svg[svg.index("<svg"):]


# --- escaping ----------------------------------------------------------------------------------


def test_hostile_names_are_escaped(hostile: adviz.Trace) -> None:
    assert HOSTILE in hostile.graph and HOSTILE_OUT in hostile.graph
    text = player_html(hostile, title=HOSTILE_TITLE)
    assert len(elements(text).scripts) == 2
    assert "alert" not in "".join(s for _, s in elements(text).scripts[1:])
    for markup in all_markup(text):
        assert_inert(markup)
        assert HOSTILE not in markup and HOSTILE_OUT not in markup
        assert "<script>alert" not in markup and "<img" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;&amp;&quot;&#x27;" in text
    assert "<b>f" not in text
    assert_data_stays_in_its_element(text, (HOSTILE, HOSTILE_OUT))


def test_hostile_names_in_the_notebook_fragment(hostile: adviz.Trace) -> None:
    text = notebook_html(hostile)
    for markup in all_markup(text):
        assert_inert(markup)
        assert "<script>alert" not in markup
    assert_data_stays_in_its_element(text, (HOSTILE, HOSTILE_OUT))


def test_json_for_script_escapes() -> None:
    text = json_for_script({"b": "</script><!--&", "a": "\u2028"})
    assert text == '{"a":"\\u2028","b":"<\\/script>\\u003c!--&"}'
    assert json.loads(text) == {"b": "</script><!--&", "a": "\u2028"}


# --- determinism -------------------------------------------------------------------------------


def test_same_trace_same_bytes(seed: adviz.Trace, page: str) -> None:
    assert player_html(seed) == page
    assert player_html(adviz.trace(SEED, x1=1, x2=2)) == page


def test_function_trace_is_deterministic() -> None:
    def f(x1, x2):
        return (x1 - x2) ** 2 + adviz.cos(x1 + x2)

    assert player_html(adviz.trace(f, x1=1.0, x2=2.0)) == player_html(
        adviz.trace(f, x1=1.0, x2=2.0))


# --- writer and notebook ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".html", ".htm", ".HTML"])
def test_save_writes_the_player(tmp_path: Path, seed: adviz.Trace, page: str, suffix: str) -> None:
    target = tmp_path / f"page{suffix}"
    assert adviz.save(seed, target) == target
    assert target.read_text(encoding="utf-8") == page
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_save_passes_options(tmp_path: Path, seed: adviz.Trace) -> None:
    target = adviz.save(seed, tmp_path / "p.html", theme="dark", phase="forward", title="T")
    assert target.read_text(encoding="utf-8") == player_html(
        seed, theme="dark", phase="forward", title="T")


def test_save_refuses_unknown_options(tmp_path: Path, seed: adviz.Trace) -> None:
    with pytest.raises(InputError, match="fps"):
        adviz.save(seed, tmp_path / "p.html", fps=3)
    assert list(tmp_path.iterdir()) == []


def test_save_replaces_atomically(tmp_path: Path, seed: adviz.Trace) -> None:
    target = tmp_path / "p.html"
    target.write_text("old")
    adviz.save(seed, target, phase="reverse")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["p.html"]


def test_html_writer_is_registered() -> None:
    from adviz.writers import writer_for, writers

    assert writer_for("x.htm").name == "html"
    assert writers()["html"].suffixes == (".html", ".htm")


def test_notebook_display(seed: adviz.Trace) -> None:
    fragment = seed._repr_html_()
    assert fragment == player_fragment(seed, compact=True)
    assert fragment.startswith('<div class="adviz-player adviz-light adviz-compact adviz-wide"')
    assert "<html" not in fragment and "<body" not in fragment
    assert 'data-keys="player"' in fragment
    assert "<style>" in fragment
    svg = seed._repr_svg_()
    assert "<svg" in svg and "<title>y</title>" in svg
    assert svg == adviz.to_svg(seed, "summary")


def test_notebook_shows_the_summary_for_large_traces() -> None:
    count = NOTEBOOK_MAX_FRAMES // 2 + 1

    def chain(x):
        for _ in range(count):
            x = x * 1.0001
        return x

    big = adviz.trace(chain, x=1.0)
    text = big._repr_html_()
    assert 'class="adviz-summary"' in text and "adviz-data" not in text
    assert "adviz.save(trace, &quot;page.html&quot;)" in text


@pytest.mark.slow
def test_replaying_every_gallery_example(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's embedded changes rebuild every frame of every gallery example, in every
    theme, as drawn and with each scope collapsed (what the page's script applies)."""
    from tests.gallery_traces import gallery_traces

    checked = 0
    with gallery_traces(monkeypatch) as traces:
        for name, t in traces.items():
            scopes = sorted({s for node in t.program.nodes for s in node.scope})
            for options in [{}, *({"collapse": [s]} for s in scopes)]:
                for theme in ("light", "dark", "print"):
                    data = player_data(player_html(t, theme=theme, **options))
                    for (phase, stage), shown in replay(data, t, theme=theme,
                                                        **options).items():
                        assert shown == expected_view(t, phase, stage, theme=theme,
                                                      **options), (name, options, phase, stage)
                        checked += 1
    assert checked > 200
