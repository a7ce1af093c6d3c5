"""The ``adviz`` command: render, demo, table and check.

A thin face over the library: every command parses its arguments, calls the
public API and turns `AdvizError` into a one-line message (exit status 1);
usage errors exit with 2. ``--debug`` shows the traceback instead.

Examples
--------
>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(main, ["table", "x * x", "--at", "x=3"])
>>> result.exit_code, result.output.splitlines()[-1]
(0, '  dy/dx = g_x = 6')
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from adviz.core.gradient_descent import MAX_STEPS
from adviz.core.phases import PASSES, PER_INPUT, PLAYER_PHASES, Phase, expand_phases, seeded
from adviz.core.tracing import Trace, trace
from adviz.errors import AdvizError, InputError, TraceError
from adviz.scene.content import frame_count
from adviz.scene.style import THEMES
from adviz.writers.options import FOCUS, OUTPUT, ZOOM

SEED_EXPRESSION = "(x1 - x2)**2 + cos(x1 + x2)"
SEED_POINT = {"x1": 1.0, "x2": 2.0}


def default_formats() -> tuple[str, ...]:
    """The formats ``render`` writes without ``--format``: the writers marked ``default``."""
    from adviz.writers import writers

    return tuple(w.name for w in writers().values() if w.default)


def all_formats() -> tuple[str, ...]:
    """Every name ``--format`` takes: the registered writers (`adviz.writers.writers`)."""
    from adviz.writers import format_names

    return format_names()


def _format_help() -> str:
    return (f"Comma-separated formats (default {','.join(default_formats())}); a leading + "
            f"adds to the defaults. Known: {', '.join(all_formats())} (a file suffix such "
            f"as md also names its format).")


def _formats_epilog() -> str:
    from adviz.writers import writers

    lines = [f"  {w.name:<9} {w.description}" for w in writers().values()]
    return "\b\nFormats (--format of render and demo; adviz.save picks one by suffix):\n" + \
        "\n".join(lines)


def _descent_out_help() -> str:
    from adviz.writers import writers

    suffixes = [s for w in writers().values() if w.descent for s in w.suffixes]
    return ("Also save the animation: the graph at each step beside the path on f "
            f"({', '.join(suffixes)}; .pdf: one page per step; .png: the last step).")


class _LiveHelp(click.Option):
    """An option whose help is written when shown, from the format registry."""

    def __init__(self, *args: Any, live_help: Callable[[], str], **kwargs: Any) -> None:
        self._live_help = live_help
        super().__init__(*args, **kwargs)

    @property
    def help(self) -> str:
        return self._live_help()

    @help.setter
    def help(self, value: str | None) -> None:
        pass


class _Group(click.Group):
    """The ``adviz`` group: its help ends with the registered formats."""

    @property
    def epilog(self) -> str:
        return _formats_epilog()

    @epilog.setter
    def epilog(self, value: str | None) -> None:
        pass


def _parse_at(values: tuple[str, ...]) -> dict[str, float]:
    point: dict[str, float] = {}
    for item in values:
        name, sep, number = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--at")
        if name.strip() in point:
            raise click.BadParameter(f"{name.strip()!r} is given twice ({item!r}); give each "
                                     f"input once", param_hint="--at")
        try:
            point[name.strip()] = float(number)
        except ValueError:
            raise click.BadParameter(
                f"{number!r} (for {name.strip()}) is not a number", param_hint="--at"
            ) from None
    return point


def parse_seed(values: tuple[str, ...]) -> str | dict[str, float] | None:
    """The ``--seed`` values as `adviz.forward_mode` takes them: ``x1`` is that input's unit
    seed, ``x1=0.5`` sets one tangent (the inputs not named get 0).

    Examples
    --------
    >>> parse_seed(()), parse_seed(("x2",)), parse_seed(("x1=1", "x2=0.5"))
    (None, 'x2', {'x1': 1.0, 'x2': 0.5})
    """
    if not values:
        return None
    if len(values) == 1 and "=" not in values[0]:
        return values[0].strip()
    seed: dict[str, float] = {}
    for item in values:
        name, sep, number = item.partition("=")
        name = name.strip()
        if not name or name in seed:
            raise click.BadParameter(f"{item!r} is not INPUT or INPUT=VALUE, each input once",
                                     param_hint="--seed")
        try:
            seed[name] = float(number) if sep else 1.0
        except ValueError:
            raise click.BadParameter(f"{number!r} (for {name}) is not a number",
                                     param_hint="--seed") from None
    return seed


_MODULE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def load_function(spec: str) -> Callable[..., Any] | None:
    """Load ``path/to/file.py:function`` or ``package.module:function`` (imported from
    ``sys.path``); ``None`` when ``spec`` is of neither form.

    Raises
    ------
    InputError
        No such file or module, it fails to run, or it has no function of that name.

    Examples
    --------
    >>> load_function("adviz.examples:mlp").__name__, load_function("x1 * x2")
    ('mlp', None)
    >>> load_function("adviz.examples:nothing")
    Traceback (most recent call last):
    ...
    adviz.errors.InputError: adviz.examples has no function named 'nothing'
    """
    path, sep, name = spec.rpartition(":")
    if not sep or not name.isidentifier():
        return None
    if _MODULE.match(path) and not path.endswith(".py"):
        return _import_function(path, name)
    if not path.endswith(".py"):
        return None
    file = Path(path)
    if not file.is_file():
        raise InputError(f"no such file: {path}")
    module_spec = importlib.util.spec_from_file_location(f"adviz_user_{file.stem}", file)
    if module_spec is None or module_spec.loader is None:
        raise InputError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except SystemExit as err:
        raise InputError(f"{path} called sys.exit({err.code!r}) while being loaded") from None
    except Exception as err:
        raise InputError(f"{path} failed to run: {type(err).__name__}: {err}") from err
    function = getattr(module, name, None)
    if not callable(function):
        raise InputError(f"{path} has no function named {name!r}")
    return function


def _import_function(module_name: str, name: str) -> Callable[..., Any]:
    """The function ``name`` of the module ``module_name``, imported from ``sys.path``."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise InputError(f"cannot import {module_name} ({err}): put its package on the "
                         f"Python path, or give path/to/file.py:{name}") from None
    except SystemExit as err:
        raise InputError(f"{module_name} called sys.exit({err.code!r}) while being "
                         f"imported") from None
    except Exception as err:
        raise InputError(f"{module_name} failed to import: {type(err).__name__}: "
                         f"{err}") from err
    function = getattr(module, name, None)
    if not callable(function):
        raise InputError(f"{module_name} has no function named {name!r}")
    return function


def build_trace(expr: str, at: tuple[str, ...], order: str = "seed") -> Trace:
    """Trace EXPR (an expression, ``file.py:function`` or ``package.module:function``) at
    the ``--at`` point."""
    point = _parse_at(at)
    function = load_function(expr)
    if function is not None:
        return function_trace(function, point, order)
    return trace(expr, point, order=order)


def function_trace(function: Callable[..., Any], point: dict[str, float],
                   order: str = "seed") -> Trace:
    """Trace a loaded function at ``point`` (its defaults for the inputs not given): what it
    builds in micrograd, PyTorch or JAX imported (`framework_trace`), else traced by adviz.

    Examples
    --------
    >>> t = function_trace(lambda a, b: (a * b, a + b), {"a": 2.0, "b": 3.0})
    >>> t.outputs, t.value
    (('y1', 'y2'), (6.0, 5.0))
    """
    imported = framework_trace(function, point, order)
    if imported is not None:
        return imported
    return trace(function, point, order=order)


def framework_trace(function: Callable[..., Any], point: dict[str, float],
                    order: str = "seed") -> Trace | None:
    """Import what a function builds in micrograd, PyTorch or JAX, detected by the result's type.

    The function is called once on plain numbers (its defaults, overridden by
    ``--at``): a micrograd ``Value``, a torch tensor or a JAX array as the
    result selects the importer. A function that fails on plain numbers but
    whose module uses PyTorch is called on tensors. Anything else returns
    ``None``: the function is traced by adviz itself.
    """
    from adviz.core.tracer import defaults_of, guarded_call, input_names

    try:
        names = input_names(function)
    except AdvizError:
        return None
    values = {**defaults_of(function), **point}
    if any(n not in values for n in names):
        return None
    module = ""
    try:
        result = guarded_call(function, **{n: values[n] for n in names})
        module = type(result).__module__
    except TraceError:
        raise
    except Exception:
        result = None
        scope = getattr(function, "__globals__", {})
        if not any(getattr(v, "__name__", "") == "torch" for v in scope.values()):
            return None
    if result is None:
        from adviz.core.importers.torch_graph import from_torch

        return from_torch(function, {n: values[n] for n in names}, order=order)
    if module.startswith("micrograd") or (hasattr(result, "_prev") and hasattr(result, "data")):
        from adviz.core.importers.micrograd_graph import from_micrograd

        return from_micrograd(result, order=order)
    if module.startswith("torch"):
        import functools

        from adviz.core.importers.torch_graph import from_torch

        # Called again while every value is recorded; the function makes its own leaves.
        call = functools.partial(function, **{n: values[n] for n in names})
        return from_torch(functools.update_wrapper(call, function), {}, order=order)
    if module.startswith(("jax", "jaxlib")):
        from adviz.core.importers.jax_graph import from_jax

        return from_jax(function, *[values[n] for n in names], names=names, order=order)
    return None


class _Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so that staged output is cleaned up."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated


def _one_line(text: str) -> str:
    """A message on one line, printable on any terminal (no control characters)."""
    flat = " ".join(str(text).split())
    return flat.encode("utf-8", "backslashreplace").decode("utf-8")


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    click.echo(f"warning: {_one_line(str(message))}", err=True)


_STATE: dict[str, Any] = {}


@contextmanager
def _errors(debug: bool) -> Iterator[None]:
    import signal
    import warnings

    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        previous = None
    _STATE.clear()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            yield
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except AdvizError as err:
        if debug:
            traceback.print_exc()
        raise click.ClickException(_one_line(str(err))) from None
    except KeyboardInterrupt as err:
        what = "terminated" if isinstance(err, _Terminated) else "interrupted"
        if _STATE.get("done"):
            raise click.ClickException(f"{what} after the new output was in place") from None
        if _STATE.get("staging"):
            raise click.ClickException(f"{what}; the output folder was left as it was") from None
        raise click.ClickException(f"{what}; nothing was written") from None
    except RecursionError:
        if debug:
            traceback.print_exc()
        raise click.ClickException("the input is nested too deeply to process; split it into "
                                   "smaller functions") from None
    except MemoryError:
        raise click.ClickException("out of memory; draw a smaller graph, fewer formats or a "
                                   "lower --fps") from None
    except UnicodeError as err:
        reason = getattr(err, "reason", err)
        raise click.ClickException(f"text that cannot be encoded ({reason}); check the "
                                   f"arguments for stray bytes") from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Command(click.Command):
    def invoke(self, ctx: click.Context) -> Any:
        with _errors(bool(ctx.find_root().params.get("debug"))):
            return super().invoke(ctx)


_at_option = click.option(
    "--at", "at", multiple=True, metavar="NAME=VALUE",
    help="Value of one input; repeat for each input (defaults of a function are used).",
)
_order_option = click.option(
    "--order", type=click.Choice(["seed", "tape"]), default="seed", show_default=True,
    help="Reverse order: 'seed' (Kahn's algorithm, the seed page's rows) or 'tape'.",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.version_option(package_name="adviz")
def main(debug: bool) -> None:
    """Reverse-mode automatic differentiation, made visible.

    \b
    Examples:
      adviz demo -o out
      adviz render "(x1 - x2)**2 + cos(x1 + x2)" --at x1=1 --at x2=2 -o out
      adviz table "sigmoid(w*x + b)" --at w=0.5 --at x=2 --at b=-1
      adviz check model.py:loss --at w=0.3
    """


@main.command(cls=_Command)
@click.argument("expr")
@_at_option
@_order_option
def table(expr: str, at: tuple[str, ...], order: str) -> None:
    """Print the walkthrough of EXPR: forward values, reverse rows, gradients.

    EXPR is an expression such as "(x1 - x2)**2 + cos(x1 + x2)",
    path/to/file.py:function or package.module:function.

    \b
    Example:
      adviz table "(x1 - x2)**2 + cos(x1 + x2)" --at x1=1 --at x2=2
    """
    from adviz.text.tables import walkthrough

    click.echo(walkthrough(build_trace(expr, at, order)), nl=False)


@main.command(cls=_Command)
@click.argument("expr")
@_at_option
@click.option("--step", default=1e-6, show_default=True, help="Relative finite-difference step.")
@click.option("--tolerance", default=1e-5, show_default=True, help="Largest relative error.")
def check(expr: str, at: tuple[str, ...], step: float, tolerance: float) -> None:
    """Compare the reverse-mode gradient of EXPR with central finite differences.

    Exits with status 1 when they disagree beyond the tolerance.

    \b
    Example:
      adviz check "sigmoid(w*x + b)" --at w=0.5 --at x=2 --at b=-1
    """
    from adviz.core.checks import check_grad

    result = check_grad(build_trace(expr, at), step=step, tolerance=tolerance)
    click.echo(str(result))
    if not result.ok:
        raise click.ClickException("the gradients disagree")


@main.command(cls=_Command)
@click.argument("expr")
@_at_option
@click.option("--lr", type=float, default=0.1, show_default=True, help="Learning rate.")
@click.option("--steps", type=click.IntRange(min=0, max=MAX_STEPS), default=20,
              show_default=True, help=f"Most steps to take (at most {MAX_STEPS:,}).")
@click.option("--tol", type=float, default=1e-8, show_default=True,
              help="Stop when the gradient's norm is below this.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE", cls=_LiveHelp, live_help=_descent_out_help)
@click.option("--theme", type=click.Choice(list(THEMES)), default="light",
              show_default=True, help="Colours of the animation.")
@click.option("--fps", type=click.FloatRange(min=0.1, max=60), default=None,
              help="Frames per second of the animation (default 4; each step is shown for "
                   "2 frames, the last one longer).")
@click.option("-q", "--quiet", is_flag=True, help="No table, progress bar or summary.")
def descent(expr: str, at: tuple[str, ...], lr: float, steps: int, tol: float,
            out: Path | None, theme: str, fps: float | None, quiet: bool) -> None:
    """Gradient descent on EXPR from the --at point: x <- x - lr * grad f(x).

    Prints the trajectory (inputs, value and gradient per step) and why it
    stopped: steps done, converged or diverged. With -o FILE, also saves
    the animation of the run.

    \b
    Examples:
      adviz descent "(x1 - x2)**2 + cos(x1 + x2)" --at x1=1 --at x2=2 --lr 0.1 --steps 30
      adviz descent "(x1 - x2)**2 + cos(x1 + x2)" --at x1=1 --at x2=2 -o descent.gif
    """
    from adviz.core.gradient_descent import descent as run_descent

    if out is not None:  # an unusable file name fails before anything is computed
        from adviz.writers import require, writer_for, writers

        writer = writer_for(out)
        if not writer.descent:
            known = [s for w in writers().values() if w.descent for s in w.suffixes]
            raise click.BadParameter(
                f"{out.name!r} cannot hold a descent animation; use a file ending in "
                f"{', '.join(known)}", param_hint="-o/--out")
        if fps is not None and not writer.takes("fps", descent=True):
            raise InputError(f"--fps does not apply to {writer.name} ({out.name})")
        require(writer)
    start = build_trace(expr, at)
    run = run_descent(start.function, start.inputs, lr=lr, steps=steps, tol=tol)
    if not quiet:
        click.echo(run.table())
    if out is not None:
        from adviz.writers import save

        given: dict[str, Any] = {"theme": theme, "progress": not quiet, "fps": fps}
        save(run, out, **{k: v for k, v in given.items()
                          if v is not None and writer.takes(k, descent=True)})
        if not quiet:
            click.echo(f"wrote {out}")


def _formats(value: str | None) -> tuple[str, ...]:
    from adviz.writers import format_named

    if not value:
        return default_formats()
    add = value.startswith("+")
    chosen: list[str] = []
    unknown: list[str] = []
    for item in (v.strip() for v in value.lstrip("+").split(",")):
        if not item:
            continue
        try:
            chosen.append(format_named(item).name)
        except InputError:
            unknown.append(item.lower())
    if not chosen and not unknown:
        raise click.BadParameter(f"{value!r} names no format; choose from "
                                 f"{', '.join(all_formats())}", param_hint="--format")
    if unknown:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown)}; choose from {', '.join(all_formats())}",
            param_hint="--format",
        )
    return tuple(dict.fromkeys([*default_formats(), *chosen] if add else chosen))


_FRAME_OPTIONS = frozenset({"phase", "theme", "rankdir", "collapse", "full", "progress",
                            "size", "view", "granularity", "focus", "zoom", "legend"})
"""Options of `save_frames` the command line passes (formats written one file per stage)."""


ONE_FILE = {Phase.BOTH.value: Phase.REVERSE.value, Phase.MODES.value: Phase.TANGENT.value,
            Phase.TANGENTS.value: Phase.TANGENT.value}
"""What the one file of a multi-part option shows (an animation of both passes shows the
reverse pass, of both modes or of every input's sweep forward mode: the first input's
sweep)."""


def _file_phase(phases: tuple[str, ...], filename: str, phase: str) -> str | None:
    """The phase a format's file shows: files named after a pass show one pass."""
    if not phases:
        return None
    one = ONE_FILE.get(phase)
    if one is not None and ("{phase}" in filename or phase not in phases):
        return one if one in phases else None
    return phase if phase in phases else None


def _passes(writer: Any, phase: str, shown: str | None) -> tuple[str | None, ...]:
    """The passes written as files of a format: with ``phase="both"``, a document of pages
    named after its pass (``{phase}.pdf``) is written once per pass, forward first."""
    paged = "{phase}" in writer.filename and not writer.mime.startswith(("image/", "video/"))
    if phase == "both" and paged and set(PASSES) <= set(writer.phases):
        return PASSES
    return (shown,)


def render_outputs(
    t: Trace,
    out: Path,
    formats: tuple[str, ...],
    *,
    phase: str = "both",
    theme: str = "light",
    fps: float | None = None,
    rankdir: str | None = None,
    quiet: bool = False,
    collapse: tuple[str, ...] | None = None,
    full: bool = False,
    paths_of: str | None = None,
    analytic: bool = False,
    size: str | None = None,
    hold: float | None = None,
    seed: str | dict[str, float] | None = None,
    view: str | None = None,
    granularity: str | None = None,
    focus: str | None = None,
    zoom: str | None = None,
    legend: bool | None = None,
) -> list[Path]:
    """Write the chosen formats of a trace under ``out``; return the written paths.

    Each format (a registered writer) gets the options it takes; formats with
    a frame encoder are written one file per stage under ``out/frames``.
    ``size`` (a page: ``"16:9"``, ``"blog"``, ``"WxH"``, ...) goes to the
    formats that take it; ``rankdir`` ``None`` is ``"auto"`` for those and
    ``"LR"`` for the others. ``seed`` is the seeded input of forward mode
    (``phase="tangent"`` or ``"modes"``). ``view`` and ``granularity`` (the
    neuron view, `adviz.scene.network`) go to the frames and the formats that take them;
    ``focus`` and ``zoom`` (`adviz.to_svg`) go to every format that draws the graph.
    ``legend`` (a legend of the colours): ``None`` leaves each format its default (on in
    animations, PDF and decks, off in frames and Beamer).
    """
    if seed is not None and not seeded(phase):
        raise InputError(f"--seed applies to --phase tangent or modes (forward mode), not "
                         f"--phase {phase}")
    from adviz.writers import format_named, require, save

    chosen = [format_named(name) for name in formats]
    for writer in chosen:  # check every format before writing anything
        require(writer)
    if size is not None:
        from adviz.scene.sizes import page_pixels

        page_pixels(size)
    settings: dict[str, Any] = {"theme": theme, "rankdir": rankdir, "fps": fps,
                                "collapse": collapse, "full": full, "progress": not quiet,
                                "size": size, "hold": hold, "seed": seed, "view": view,
                                "granularity": granularity, "focus": focus, "zoom": zoom,
                                "legend": legend}
    for name in ("fps", "collapse", "size", "hold", "view", "granularity", "focus", "zoom",
                 "legend"):
        takers = [w.name for w in chosen
                  if w.takes(name) or (w.frame is not None and name in _FRAME_OPTIONS)]
        if settings[name] is not None and not takers:
            raise InputError(f"--{name} does not apply to {', '.join(formats)}")
    written: list[Path] = []
    for writer in chosen:
        if writer.frame is not None:
            from adviz.writers.frames import save_frames

            written += save_frames(t, out / "frames", phase=phase, fmt=writer.name,
                                   progress=not quiet, theme=theme, rankdir=rankdir,
                                   collapse=collapse, full=full, size=size, seed=seed,
                                   view=view or "graph", granularity=granularity,
                                   focus=focus, zoom=zoom, legend=bool(legend))
            if paths_of is not None:
                written += save_frames(t, out / "frames", phase="paths", fmt=writer.name,
                                       input=paths_of, theme=theme, rankdir=rankdir,
                                       full=full)
            continue
        shown = _file_phase(writer.phases, writer.filename, phase)
        options = {k: v for k, v in settings.items() if v is not None and writer.takes(k)}
        direction = writer.option("rankdir")
        if direction is not None and options.get("rankdir") not in (None,
                                                                      *direction.allowed()):
            del options["rankdir"]  # "auto": formats drawn at their own size keep theirs
        for each in _passes(writer, phase, shown):
            given = dict(options)
            if each is not None:
                given["phase"] = each
            if not seeded(each):
                given.pop("seed", None)
            written.append(save(t, out / writer.file_name(each), format=writer.name,
                                **given))
    if analytic:
        from adviz.renderers.svg import to_svg
        from adviz.writers.files import atomic_write_text

        target = out / "summary-analytic.svg"
        atomic_write_text(target, to_svg(t, "summary", theme=theme, rankdir=rankdir,
                                         collapse=collapse, full=full, analytic=True,
                                         size=size))
        written.append(target)
    return written


def _out_folder(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    """OUT made absolute and checked when the arguments are parsed, before any user code."""
    from adviz.writers.files import check_output_folder

    try:
        return check_output_folder(value)
    except AdvizError as err:
        raise click.BadParameter(_one_line(str(err)), ctx=ctx, param=param) from None


LARGE_NODES = 60
"""Graphs with more nodes get a notice before rendering (it can take minutes)."""
LARGE_FILE = 50_000_000
"""Files over this many bytes are reported before they are moved into place."""


def _announce(t: Trace, formats: tuple[str, ...], phase: str, quiet: bool) -> None:
    """Say up front when a render will be large: nodes, frames, pixels."""
    nodes = len(t.program.nodes)
    if quiet or nodes <= LARGE_NODES:
        return
    from adviz.renderers.mpl.animation import distinct_frame_count

    parts = [f"{nodes} nodes"]
    animated = ONE_FILE.get(phase, phase)
    if "gif" in formats or "webp" in formats:
        parts.append(f"{distinct_frame_count(t, animated):,} animation frames")
    if phase in PER_INPUT:  # one forward sweep per input, then the gradient
        stages = len(t.graph.graph["inputs"]) * frame_count(t, "forward") + 1
    else:
        stages = sum(frame_count(t, p) for p in expand_phases(phase, PLAYER_PHASES))
    if "svg" in formats or "png" in formats:
        parts.append(f"{stages:,} SVG frames")
    click.echo(f"note: a large render ({', '.join(parts)}); this can take minutes: choose "
               f"fewer outputs with --format", err=True)


def _staged(out: Path, quiet: bool, write: Callable[[Path], list[Path]]) -> list[Path]:
    """Run ``write(folder)`` into a staging folder; move the result onto OUT in one step."""
    import warnings

    from adviz.writers.files import output_folder

    with output_folder(out) as staging:
        _STATE["staging"] = staging
        written = write(staging.path)
        for path in written:
            size = path.stat().st_size if path.exists() else 0
            if size > LARGE_FILE and not quiet:
                warnings.warn(f"{staging.final(path).name} is {size / 1e6:,.0f} MB",
                              stacklevel=1)
    _STATE["done"] = True
    return [staging.final(p) for p in written]


_render_options = [
    click.option("-o", "--out", "out", type=click.Path(file_okay=False), callback=_out_folder,
                 default="adviz-out", show_default=True,
                 help="Output folder (written as a whole: all files or none)."),
    click.option("--format", "formats", cls=_LiveHelp, live_help=_format_help, default=None,
                 metavar="LIST"),
    click.option("--phase", type=click.Choice(PLAYER_PHASES), default="both",
                 show_default=True,
                 help="Which pass to render: 'tangent' is forward mode, 'modes' forward mode "
                      "then the reverse pass, 'tangents' one forward-mode sweep per input "
                      "then the gradient (the player and frames; animations of both show "
                      "the reverse pass, of modes or tangents forward mode)."),
    click.option("--seed", "seed", multiple=True, metavar="INPUT[=VALUE]",
                 help="Forward mode (--phase tangent or modes): the seeded input, or "
                      "INPUT=VALUE tangents (repeat; inputs not named get 0). Default: the "
                      "first input."),
    click.option("--theme", type=click.Choice(list(THEMES)), default="light",
                 show_default=True),
    click.option("--fps", type=click.FloatRange(min=0.1, max=60), default=None,
                 help="Frames per second of animations (default 10; each stage travels for "
                      "8 frames, then holds; see --hold)."),
    click.option("--rankdir", type=click.Choice(["LR", "TB", "auto"]), default=None,
                 help="Graph direction: left to right, top to bottom, or auto (the one giving "
                      "the larger text; the default with --size, else LR)."),
    click.option("--hold", type=click.FloatRange(min=0.1, max=600), default=None,
                 metavar="SECONDS",
                 help="Seconds each stage of an animation is held (default: by its caption, "
                      "at least 2.5 s); the last stage holds twice as long."),
    click.option("--size", default=None, metavar="PAGE",
                 help="The page pictures fill: 16:9 (1280x720 px), 4:3, a4, blog (760 px "
                      "wide) or WxH pixels; text stays at least 14 px (scopes collapsed or "
                      "labels shortened when needed, else an error)."),
    click.option("--legend/--no-legend", default=None,
                 help="A legend of the colours under the graph (default: on in GIF, MP4, "
                      "PDF and PPTX, off in SVG/PNG frames and Beamer)."),
    click.option("--collapse", "collapse", multiple=True, metavar="LABEL",
                 help="Draw the scope LABEL (adviz.scope) as one box with its summed "
                      "gradient flows; repeat for more scopes."),
    click.option("--focus", "focus", metavar="NODE", default=None,
                 help=f"The {FOCUS.help}."),
    click.option("--zoom", "zoom", metavar="SCOPE", default=None,
                 help=f"The {ZOOM.help}."),
    click.option("--full", is_flag=True,
                 help="Large graphs: draw every node and label (no automatic collapsing, "
                      "no shortened labels)."),
    click.option("--view", type=click.Choice(["graph", "network"]), default=None,
                 help="What the frames and the player draw: graph (every scalar node, the "
                      "default) or network (a scoped network's neurons as circles in "
                      "columns, weights as edges)."),
    click.option("--granularity", type=click.Choice(["neuron", "layer"]), default=None,
                 help="With --view network: one reverse stage per neuron (default) or per "
                      "layer."),
    click.option("--paths", "paths_of", metavar="INPUT", default=None,
                 help="Also write frames/paths-NNN: the chain-rule paths from INPUT to the "
                      "output, one at a time, then their sum."),
    click.option("--analytic", is_flag=True,
                 help="Also write summary-analytic.svg: the SymPy gradient beside the "
                      "reverse-mode numbers (needs adviz[symbolic])."),
    click.option("-q", "--quiet", is_flag=True, help="No progress bars or summary."),
]


def _with_render_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_render_options):
        f = option(f)
    return f


def _report(written: list[Path], out: Path, quiet: bool) -> None:
    if quiet:
        return
    frames = [p for p in written if p.parent.name == "frames"]
    others = [p for p in written if p.parent.name != "frames"]
    if frames:
        click.echo(f"{len(frames)} frames in {out / 'frames'}")
    for path in others:
        click.echo(f"wrote {path}")


def _output_node(value: str | None) -> str | int | None:
    """``--output-node``: an output's id, or its number (``2`` for the second)."""
    return int(value) if value is not None and value.isdigit() else value


@main.command(cls=_Command)
@click.argument("expr")
@_at_option
@_order_option
@_with_render_options
@click.option("--output-node", "output_node", metavar="NAME", default=None,
              help=f"A function returning several values: {OUTPUT.help.split(': ', 1)[1]}.")
def render(expr: str, at: tuple[str, ...], order: str, out: Path, formats: str | None,
           phase: str, seed: tuple[str, ...], theme: str, fps: float | None,
           rankdir: str | None, collapse: tuple[str, ...], full: bool, paths_of: str | None,
           analytic: bool, quiet: bool, size: str | None = None,
           hold: float | None = None, output_node: str | None = None,
           view: str | None = None, granularity: str | None = None,
           focus: str | None = None, zoom: str | None = None,
           legend: bool | None = None) -> None:
    """Render EXPR into OUT: SVG frames, a GIF, the HTML player and more.

    \b
    OUT receives frames/forward-NNN.svg, frames/reverse-NNN.svg, reverse.gif,
    index.html (the player), walkthrough.md and graph.json.

    \b
    Examples:
      adviz render "(x1 - x2)**2 + cos(x1 + x2)" --at x1=1 --at x2=2 -o out
      adviz render "tanh(w1*x1 + w2*x2 + b)" --at w1=0.5 --at x1=1 --at w2=-1 \\
          --at x2=2 --at b=0.1 --format +pdf,png --theme dark -o neuron
      adviz render model.py:loss -o out
      adviz render "x1 * x2" --at x1=3 --at x2=4 --phase tangent --seed x2 -o fwd
      adviz render "x1 * x2" --at x1=3 --at x2=4 --phase tangents --format html -o grad
    """
    chosen = _formats(formats)
    t = build_trace(expr, at, order)
    if output_node is not None:
        from adviz.core.sweep import output_sweep

        t = output_sweep(t, _output_node(output_node))
    _announce(t, chosen, phase, quiet)
    written = _staged(out, quiet, lambda folder: render_outputs(
        t, folder, chosen, phase=phase, theme=theme, fps=fps, rankdir=rankdir, quiet=quiet,
        collapse=collapse or None, full=full, paths_of=paths_of, analytic=analytic,
        size=size, hold=hold, seed=parse_seed(seed), view=view, granularity=granularity,
        focus=focus, zoom=zoom, legend=legend))
    _report(written, out, quiet)


@main.command(cls=_Command)
@_order_option
@_with_render_options
@click.option("--interactive", is_flag=True,
              help="Also write OUT/demo.html: the interactive demonstration (change the "
                   "inputs, step both passes, gradient descent, all in the browser).")
def demo(order: str, out: Path, formats: str | None, phase: str, seed: tuple[str, ...],
         theme: str, fps: float | None,
         rankdir: str | None, collapse: tuple[str, ...], full: bool, paths_of: str | None,
         analytic: bool, quiet: bool, interactive: bool, size: str | None = None,
         hold: float | None = None, view: str | None = None,
         granularity: str | None = None, focus: str | None = None,
         zoom: str | None = None, legend: bool | None = None) -> None:
    """Render the seed example (x1 - x2)**2 + cos(x1 + x2) at x1=1, x2=2.

    \b
    Examples:
      adviz demo -o out                  # then open out/index.html
      adviz demo --interactive -o out    # and out/demo.html
    """
    from adviz.writers import save

    chosen = _formats(formats)
    t = trace(SEED_EXPRESSION, SEED_POINT, order=order)

    def write(folder: Path) -> list[Path]:
        written = render_outputs(t, folder, chosen, phase=phase, theme=theme, fps=fps,
                                 rankdir=rankdir, quiet=quiet, collapse=collapse or None,
                                 full=full, paths_of=paths_of, analytic=analytic, size=size,
                                 hold=hold, seed=parse_seed(seed), view=view,
                                 granularity=granularity, focus=focus, zoom=zoom,
                                 legend=legend)
        if interactive:
            written.append(save(t, folder / "demo.html", interactive=True, theme=theme,
                                rankdir="TB" if rankdir == "TB" else "LR"))
        return written

    _report(_staged(out, quiet, write), out, quiet)
    if not quiet:
        from adviz.text.tables import walkthrough

        click.echo()
        click.echo(walkthrough(t), nl=False)


def gallery_folder(source: Path | None) -> Path:
    """The gallery's scripts: ``source``, else ``gallery/`` beside the package or here."""
    candidates = [source] if source is not None else [
        Path(__file__).resolve().parents[1] / "gallery", Path.cwd() / "gallery"]
    for folder in candidates:
        if folder is not None and folder.is_dir() and any(folder.glob("plot_*.py")):
            return folder
    where = source or "gallery/ (of a clone of the adviz repository)"
    raise InputError(f"no gallery scripts (plot_*.py) found in {where}; pass --source DIR")


@main.command(cls=_Command)
@click.option("-o", "--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default="gallery-out", show_default=True, help="Output folder.")
@click.option("--source", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Folder of the gallery scripts (default: the repository's).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def gallery(out: Path, source: Path | None, quiet: bool) -> None:
    """Render the whole gallery: every example script writes its pictures under OUT.

    \b
    Example:
      adviz gallery -o gallery-out
    """
    import os
    import subprocess

    from tqdm import tqdm

    scripts = sorted(gallery_folder(source).glob("plot_*.py"))
    env = {**os.environ, "ADVIZ_GALLERY_OUT": str(out.resolve()), "MPLBACKEND": "Agg"}
    for script in tqdm(scripts, desc="gallery", unit="example", disable=quiet or None):
        result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                                text=True, check=False)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise InputError(f"the gallery example {script.name} failed: {last}")
    if not quiet:
        click.echo(f"{len(scripts)} examples rendered into {out}")


def run() -> None:  # pragma: no cover - console entry point
    """Entry point with standard exit codes (0 ok, 1 error, 2 usage)."""
    main(prog_name="adviz")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
