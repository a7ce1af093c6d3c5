"""The interactive demonstration: both passes, checks and gradient descent in one page.

`demo_html` writes one self-contained HTML page (no network, no server,
works from ``file://``) that recomputes the traced graph in JavaScript:
change the inputs with sliders or number fields, run the forward pass and
the reverse pass stage by stage (the same order, captions and running sums
as `adviz.core.stages`), compare the final gradient with central finite
differences and, when SymPy is installed, with the analytic formula, and
take gradient-descent steps.

The page embeds a description of the tape (nodes in evaluation order, their
op names and argument slots) as JSON, and a small generated script holding
the JavaScript forms (``js_forward``, ``js_partials``) of the ops the graph
uses, taken from the op table. The script computes numbers only: every label,
caption and walkthrough row is a template (`adviz.renderers.templates`) made
once from the tokens of `adviz.text.labels` and `adviz.text.tables`, whose
holes it fills with the numbers it computed; colours and widths come from the
figure's style table. The graph is painted
once, as SVG, from the figure (`adviz.scene.picture`: every node and label
drawn) at its first stage; the page only rewrites the nodes' and edges' text,
colours and arrowheads from the embedded geometry, so nothing moves when
numbers change. The reverse schedule depends only on the
graph's structure and is recomputed in JavaScript with the algorithm of
`adviz.core.stages.reverse_order`. Control flow taken at trace time is what the
page replays: a Python function that branches on its inputs is replayed
along the recorded branch (the page says so when the inputs move).

A graph that uses a custom op registered without a JavaScript form cannot
be recomputed; the page is then the fixed-point player
(`adviz.renderers.player.player_html`) with a notice saying why.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> page = demo_html(t, analytic=False)
>>> page.startswith("<!DOCTYPE html>"), 'class="adviz-demo' in page
(True, True)
>>> page == demo_html(t, analytic=False)
True
>>> missing_js_ops(t)
[]
"""

from __future__ import annotations

import html
import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adviz.errors import InputError, MissingDependencyError, RenderError
from adviz.renderers.page import (
    as_columns,
    asset,
    collector_paused,
    crop,
    default_title,
    html_document,
    json_for_script,
    polygon_points,
    source_hash,
)
from adviz.renderers.templates import (
    PageTemplate,
    Slots,
    caption_template,
    intern_fragments,
    page_template,
)

if TYPE_CHECKING:
    from adviz.core.tracing import Trace
    from adviz.scene.picture import Figure
    from adviz.text.tokens import Text

DEFAULT_LR = 0.1
"""Learning rate the gradient-descent panel starts with."""

DEFAULT_STEPS = 20
"""Number of steps of the "run n steps" button, at first."""

STAGE_INTERVAL_MS = 700
"""Time between stages while Forward or Backward plays, in milliseconds."""

MIN_SCALE = 0.6
"""The graph keeps at least this share of its natural size; wider graphs scroll sideways."""

FD_STEP = 1e-6
"""Relative step of the central finite differences (as in `adviz.core.checks.check_grad`)."""

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_UNSAFE_JS = re.compile(r"</script|<!--|<script|-->", re.IGNORECASE)


def missing_js_ops(trace: Trace) -> list[str]:
    """Names of the ops a trace uses that have no JavaScript form (sorted).

    Examples
    --------
    >>> import adviz
    >>> f = adviz.register_op("twice", lambda a: 2 * a, lambda a: 2.0, replace=True)
    >>> missing_js_ops(adviz.trace(lambda x: f(x) + 1, x=1.0))
    ['twice']
    >>> adviz.unregister_op("twice")
    """
    missing = {
        node.op.name
        for node in trace.program.nodes
        if node.op is not None and (node.op.js_forward is None or node.op.js_partials is None)
    }
    return sorted(missing)


def _check_js(name: str, code: str) -> str:
    if _UNSAFE_JS.search(code):
        raise RenderError(f"the JavaScript form of op {name!r} contains markup ({code!r})")
    return code


def _used_ops(trace: Trace) -> dict[str, Any]:
    ops: dict[str, Any] = {}
    for node in trace.program.nodes:
        if node.op is not None and node.op.name not in ops:
            ops[node.op.name] = node.op
    return dict(sorted(ops.items()))


def kernel_script(trace: Trace, analytic: dict[str, str] | None = None) -> str:
    """The generated script: the JavaScript forms of the ops a trace uses.

    It defines ``window.ADVIZ_KERNEL = {ops: {name: {f, p}}, analytic: {...}}``
    where ``f(a, b, ...)`` is the op's forward function and ``p`` the list of
    its partials, built from ``Op.js_forward`` and ``Op.js_partials``;
    ``analytic`` maps input names to functions of the input values (in
    argument order) computing the analytic gradient.

    Parameters
    ----------
    trace
        A `Trace` whose ops all have JavaScript forms (see `missing_js_ops`).
    analytic
        Input name to a JavaScript expression over ``_a0, _a1, ...``.

    Examples
    --------
    >>> import adviz
    >>> print(kernel_script(adviz.trace("cos(x)", x=0.5)))
    window.ADVIZ_KERNEL = {"ops": {
    "cos": {"f": function (a) { return (Math.cos(a)); }, "p": [
      function (a) { return (-Math.sin(a)); }]}
    }, "analytic": {
    }};
    """
    lines = ["window.ADVIZ_KERNEL = {\"ops\": {"]
    entries = []
    for name, op in _used_ops(trace).items():
        if op.js_forward is None or op.js_partials is None:
            raise RenderError(f"op {name!r} has no JavaScript form")
        if op.arity > len(_LETTERS):
            raise RenderError(f"op {name!r} takes too many arguments for the page")
        params = ", ".join(_LETTERS[: op.arity])
        partials = ",\n".join(
            f"  function ({params}) {{ return ({_check_js(name, p)}); }}"
            for p in op.js_partials
        )
        entries.append(
            f"{_js_string(name)}: {{\"f\": function ({params}) {{ return "
            f"({_check_js(name, op.js_forward)}); }}, \"p\": [\n{partials}]}}"
        )
    lines.append(",\n".join(entries))
    lines.append("}, \"analytic\": {")
    analytic = analytic or {}
    lines.append(",\n".join(
        f"{_js_string(name)}: function (_v) {{ return ({_check_js(name, code)}); }}"
        for name, code in analytic.items()
    ))
    lines.append("}};")
    return "\n".join(line for line in lines if line) + "\n"


def _js_string(text: str) -> str:
    return json_for_script(text)


PAGE_FORMULA_LIMIT = 1000
"""Largest analytic formula (nodes of its expression tree) the demonstration page shows."""


def _js_printer(sp: Any, names: list[str], order: str | None = None) -> Any:
    """SymPy's JavaScript printer, printing input ``k``'s symbol as ``_ak``.

    Renaming in the printer costs nothing more than the printing itself; no
    substitution rebuilds the formula. Each distinct subexpression is printed
    once (`adviz.core.symbolic.memoised`), for all the formulas it prints.
    """
    from sympy.printing.jscode import JavascriptCodePrinter

    from adviz.core.symbolic import memoised

    index = {name: k for k, name in enumerate(names)}

    class Printer(memoised(JavascriptCodePrinter)):  # type: ignore[misc]
        def _print_Symbol(self, expr: Any) -> str:
            return f"_a{index[expr.name]}"

    return Printer({"strict": True, "order": order})


def analytic_forms(trace: Trace) -> dict[str, Any]:
    """The analytic gradient for the page: formulas, values and JavaScript forms.

    Derived with `adviz.core.symbolic.symbolic_gradient`. A formula is given a
    JavaScript form (with SymPy's JavaScript printer, over ``_v[0], _v[1],
    ...`` in input order) when every function in it has one; otherwise the
    page shows its value at the traced point only. A formula of more than
    `PAGE_FORMULA_LIMIT` terms (nodes of its expression tree) is neither
    printed nor recomputed: the page names its size and shows its value, so
    the page and its cost stay proportional to the graph, not to the formulas
    of a deep network (which grow with the product of the layer widths).

    Returns
    -------
    dict
        ``{"grads": [{"input", "text", "value", "js"}], "code": {input: js}}``.

    Raises
    ------
    MissingDependencyError
        SymPy is not installed.

    Examples
    --------
    >>> import adviz
    >>> forms = analytic_forms(adviz.trace("x * x", x=3))
    >>> forms["grads"][0]["text"], forms["code"]["x"]
    ('2*x', '2*_v[0]')
    """
    from adviz.core.symbolic import formula_size, print_order, symbolic_gradient

    grads = symbolic_gradient(trace)  # raises MissingDependencyError without SymPy
    import sympy as sp
    from sympy.core.function import AppliedUndef

    printers = {order: _js_printer(sp, list(trace.inputs), order) for order in (None, "none")}
    result: list[dict[str, Any]] = []
    code: dict[str, str] = {}
    sizes: dict[Any, int] = {}  # the formulas share subexpressions: each is counted once
    for name, g in grads.items():
        js: str | None = None
        formula = g.formula
        small = formula_size(formula, PAGE_FORMULA_LIMIT, sizes) <= PAGE_FORMULA_LIMIT
        text = g.text if small else f"(a formula of over {PAGE_FORMULA_LIMIT:,} terms)"
        if small and not formula.atoms(AppliedUndef):
            try:
                source = printers[print_order(formula, sizes)].doprint(formula)
            except Exception:  # a function SymPy cannot print as JavaScript
                source = ""
            if source and "\n" not in source and "//" not in source \
                    and not _UNSAFE_JS.search(source):
                js = re.sub(r"\b_a(\d+)\b", r"_v[\1]", source)
        if js is not None:
            code[name] = js
        result.append({"input": name, "text": text,
                       "value": None if g.value is None else float(g.value),
                       "js": js is not None})
    return {"grads": result, "code": code}


def page_inputs(trace: Trace) -> list[dict[str, Any]]:
    """The page's inputs: each input's node number, id, value, gradient's name and slider
    range."""
    from adviz.text.tokens import Partial

    nodes = trace.program.nodes
    return [{"node": i, "id": nodes[i].id, "value": nodes[i].value,
             "gradient": Partial(trace.output, nodes[i].id).unicode(),
             **_input_range(nodes[i].value)} for i in trace.program.inputs]


def analytic_panel(trace: Trace, analytic: bool | None) -> tuple[dict[str, str], dict[str, Any]]:
    """The analytic panel's JavaScript code and data: ``state`` ``"on"`` (with the
    gradient's formulas), ``"off"`` (``analytic=False``), ``"missing"`` (no SymPy) or
    ``"failed"`` (SymPy could not derive it); with ``analytic=True`` those two raise."""
    if analytic is False:
        return {}, {"state": "off"}
    try:
        forms = analytic_forms(trace)
    except MissingDependencyError:
        if analytic:
            raise
        return {}, {"state": "missing"}
    except Exception as err:  # SymPy could not derive or evaluate the formula
        if analytic:
            raise RenderError(f"the analytic gradient could not be derived: {err!r}") from err
        return {}, {"state": "failed"}
    return forms["code"], {"state": "on", "grads": forms["grads"]}


def _input_range(value: float) -> dict[str, float]:
    span = max(2.0, 2.0 * abs(value))
    step = 10.0 ** (round(math.log10(span)) - 3)
    lo, hi = value - span, value + span
    return {"min": lo, "max": hi, "step": step}


def _stage_texts(trace: Trace, slots: Slots) -> dict[str, dict[str, list[PageTemplate]]]:
    """Per phase and stage, the caption (Unicode) and the short plain caption as templates."""
    from adviz.text.labels import stage_caption_text, stage_text

    phases = ("forward", "reverse")
    texts = {phase: [stage_text(trace, phase, k) for k in range(len(trace.stages(phase)))]
             for phase in phases}  # each stage's caption built once, written in two notations
    return {
        "titles": {phase: [page_template(t, slots) for t in texts[phase]] for phase in phases},
        "captions": {phase: [page_template(stage_caption_text(trace, phase, k), slots, "plain")
                             for k in range(len(trace.stages(phase)))]
                     for phase in phases},
        # the captions the page shows: terms that wrap only between each other, MathML
        "titlesMath": {phase: [caption_template(t, slots) for t in texts[phase]]
                       for phase in phases},
    }


def _edge_texts(trace: Trace, slots: Slots) -> dict[tuple[str, str], tuple[PageTemplate,
                                                                           PageTemplate]]:
    """Per edge, its partial label and its contribution label as templates."""
    from adviz.core.stages import Contribution
    from adviz.text.labels import contribution_text, partial_text

    contributions = {(c.parent, c.child): c for stage in trace.reverse_stages
                     for c in stage.contributions}
    out = {}
    for parent, child in trace.graph.edges:
        c = contributions.get((parent, child)) or Contribution(
            parent, child, 0.0, 0.0, 0.0, 0.0, 0.0,
            trace.graph.edges[parent, child]["partial_expr"], "")
        out[parent, child] = (page_template(partial_text(trace, parent, child), slots),
                              page_template(contribution_text(trace, c), slots))
    return out


def _line_texts(slots: Slots) -> dict[str, Any]:
    """Node lines as templates: value, adjoint and the two lines of an accumulation."""
    from adviz.text.labels import accumulation_texts, adjoint_text, value_text

    return {"value": page_template(value_text(0.0), slots),
            "adjoint": page_template(adjoint_text(0.0), slots),
            "accumulation": [page_template(t, slots) for t in accumulation_texts(0.0, 0.0, 0.0)]}


def _table_texts(trace: Trace, slots: Slots) -> dict[str, Any]:
    """The walkthrough (`adviz.text.tables`) as templates: its HTML cells, and the title."""
    from adviz.text.tables import TITLE_INPUTS, final_texts, text_rows, title_text

    def cell(text: Text) -> PageTemplate:  # HTML with MathML, numbers as <mn> holes
        return page_template(text, slots, "mathml")

    return {
        "math": True,
        "title": cell(title_text(trace)),  # the walkthrough's own, every input
        "heading": page_template(title_text(trace, TITLE_INPUTS), slots, "plain"),
        "rows": [{"phase": row.phase, "stage": row.stage, "step": cell(row.step),
                  "updates": [cell(u) for u in row.updates]} for row in text_rows(trace)],
        "finals": [[cell(label), cell(value)] for label, value in final_texts(trace)],
    }


def demo_data(
    trace: Trace,
    *,
    theme: str = "light",
    rankdir: str = "LR",
    title: str | None = None,
    analytic: bool | None = None,
) -> tuple[dict[str, Any], str, dict[str, str]]:
    """The page's data: the tape, text templates, geometry, style table; the base SVG.

    Parameters
    ----------
    trace, theme, rankdir, title, analytic
        As for `demo_html`.

    Returns
    -------
    tuple
        ``(data, svg, analytic_code)``: the JSON-able description, the SVG of
        the first forward stage (painted once, the base the page's script
        changes; the page shows its caption as text) and the analytic
        gradient's JavaScript forms by input name.

    Examples
    --------
    >>> import adviz
    >>> data, svg, code = demo_data(adviz.trace("x * x", x=3), analytic=False)
    >>> [(n["id"], n["op"], n["slots"]) for n in data["nodes"]]
    [('x', None, []), ('y', 'mul', [{'p': 0}, {'p': 0}])]
    >>> data["edges"][0]["key"], data["edges"][0]["positions"]
    ('x->y', [0, 1])
    >>> data["edges"][0]["partial"], data["texts"]["value"]
    (['∂y/∂x = 2x = ', ['partial', 0, 0]], ['= ', ['value', None, 0]])
    >>> data["captions"]["reverse"][1]
    ['g_x += g_y * dy/dx = ', ['upstream', 0, 0], ' * (2*x) = ', ['delta', 0, 0]]
    >>> svg.startswith("<svg"), code
    (True, {})
    """
    from adviz.renderers.svg import paint
    from adviz.scene.layout import LABEL_PAD, NODE_PAD_X, label_size
    from adviz.scene.picture import figure, prepare_texts, start_figure_layout
    from adviz.scene.style import EDGE_SIZE, LINE_SIZE, LINE_SPACING, NAME_SIZE
    from adviz.text.labels import (
        node_formula,
        pretty_name,
        reserved_edge_lines,
        result_text,
    )
    from adviz.text.tables import point_text

    program = trace.program
    nodes = program.nodes
    # Graphviz lays the graph out in its own process while this thread writes the page's
    # texts and derives the analytic panel, which need only the trace; then the figure is
    # built in a second thread (its label placement lets go of the interpreter in NumPy)
    # while this one finishes. Graphviz starts first, from the widest text of each node
    # and edge (the sizes the layout reserves), with no other work sharing the interpreter.
    options: dict[str, Any] = {"rankdir": rankdir, "collapse": (), "full": True, "copies": False}
    start_figure_layout(trace, **options)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="adviz-figure")
    try:
        laying_out = pool.submit(figure, trace, theme=theme, **options)
        slots = Slots(trace)
        edge_texts = _edge_texts(trace, slots)
        texts = {"result": page_template(result_text(trace), slots, "plain"),
                 "texts": _line_texts(slots), "table": _table_texts(trace, slots)}
        stage_texts = _stage_texts(trace, slots)
        inputs = page_inputs(trace)
        code, analytic_data = analytic_panel(trace, analytic)
        focus_texts = focus_templates(trace)
        prepare_texts(trace)  # what the figure's thread and the first frame need next
        fig = laying_out.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    first = fig.frame("forward", 0)  # the stage the page opens at
    svg = paint(fig, first)

    node_data = []
    for node in nodes:
        box = fig.nodes[node.id]
        args = [{"p": s} if type(s) is int else {"c": float(s)} for s in node.slots]
        node_data.append({
            "id": node.id,
            "kind": node.kind,
            "show": first.nodes[node.id].kind,
            "op": node.op.name if node.op is not None else None,
            "slots": args,
            "value": node.value,
            "pretty": pretty_name(node.id),
            "label": node_formula(trace, node.id),
            "cx": box.x,
            "cy": box.y,
        })
    into: list[list[int]] = [[] for _ in nodes]
    ordered: list[dict[str, Any] | None] = [None] * len(slots.edges)
    view = fig.view
    # every node drawn with its full labels: the view's edge lines are the reserved ones
    reserved = view.edge_lines if view.collapsed is None and not view.compact \
        and not view.copies else reserved_edge_lines(trace)
    for i, node in enumerate(nodes):
        for edge in program.edges_into(i):
            p, c = nodes[edge.parent].id, node.id
            positions = [k for k, s in enumerate(node.slots)
                         if type(s) is int and s == edge.parent]
            shape = fig.edges[p, c]
            partial_text, contribution_text = edge_texts[p, c]
            number = slots.edges[p, c]
            into[i].append(number)
            ordered[number] = {
                "key": f"{p}->{c}",
                "parent": edge.parent,
                "child": i,
                "positions": positions,
                "partial": partial_text,
                "contribution": contribution_text,
                "label": None if shape.label is None else list(shape.label),
                "labelBox": label_size(reserved[p, c])[0],
                "left": shape.label_left,
                # the forward routes are the base SVG's own: the page opens at forward
                # stage 0 and its script reads them there
                "rev": [relative_path_data(shape.reverse), polygon_points(shape.reverse_head)],
            }
    data = {
        "title": title,
        "defaultTitle": default_title(trace),
        "tracedPoint": point_text(trace).plain(),
        "result": texts["result"],
        "fromFunction": trace.expression is None,
        "nodes": node_data,
        "edges": ordered,
        "into": into,
        "inputs": inputs,
        "output": program.output,
        "order": trace.order,
        "granularity": trace.granularity,
        "styles": fig.styles,
        "texts": texts["texts"],
        **stage_texts,
        "table": texts["table"],
        "scene": {"crop": crop(fig), "width": fig.width, "height": fig.height},
        "dark": fig.theme.name == "dark",
        "sizes": {"name": NAME_SIZE, "line": LINE_SIZE, "edge": EDGE_SIZE,
                  "spacing": LINE_SPACING, "labelPad": LABEL_PAD, "nodePad": NODE_PAD_X},
        "analytic": analytic_data,
        "focusTexts": focus_texts,
        "fdStep": FD_STEP,
        "lr": DEFAULT_LR,
        "steps": DEFAULT_STEPS,
        "interval": STAGE_INTERVAL_MS,
    }
    return data, svg[svg.index("<svg"):], code


def _short(hundredths: int) -> str:
    """Hundredths as a decimal without trailing zeros (``-150`` -> ``"-1.5"``); exact, for
    `relative_path_data`'s coordinates (far below 2**53 hundredths).

    Examples
    --------
    >>> [_short(v) for v in (0, 5, -5, 100, -150, 1234)]
    ['0', '0.05', '-0.05', '1', '-1.5', '12.34']
    """
    return f"{hundredths / 100:.2f}".rstrip("0").rstrip(".")


def relative_path_data(points: tuple[tuple[float, float], ...]) -> str:
    """A route as SVG path data with relative cubic segments: the same route as
    `adviz.renderers.page.path_data` (its points rounded alike), each segment's points
    written from where it starts (``c``), without trailing zeros: about a third fewer
    bytes for the long routes of a large graph.

    Examples
    --------
    >>> relative_path_data(((10.0, 20.0), (11.5, 20.0), (12.0, 21.25), (13.0, 19.0)))
    'M10,20c1.5,0 2,1.25 3,-1'
    >>> relative_path_data(())
    ''
    """
    if not points:
        return ""
    exact = [(int(f"{x:.2f}".replace(".", "")), int(f"{y:.2f}".replace(".", "")))
             for x, y in points]  # rounded as `adviz.renderers.page.path_data` rounds
    x0, y0 = exact[0]
    head = f"M{_short(x0)},{_short(y0)}c"
    pairs = []
    last = len(exact) - 1
    for k in range(1, len(exact), 3):
        for x, y in exact[k:k + 3]:
            pairs.append(f"{_short(x - x0)},{_short(y - y0)}")
        x0, y0 = exact[min(k + 2, last)]
    return head + " ".join(pairs)


def _frame_size(fig_width: float, fig_height: float) -> tuple[str, str]:
    """CSS lengths: `MIN_SCALE` of the drawing's natural width and height."""
    return (f"{round(fig_width * 4 / 3 * MIN_SCALE)}px",
            f"{round(fig_height * 4 / 3 * MIN_SCALE)}px")


def _fallback(trace: Trace, theme: str, rankdir: str, title: str | None,
              missing: list[str], view: str = "graph", granularity: str | None = None) -> str:
    from adviz.renderers.player import player_html

    page = player_html(trace, theme=theme, rankdir=rankdir, title=title, view=view,
                       granularity=granularity)
    names = ", ".join(html.escape(name) for name in missing)
    colours = ("#3a2f10", "#f0e442", "#ececec") if theme == "dark" else \
        ("#fdf3dc", "#e69f00", "#1a1a1a")
    notice = (
        f'<div class="adviz-demo-notice" role="note" style="margin:1rem auto 0;'
        f"max-width:1800px;box-sizing:border-box;padding:.7rem 1rem;border-radius:8px;"
        f"background:{colours[0]};border:1px solid {colours[1]};color:{colours[2]};"
        f'font:15px/1.45 system-ui,sans-serif">'
        f"The interactive demonstration needs the JavaScript form of every op; "
        f"<strong>{names}</strong> has none (register it with <code>js_forward=</code> "
        f"and <code>js_partials=</code>). This page replays the traced point only.</div>\n"
    )
    return page.replace("<body>\n", "<body>\n" + notice, 1)


def demo_html(
    trace: Trace,
    *,
    theme: str = "light",
    rankdir: str = "LR",
    title: str | None = None,
    analytic: bool | None = None,
    focus: str | None = None,
    view: str = "graph",
    granularity: str | None = None,
    zooms: bool | None = None,
    progress: bool | None = None,
) -> str:
    """One self-contained HTML page: the interactive demonstration of both passes.

    Parameters
    ----------
    trace
        A `Trace`; its inputs become the page's sliders, its point the start.
    theme
        ``"light"`` (default), ``"dark"`` or ``"print"``.
    rankdir
        ``"LR"`` (inputs left, output right) or ``"TB"``.
    title
        Page heading; default ``"y = <formula> at x1 = 1, x2 = 2"`` (it
        follows the inputs).
    analytic
        Show the analytic gradient derived with SymPy: ``None`` (default)
        when SymPy is installed, ``True`` always (`MissingDependencyError`
        without SymPy), ``False`` never.
    focus
        A node whose paths to the output the page opens in focus (as for
        `adviz.to_svg`); on the page, clicking a node focuses on it, clicking it
        again or Escape clears the focus.
    view, granularity
        ``"graph"`` (default): the page draws the scalar graph.
        ``"network"``: a scoped network's neuron view (`adviz.scene.network`),
        one reverse stage per neuron (``granularity="layer"``: per layer);
        the page still recomputes every scalar node in the browser and fills
        the neurons' activations and adjoints, the weights' values and
        gradients and the captions with those numbers
        (`adviz.renderers.demo_network`). ``focus`` names a node it draws (an
        input, a neuron's activation such as ``"a1_2"``, the loss) or a weight
        (``"w1_22"``: its edge); on the page, clicking a weight's edge focuses
        on it, the focus line summing its paths with the numbers of the
        current point, and clicking a neuron shows its scalar graph (when
        the page has its zoom: ``zooms``).
    zooms
        With ``view="network"``: include every neuron's zoom (its scalar graph,
        the rest of the network collapsed), shown when its circle is clicked.
        ``None`` (default): when the network is small enough for the zooms
        to cost little (`adviz.renderers.demo_network.ZOOM_BUDGET`); ``True``
        always; ``False`` never. Without its zoom, clicking a neuron focuses
        on it.
    progress
        A progress bar on standard error while the zooms are made: ``None``
        (default) when it is a terminal and there are many of them.

    Returns
    -------
    str
        The page. It falls back to the fixed-point player, with a notice,
        when an op of the graph has no JavaScript form.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace(lambda w, x: adviz.tanh(w * x), w=0.5, x=2.0)
    >>> page = demo_html(t, theme="dark", analytic=False)
    >>> page.count("<script"), "Content-Security-Policy" in page
    (3, True)
    """
    from adviz.scene.network import check_view
    from adviz.scene.style import get_theme

    view = check_view("graph" if view is None else view, granularity)
    if view == "network" and rankdir not in (None, "auto", "LR"):
        raise InputError("rankdir does not apply to view='network': the neuron view lays out "
                         "its own columns of neurons, left to right; use view='graph' for "
                         "rankdir=")
    if zooms is not None and view != "network":
        raise InputError("zooms does not apply to view='graph': zooms are the neuron view's "
                         "(view='network')")
    get_theme(theme)
    missing = missing_js_ops(trace)
    if missing:
        return _fallback(trace, theme, rankdir, title, missing, view=view,
                         granularity=granularity)
    start = None
    if focus is not None and view != "network":
        from adviz.scene.focus import focus_of

        start = trace.program.index[focus_of(trace, focus).node]
    # Paused until the page is one string and the data it was made from is freed (with
    # `_page`'s frame): resumed earlier, the collector's first pass would walk every
    # object of that data.
    with collector_paused():
        return _page(trace, theme=theme, rankdir=rankdir, title=title, analytic=analytic,
                     focus=focus, start=start, view=view, granularity=granularity,
                     zooms=zooms, progress=progress)


def _page(trace: Trace, *, theme: str, rankdir: str, title: str | None,
          analytic: bool | None, focus: str | None, start: int | None, view: str,
          granularity: str | None, zooms: bool | None, progress: bool | None) -> str:
    """`demo_html`'s page, its arguments checked (``start``: the focused node's index)."""
    parts = demo_parts(trace, theme=theme, rankdir=rankdir, title=title, analytic=analytic,
                       view=view, granularity=granularity, zooms=zooms, progress=progress)
    if focus is not None and view == "network":  # a drawn circle or weight edge
        from adviz.renderers.demo_network import focus_start

        parts.data["network"]["start"] = focus_start(parts.data["network"], trace, focus)
    elif start is not None:
        parts.data["focus"] = start
    script = demo_script()
    hashes = f"{source_hash(parts.kernel)} {source_hash(script)}"
    csp = (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    body = (
        f"{parts.opening}\n{parts.body}"
        '<script type="application/json" class="adviz-data">'
        f"{json_for_script(parts.data)}</script>\n"
        f"<script>{parts.kernel}</script>\n"
        f"<script>{script}</script>\n"
        "</div>\n"
    )
    return html_document(f"{parts.heading} — adviz demonstration", csp, parts.dark,
                         asset("demo.css"), body)


def demo_script() -> str:
    """The page's script: the focus path finder it shares with the player (``paths.js``,
    the neuron view's focus), then ``demo.js``."""
    return asset("paths.js") + "\n" + asset("demo.js")


def focus_templates(trace: Trace) -> list[PageTemplate]:
    """Each node's focus caption (`adviz.text.focus`) as a page template, in evaluation
    order: its holes are ``["path", k, parens]`` (the k-th path's product) and ``["sum",
    None, parens]`` (their sum, or the adjoint when there are too many paths to list), so
    the page fills them with the numbers it computes. O(nodes + edges) in all: a caption's
    template depends only on its node and how many paths lead from it to the output
    (counted for every node in one sweep), not on the paths' products.

    Examples
    --------
    >>> import adviz
    >>> focus_templates(adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2))[0]
    ['g_x₁ = Σ over 2 paths = ', ['path', 0, 0], ' + ', ['path', 1, 1], ' = ', ['sum', None, 0]]
    """
    from adviz.core.pathsum import DEFAULT_LIMIT, parent_lists
    from adviz.text.focus import focus_text, focus_total_text
    from adviz.text.tokens import Hole

    out: list[PageTemplate] = []
    if getattr(trace, "vector", False):  # a focus sums the paths to one output
        return out
    program = trace.program
    parents = parent_lists(trace)
    paths = [0] * len(program.nodes)  # paths from each node to the output (distinct edges)
    paths[program.output] = 1
    for i in range(program.output, -1, -1):
        if paths[i]:
            for p in parents[i]:
                paths[p] += paths[i]
    for node, count in zip(program.nodes, paths):
        # the numbers are holes: the products and the adjoint given here are not shown
        caption = focus_text(node.id, [0.0] * count) if count <= DEFAULT_LIMIT \
            else focus_total_text(node.id, count, 0.0)
        template: PageTemplate = []
        for piece in caption.template("unicode"):
            if isinstance(piece, Hole):
                quantity, _, rest = (piece.key or "").partition(":")
                index = int(rest.rsplit("->", 1)[1]) if quantity == "path" else None
                template.append(["path" if quantity == "path" else "sum", index,
                                 int(piece.parens)])
            else:
                template.append(piece)
        out.append(template)
    return out


@dataclass(frozen=True)
class DemoParts:
    """What a demonstration is made of: its markup, its data and its kernel script.

    The exported page (`demo_html`) embeds them with the script ``demo.js``;
    the notebook widget (`adviz.faces.widget`) sends them to the same script.

    Attributes
    ----------
    heading
        The page heading, HTML-escaped.
    opening
        The opening tag of the ``.adviz-demo`` element (class and style).
    body
        Its content before the scripts: title, sections and the base SVG (the script
        builds the rest, the walkthrough table included, from ``data``).
    data
        The JSON-able data the script reads (`demo_data`; nodes, edges and walkthrough
        rows as columns, `adviz.renderers.page.as_columns`; the
        MathML texts' shared fragments written once in ``fragments``,
        `adviz.renderers.templates.intern_fragments`).
    kernel
        The generated script (`kernel_script`).
    dark
        Whether the theme is dark.
    """

    heading: str
    opening: str
    body: str
    data: dict[str, Any]
    kernel: str
    dark: bool


def demo_parts(
    trace: Trace,
    *,
    theme: str = "light",
    rankdir: str = "LR",
    title: str | None = None,
    analytic: bool | None = None,
    view: str = "graph",
    granularity: str | None = None,
    zooms: bool | None = None,
    progress: bool | None = None,
) -> DemoParts:
    """The markup, data and kernel of the demonstration (parameters as for `demo_html`).

    Raises
    ------
    RenderError
        An op of the graph has no usable JavaScript form (see `missing_js_ops`).

    Examples
    --------
    >>> import adviz
    >>> parts = demo_parts(adviz.trace("x * x", x=3), analytic=False)
    >>> parts.opening.startswith('<div class="adviz-demo adviz-light"'), parts.heading
    (True, 'y = x * x at x = 3')
    >>> parts.kernel.startswith("window.ADVIZ_KERNEL"), sorted(parts.data["nodes"])
    (True, ['keys', 'rows'])
    """
    from adviz.scene.style import get_theme

    get_theme(theme)
    kernel_script(trace)  # refuses unusable JavaScript forms before any other work
    fig: Figure
    if view == "network":  # the neuron view replaces the scalar picture
        from adviz.renderers.demo_network import page_data

        data, svg, code, fig = page_data(trace, theme=theme, title=title, analytic=analytic,
                                         granularity=granularity)
    else:
        data, svg, code = demo_data(trace, theme=theme, rankdir=rankdir, title=title,
                                    analytic=analytic)
    kernel = kernel_script(trace, code)
    if view == "network":
        from adviz.renderers.demo_network import ZOOM_BUDGET, zoom_cost
        from adviz.renderers.demo_network import zooms as neuron_zooms
        from adviz.scene.network import NetworkFigure

        assert isinstance(fig, NetworkFigure)
        min_width, min_height = _frame_size(fig.width, fig.height - crop(fig))
        if zooms or (zooms is None and zoom_cost(trace) <= ZOOM_BUDGET):
            data["network"].update(neuron_zooms(trace, fig, theme=theme,
                                                granularity=granularity, progress=progress))
    else:
        scene = data["scene"]  # the figure's size and crop, as demo_data found them
        min_width, min_height = _frame_size(scene["width"], scene["height"] - scene["crop"])
    dark = theme == "dark"
    heading = html.escape(data["defaultTitle"] if title is None else title)
    found = data.pop("focusTexts", None)  # `demo_data` writes them while Graphviz runs
    packed = {**data, "nodes": as_columns(data["nodes"]), "edges": as_columns(data["edges"]),
              "table": {**data["table"], "rows": as_columns(data["table"]["rows"])}}
    texts: list[PageTemplate | None] = list(focus_templates(trace) if found is None else found)
    if view == "network":  # only the nodes a click can focus on: circles and weights
        targets = data["network"]["focus"]
        wanted = {*targets["nodes"], *targets["edges"]}
        texts = [text if k in wanted else None for k, text in enumerate(texts)]
    if texts:
        packed["focusTexts"] = texts
    # each name, adjoint, partial and formula the MathML texts show, written once
    packed["fragments"] = intern_fragments(packed)
    opening = (
        f'<div class="adviz-demo adviz-{"dark" if dark else "light"}" '
        f'style="--adviz-frame-bg:{html.escape(get_theme(theme).background)};'
        f'--adviz-min-width:{min_width};--adviz-min-height:{min_height}">'
    )
    body = (
        f'<h1 class="adviz-title">{heading}</h1>\n'
        '<noscript><p class="adviz-note">This demonstration computes in JavaScript: '
        "without it the graph shows its first stage, and the walkthrough table, the "
        "gradient check and the descent are not built. For static pages, save the player "
        "(<code>adviz.save(trace, &quot;page.html&quot;)</code>) or write the walkthrough "
        "(<code>adviz.walkthrough(trace, &quot;html&quot;)</code>, "
        "<code>adviz table</code>).</p></noscript>\n"
        '<div class="adviz-layout">\n<div class="adviz-main">\n'
        '<section class="adviz-inputs" aria-label="Inputs"></section>\n'
        '<section class="adviz-graph" aria-label="Computational graph">\n'
        '<figure class="adviz-figure">\n'
        f'<div class="adviz-frame" role="img" aria-label="Computational graph">{svg}</div>\n'
        '<figcaption class="adviz-caption" aria-live="polite"></figcaption>\n'
        '<p class="adviz-focus" aria-live="polite" hidden></p>\n'
        "</figure>\n"
        '<div class="adviz-controls" role="group" aria-label="Passes"></div>\n'
        '<p class="adviz-note adviz-branch-note" hidden></p>\n'
        "</section>\n"
        '<section class="adviz-check" aria-label="Gradient check"></section>\n'
        '<section class="adviz-descent" aria-label="Gradient descent"></section>\n'
        '</div>\n<div class="adviz-side">\n'
        # the walkthrough is built by the script from its templates (data["table"])
        '<section class="adviz-table" tabindex="0" aria-label="Walkthrough"></section>\n'
        "</div>\n</div>\n"
    )
    return DemoParts(heading, opening, body, packed, kernel, dark)
