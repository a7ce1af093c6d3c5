"""The widget live in a real JupyterLab, driven in Debian's Chromium through Playwright.

The test starts JupyterLab on localhost (a free port, a random token, a
temporary folder and configuration), opens a notebook that creates the
widget, moves the page's sliders and runs cells: what the kernel holds is
read back through the notebook (a cell prints it) and compared with
`adviz.trace` at the same point, computed here. Screenshots go to
``$ADVIZ_SCREENSHOTS`` when set. Run with ``pytest -m "browser and slow"``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import adviz
from adviz.text.labels import stage_title
from tests.conftest import same_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]

pytest.importorskip("anywidget", reason="the widget needs the notebook extra")
pytest.importorskip("jupyterlab", reason="the JupyterLab test needs the notebook extra")
nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[2]

SETUP = '''import json
import adviz

def f(x1, x2):
    if x1 > 2:
        return x1 * x2
    return (x1 - x2)**2 + adviz.cos(x1 + x2)

w = adviz.widget(f, x1=1.0, x2=2.0, analytic=False)
w'''

CELLS = [
    SETUP,
    'print("STATE " + json.dumps({"inputs": w.inputs, "values": w.values, '
    '"adjoints": w.adjoints, "phase": w.phase, "stage": w.stage, "caption": w.caption, '
    '"history": w.history}))',
    "w.stage = 3",
    'w.show("reverse", -1)',
]


def f(x1: Any, x2: Any) -> Any:
    if x1 > 2:
        return x1 * x2
    return (x1 - x2) ** 2 + adviz.cos(x1 + x2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A JupyterLab server on localhost with the notebook, stopped after the tests."""
    home = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, str(home / "live.ipynb"))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "JUPYTER_CONFIG_DIR": str(home / ".config"),
           "JUPYTER_RUNTIME_DIR": str(home / ".runtime"),
           "IPYTHONDIR": str(home / ".ipython")}
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={home}", "--LabApp.news_url=None",
         "--LabApp.extension_manager=readonly",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start: "
                                       + (home / "server.log").read_text()[-2000:]) from None
                time.sleep(0.5)
        yield {"url": f"http://127.0.0.1:{port}/lab/tree/live.ipynb?token={token}",
               "port": port}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


class Notebook:
    """The notebook open in JupyterLab: run a cell, read its output."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def run(self, k: int) -> str:
        cell = self.page.locator(".jp-Notebook .jp-Cell").nth(k)
        prompt = cell.locator(".jp-InputPrompt")
        before = prompt.inner_text()
        cell.locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Shift+Enter")
        deadline = time.monotonic() + 60
        while True:
            now = prompt.inner_text()
            if now != before and "*" not in now and now.strip("[]: "):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"cell {k} did not finish ({now!r})")
            time.sleep(0.1)
        return str(cell.locator(".jp-OutputArea").inner_text())

    def state(self) -> dict[str, Any]:
        out = self.run(1)
        line = next(line for line in out.splitlines() if line.startswith("STATE "))
        return dict(json.loads(line[len("STATE "):]))

    def widget(self, selector: str = "") -> Any:
        return self.page.locator(f".adviz-widget {selector}".strip())


def _wait(predicate: Any, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.1)


@pytest.fixture
def notebook(lab: dict[str, Any], browser: Any) -> Iterator[Notebook]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(lab["url"])
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_selector("#jp-main-statusbar >> text=Idle", timeout=120_000)
    try:
        yield Notebook(page)
    finally:
        context.close()
    assert errors == [], errors
    local = f"http://127.0.0.1:{lab['port']}/"
    assert all(u.startswith((local, "ws://127.0.0.1", "data:", "blob:")) for u in requests), \
        sorted({u for u in requests if not u.startswith(local)})


def test_the_widget_is_live_in_jupyterlab(notebook: Notebook) -> None:
    page = notebook.page
    notebook.run(0)
    page.wait_for_selector(".adviz-widget .adviz-demo[data-adviz-ready]", timeout=60_000)
    start = adviz.trace(f, x1=1.0, x2=2.0)
    assert notebook.widget(".adviz-frame g.node").count() == len(start.program.nodes)

    # Python sets the stage: the page's caption follows
    notebook.run(2)
    expected = stage_title(start, "forward", 3)
    caption = notebook.widget(".adviz-caption")
    _wait(lambda: same_text(expected, caption.text_content()), f"caption {expected!r}")
    assert notebook.widget(".adviz-demo").get_attribute("data-stage") == "3"

    # a slider moved in the page: the kernel's inputs, values and adjoints follow
    notebook.run(3)  # the end of the reverse pass
    _wait(lambda: notebook.widget(".adviz-demo").get_attribute("data-phase") == "reverse",
          "the reverse pass shown")
    notebook.widget("input[type=range]").nth(0).fill("1.5")
    _wait(lambda: notebook.state()["inputs"]["x1"] == 1.5, "x1 = 1.5 in the kernel")
    state = notebook.state()
    t = adviz.trace(f, x1=1.5, x2=2.0)
    assert state["inputs"] == {"x1": 1.5, "x2": 2.0}
    assert state["values"] == pytest.approx({n.id: n.value for n in t.program.nodes})
    assert state["adjoints"] == pytest.approx(dict(t.adjoints))
    assert state["phase"] == "reverse"
    assert state["stage"] == len(t.reverse_stages) - 1
    shots = os.environ.get("ADVIZ_SCREENSHOTS")
    if shots:
        notebook.widget(".adviz-title").evaluate("e => e.scrollIntoView()")
        page.screenshot(path=str(Path(shots) / "widget-jupyterlab.png"))
        notebook.widget(".adviz-descent").evaluate("e => e.scrollIntoView()")
        page.screenshot(path=str(Path(shots) / "widget-jupyterlab-descent.png"))

    # past x1 = 2 the function takes its other branch: traced again, a new graph in the page
    notebook.widget("input[type=range]").nth(0).fill("2.5")
    _wait(lambda: notebook.widget(".adviz-frame g.node").count() == 3, "the other branch")
    state = notebook.state()
    branch = adviz.trace(f, x1=2.5, x2=2.0)
    assert state["inputs"] == {"x1": 2.5, "x2": 2.0}
    assert state["values"] == {n.id: n.value for n in branch.program.nodes} == \
        {"x1": 2.5, "x2": 2.0, "y": 5.0}
    assert state["adjoints"] == pytest.approx({"y": 1.0, "x1": 2.0, "x2": 2.5})
    assert notebook.widget(".adviz-branch-note").is_hidden()  # no "recorded branch" here
    titles = [t.text_content() for t in notebook.widget(".adviz-frame g.node title").all()]
    assert titles == ["x1", "x2", "y"]

    # the page's own buttons move the kernel too: a descent step (run in Python), Reset
    assert notebook.widget("canvas.adviz-surface").count() == 1
    notebook.widget("button.adviz-take-step").click()
    _wait(lambda: len(notebook.state()["history"]) == 2, "a descent step in the kernel")
    state = notebook.state()
    reference = adviz.descent(f, {"x1": 2.5, "x2": 2.0}, lr=0.1, steps=1)
    assert [s["inputs"] for s in state["history"]] == list(reference.inputs)
    assert state["inputs"] == reference.inputs[-1]
    _wait(lambda: notebook.widget("input.adviz-number").nth(0).input_value()
          == str(float(f"{reference.inputs[-1]['x1']:.7g}")), "the page at the new point")
    notebook.widget("button.adviz-reset").click()
    _wait(lambda: notebook.state()["phase"] == "forward", "Reset in the kernel")
    assert notebook.state()["stage"] == 0
