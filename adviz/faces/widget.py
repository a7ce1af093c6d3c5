"""The live demonstration in a notebook: `widget`, a Jupyter widget synchronised with Python.

`widget` shows the interactive demonstration (`adviz.renderers.demo`) in a
notebook cell, built on ``anywidget`` (the extra ``adviz[notebook]``). It is
the same page: the same markup, the same embedded tape and kernel
(`adviz.renderers.demo.demo_parts`) and the same script (``demo.js``, with a
small bridge, ``widget.js``, that connects it to the widget's model). No file
is fetched from a network.

Python holds the state as traitlets: ``inputs``, ``phase`` and ``stage``
(which Python and the page both set), and ``values``, ``adjoints``,
``caption`` and ``history``, computed in Python from the trace at those
inputs (`adviz.core.tracing.Trace.state`). Every change of the inputs traces
the function again (`adviz.core.tracing.Trace.retrace`), so a function whose
control flow depends on its inputs follows its branches: when the graph
changes, the page is rebuilt from the new trace. (An exported page cannot
trace: it replays the recorded branch and says so.)

Examples
--------
>>> import adviz
>>> w = adviz.widget("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2, analytic=False)
>>> w.inputs, w.phase, w.stage, w.caption
({'x1': 1.0, 'x2': 2.0}, 'forward', 0, 'x1 = 1, x2 = 2')
>>> w.inputs = {"x1": 0.5}
>>> w.phase = "reverse"
>>> w.stage = w.stages("reverse") - 1
>>> round(w.adjoints["x1"], 6) == round(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)",
...                                                  x1=0.5, x2=2).grad["x1"], 6)
True
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from adviz.core.phases import PASSES, check_phase
from adviz.core.tracing import Trace, trace
from adviz.errors import AdvizError, InputError, MissingDependencyError, RenderError

if TYPE_CHECKING:
    from adviz.core.gradient_descent import Descent
    from adviz.core.tracing import Function

TRACE_OPTIONS = ("order", "granularity", "output", "prefix", "show_constants")
"""Keyword options of `widget` passed to `adviz.trace`."""

PAGE_OPTIONS = ("theme", "rankdir", "title", "analytic")
"""Keyword options of `widget` passed to the page (as for `adviz.renderers.demo.demo_html`)."""


EXTRA_CSS = """
.adviz-widget { container-type: inline-size; }
.adviz-widget .adviz-demo { max-width: 100%; padding: .5rem 0; }
.adviz-widget .adviz-demo h1.adviz-title { font-size: 1.15rem; }
.adviz-widget .adviz-layout { grid-template-columns: minmax(0, 1fr); }
.adviz-widget .adviz-side { position: static; }
@container (min-width: 1100px) {
  .adviz-widget .adviz-layout { grid-template-columns: minmax(0, 1fr) minmax(300px, 28rem); }
}
"""
"""Style sheet additions of the widget (after the page's ``demo.css``): the page's columns
follow the width of the notebook's output area, not the window's."""


def structure(t: Trace) -> str:
    """A short key of a trace's graph: equal keys, same nodes, ops, arguments and constants.

    Two traces of a function share it when its control flow took the same
    branch; the page built for one then recomputes the other.

    Examples
    --------
    >>> import adviz
    >>> f = lambda x: x * 2 if x > 0 else x * x
    >>> structure(adviz.trace(f, x=1.0)) == structure(adviz.trace(f, x=3.0))
    True
    >>> structure(adviz.trace(f, x=1.0)) == structure(adviz.trace(f, x=-1.0))
    False
    """
    program = t.program
    parts = [repr((t.order, t.granularity, program.output))]
    for node in program.nodes:
        parts.append(repr((node.id, node.kind, None if node.op is None else node.op.name,
                           tuple(node.slots), node.value if node.kind == "const" else None)))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def state_of(t: Trace, phase: str, stage: int) -> dict[str, Any]:
    """What the widget shows after one stage: values, adjoints (by node id) and the caption.

    Examples
    --------
    >>> import adviz
    >>> state = state_of(adviz.trace("x * x", x=3), "reverse", 1)
    >>> state["values"], state["adjoints"], state["caption"]
    ({'x': 3.0, 'y': 9.0}, {'y': 1.0, 'x': 6.0}, 'g_x += g_y * dy/dx = 1 * (2*x) = 6')
    """
    st = t.state(phase, stage)
    return {"values": {k: float(v) for k, v in st.values.items()},
            "adjoints": {k: float(v) for k, v in st.adjoints.items()},
            "caption": st.stage.caption}


def next_stage(t: Trace, phase: str, stage: int) -> tuple[str, int]:
    """The stage after one (the page's Step): the forward pass runs on into the reverse one.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> next_stage(t, "forward", 0), next_stage(t, "forward", 1), next_stage(t, "reverse", 1)
    (('forward', 1), ('reverse', 0), ('reverse', 1))
    """
    last = len(t.stages(phase)) - 1
    if phase == "forward" and stage >= last:
        return "reverse", 0
    return phase, min(stage + 1, last)


def page_payload(t: Trace, page: Mapping[str, Any],
                 ranges: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, Any]:
    """What the widget sends its page: markup, data and kernel of the demonstration.

    ``ranges`` keeps the sliders' ranges (by input name) of the first trace
    when a re-trace rebuilds the page.
    """
    from adviz.renderers.demo import demo_parts, missing_js_ops

    missing = missing_js_ops(t)
    if missing:
        raise RenderError(f"the widget needs the JavaScript form of every op; "
                          f"{', '.join(missing)} has none (register it with js_forward= "
                          f"and js_partials=)")
    parts = demo_parts(t, **page)
    data = dict(parts.data)
    data["live"] = True  # the widget traces again: no "recorded branch" notice
    if ranges:
        data["inputs"] = [{**inp, **ranges.get(inp["id"], {})} for inp in data["inputs"]]
    return {"html": f"{parts.opening}\n{parts.body}</div>\n", "data": data,
            "kernel": parts.kernel, "key": structure(t)}


def widget_esm() -> str:
    """The widget's JavaScript module: the page's script (`adviz.renderers.demo.demo_script`),
    then the bridge ``widget.js``."""
    from adviz.renderers.demo import demo_script
    from adviz.renderers.page import asset

    return demo_script() + "\n" + asset("widget.js")


def widget_css() -> str:
    """The widget's style sheet: the page's ``demo.css`` and `EXTRA_CSS`."""
    from adviz.renderers.page import asset

    return asset("demo.css") + EXTRA_CSS


def _finite(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"input {name!r} must be a finite number, not {value!r}")
    return float(value)


@cache
def widget_class() -> type:
    """The widget class, made on first use (it needs ``anywidget``).

    Raises
    ------
    MissingDependencyError
        ``anywidget`` is not installed.
    """
    try:
        import anywidget
        import traitlets
    except ImportError as err:
        raise MissingDependencyError(
            "adviz.widget needs anywidget: pip install 'adviz[notebook]'") from err

    class AdvizWidget(anywidget.AnyWidget):
        """The live demonstration (see `adviz.faces.widget`)."""

        _esm = widget_esm()
        _css = widget_css()
        _page = traitlets.Dict().tag(sync=True)
        inputs = traitlets.Dict().tag(sync=True)
        phase = traitlets.Unicode("forward").tag(sync=True)
        stage = traitlets.Int(0).tag(sync=True)
        values = traitlets.Dict().tag(sync=True)
        adjoints = traitlets.Dict().tag(sync=True)
        caption = traitlets.Unicode("").tag(sync=True)
        history: Any = traitlets.List().tag(sync=True)

        def __init__(self, t: Trace, page: Mapping[str, Any]) -> None:
            self._trace = t
            self._options = dict(page)
            self._descending = False
            payload = page_payload(t, self._options)
            self._ranges = {inp["id"]: {k: inp[k] for k in ("min", "max", "step")}
                            for inp in payload["data"]["inputs"]}
            super().__init__(_page=payload, inputs=dict(t.inputs))
            self._show()
            self.on_msg(self._on_message)

        @property
        def trace(self) -> Trace:
            """The trace at the current inputs."""
            return self._trace

        def stages(self, phase: str | None = None) -> int:
            """How many stages ``phase`` (default: the current one) has."""
            return len(self._trace.stages(self.phase if phase is None else phase))

        @traitlets.validate("inputs")
        def _check_inputs(self, proposal: Any) -> dict[str, float]:
            current = dict(self._trace.inputs)
            for name, value in dict(proposal["value"]).items():
                if name not in current:
                    raise InputError(f"no input named {name!r}; the inputs are "
                                     f"{', '.join(current)}")
                current[name] = _finite(name, value)
            return current

        @traitlets.validate("phase")
        def _check_phase(self, proposal: Any) -> str:
            return check_phase(proposal["value"], PASSES, "the widget")

        @traitlets.validate("stage")
        def _check_stage(self, proposal: Any) -> int:
            count = len(self._trace.stages(self.phase))
            stage = proposal["value"]
            if not 0 <= stage < count:
                raise InputError(f"{self.phase} stage {stage} does not exist: there are "
                                 f"{count} stages (0 to {count - 1})")
            return int(stage)

        @traitlets.observe("inputs")
        def _moved(self, change: Any) -> None:
            if dict(change["new"]) == dict(self._trace.inputs):
                return
            try:
                new = self._trace.retrace(change["new"])
            except AdvizError as err:
                self.values, self.adjoints = {}, {}
                self.caption = f"cannot trace at these inputs: {err}"
                return
            old_key = self._page.get("key")
            self._trace = new
            if structure(new) != old_key:
                self._page = page_payload(new, self._options, self._ranges)
            if not self._descending:
                self.history = []
            self._show()

        @traitlets.observe("phase", "stage")
        def _moved_stage(self, change: Any) -> None:
            self._show()

        def _show(self) -> None:
            last = len(self._trace.stages(self.phase)) - 1
            if self.stage > last:
                self.stage = last  # observed: shows it
                return
            state = state_of(self._trace, self.phase, self.stage)
            self.values = state["values"]
            self.adjoints = state["adjoints"]
            self.caption = state["caption"]

        def step(self) -> None:
            """One stage on, as the page's Step button (forward, then on into reverse)."""
            phase, stage = next_stage(self._trace, self.phase, self.stage)
            with self.hold_trait_notifications():
                self.stage = 0
                self.phase = phase
                self.stage = stage

        def show(self, phase: str, stage: int) -> None:
            """Show one stage of one phase (``stage`` may count from the end, as ``-1``)."""
            count = len(self._trace.stages(phase)) if phase in PASSES else 0
            with self.hold_trait_notifications():
                self.stage = 0
                self.phase = phase
                self.stage = stage % count if count and -count <= stage < 0 else stage

        def descend(self, lr: float = 0.1, n: int = 20) -> Descent:
            """Take ``n`` gradient-descent steps of learning rate ``lr`` from the inputs.

            Each step traces the function again (`adviz.descent`); the widget
            moves to the last point, shows the end of its reverse pass and adds
            the steps to ``history`` (``{"inputs", "value"}`` per point, the
            start first).

            Returns
            -------
            Descent
                The run (`adviz.descent`'s result).
            """
            from adviz.core.gradient_descent import descent

            run = descent(self._trace.function, dict(self._trace.inputs), lr, n)
            points = [{"inputs": dict(x), "value": float(v)}
                      for x, v in zip(run.inputs, run.values)]
            history = list(self.history)
            if history and history[-1]["inputs"] == points[0]["inputs"]:
                points = points[1:]
            self._descending = True
            try:
                self.inputs = dict(run.inputs[-1])
                self.history = history + points
                self.show("reverse", -1)
            finally:
                self._descending = False
            return run

        def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
            if isinstance(content, dict) and content.get("type") == "descend":
                try:
                    self.descend(float(content["lr"]), int(content["n"]))
                except AdvizError as err:
                    self.caption = f"descent stopped: {err}"

    return AdvizWidget


def widget(f: Function | Trace, /, *values: Any, theme: str = "light", rankdir: str = "LR",
           title: str | None = None, analytic: bool | None = None, **inputs: Any) -> Any:
    """The interactive demonstration as a live Jupyter widget, synchronised with Python.

    Parameters
    ----------
    f
        A `Trace`, or (as for `adviz.trace`) a function or an expression
        string, with its input values by position or name.
    *values, **inputs
        Input values (with a function or an expression), and the trace
        options ``order``, ``granularity``, ``output``, ``prefix`` and
        ``show_constants``.
    theme, rankdir, title, analytic
        As for `adviz.renderers.demo.demo_html`.

    Returns
    -------
    AdvizWidget
        An ``anywidget.AnyWidget``. Its traitlets ``inputs`` (a dict, which
        may be set in part), ``phase`` and ``stage`` move it; ``values``,
        ``adjoints`` (by node id, as known after the stage), ``caption`` (the
        stage's caption) and ``history`` (the descent so far) follow. Its
        methods ``step()``, ``show(phase, stage)`` and ``descend(lr, n)``
        drive it from Python; ``observe(callback, "stage")`` watches it.

    Raises
    ------
    MissingDependencyError
        ``anywidget`` is not installed (``pip install 'adviz[notebook]'``).
    InputError
        Input values given with a `Trace`, or bad trace options.
    RenderError
        An op of the graph has no JavaScript form.

    Examples
    --------
    >>> import adviz
    >>> w = adviz.widget("sin(p*q)", p=0.5, q=1.5, analytic=False)
    >>> w.step(); w.step(); w.step()
    >>> w.phase, w.stage, w.caption
    ('reverse', 0, 'g_y = 1')
    >>> run = w.descend(0.1, 3)
    >>> len(w.history), w.inputs == run.inputs[-1]
    (4, True)
    """
    cls = widget_class()
    options = {k: inputs.pop(k) for k in TRACE_OPTIONS if k in inputs}
    if isinstance(f, Trace):
        if values or inputs or options:
            raise InputError("adviz.widget takes a Trace alone; trace again with "
                             "adviz.trace(...) to change its inputs or options")
        t = f
    else:
        t = trace(f, *values, **options, **inputs)
    page = {"theme": theme, "rankdir": rankdir, "title": title, "analytic": analytic}
    return cls(t, page)
