r"""TikZ pictures and Beamer slides at the stored layout.

`to_tikz` draws one frame as a ``tikzpicture``: every node at its layout
position (points converted to centimetres, y pointing up), every edge as the
layout's Bezier route (``.. controls .. and ..``), labels in math mode built
from the graph's LaTeX formulas (``expr_latex``, ``partial_latex``) and
`adviz.formatting.latex_name`. `to_beamer` makes a Beamer frame with one
overlay per stage (``\only<k>{...}``): the reverse pass, or the forward pass
then the reverse pass with ``phase="both"``; ``standalone=True`` wraps it in
a complete document (``\documentclass{beamer}``, ``\usepackage{tikz}``) that
compiles with ``pdflatex``, ``standalone=False`` gives a fragment to
``\input`` into a Beamer document whose preamble loads TikZ.

All user text (node names, scope labels, titles) is escaped with
`adviz.formatting.escape_latex`. Colours come from a theme (``"light"`` by
default) as ``\definecolor`` lines.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> tex = to_beamer(t)
>>> tex.count(r"\only<"), r"\documentclass{beamer}" in tex
(6, True)
>>> r"t_{1} = x_{1} - x_{2}" in to_tikz(t, "forward", 1)
True
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from adviz.errors import InputError
from adviz.formatting import escape_latex, format_number, is_atomic, latex_name
from adviz.scene.content import EdgeView, Frame, NodeView, frame, frame_count
from adviz.scene.style import LIGHT, Theme, get_theme
from adviz.text.labels import MINUS

if TYPE_CHECKING:
    from adviz.core.stages import Contribution
    from adviz.core.tracing import Trace
    from adviz.scene.layout import Layout

CM_PER_POINT = 2.54 / 72.0
"""Graphviz points (1/72 inch) to centimetres."""

SLIDE_ASPECT = 11.0 / 6.0
"""Width / height of the room a picture gets on a 4:3 Beamer slide; wider
pictures are scaled to the text width, taller ones to a share of the height."""

_TEXT_ONLY = {
    r"\textbackslash{}": r"\mbox{\textbackslash}",
    r"\~{}": r"\mbox{\textasciitilde}",
    r"\^{}": r"\mbox{\textasciicircum}",
}


def math_safe(latex: str) -> str:
    r"""Make escaped user text valid inside math mode.

    `adviz.formatting.escape_latex` writes a backslash, a tilde and a caret
    with text-mode commands, which LaTeX rejects in math mode; they are put
    in an ``\mbox``.

    Examples
    --------
    >>> math_safe(r"\mathrm{a\textbackslash{}b}")
    '\\mathrm{a\\mbox{\\textbackslash}b}'
    """
    for old, new in _TEXT_ONLY.items():
        latex = latex.replace(old, new)
    return latex


def tex_name(name: str) -> str:
    r"""A node name as math-mode LaTeX (`adviz.formatting.latex_name`, made math-safe).

    Examples
    --------
    >>> tex_name("x1"), tex_name("a_b & 100% {x}")
    ('x_{1}', '\\mathrm{a\\_b \\& 100\\% \\{x\\}}')
    """
    return math_safe(latex_name(name))


def tex_number(value: float) -> str:
    """A number for math mode (`adviz.formatting.format_number`).

    Examples
    --------
    >>> tex_number(-0.141120008), tex_number(1.5e-7)
    ('-0.14112', '1.5\\\\times 10^{-7}')
    """
    text = format_number(value)
    match = re.fullmatch(r"(-?[\d.]+)e([-+])(\d+)", text)
    if match:
        mantissa, sign, exponent = match.groups()
        power = int(exponent)
        return f"{mantissa}\\times 10^{{{'-' if sign == '-' else ''}{power}}}"
    if text in ("inf", "-inf", "nan"):
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}[text]
    return text


def _unicode_numbers(text: str) -> str:
    """A value or adjoint line of a frame (``"g = −2 + (−0.14112)"``) as math."""
    text = text.replace(MINUS, "-")
    return re.sub(r"-?\d+(?:\.\d+)?e[-+]\d+", lambda m: tex_number(float(m.group(0))), text)


def _node_formula(trace: Trace, node: str) -> str:
    data = trace.graph.nodes[node]
    name = tex_name(node)
    if data["kind"] == "input":
        return name
    if data["kind"] == "const":
        return f"{name} = {tex_number(data['value'])}"
    return f"{name} = {math_safe(data['expr_latex'])}"


def _partial(trace: Trace, parent: str, child: str) -> str:
    data = trace.graph.edges[parent, child]
    formula = math_safe(data["partial_latex"])
    value = tex_number(data["partial"])
    head = f"\\partial {tex_name(child)}/\\partial {tex_name(parent)} = {formula}"
    return head if formula == value else f"{head} = {value}"


def _contribution(trace: Trace, c: Contribution) -> str:
    data = trace.graph.edges[c.parent, c.child]
    formula = math_safe(data["partial_latex"])
    if not is_atomic(data["partial_expr"]):
        formula = f"({formula})"
    upstream = tex_number(c.upstream)
    if upstream.startswith("-"):
        upstream = f"({upstream})"
    return (f"g_{{{tex_name(c.parent)}}} \\mathrel{{+}}= {upstream} \\cdot {formula} = "
            f"{tex_number(c.delta)}")


def stage_caption(trace: Trace, phase: str, index: int) -> str:
    r"""The caption of a stage as LaTeX text (names and formulas in math mode).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> print(stage_caption(t, "reverse", 3))  # doctest: +NORMALIZE_WHITESPACE
    Stage 3 of 5: process parents of $t_{4}$:
    $g_{t_{3}} \mathrel{+}= g_{t_{4}} \cdot \partial t_{4}/\partial t_{3} = -0.14112$
    >>> stage_caption(t, "forward", 0)
    'Stage 0 of 5: set the inputs $x_{1} = 1$, $x_{2} = 2$'
    """
    if phase == "summary":
        grads = ", ".join(f"$\\partial {tex_name(trace.output)}/\\partial {tex_name(n)} = "
                          f"{tex_number(g)}$" for n, g in trace.grad.items())
        return f"Result: ${tex_name(trace.output)} = {tex_number(trace.value)}$; {grads}"
    stages = trace.stages(phase)
    stage = stages[index]
    head = f"Stage {stage.index} of {len(stages) - 1}: "
    graph = trace.graph
    if phase == "forward":
        if stage.node is None:
            leaves = ", ".join(f"${tex_name(n)} = {tex_number(graph.nodes[n]['value'])}$"
                               for n in stage.nodes)
            return f"{head}set the inputs {leaves}"
        value = tex_number(graph.nodes[stage.node]["value"])
        return f"{head}evaluate ${_node_formula(trace, stage.node)} = {value}$"
    node = stage.node or trace.output
    if stage.index == 0:
        return f"{head}initialise $g_{{{tex_name(node)}}} = 1$"
    parts = [f"$g_{{{tex_name(c.parent)}}} \\mathrel{{+}}= g_{{{tex_name(c.child)}}} \\cdot "
             f"\\partial {tex_name(c.child)}/\\partial {tex_name(c.parent)} = "
             f"{tex_number(c.delta)}$" for c in stage.contributions]
    body = "; ".join(parts) if parts else "none"
    return f"{head}process parents of ${tex_name(node)}$: {body}"


# ---------------------------------------------------------------- drawing

def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def colour_definitions(theme: Theme = LIGHT) -> str:
    r"""``\definecolor`` lines for the colours the pictures use (xcolor names ``adviz...``).

    Examples
    --------
    >>> colour_definitions().splitlines()[0]
    '\\definecolor{advizbackground}{HTML}{FFFFFF}'
    """
    names = {
        "background": theme.background,
        "forward": theme.forward, "gradient": theme.gradient, "text": theme.text,
        "mutedtext": theme.muted_text, "fill": theme.node_fill, "stroke": theme.node_stroke,
        "inputfill": theme.input_fill, "outputfill": theme.output_fill,
        "activefill": theme.active_fill, "active": theme.active_stroke,
        "mutedfill": theme.muted_fill, "mutedstroke": theme.muted_stroke,
        "edge": theme.edge, "mutededge": theme.muted_edge,
        "clusterfill": theme.cluster_fill, "clusterstroke": theme.cluster_stroke,
    }
    return "\n".join(f"\\definecolor{{adviz{key}}}{{HTML}}{{{_hex(value)}}}"
                     for key, value in names.items())


def _cm(value: float) -> str:
    text = f"{value * CM_PER_POINT:.3f}"
    return "0.000" if text == "-0.000" else text


def _at(point: tuple[float, float]) -> str:
    return f"({_cm(point[0])},{_cm(-point[1])})"


def _node_style(view: NodeView) -> str:
    fill = {"input": "advizinputfill", "output": "advizoutputfill"}.get(view.kind, "advizfill")
    if view.state == "muted":
        return "fill=advizmutedfill, draw=advizmutedstroke, text=advizmutedtext"
    if view.state == "active":
        return "fill=advizactivefill, draw=advizactive, line width=1.6pt"
    if view.state == "receiving":
        return f"fill={fill}, draw=advizgradient, line width=1.6pt"
    return f"fill={fill}, draw=advizstroke"


def _edge_style(view: EdgeView) -> str:
    return {
        "muted": "draw=advizmutededge",
        "forward": "draw=advizforward, line width=1.4pt",
        "gradient": "draw=advizgradient, line width=1.6pt",
        "passed": "draw=advizgradient, draw opacity=0.6",
    }.get(view.state, "draw=advizedge")


class _Texts:
    """LaTeX texts of one trace's nodes and edges, computed once."""

    def __init__(self, trace: Trace) -> None:
        self.names = {n: _node_formula(trace, n) for n in trace.graph.nodes}
        self.partials = {(p, c): _partial(trace, p, c) for p, c in trace.graph.edges}
        self.contributions: dict[tuple[str, str], str] = {}
        for stage in trace.reverse_stages:
            for c in stage.contributions:
                self.contributions[c.parent, c.child] = _contribution(trace, c)


def _node_lines(node: str, view: NodeView, texts: _Texts) -> str:
    muted = view.state == "muted"
    parts = []
    for line in view.lines:
        if line.role == "name":
            body = f"${texts.names[node]}$"
        else:
            body = f"${_unicode_numbers(line.text)}$"
            if not muted:
                colour = "advizforward" if line.role == "value" else "advizgradient"
                body = f"\\textcolor{{{colour}}}{{{body}}}"
        parts.append(body)
    return r"\\".join(parts)


def _edge_lines(edge: tuple[str, str], view: EdgeView, texts: _Texts) -> str:
    parts = []
    for line in view.lines:
        if line.role == "partial":
            parts.append(f"${texts.partials[edge]}$")
        elif line.role == "contribution":
            body = f"${texts.contributions[edge]}$"
            if view.state == "gradient":
                body = f"\\boldmath{body}"
            parts.append(f"\\textcolor{{advizgradient}}{{{body}}}")
    return r"\\".join(parts)


def _draw(trace: Trace, content: Frame, layout: Layout, texts: _Texts, indent: str) -> list[str]:
    out: list[str] = []
    for edge, view in content.edges.items():
        route = layout.edges[edge]
        points = list(route.points)
        if not points:
            continue
        path = _at(points[0])
        for c1, c2, p in zip(points[1::3], points[2::3], points[3::3]):
            path += f" .. controls {_at(c1)} and {_at(c2)} .. {_at(p)}"
        if route.head is not None:
            path += f" -- {_at(route.head)}"
        arrow = "latex-" if view.toward_parent else "-latex"
        out.append(f"{indent}\\draw[{arrow}, {_edge_style(view)}] {path};")
        lines = _edge_lines(edge, view, texts)
        if lines and route.label is not None:
            colour = ", text=advizmutedtext" if view.state == "muted" else ""
            out.append(f"{indent}\\node[advizlabel{colour}] at {_at(route.label)} {{{lines}}};")
    for node, node_view in content.nodes.items():
        box = layout.nodes[node]
        out.append(f"{indent}\\node[advizbox, {_node_style(node_view)}, "
                   f"minimum width={_cm(box.width)}cm, minimum height={_cm(box.height)}cm] "
                   f"at {_at((box.x, box.y))} {{{_node_lines(node, node_view, texts)}}};")
    return out


def _clusters(layout: Layout, indent: str) -> list[str]:
    out = []
    for box in layout.clusters.values():
        corner = _at((box.x - box.width / 2, box.y - box.height / 2))
        far = _at((box.x + box.width / 2, box.y + box.height / 2))
        out.append(f"{indent}\\draw[advizcluster] {corner} rectangle {far};")
        out.append(f"{indent}\\node[anchor=north west, text=adviztext, font=\\itshape\\small] "
                   f"at {corner} "
                   f"{{{escape_latex(box.label)}}};")
    return out


_STYLES = (
    "x=1cm, y=1cm,\n"
    "  advizbox/.style={rectangle, rounded corners=3pt, align=center, inner sep=2pt,"
    " text=adviztext, font=\\fontsize{13}{16}\\selectfont},\n"
    "  advizlabel/.style={align=center, inner sep=1pt, text=adviztext,"
    " font=\\fontsize{10}{12}\\selectfont},\n"
    "  advizcluster/.style={rounded corners=5pt, fill=advizclusterfill,"
    " draw=advizclusterstroke, dashed}"
)


def _scale_open(layout: Layout) -> tuple[str, str]:
    if layout.width / max(layout.height, 1.0) >= SLIDE_ASPECT:
        return "\\resizebox{\\linewidth}{!}{%", "}"
    return "\\resizebox{!}{0.62\\textheight}{%", "}"


def _check_phase(phase: str) -> tuple[str, ...]:
    if phase == "both":
        return ("forward", "reverse")
    if phase in ("forward", "reverse"):
        return (phase,)
    raise InputError(f"unknown phase {phase!r} for slides; use 'reverse', 'forward' or 'both'")


def to_tikz(trace: Trace, phase: str = "reverse", stage: int = -1, *, rankdir: str = "LR",
            engine: str | None = None, theme: str | Theme = "light") -> str:
    r"""One frame as a ``tikzpicture`` at the stored layout (with its colour definitions).

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"forward"``, ``"reverse"`` (default) or ``"summary"``.
    stage
        Stage number; ``-1`` is the last.
    rankdir, engine
        As for `adviz.scene.layout.compute_layout`.
    theme
        Colours: ``"light"`` (default), ``"dark"``, ``"print"`` or a `Theme`.

    Returns
    -------
    str
        ``\definecolor`` lines, then the picture; needs ``\usepackage{tikz}``.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> picture = to_tikz(t)
    >>> picture.count(r"\node[advizbox"), picture.count(".. controls")
    (2, 1)
    """
    from adviz.scene.layout import compute_layout

    layout = compute_layout(trace, rankdir=rankdir, engine=engine)
    texts = _Texts(trace)
    content = frame(trace, phase, stage)
    lines = [colour_definitions(get_theme(theme)), f"\\begin{{tikzpicture}}[{_STYLES}]"]
    lines += _clusters(layout, "  ")
    lines += _draw(trace, content, layout, texts, "  ")
    lines.append("\\end{tikzpicture}")
    return "\n".join(lines) + "\n"


_PREAMBLE = r"""\documentclass{beamer}
\usepackage{tikz}
\setbeamertemplate{navigation symbols}{}
\begin{document}
"""


def to_beamer(trace: Trace, phase: str = "reverse", *, standalone: bool = True,
              title: str | None = None, rankdir: str = "LR", engine: str | None = None,
              theme: str | Theme = "light") -> str:
    r"""A Beamer frame with one overlay per stage, at the stored layout.

    Overlay ``k`` (``\only<k>{...}``) draws the graph after stage ``k - 1``
    and its caption; with ``phase="both"`` the forward stages come first.

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"reverse"`` (default), ``"forward"`` or ``"both"``.
    standalone
        ``True`` (default): a complete document (``\documentclass{beamer}``,
        ``\usepackage{tikz}``) for ``pdflatex``; ``False``: the frame alone,
        to ``\input`` into a Beamer document that loads TikZ.
    title
        The frame title (escaped); by default the function's expression or
        ``"Reverse-mode AD"``.
    rankdir, engine
        As for `adviz.scene.layout.compute_layout`.
    theme
        Colours of the graph (the slide's own colours are Beamer's).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> fragment = to_beamer(t, "both", standalone=False)
    >>> fragment.startswith(r"\begin{frame}"), fragment.count(r"\only<")
    (True, 12)
    """
    from adviz.scene.layout import compute_layout

    phases = _check_phase(phase)
    layout = compute_layout(trace, rankdir=rankdir, engine=engine)
    texts = _Texts(trace)
    if title is None:
        expression = trace.graph.graph.get("expression")
        title = f"{trace.output} = {expression}" if expression else "Reverse-mode AD"
    opening, closing = _scale_open(layout)
    out = [f"\\begin{{frame}}{{{escape_latex(title)}}}", colour_definitions(get_theme(theme)),
           "\\centering"]
    overlay = 0
    for name in phases:
        for index in range(frame_count(trace, name)):
            overlay += 1
            content = frame(trace, name, index)
            out += [f"\\only<{overlay}>{{%", opening, f"\\begin{{tikzpicture}}[{_STYLES}]"]
            out += _clusters(layout, "  ")
            out += _draw(trace, content, layout, texts, "  ")
            out += ["\\end{tikzpicture}%", f"{closing}\\par\\medskip",
                    f"{{\\small {stage_caption(trace, name, index)}\\par}}%", "}%"]
    out.append("\\end{frame}")
    body = "\n".join(out) + "\n"
    if standalone:
        resolved = get_theme(theme)
        canvas = ""
        if resolved.background.lower() not in ("#ffffff", "#fff"):
            canvas = (colour_definitions(resolved) + "\n"
                      "\\setbeamercolor{background canvas}{bg=advizbackground}\n"
                      "\\setbeamercolor{normal text}{fg=adviztext}\n"
                      "\\setbeamercolor{frametitle}{fg=adviztext}\n")
        head = _PREAMBLE.split("\\begin{document}\n")[0]
        return head + canvas + "\\begin{document}\n" + body + "\\end{document}\n"
    return body

