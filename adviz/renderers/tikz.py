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

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from adviz.core.phases import PLAY_PHASES, check_seed, expand_phases
from adviz.formatting import escape_latex
from adviz.scene.painted import Painted, colour, edge_element, node_element
from adviz.scene.picture import Figure, figure
from adviz.scene.style import LIGHT, Theme, get_theme, style_table
from adviz.text.labels import stage_text, tangent_stage_text

if TYPE_CHECKING:
    from adviz.core.forward import ForwardSweep, Seed
    from adviz.core.tracing import Trace
    from adviz.scene.content import Frame, Line
    from adviz.scene.layout import Layout

CM_PER_POINT = 2.54 / 72.0
"""Graphviz points (1/72 inch) to centimetres."""

SLIDE_ASPECT = 11.0 / 6.0
"""Width / height of the room a picture gets on a 4:3 Beamer slide; wider
pictures are scaled to the text width, taller ones to a share of the height."""



def stage_caption(trace: Trace, phase: str, index: int,
                  sweep: ForwardSweep | None = None) -> str:
    r"""The caption of a stage as LaTeX text (names and formulas in math mode).

    The same caption as every other output shows (`adviz.text.labels.stage_text`),
    in LaTeX; phase ``"tangent"`` takes the forward-mode ``sweep`` (by default the
    first input's, `adviz.forward_mode`).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> print(stage_caption(t, "reverse", 3))  # doctest: +NORMALIZE_WHITESPACE
    Stage 3 of 5 --- process parents of $t_{4}$:
    $g_{t_{3}} \mathrel{+}= g_{t_{4}} \cdot \partial t_{4}/\partial t_{3} = -0.14112$
    >>> stage_caption(t, "forward", 0)
    'Stage 0 of 5 --- set the inputs: $x_{1} = 1$, $x_{2} = 2$'
    >>> stage_caption(t, "tangent", 0)
    'Stage 0 of 5 --- forward mode, seed $\\dot{x}_{1} = 1$, $\\dot{x}_{2} = 0$'
    """
    if phase == "tangent":
        if sweep is None:
            from adviz.core.forward import forward_mode

            sweep = forward_mode(trace)
        return tangent_stage_text(trace, sweep, index).latex()
    return stage_text(trace, phase, index).latex()


# ---------------------------------------------------------------- drawing

def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def _colour_name(colour: str) -> str:
    return f"adviz{_hex(colour)}"


def colour_definitions(theme: Theme = LIGHT) -> str:
    r"""``\definecolor`` lines for every colour of the theme's style table.

    The theme's named colours are ``advizbackground``, ``advizforward``,
    ``advizgradient``, ``adviztangent``, ``adviztext``; every colour of the style table is also
    defined as ``adviz<HEX>``.

    Examples
    --------
    >>> colour_definitions().splitlines()[0]
    '\\definecolor{advizbackground}{HTML}{FFFFFF}'
    """
    table = style_table(theme)
    names = {"background": theme.background, "forward": theme.forward,
             "gradient": theme.gradient, "tangent": theme.tangent, "text": theme.text,
             "clusterfill": theme.cluster_fill, "clusterstroke": theme.cluster_stroke}
    colours: dict[str, None] = {}
    for by_state in table["node"].values():
        for style in by_state.values():
            colours.update(dict.fromkeys(c for c in (style["fill"], style["stroke"],
                                                       style["text"]) if c))
    for style in table["edge"].values():
        colours.update(dict.fromkeys(c for c in (style["colour"], style["text"]) if c))
    colours.update(dict.fromkeys(table["text"].values()))
    colours.update(dict.fromkeys((theme.cluster_fill, theme.cluster_stroke, theme.text)))
    lines = [f"\\definecolor{{adviz{key}}}{{HTML}}{{{_hex(value)}}}"
             for key, value in names.items()]
    lines += [f"\\definecolor{{{_colour_name(c)}}}{{HTML}}{{{_hex(c)}}}" for c in colours]
    return "\n".join(lines)


def _cm(value: float) -> str:
    text = f"{value * CM_PER_POINT:.3f}"
    return "0.000" if text == "-0.000" else text


def _at(point: tuple[float, float]) -> str:
    return f"({_cm(point[0])},{_cm(-point[1])})"


def _width(value: float) -> str:
    return f"{value:.2f}pt"


def _lines(lines: tuple[Line, ...], override: str | None, styles: dict[str, Any],
           bold_role: str | None = None) -> str:
    parts = []
    for line in lines:
        body = line.notation("latex")
        if line.role == bold_role:
            body = f"\\boldmath{body}"
        colour = override or styles["text"][line.role]
        parts.append(f"\\textcolor{{{_colour_name(colour)}}}{{{body}}}")
    return r"\\".join(parts)


def painted(fig: Figure, content: Frame) -> dict[str, Painted]:
    """What `to_tikz` draws for a frame, element by element (see `adviz.scene.painted`).

    Examples
    --------
    >>> import adviz
    >>> from adviz.scene.picture import figure
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> fig = figure(t)
    >>> painted(fig, fig.frame("reverse", 2))["edge:t1->t2"].toward_parent
    True
    """
    out: dict[str, Painted] = {}
    for key, view in content.edges.items():
        style = fig.styles["edge"][view.state]
        _, arrow = fig.edges[key].route(view.toward_parent)
        element = edge_element(*key)
        texts = tuple(line.text for line in view.lines) if fig.edges[key].label else ()
        out[element] = Painted(element, None, colour(style["colour"]), round(style["width"], 2),
                               texts,
                               None if arrow is None else view.toward_parent,
                               style["opacity"])
    for node, node_view in content.nodes.items():
        style = fig.styles["node"][node_view.kind][node_view.state]
        element = node_element(node)
        out[element] = Painted(element, colour(style["fill"]), colour(style["stroke"]),
                               round(style["width"], 2),
                               tuple(line.text for line in node_view.lines),
                               dash=tuple(float(v) for v in style["dash"]))
    return out


def _draw(fig: Figure, content: Frame, indent: str) -> list[str]:
    """TikZ commands of a frame, drawn from its `painted` records (colour, width, direction)."""
    out: list[str] = []
    styles = fig.styles
    records = painted(fig, content)
    for key, view in content.edges.items():
        shape = fig.edges[key]
        record = records[edge_element(*key)]
        points, arrow = shape.route(view.toward_parent)
        if not points or record.stroke is None:
            continue
        colour = _colour_name(record.stroke)
        opacity = "" if record.opacity == 1.0 else f", opacity={record.opacity}"
        path = _at(points[0])
        for c1, c2, p in zip(points[1::3], points[2::3], points[3::3]):
            path += f" .. controls {_at(c1)} and {_at(c2)} .. {_at(p)}"
        out.append(f"{indent}\\draw[draw={colour}, line width={_width(record.width or 1.0)}"
                   f"{opacity}] {path};")
        if arrow is not None:
            corners = " -- ".join(_at(p) for p in arrow.corners())
            out.append(f"{indent}\\fill[{colour}{opacity}] {corners} -- cycle;")
        if record.texts and shape.label is not None:
            bold = styles["edge"][view.state]["bold"]
            body = _lines(view.lines, styles["edge"][view.state]["text"], styles, bold)
            if shape.label_left is not None:
                out.append(f"{indent}\\node[advizlabel, anchor=west, align=left] at "
                           f"{_at((shape.label_left, shape.label[1]))} {{{body}}};")
            else:
                out.append(f"{indent}\\node[advizlabel] at {_at(shape.label)} {{{body}}};")
    for node, node_view in content.nodes.items():
        box = fig.nodes[node]
        record = records[node_element(node)]
        override = styles["node"][node_view.kind][node_view.state]["text"]
        pattern = " ".join(f"{'on' if k % 2 == 0 else 'off'} {_width(v)}"
                           for k, v in enumerate(record.dash))
        dash = f"dash pattern={pattern}, " if pattern else ""
        rounded = (f"rounded corners={_cm(min(box.width, box.height) / 2)}cm, "
                   if box.shape == "circle" else "")
        out.append(f"{indent}\\node[advizbox, {rounded}fill={_colour_name(record.fill or '')}, "
                   f"draw={_colour_name(record.stroke or '')}, {dash}"
                   f"line width={_width(record.width or 1.0)}, "
                   f"minimum width={_cm(box.width)}cm, minimum height={_cm(box.height)}cm] "
                   f"at {_at((box.x, box.y))} "
                   f"{{{_lines(node_view.lines, override, styles)}}};")
    return out


def _clusters(fig: Figure, indent: str) -> list[str]:
    out = []
    for box in fig.clusters.values():
        corner = _at((box.x - box.width / 2, box.y - box.height / 2))
        far = _at((box.x + box.width / 2, box.y + box.height / 2))
        out.append(f"{indent}\\draw[advizcluster] {corner} rectangle {far};")
        out.append(f"{indent}\\node[anchor=base west, text=adviztext, font=\\itshape\\small] "
                   f"at {_at((box.label_x, box.label_y))} "
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



def to_tikz(trace: Trace, phase: str = "reverse", stage: int = -1, *, rankdir: str = "LR",
            engine: str | None = None, theme: str | Theme = "light",
            collapse: Iterable[str] | None = None, full: bool = False,
            copies: bool | None = None, output: str | int | None = None,
            seed: Seed = None, focus: str | None = None, zoom: str | None = None) -> str:
    r"""One frame as a ``tikzpicture`` at the stored layout (with its colour definitions).

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"forward"``, ``"reverse"`` (default), ``"tangent"`` (forward mode) or
        ``"summary"``.
    stage
        Stage number; ``-1`` is the last.
    rankdir, engine, collapse, full, copies, seed, focus, zoom
        As for `adviz.to_svg`: the same scene (collapsed scopes drawn as one box,
        shared leaves once per use, the seeded input of forward mode, the focused
        paths, the zoomed scope).
    theme
        Colours: ``"light"`` (default), ``"dark"``, ``"print"`` or a `Theme`.
    output
        A trace with several outputs: the output whose reverse sweep is shown, by id
        (``"y2"``) or number (1 for the first); default the first. A trace with one
        output takes only its own.

    Returns
    -------
    str
        ``\definecolor`` lines, then the picture; needs ``\usepackage{tikz}``.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> picture = to_tikz(t)
    >>> picture.count(r"\node[advizbox"), picture.count(r"\fill[")  # two nodes, one arrowhead
    (2, 1)
    """
    from adviz.core.sweep import output_sweep

    trace = output_sweep(trace, output)
    check_seed(phase, seed, "to_tikz")
    fig = figure(trace, theme=theme, rankdir=rankdir, engine=engine, collapse=collapse,
                 full=full, copies=copies, seed=seed, focus=focus, zoom=zoom)
    lines = [colour_definitions(fig.theme), f"\\begin{{tikzpicture}}[{_STYLES}]"]
    lines += _clusters(fig, "  ")
    lines += _draw(fig, fig.frame(phase, stage), "  ")
    lines.append("\\end{tikzpicture}")
    return "\n".join(lines) + "\n"


_PREAMBLE = r"""\documentclass{beamer}
\usepackage{tikz}
\setbeamertemplate{navigation symbols}{}
\begin{document}
"""


def to_beamer(trace: Trace, phase: str = "reverse", *, standalone: bool = True,
              title: str | None = None, rankdir: str = "LR", engine: str | None = None,
              theme: str | Theme = "light", collapse: Iterable[str] | None = None,
              full: bool = False, copies: bool | None = None,
              output: str | int | None = None, seed: Seed = None,
              focus: str | None = None, zoom: str | None = None) -> str:
    r"""A Beamer frame with one overlay per stage, at the stored layout.

    Overlay ``k`` (``\only<k>{...}``) draws the graph after stage ``k - 1``
    and its caption; with ``phase="both"`` the forward stages come first.

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"reverse"`` (default), ``"forward"``, ``"tangent"`` (forward mode),
        ``"both"`` (forward, then reverse) or ``"modes"`` (tangent, then reverse).
    standalone
        ``True`` (default): a complete document (``\documentclass{beamer}``,
        ``\usepackage{tikz}``) for ``pdflatex``; ``False``: the frame alone,
        to ``\input`` into a Beamer document that loads TikZ.
    title
        The frame title (escaped); by default the function's expression or
        ``"Reverse-mode AD"``.
    rankdir, engine, collapse, full, copies
        As for `adviz.to_svg`: the same scene (collapsed scopes drawn as one box,
        shared leaves once per use).
    theme
        Colours of the graph (the slide's own colours are Beamer's).
    output
        A trace with several outputs: the output whose reverse sweep is shown, by id
        (``"y2"``) or number (1 for the first); default the first. A trace with one
        output takes only its own.
    seed
        Forward mode: the seeded input (as `adviz.forward_mode` takes it).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> fragment = to_beamer(t, "both", standalone=False)
    >>> fragment.startswith(r"\begin{frame}"), fragment.count(r"\only<")
    (True, 12)
    """
    from adviz.core.sweep import output_sweep

    trace = output_sweep(trace, output)
    phases = expand_phases(phase, PLAY_PHASES, "slides")
    check_seed(phase, seed, "slides")
    fig = figure(trace, theme=theme, rankdir=rankdir, engine=engine, collapse=collapse,
                 full=full, copies=copies, seed=seed, focus=focus, zoom=zoom)
    if title is None:
        expression = trace.graph.graph.get("expression")
        title = f"{trace.output} = {expression}" if expression else "Reverse-mode AD"
    opening, closing = _scale_open(fig.layout)
    out = [f"\\begin{{frame}}[fragile]{{{escape_latex(title)}}}", colour_definitions(fig.theme),
           "\\centering"]
    overlay = 0
    for name in phases:
        for index, content in enumerate(fig.frames(name)):
            overlay += 1
            out += [f"\\only<{overlay}>{{%", opening, f"\\begin{{tikzpicture}}[{_STYLES}]"]
            out += _clusters(fig, "  ")
            out += _draw(fig, content, "  ")
            out += ["\\end{tikzpicture}%", f"{closing}\\par\\medskip",
                    f"{{\\small {stage_caption(trace, name, index, fig.sweep)}\\par}}%"]
            if fig.focus is not None:  # the sum over the focused paths, under the caption
                out.append(f"{{\\small {fig.focus.focus.text.latex()}\\par}}%")
            out.append("}%")
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

