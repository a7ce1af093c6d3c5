"""Faults, hostile folders, hostile names and big inputs: one test per inventory row."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import adviz
from adviz.core.names import ConfusableNameWarning
from adviz.errors import AdvizError, InputError, OpError, RenderError, TraceError
from adviz.faces.cli import main
from adviz.writers.files import MANIFEST, output_folder
from adviz.writers.text import graph_json

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def strict_json(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


# --- names --------------------------------------------------------------------------


def test_intermediate_named_like_the_output_does_not_merge_with_it() -> None:
    t = adviz.trace(lambda x: adviz.name(x * 2, "y") + 1, x=1.0)
    assert t.output != "y"
    assert ("y", "y") not in t.graph.edges
    assert set(t.graph) == {"x", "y", t.output}


def test_explicit_output_name_colliding_with_a_node_is_an_error_naming_it() -> None:
    with pytest.raises(TraceError, match="'h'.*intermediate"):
        adviz.trace(lambda x: adviz.name(x * 2, "h") + 1, x=1.0, output="h")


def test_inputs_may_be_called_y_f_out_output() -> None:
    t = adviz.trace(lambda y, f, out, output: y * f + out * output, 1.0, 2.0, 3.0, 4.0)
    assert t.output not in {"y", "f", "out", "output"}
    assert t.grad == {"y": 2.0, "f": 1.0, "out": 4.0, "output": 3.0}


@pytest.mark.parametrize("bad", ["a\nb", "a\tb", "a\x1b[31m", "a\ud800", "a\ufffe", "a\u202eb"])
def test_names_with_control_characters_surrogates_or_noncharacters_are_refused(bad: str) -> None:
    with pytest.raises(TraceError, match="U\\+"):
        adviz.trace(lambda x: adviz.name(x * 2, bad) + 1, x=1.0)
    with pytest.raises(InputError, match="U\\+"):
        adviz.trace("x * 2", x=1.0, output=bad)


def test_scope_label_with_control_character_is_refused() -> None:
    def f(x: adviz.Var) -> adviz.Var:
        with adviz.scope("a\nb"):
            return x * 2

    with pytest.raises(TraceError, match="scope label"):
        adviz.trace(f, x=1.0)


def test_names_are_nfkc_normalised_like_python_identifiers() -> None:
    namespace: dict[str, object] = {}
    exec("def f(\U0001d431):\n    return \U0001d431 * 2", namespace)  # 𝐱, NFKC 'x'
    t = adviz.trace(namespace["f"], **{"\U0001d431": 3.0})
    assert t.inputs == {"x": 3.0}
    assert adviz.trace("\U0001d431 * 2", x=3.0).grad == {"x": 2.0}


def test_confusable_names_give_a_warning() -> None:
    with pytest.warns(ConfusableNameWarning, match="look alike"):
        adviz.trace("x * \u0445", x=1.0, **{"\u0445": 2.0})  # Latin x, Cyrillic х


def test_a_name_of_99990_characters_is_refused() -> None:
    long = "a" * 99_990
    with pytest.raises(InputError, match="limit is 200"):
        adviz.trace(f"{long} * 2", **{long: 1.0})


def test_repeated_at_is_a_usage_error() -> None:
    code, out = run("table", "x * 2", "--at", "x=3", "--at", "x=4")
    assert code == 2 and "given twice" in out


def test_flat_sum_of_2988_terms_parses() -> None:
    t = adviz.trace(" + ".join(["sin(x)"] * 2988), x=0.5)
    assert math.isclose(t.grad["x"], 2988 * math.cos(0.5))


def test_default_of_10_to_the_400_is_an_input_error() -> None:
    def f(x: float = 10**400) -> float:
        return x * 2

    with pytest.raises(InputError, match="too large"):
        adviz.trace(f)


@pytest.mark.parametrize("step", ["0", "inf", "nan", "-1e-6"])
def test_check_rejects_bad_steps(step: str) -> None:
    code, out = run("check", "x * x", "--at", "x=1", "--step", step)
    assert code == 1 and "the step must be a finite number > 0" in out


def test_lone_surrogate_in_the_expression_is_an_expression_error() -> None:
    with pytest.raises(adviz.ExpressionError, match="surrogate"):
        adviz.trace("x * \udcff", x=1.0)
    code, out = run("table", "x * \udcff", "--at", "x=1")
    assert code == 1 and "surrogate" in out and "Traceback" not in out


def test_analytic_on_190_nested_cos_is_a_clear_error() -> None:
    pytest.importorskip("sympy")
    expression = "cos(" * 190 + "x" + ")" * 190
    t = adviz.trace(expression, x=0.5)
    try:
        adviz.symbolic_gradient(t)
    except RenderError as err:
        assert "nested too deeply" in str(err)


def test_fps_of_1e_minus_9_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="fps must be a number from 0.1 to 60"):
        adviz.save(adviz.trace("x * x", x=1.0), tmp_path / "a.gif", fps=1e-9)
    assert list(tmp_path.iterdir()) == []


def test_dpi_and_tween_ceilings(tmp_path: Path) -> None:
    t = adviz.trace("x * x", x=1.0)
    with pytest.raises(InputError, match="dpi must be"):
        adviz.save(t, tmp_path / "a.gif", dpi=100_000)
    with pytest.raises(InputError, match="tween must be"):
        adviz.save(t, tmp_path / "a.gif", tween=1_000_000)


def test_descent_steps_have_a_ceiling() -> None:
    with pytest.raises(InputError, match="steps must be a whole number from 0 to 10,000"):
        adviz.descent("x * x", {"x": 1.0}, steps=1_000_000_000)
    code, out = run("descent", "x * x", "--at", "x=1", "--steps", "1000000000")
    assert code == 2 and "10000" in out


def test_large_picture_is_drawn_at_a_lower_dpi_with_a_warning(tmp_path: Path) -> None:
    from PIL import Image

    from adviz.writers.animation import MAX_STILL_PIXELS, SizeWarning

    t = adviz.trace("x * x", x=1.0)
    with pytest.warns(SizeWarning, match="pixel limit"):
        adviz.save(t, tmp_path / "a.png", size=(40, 40), dpi=600)
    width, height = Image.open(tmp_path / "a.png").size
    assert width * height <= MAX_STILL_PIXELS


# --- escaping -------------------------------------------------------------------------


def test_graph_json_is_strict_json_with_null_for_non_finite_numbers() -> None:
    t = adviz.trace("sqrt(x)", x=0.0)
    assert math.isinf(t.grad["x"])
    data = strict_json(graph_json(t))
    assert isinstance(data, dict)
    edge = next(e for e in data["edges"] if e["source"] == "x")
    assert edge["partial"] is None


def test_nan_gradient_in_the_demo_page_is_null() -> None:
    from adviz.renderers.demo import demo_html

    t = adviz.trace("sqrt(x) * 0", x=0.0)
    assert math.isnan(t.grad["x"])
    page = demo_html(t)
    assert "NaN" not in page.split("<script")[1] or "null" in page


def test_newline_in_an_expression_cannot_inject_markdown() -> None:
    text = adviz.walkthrough(adviz.trace("(x\n# injected\n+ 1)", x=1.0), "markdown")
    assert not any(line.startswith("#") for line in text.splitlines())


@pytest.mark.parametrize("label", ["back\\slash", 'quote"d', "ends\\", "\\\\\"\\"])
def test_scope_labels_with_backslashes_and_quotes_reach_graphviz(label: str) -> None:
    def f(x: adviz.Var) -> adviz.Var:
        with adviz.scope(label):
            h = adviz.sin(x)
        return h * 2

    svg = adviz.to_svg(adviz.trace(f, x=1.0))
    assert svg.startswith("<svg") or svg.startswith("<?xml")


def test_latex_template_with_a_stray_brace_fails_at_register_op() -> None:
    with pytest.raises(OpError, match="latex template"):
        adviz.register_op("stray", lambda a: a, lambda a: 1.0, latex="\\frac{1}{{0}}",
                          replace=True)
    assert "stray" not in adviz.core.ops.OPS


@pytest.mark.parametrize("code", ["a; alert(1)", "alert(a)", "a.constructor", "'x'",
                                  "a = 1", "(() => a)()", "Math.random.call(a)",
                                  "globalThis", "a[0]", "`${a}`"])
def test_custom_op_javascript_must_be_a_math_expression(code: str) -> None:
    with pytest.raises(OpError, match="not allowed"):
        adviz.register_op("js", lambda a: a, lambda a: 1.0, js_forward=code,
                          js_partials=["1"], replace=True)
    with pytest.raises(OpError, match="not allowed"):
        adviz.register_op("js", lambda a: a, lambda a: 1.0, js_forward="a",
                          js_partials=[code], replace=True)


def test_custom_op_javascript_math_expression_is_accepted() -> None:
    try:
        adviz.register_op("cube", lambda a: a**3, lambda a: 3 * a * a,
                          js_forward="a > 0 ? Math.pow(a, 3) : a * a * a",
                          js_partials=["3 * a ** 2"], replace=True)
    finally:
        adviz.unregister_op("cube")


# --- output folder ----------------------------------------------------------------------


def test_empty_out_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "index.html").write_text("mine")
    code, out = run("render", "x * x", "--at", "x=2", "-o", "")
    assert code == 2 and "empty" in out
    assert (tmp_path / "index.html").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_format_list_without_formats_is_a_usage_error(tmp_path: Path) -> None:
    code, out = run("render", "x * x", "--at", "x=2", "--format", ",", "-o", str(tmp_path / "o"))
    assert code == 2 and "names no format" in out
    assert not (tmp_path / "o").exists()


def test_symlink_inside_out_is_replaced_never_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "forward-000.svg").write_text("precious")
    (elsewhere / "keep.txt").write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "frames").symlink_to(elsewhere, target_is_directory=True)
    code, text = run("render", "x * x", "--at", "x=2", "--format", "svg", "-q", "-o", str(out))
    assert code == 0, text
    assert sorted(p.name for p in elsewhere.iterdir()) == ["forward-000.svg", "keep.txt"]
    assert (elsewhere / "forward-000.svg").read_text() == "precious"
    assert not (out / "frames").is_symlink() and (out / "frames" / "forward-000.svg").is_file()


def test_out_itself_a_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    code, out = run("render", "x * x", "--at", "x=2", "-o", str(tmp_path / "link"))
    assert code == 2 and "symbolic link" in out


def test_files_adviz_did_not_write_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "frames").mkdir()
    (out / "frames" / "reverse-099.svg").write_text("mine too")
    code, text = run("render", "x * x", "--at", "x=2", "--format", "svg,md", "-q", "-o",
                     str(out))
    assert code == 0, text
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "frames" / "reverse-099.svg").read_text() == "mine too"
    manifest = json.loads((out / MANIFEST).read_text())["files"]
    assert "walkthrough.md" in manifest and "notes.txt" not in manifest


def test_stale_frames_of_a_longer_earlier_run_disappear(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("render", "sin(x) * x + x", "--at", "x=2", "--format", "svg", "-q", "-o",
               str(out))[0] == 0
    longer = sorted(p.name for p in (out / "frames").iterdir())
    assert run("render", "x * 2", "--at", "x=2", "--format", "svg", "-q", "-o", str(out))[0] == 0
    shorter = sorted(p.name for p in (out / "frames").iterdir())
    assert len(shorter) < len(longer) and set(shorter) < set(longer)


def test_chdir_in_the_traced_function_does_not_move_out(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    target = tmp_path / "target"
    target.mkdir()
    (work / "model.py").write_text(
        f"import os\ndef f(x):\n    os.chdir({str(target)!r})\n    return x * 2\n")
    monkeypatch.chdir(work)
    code, out = run("render", "model.py:f", "--at", "x=1", "--format", "md", "-q", "-o", "res")
    assert code == 0, out
    assert (work / "res" / "walkthrough.md").is_file()
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("call", ["sys.exit(0)", "os._exit(0)", "exit()"])
def test_exit_inside_the_traced_function_is_an_error(tmp_path: Path, call: str) -> None:
    script = tmp_path / "model.py"
    script.write_text(f"import os, sys\ndef f(x):\n    {call}\n    return x\n")
    result = subprocess.run([sys.executable, "-m", "adviz", "render", f"{script}:f", "--at",
                             "x=1", "-o", str(tmp_path / "out")], capture_output=True,
                            text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            check=False)
    assert result.returncode == 1, result.stderr
    assert "while being traced" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_concurrent_run_into_one_folder_fails_clearly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_folder(out):
        code, text = run("render", "x * x", "--at", "x=2", "--format", "md", "-o", str(out))
    assert code == 1 and "another adviz run is writing" in text
    assert not (out / "walkthrough.md").exists()


def test_failure_midway_leaves_the_folder_and_no_debris(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("render", "x * x", "--at", "x=2", "--format", "md,json", "-q", "-o",
               str(out))[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError), output_folder(out) as staging:
        (staging.path / "walkthrough.md").write_text("half")
        raise RuntimeError("disk full")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_debris_of_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / ".out.adviz-stage-abc123").mkdir()
    (tmp_path / ".out.adviz-stage-abc123" / "reverse.gif").write_bytes(b"x" * 100)
    out.mkdir()
    (out / ".reverse.abcd1234.gif").write_bytes(b"x")
    (out / "frames").mkdir()
    (out / "frames" / ".forward-abcd1234.tmp").mkdir()
    assert run("render", "x * x", "--at", "x=2", "--format", "md", "-q", "-o", str(out))[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert not any(p.name.startswith(".") and p.name != MANIFEST for p in out.rglob("*"))


def test_large_render_is_announced(tmp_path: Path) -> None:
    expression = " + ".join(f"sin({k} * x)" for k in range(1, 40))
    code, out = run("render", expression, "--at", "x=1", "--format", "md", "-o",
                    str(tmp_path / "o"))
    assert code == 0 and "note: a large render" in out


# --- Sphinx -----------------------------------------------------------------------------


def test_sphinx_limits_and_failures_are_warnings_not_aborts() -> None:
    from adviz.faces.sphinx import _check_limits

    with pytest.raises(InputError, match="tween"):
        _check_limits({"tween": 1_000_000})
    with pytest.raises(InputError, match="dpi"):
        _check_limits({"dpi": 100_000})


# --- memory ---------------------------------------------------------------------------


PEAK_SCRIPT = """
import resource, sys, warnings
import adviz
terms = ["sin(x)"] * 50
while len(terms) > 1:  # a balanced sum: 50 sin nodes, 49 additions (100 reverse stages)
    terms = [f"({a} + {b})" for a, b in zip(terms[::2], terms[1::2])] + (
        [terms[-1]] if len(terms) % 2 else [])
t = adviz.trace(terms[0], x=1.0)
assert len(t.reverse_stages) == 100
warnings.simplefilter("ignore")
adviz.save(t, sys.argv[1], tween=int(sys.argv[2]), hold=1, dpi=10)
try:  # this process image's own high-water mark (ru_maxrss keeps the parent's after exec)
    with open("/proc/self/status") as status:
        print(next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:")))
except OSError:
    unit = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kilobytes elsewhere
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit)
"""


def _gif_peak(path: Path, tween: int) -> int:
    """Peak resident memory (bytes) of a fresh process writing the GIF."""
    result = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(path), str(tween)],
                            capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"})
    return int(result.stdout.split()[-1])


@pytest.mark.slow
def test_gif_peak_memory_does_not_grow_with_the_frame_count(tmp_path: Path) -> None:
    from PIL import Image

    small = _gif_peak(tmp_path / "a.gif", tween=0)
    large = _gif_peak(tmp_path / "b.gif", tween=2)
    with Image.open(tmp_path / "a.gif") as short, Image.open(tmp_path / "b.gif") as long:
        assert long.n_frames >= 2 * short.n_frames >= 200
        extra = (long.n_frames - short.n_frames) * long.size[0] * long.size[1] * 4
    # holding every distinct frame would cost `extra` bytes more (about 60 MB)
    assert extra > 40_000_000
    assert large < small + extra // 3
    assert large < 1_000_000_000


def test_streamed_gif_matches_the_frames(tmp_path: Path) -> None:
    from PIL import Image, ImageSequence

    t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    adviz.save(t, tmp_path / "a.gif", dpi=30)
    adviz.save(t, tmp_path / "a.webp", dpi=30)
    adviz.save(t, tmp_path / "a.apng", dpi=30)
    def frames(name: str) -> list[Image.Image]:
        with Image.open(tmp_path / name) as image:
            return [f.convert("RGBA").copy() for f in ImageSequence.Iterator(image)]

    gif, webp, apng = frames("a.gif"), frames("a.webp"), frames("a.apng")
    assert len(gif) == len(webp) == len(apng) > 10
    assert all(a.tobytes() == b.tobytes() for a, b in zip(apng, webp))  # both lossless
    assert len({f.tobytes() for f in apng}) == len(apng)  # holds merged, travels kept
    assert all(a.size == b.size for a, b in zip(gif, webp))


def test_errors_are_advizerrors() -> None:
    assert issubclass(RenderError, AdvizError)
