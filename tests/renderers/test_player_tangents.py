"""Phase ``"tangents"``: one forward-mode sweep per input, one after another, then the gradient.

After sweep ``i`` the output's tangent shown on the page is dy/dx_i, checked against
central finite differences of the same function written with :mod:`math` (not the code
under test), for the seed example and for random vector functions (then every output's
tangent: the Jacobian's column ``i``).
"""

from __future__ import annotations

import inspect
import json
import math
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import adviz
from adviz.renderers.player import player_html
from adviz.scene.tangents import input_parts, tangents_figure

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


def _seed_math(x1: float, x2: float) -> tuple[float, ...]:
    return ((x1 - x2)**2 + math.cos(x1 + x2),)


def central(f: Callable[..., tuple[float, ...]], point: dict[str, float], name: str,
            h: float = 1e-6) -> tuple[float, ...]:
    """Every output's d/d(name) by central differences."""
    up, down = dict(point), dict(point)
    up[name] += h
    down[name] -= h
    return tuple((a - b) / (2 * h) for a, b in zip(f(**up), f(**down)))


def number(text: str) -> float:
    """A number as adviz writes it (``−2.14112``)."""
    return float(text.strip().replace("\u2212", "-"))


def _is_tangent(line: str) -> bool:
    head = unicodedata.normalize("NFD", line.split("=")[0])
    return "\u0307" in head  # a dot above: ẏ, ẏ₁


def page_data(page: str) -> dict[str, Any]:
    found = re.search(r'class="adviz-data">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def shown_after_each_part(page: str) -> dict[str, dict[str, float]]:
    """For each part of the page, every output node's tangent shown once the part's last
    stage is reached: the page's own changes replayed from the start."""
    data = page_data(page)
    ids = [n[0] for n in data["scene"]["nodes"]]
    lines = data["lines"]
    outputs = [n for n in ids if re.fullmatch(r"y\d*", n)]
    shown: dict[str, str] = {}
    result = {}
    for part in data["phases"]:
        for nodes, _edges in part["stages"]:
            for change in nodes:
                texts = [lines[r][2] for r in change[2:]]
                tangents = [t for t in texts if _is_tangent(t)]
                shown[ids[change[0]]] = tangents[-1] if tangents else ""
        result[part["name"]] = {o: number(shown[o].split("=")[-1]) for o in outputs
                                if shown.get(o)}
    return result


def test_the_seed_gives_the_gradient_component_after_each_sweep() -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    page = player_html(t, phase="tangents")
    data = page_data(page)
    assert [p["name"] for p in data["phases"]] == ["tangent-x1", "tangent-x2"]
    assert [p["label"] for p in data["phases"]] == ["Sweep 1: ẋ₁ = 1", "Sweep 2: ẋ₂ = 1"]
    shown = shown_after_each_part(page)
    point = {"x1": 1.0, "x2": 2.0}
    for name in ("x1", "x2"):
        (expected,) = central(_seed_math, point, name)
        assert shown[f"tangent-{name}"]["y"] == pytest.approx(expected, abs=1e-5)
    # every stage's caption says which sweep it is and which input is seeded
    for k, part in enumerate(data["phases"], start=1):
        assert all(c.startswith(f"Forward sweep {k} of 2, seed ẋ{'₁₂'[k - 1]} = 1: stage ")
                   for c in part["captions"][:len(t.forward_stages)])
    # after the last sweep: the gradient assembled from the sweeps' output tangents
    closing = data["phases"][-1]["captions"][-1]
    assert closing.startswith("After 2 forward sweeps: ∇y = (∂y/∂x₁, ∂y/∂x₂) = "
                              "(ẏ of sweep 1, ẏ of sweep 2) = (")
    values = [number(v) for v in closing.rsplit("(", 1)[1].rstrip(")").split(",")]
    assert values == pytest.approx([central(_seed_math, point, n)[0] for n in ("x1", "x2")],
                                   abs=1e-5)
    assert len(data["phases"][0]["stages"]) == len(t.forward_stages)
    assert len(data["phases"][1]["stages"]) == len(t.forward_stages) + 1  # the gradient
    assert not data["phases"][1]["stages"][-1][0]  # it changes no element, the caption only
    buttons = re.findall(r'<button type="button" data-phase="(tangent-x\d)"', page)
    assert buttons == ["tangent-x1", "tangent-x2"]


OPS = ("add", "sub", "mul", "sin", "cos", "tanh", "exp")


def random_function(rng: random.Random, inputs: int, ops: int, outputs: int
                    ) -> tuple[Callable[..., Any], Callable[..., tuple[float, ...]]]:
    """A random function of ``inputs`` inputs returning ``outputs`` of its intermediate
    values: once on adviz's values, once on floats with :mod:`math`."""
    steps = []
    for k in range(ops):
        steps.append((rng.choice(OPS), rng.randrange(inputs + k), rng.randrange(inputs + k)))
    chosen = sorted(rng.sample(range(inputs, inputs + ops), outputs))

    def run(lib: Any, xs: Sequence[Any]) -> tuple[Any, ...]:
        values = list(xs)
        for op, i, j in steps:
            a, b = values[i], values[j]
            if op == "add":
                values.append(a + b)
            elif op == "sub":
                values.append(a - b)
            elif op == "mul":
                values.append(a * b)
            elif op == "exp":
                values.append(lib.exp(0.3 * a))
            else:
                values.append(getattr(lib, op)(a))
        return tuple(values[c] for c in chosen)

    names = [f"x{k + 1}" for k in range(inputs)]

    def traced(*args: Any, **kwargs: Any) -> Any:
        given = {**dict(zip(names, args)), **kwargs}
        return run(adviz, [given[n] for n in names])

    traced.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])

    def plain(**xs: float) -> tuple[float, ...]:
        return run(math, [xs[n] for n in names])

    return traced, plain


@pytest.mark.parametrize("case", range(4))
def test_random_vector_functions_give_a_jacobian_column_per_sweep(case: int) -> None:
    rng = random.Random(1700 + case)
    inputs, outputs = rng.choice([(2, 2), (3, 2), (3, 3)])
    traced, plain = random_function(rng, inputs, rng.randrange(5, 10), outputs)
    point = {f"x{k + 1}": round(rng.uniform(-1.5, 1.5), 3) for k in range(inputs)}
    t = adviz.trace(traced, point)
    assert t.outputs == tuple(f"y{k + 1}" for k in range(outputs))
    page = player_html(t, phase="tangents")
    data = page_data(page)
    assert [p["name"] for p in data["phases"]] == [f"tangent-{n}" for n in point]
    shown = shown_after_each_part(page)
    for name in point:
        expected = central(plain, point, name)
        got = [shown[f"tangent-{name}"][f"y{k + 1}"] for k in range(outputs)]
        assert got == pytest.approx(expected, rel=1e-4, abs=1e-4), (case, name)
    closing = data["phases"][-1]["captions"][-1]
    assert closing.startswith(f"After {inputs} forward sweeps, one Jacobian column each: ")


def test_the_scene_frames_of_each_sweep_end_on_its_gradient_component() -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    parts = input_parts(tangents_figure(t))
    point = {"x1": 1.0, "x2": 2.0}
    for part in parts:
        frames = list(part.frames())
        last = frames[len(t.forward_stages) - 1]
        line = last.nodes["y"].lines[-1]
        assert line.role == "tangent"
        assert number(line.text.split("=")[-1]) == pytest.approx(
            central(_seed_math, point, part.input)[0], abs=1e-5)
        # the sweep's seed on the inputs: 1 on its own, 0 on the other
        for name in point:
            seed_line = last.nodes[name].lines[-1].text
            assert number(seed_line.split("=")[-1]) == (1.0 if name == part.input else 0.0)
    assert [p.gradient is not None for p in parts] == [False, True]


def test_one_layout_for_every_sweep() -> None:
    """Every sweep is drawn on one figure: the page embeds one base drawing and the geometry
    once, then each sweep's changes; two sweeps do not make a page twice the size of one."""
    t = adviz.trace(SEED, x1=1, x2=2)
    page = player_html(t, phase="tangents")
    one = player_html(t, phase="tangent")
    assert page.count("<svg") - page.count('<svg class="adviz-icon') == 1
    data, single = page_data(page), page_data(one)
    assert data["scene"]["nodes"] == single["scene"]["nodes"]

    def changes(d: dict[str, Any]) -> int:
        return sum(len(s[0]) + len(s[1]) for p in d["phases"] for s in p["stages"])

    # each sweep after the first starts by resetting what the one before set (at most
    # every element), then changes what one sweep changes
    elements = len(data["scene"]["nodes"]) + len(data["scene"]["edges"])
    assert changes(data) <= 2 * changes(single) + elements
    assert len(page) < 2 * len(one)


def test_tangents_frames_and_html(tmp_path: Path) -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    paths = adviz.save_frames(t, tmp_path / "frames", phase="tangents")
    stages = len(t.forward_stages)
    assert [p.name for p in paths] == (
        [f"tangent-x1-{k:03d}.svg" for k in range(stages)]
        + [f"tangent-x2-{k:03d}.svg" for k in range(stages + 1)])
    assert "After 2 forward sweeps" in paths[-1].read_text(encoding="utf-8")
    assert "Forward sweep 1 of 2" in paths[0].read_text(encoding="utf-8")
    page = adviz.save(t, tmp_path / "player.html", phase="tangents")
    assert '<tr data-phase="tangent-x2" data-stage="5">' in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(("where", "call"), [
    ("the player", lambda t, p: player_html(t, phase="tangents", seed="x1")),
    ("html", lambda t, p: adviz.save(t, p / "a.html", phase="tangents", seed="x1")),
    ("save_frames", lambda t, p: adviz.save_frames(t, p / "f", phase="tangents", seed="x2")),
])
def test_a_seed_is_refused(tmp_path: Path, where: str, call: Any) -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    with pytest.raises(adviz.InputError, match=r"seed does not apply to phase 'tangents'.*"
                                               r"seeds every input in turn"):
        call(t, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".gif", ".pdf", ".svg", ".tex", ".png"])
def test_formats_that_do_not_play_it_refuse_it(tmp_path: Path, suffix: str) -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    with pytest.raises(adviz.InputError, match=r"phase 'tangents' does not apply to "):
        adviz.save(t, tmp_path / f"a{suffix}", phase="tangents")
    assert list(tmp_path.iterdir()) == []


def test_drawing_one_stage_refuses_it() -> None:
    t = adviz.trace(SEED, x1=1, x2=2)
    with pytest.raises(adviz.InputError, match=r"phase 'tangents' does not apply to "):
        adviz.to_svg(t, "tangents")
