r"""TikZ pictures and Beamer slides at the stored layout.

`to_tikz` draws one frame as a ``tikzpicture``: every node at its layout
position (points converted to centimetres, y pointing up), every edge as the
layout's Bezier route (``.. controls .. and ..``), labels in math mode built
from the graph's LaTeX formulas (``expr_latex``, ``partial_latex``) and
`adviz.formatting.latex_name`. `to_beamer` makes a Beamer frame with one
overlay per stage (``\only<k>{...}``): the reverse pass, or the forward pass
then the reverse pass with ``phase="both"``, its picture fitted to a 16:9
(or 4:3) frame with no text under 8 pt, and the expression as math in the
title; ``standalone=True`` wraps it in a complete document
(``\documentclass[aspectratio=169]{beamer}``, ``\usepackage{tikz}``) that
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
>>> tex.count(r"\only<"), r"\documentclass[aspectratio=169]{beamer}" in tex
(6, True)
>>> r"t_{1} = x_{1} - x_{2}" in to_tikz(t, "forward", 1)
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from adviz.core.phases import PLAY_PHASES, check_seed, expand_phases
from adviz.errors import InputError
from adviz.formatting import escape_latex, latex_name
from adviz.scene.painted import Painted, colour, edge_element, node_element
from adviz.scene.picture import Arrow, Figure, figure, smallest_text
from adviz.scene.style import LIGHT, Theme, get_theme, style_table
from adviz.text.labels import stage_text, tangent_stage_text
from adviz.text.tokens import joined_math

if TYPE_CHECKING:
    from adviz.core.forward import ForwardSweep, Seed
    from adviz.core.tracing import Trace
    from adviz.scene.content import Frame, Line
    from adviz.scene.layout import Layout

CM_PER_POINT = 2.54 / 72.0
"""Graphviz points (1/72 inch) to centimetres."""

SLIDE_ASPECT = 11.0 / 6.0
"""Width / height of the room a picture gets on a 4:3 Beamer slide (`to_tikz` pictures
made for no frame)."""

BEAMER_ROOM: dict[str, tuple[float, float]] = {"16:9": (398.0, 214.0), "4:3": (307.0, 231.0)}
"""Room (points) a Beamer frame of each aspect ratio gives a picture and its caption: the
text width, and the paper height less the frame title and the foot."""

ASPECTS = {"16:9": "169", "4:3": "43"}
"""Beamer's ``aspectratio`` for each frame shape."""

MIN_FONT = 8.0
"""Least font size (points, at the frame's size) of any text of a Beamer picture."""

FONT_SLACK = 1.01
"""How much larger than ``min_font`` a picture's fonts are asked for: TeX sets some (bold
sans serif) up to 1% below the size asked."""

CAPTION_ROOM = 42.0
"""Height (points) a Beamer overlay keeps under a picture shown in parts (`window`) for
its caption and notice."""

Box = tuple[float, float, float, float]



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
        box = fig.nodes[node]
        out[element] = Painted(element, colour(style["fill"]), colour(style["stroke"]),
                               round(style["width"], 2),
                               tuple(line.text for line in node_view.lines),
                               dash=tuple(float(v) for v in style["dash"]),
                               shape="circle" if box.shape == "circle" else "box",
                               corner=(round(box.corner[0], 2), round(box.corner[1], 2)))
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
            if getattr(fig, "plate", None) is not None:  # the neuron view: labels on plates
                out.append(f"{indent}\\node[advizlabel, fill=advizbackground, "
                           f"rounded corners=1pt] at {_at(shape.label)} {{{body}}};")
                continue
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
        if box.shape == "circle" and box.width != box.height:
            # An oval: the ellipse inscribed in its box (as the SVG draws it), the text over it.
            out.append(f"{indent}\\draw[fill={_colour_name(record.fill or '')}, "
                       f"draw={_colour_name(record.stroke or '')}, {dash}"
                       f"line width={_width(record.width or 1.0)}] {_at((box.x, box.y))} "
                       f"ellipse [x radius={_cm(box.width / 2)}cm, "
                       f"y radius={_cm(box.height / 2)}cm];")
            out.append(f"{indent}\\node[advizbox, minimum width={_cm(box.width)}cm, "
                       f"minimum height={_cm(box.height)}cm] at {_at((box.x, box.y))} "
                       f"{{{_lines(node_view.lines, override, styles)}}};")
            continue
        out.append(f"{indent}\\node[advizbox, {rounded}fill={_colour_name(record.fill or '')}, "
                   f"draw={_colour_name(record.stroke or '')}, {dash}"
                   f"line width={_width(record.width or 1.0)}, "
                   f"minimum width={_cm(box.width)}cm, minimum height={_cm(box.height)}cm] "
                   f"at {_at((box.x, box.y))} "
                   f"{{{_lines(node_view.lines, override, styles)}}};")
    return out


def _meets(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _within(fig: Figure, content: Frame, box: tuple[float, float, float, float]) -> Frame:
    """The elements of a frame that reach into ``box`` (the rest is clipped off anyway)."""
    from dataclasses import replace

    from adviz.scene.anchors import Block

    def node_box(n: str) -> tuple[float, float, float, float]:
        s = fig.nodes[n]
        return (s.x - s.width / 2, s.y - s.height / 2, s.x + s.width / 2, s.y + s.height / 2)

    def edge_box(key: tuple[str, str]) -> tuple[float, float, float, float]:
        shape = fig.edges[key]
        points = [*shape.forward, *shape.reverse]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        found = (min(xs), min(ys), max(xs), max(ys)) if points else (0.0, 0.0, 0.0, 0.0)
        lines = fig.view.edge_lines.get(key, ())
        if shape.label is not None and lines:
            lx0, ly0, lx1, ly1 = Block(lines, shape.label_left is not None).box(*shape.label)
            found = (min(found[0], lx0), min(found[1], ly0), max(found[2], lx1),
                     max(found[3], ly1))
        return found

    return replace(content,
                   nodes={n: v for n, v in content.nodes.items() if _meets(node_box(n), box)},
                   edges={k: v for k, v in content.edges.items() if _meets(edge_box(k), box)})


def _clusters(fig: Figure, indent: str,
              within: tuple[float, float, float, float] | None = None) -> list[str]:
    out = []
    for box in fig.clusters.values():
        if within is not None and not _meets((box.x - box.width / 2, box.y - box.height / 2,
                                              box.x + box.width / 2, box.y + box.height / 2),
                                             within):
            continue
        corner = _at((box.x - box.width / 2, box.y - box.height / 2))
        far = _at((box.x + box.width / 2, box.y + box.height / 2))
        out.append(f"{indent}\\draw[advizcluster] {corner} rectangle {far};")
        out.append(f"{indent}\\node[anchor=base west, text=adviztext, "
                   f"font=\\itshape\\fontsize{{12}}{{14}}\\selectfont] "
                   f"at {_at((box.label_x, box.label_y))} "
                   f"{{{escape_latex(box.label)}}};")
    return out


_STYLES = (
    "x=1cm, y=1cm,\n"
    "  advizbox/.style={rectangle, rounded corners=3pt, align=center, inner sep=2pt,"
    " text=adviztext, font=\\fontsize{12}{15}\\selectfont},\n"
    "  advizlabel/.style={align=center, inner sep=1pt, text=adviztext,"
    " font=\\fontsize{11}{13}\\selectfont},\n"
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


_PREAMBLE = r"""\RequirePackage{fix-cm}
\documentclass[aspectratio=169]{beamer}
\usepackage{tikz}
\setbeamertemplate{navigation symbols}{}
\begin{document}
"""

_PRECEDENCE = {"Add": 1, "Sub": 1, "Mult": 2, "Div": 2, "Mod": 2, "USub": 3, "UAdd": 3,
               "Pow": 4}

_FUNCTIONS = {"sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "exp": r"\exp", "log": r"\log",
              "ln": r"\ln", "sinh": r"\sinh", "cosh": r"\cosh", "tanh": r"\tanh",
              "arcsin": r"\arcsin", "arccos": r"\arccos", "arctan": r"\arctan",
              "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan",
              "sigmoid": r"\sigma"}


def expression_latex(expression: str) -> str | None:
    r"""A Python expression (the one a trace was made from) as LaTeX math, or ``None``
    when it is not one this writes (then the title keeps the text).

    Names as the graph writes them (``x1`` is ``x_{1}``, `adviz.formatting.latex_name`),
    known functions as LaTeX operators (``\cos``), ``a / b`` as a fraction,
    ``a**b`` as a superscript, and parentheses only where precedence needs them.

    Examples
    --------
    >>> expression_latex("(x1 - x2)**2 + cos(x1 + x2)")
    '\\left(x_{1} - x_{2}\\right)^{2} + \\cos\\left(x_{1} + x_{2}\\right)'
    >>> expression_latex("a * (b + 1) / 2")
    '\\frac{a \\cdot \\left(b + 1\\right)}{2}'
    >>> expression_latex("sqrt(x) - -y"), expression_latex("x[0]") is None
    ('\\sqrt{x} - \\left(-y\\right)', True)
    """
    import ast

    from adviz.formatting import latex_name

    try:
        tree = ast.parse(expression, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None

    def wrap(text: str) -> str:
        return f"\\left({text}\\right)"

    def walk(node: ast.AST) -> tuple[str, int]:
        if isinstance(node, ast.Name):
            return latex_name(node.id), 9
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return f"{node.value:g}" if isinstance(node.value, float) else str(node.value), 9
        if isinstance(node, ast.UnaryOp) and type(node.op).__name__ in _PRECEDENCE:
            text, level = walk(node.operand)
            sign = "-" if isinstance(node.op, ast.USub) else "+"
            return sign + (wrap(text) if level <= 3 else text), 3
        if isinstance(node, ast.BinOp) and type(node.op).__name__ in _PRECEDENCE:
            kind = type(node.op).__name__
            level = _PRECEDENCE[kind]
            (left, lo), (right, ro) = walk(node.left), walk(node.right)
            if kind == "Div":
                return f"\\frac{{{left}}}{{{right}}}", 9
            if kind == "Pow":
                return f"{wrap(left) if lo <= 4 else left}^{{{right}}}", 4
            left = wrap(left) if lo < level else left
            right = wrap(right) if ro < level or (ro == level and kind != "Add"
                                                  and kind != "Mult") or ro == 3 else right
            op = {"Add": "+", "Sub": "-", "Mult": r"\cdot", "Mod": r"\bmod"}[kind]
            return f"{left} {op} {right}", level
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and not node.keywords and len(node.args) >= 1:
            args = ", ".join(walk(a)[0] for a in node.args)
            name = node.func.id
            if name == "sqrt" and len(node.args) == 1:
                return f"\\sqrt{{{args}}}", 9
            if name == "abs" and len(node.args) == 1:
                return f"\\left|{args}\\right|", 9
            head = _FUNCTIONS.get(name, f"\\operatorname{{{escape_latex(name)}}}")
            return f"{head}{wrap(args)}", 9
        raise ValueError(node)

    try:
        return walk(tree)[0]
    except (ValueError, RecursionError):
        return None


def window(fig: Figure, content: Frame, size: tuple[float, float]) -> Box:
    """The part of a figure's drawing, ``size`` (frame points) wide and high, that a frame
    too small for the whole picture shows for ``content``: centred on what the stage
    changes (the node evaluated or processed, the nodes receiving gradient, the edges
    carrying something), kept within the drawing. ``(left, top, right, bottom)``.

    Examples
    --------
    >>> import adviz
    >>> from adviz.scene.picture import figure
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> fig = figure(t)
    >>> left, top, right, bottom = window(fig, fig.frame("forward", 4), (200.0, 120.0))
    >>> round(right - left), round(bottom - top)
    (200, 120)
    >>> t4 = fig.nodes["t4"]  # evaluated in forward stage 4
    >>> left < t4.x < right and top < t4.y < bottom
    True
    """
    boxes = {n: (s.x - s.width / 2, s.y - s.height / 2, s.x + s.width / 2, s.y + s.height / 2)
             for n, s in fig.nodes.items()}
    everything = list(boxes.values()) + [
        (c.x - c.width / 2, c.y - c.height / 2, c.x + c.width / 2, c.y + c.height / 2)
        for c in fig.clusters.values()]
    if fig.legend is not None:
        everything.append(fig.legend.box())
    busy = [boxes[n] for n, v in content.nodes.items() if v.state in ("active", "receiving")]
    for (parent, child), edge in content.edges.items():
        if edge.state in ("forward", "gradient", "tangent"):
            busy += [boxes[parent], boxes[child]]
    busy = busy or everything
    x0, y0 = min(b[0] for b in everything), min(b[1] for b in everything)
    x1, y1 = max(b[2] for b in everything), max(b[3] for b in everything)
    width, height = min(size[0], x1 - x0), min(size[1], y1 - y0)
    cx = (min(b[0] for b in busy) + max(b[2] for b in busy)) / 2
    cy = (min(b[1] for b in busy) + max(b[3] for b in busy)) / 2
    left, top = cx - width / 2, cy - height / 2
    for n, v in content.nodes.items():  # the node the stage works on: wholly in view
        if v.state == "active":
            a0, b0, a1, b1 = boxes[n]
            left = min(max(left, a1 - width), a0)
            top = min(max(top, b1 - height), b0)
    left = min(max(left, x0), x1 - width)
    top = min(max(top, y0), y1 - height)
    return (round(left, 2), round(top, 2), round(left + width, 2), round(top + height, 2))


def beamer_figure(trace: Trace, *, aspect: str = "16:9", min_font: float = MIN_FONT,
                  split: bool = False, **options: Any) -> Figure:
    """The scene fitted to a Beamer frame (`BEAMER_ROOM`) with no text under ``min_font``
    points, by the rules of ``size=`` (`adviz.scene.picture.figure`: the orientation,
    then collapsed scopes and shortened labels, said in the notice).

    With ``split=True``, a graph that does not fit is not refused: its
    natural drawing is returned (no page; left to right unless ``rankdir``
    says otherwise), to be shown in parts (`window`) at ``min_font``.

    Raises
    ------
    InputError
        An unknown ``aspect``, or (``split=False``) a graph whose text would be
        smaller than ``min_font`` even so (the message names the fixes).
    """
    if aspect not in BEAMER_ROOM:
        raise InputError(f"unknown Beamer frame {aspect!r}; use '16:9' or '4:3'")
    if isinstance(min_font, bool) or not isinstance(min_font, (int, float)) \
            or not 1 <= min_font <= 100:
        raise InputError(f"min_font must be a number of points from 1 to 100, not {min_font!r}")
    width, height = BEAMER_ROOM[aspect]
    room = f"{width:g}x{height:g}"
    try:
        fig = figure(trace, size=room, min_text=float(min_font) * FONT_SLACK, **options)
    except InputError as err:
        found = re.search(r"would be ([\d.]+) px", str(err))
        best = re.search(r"min_text=([\d.]+)", str(err))
        if found is None or best is None:
            raise
        if split:  # the whole drawing, left to right unless asked otherwise, shown in parts
            rankdir = options.pop("rankdir", None)
            return figure(trace, rankdir="LR" if rankdir in (None, "auto") else rankdir,
                          **options)
        raise InputError(
            f"this graph does not fit a {aspect} Beamer frame: its smallest text would be "
            f"{float(found.group(1)) / FONT_SLACK:.1f} pt, below min_font={min_font:g}, even "
            f"with its scopes collapsed, labels shortened and inputs stacked; collapse scopes "
            f"(collapse=[...]), trace a smaller part of the computation, or pass a smaller "
            f"min_font") from None
    return fig


def _view_options(view: str, granularity: str | None) -> dict[str, Any]:
    """The `figure` options of ``view`` (none for the scalar view)."""
    if view in (None, "graph") and granularity is None:
        return {}
    return {"view": view, "granularity": granularity}


def network_captions(fig: Figure, phase: str) -> list[str]:
    r"""The captions of the neuron view's stages of ``phase`` as LaTeX text.

    The same captions as the frames' titles (`adviz.text.network`), in LaTeX
    (subscripts and sums in math mode rather than Unicode, which pdflatex
    does not take).

    Examples
    --------
    >>> import adviz.examples
    >>> from adviz.scene.picture import figure
    >>> fig = figure(adviz.examples.mlp((2, 2, 1)), view="network")
    >>> captions = network_captions(fig, "reverse")
    >>> len(captions) == fig.stage_count("reverse"), captions[0]
    (True, 'loss $y$: g $= 1$')
    """
    from adviz.text.network import stage_captions

    texts = stage_captions(fig.trace, phase, getattr(fig, "granularity", "neuron"))
    return [joined_math(text.latex()) for text in texts]


def to_beamer(trace: Trace, phase: str = "reverse", *, standalone: bool = True,
              title: str | None = None, rankdir: str | None = None,
              engine: str | None = None,
              theme: str | Theme = "light", collapse: Iterable[str] | None = None,
              full: bool = False, copies: bool | None = None,
              output: str | int | None = None, seed: Seed = None, aspect: str = "16:9",
              min_font: float = MIN_FONT, legend: bool = False, split: bool = True,
              focus: str | None = None, zoom: str | None = None, view: str = "graph",
              granularity: str | None = None) -> str:
    r"""A Beamer frame with one overlay per stage, sized for the frame.

    Overlay ``k`` (``\only<k>{...}``) draws the graph after stage ``k - 1``
    and its caption; with ``phase="both"`` the forward stages come first. The
    picture is fitted to the frame (`beamer_figure`): no text comes out
    smaller than ``min_font`` points at the frame's size, the orientation is
    the one giving the larger text, and scopes are collapsed or labels
    shortened when needed (said under the caption). A graph that cannot fit
    even so is shown in parts (``split``, the default): at ``min_font``, each
    overlay shows the part of the drawing around what its stage changes
    (`window`), with a notice; ``split=False`` raises `InputError` instead.

    Parameters
    ----------
    trace
        A `Trace`.
    phase
        ``"reverse"`` (default), ``"forward"``, ``"tangent"`` (forward mode),
        ``"both"`` (forward, then reverse) or ``"modes"`` (tangent, then reverse).
    standalone
        ``True`` (default): a complete document (``\documentclass[aspectratio=169]{beamer}``,
        ``\usepackage{tikz}``) for ``pdflatex``; ``False``: the frame alone,
        to ``\input`` into a Beamer document of that aspect ratio that loads TikZ.
    title
        The frame title (escaped); by default the function's expression as
        math (`expression_latex`), or ``"Reverse-mode AD"``.
    rankdir
        ``"LR"``, ``"TB"`` or ``None``/``"auto"`` (default): the one giving the larger text.
    engine, collapse, full, copies
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
    aspect
        The frame: ``"16:9"`` (default, ``aspectratio=169``) or ``"4:3"``.
    min_font
        The least font size in points at the frame's size (default 8).
    legend
        A legend of the colours in the picture (`adviz.scene.legend`).
    split
        Show a graph too large for the frame in parts rather than refuse it.
    view, granularity
        ``view="network"``: the neuron view of a scoped network
        (`adviz.scene.network`), one overlay per stage of its own (per
        neuron, or per layer with ``granularity="layer"``).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> fragment = to_beamer(t, "both", standalone=False)
    >>> fragment.startswith(r"\begin{frame}"), fragment.count(r"\only<")
    (True, 12)
    >>> print(fragment.splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
    \begin{frame}[fragile]{$y = \left(x_{1} - x_{2}\right)^{2}
    + \cos\left(x_{1} + x_{2}\right)$}
    """
    from adviz.core.sweep import output_sweep

    trace = output_sweep(trace, output)
    phases = expand_phases(phase, PLAY_PHASES, "slides")
    check_seed(phase, seed, "slides")
    fig = beamer_figure(trace, aspect=aspect, min_font=min_font, theme=theme, rankdir=rankdir,
                        engine=engine, collapse=collapse, full=full, copies=copies, seed=seed,
                        legend=legend, split=split, focus=focus, zoom=zoom,
                        **_view_options(view, granularity))
    captions = {name: network_captions(fig, name) for name in phases} \
        if hasattr(fig, "stage_count") else None
    if title is None:
        expression = trace.graph.graph.get("expression")
        math = expression_latex(expression) if expression else None
        if math is not None:
            heading = f"${latex_name(trace.output)} = {math}$"
        else:
            heading = escape_latex(f"{trace.output} = {expression}" if expression
                                   else "Reverse-mode AD")
    else:
        heading = escape_latex(title)
    room = BEAMER_ROOM[aspect]
    notice = fig.notice.replace(f"to fit {room[0]:g}x{room[1]:g}", "to fit the frame")
    parts = fig.page is None
    if fig.page is None:  # shown in parts, at the least font size
        factor = min_font * FONT_SLACK / smallest_text(fig)
        visible = (room[0] / factor, (room[1] - CAPTION_ROOM) / factor)
        notice = (f"{notice}; " if notice else "") + (
            "the graph is larger than the frame: each step shows the part around it")
    else:
        factor = fig.page.scale
    scale = f"{factor:.4f}"
    out = [f"\\begin{{frame}}[fragile]{{{heading}}}", colour_definitions(fig.theme),
           "\\centering"]
    overlay = 0
    for name in phases:
        for index, content in enumerate(fig.frames(name)):
            overlay += 1
            out += [f"\\only<{overlay}>{{%",
                    f"\\begin{{tikzpicture}}[{_STYLES}, scale={scale}, transform shape]"]
            clusters = _clusters(fig, "  ")
            if parts:
                box = window(fig, content, visible)
                out.append(f"  \\clip {_at(box[:2])} rectangle {_at(box[2:])};")
                content, clusters = _within(fig, content, box), _clusters(fig, "  ", box)
            out += clusters
            out += _draw(fig, content, "  ")
            out += _legend(fig, name, "  ")
            caption = captions[name][index] if captions is not None else \
                stage_caption(trace, name, index, fig.sweep)
            out += ["\\end{tikzpicture}%", "\\par\\smallskip",
                    f"{{\\small {caption}\\par}}%"]
            if fig.focus is not None:  # the sum over the focused paths, under the caption
                out.append(f"{{\\small {fig.focus.focus.text.latex()}\\par}}%")
            if notice:
                out.append(f"{{\\footnotesize\\itshape {escape_latex(notice)}\\par}}%")
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
        head = _PREAMBLE.split("\\begin{document}\n")[0].replace(
            "aspectratio=169", f"aspectratio={ASPECTS[aspect]}")
        return head + canvas + "\\begin{document}\n" + body + "\\end{document}\n"
    return body


def _legend(fig: Figure, phase: str, indent: str) -> list[str]:
    """TikZ commands of the legend of ``phase`` (`adviz.scene.legend`), if the figure has one."""
    from adviz.scene.legend import LEGEND_SIZE, legend

    found = legend(fig, phase)
    if found is None:
        return []
    out = []
    for item in found.items:
        style = item.style
        if item.kind == "node" and item.swatch is not None:
            x0, y0, x1, y1 = item.swatch
            if style.get("shape") == "circle":  # a neuron's swatch
                out.append(f"{indent}\\draw[fill={_colour_name(style['fill'])}, "
                           f"draw={_colour_name(style['stroke'])}, "
                           f"line width={_width(style['width'])}] "
                           f"{_at(((x0 + x1) / 2, (y0 + y1) / 2))} "
                           f"circle [radius={_cm((x1 - x0) / 2)}cm];")
            else:
                out.append(f"{indent}\\draw[rounded corners=1.5pt, "
                           f"fill={_colour_name(style['fill'])}, "
                           f"draw={_colour_name(style['stroke'])}, "
                           f"line width={_width(style['width'])}] {_at((x0, y0))} rectangle "
                           f"{_at((x1, y1))};")
        elif item.kind == "edge" and item.swatch is not None:
            x0, y0, x1, y1 = item.swatch
            mid = (y0 + y1) / 2
            colour = _colour_name(style["colour"])
            opacity = "" if style["opacity"] == 1.0 else f", opacity={style['opacity']}"
            out.append(f"{indent}\\draw[draw={colour}, line width={_width(style['width'])}"
                       f"{opacity}] {_at((x0, mid))} -- {_at((x1 - 6.0, mid))};")
            corners = " -- ".join(_at(p) for p in Arrow((x1, mid), (x1 - 6.0, mid)).corners())
            out.append(f"{indent}\\fill[{colour}{opacity}] {corners} -- cycle;")
        out.append(f"{indent}\\node[anchor=base west, inner sep=0pt, "
                   f"text={_colour_name(item.colour)}, "
                   f"font=\\fontsize{{{LEGEND_SIZE:g}}}{{{LEGEND_SIZE * 1.2:g}}}\\selectfont] "
                   f"at {_at((item.text_x, item.baseline))} {{{escape_latex(item.label)}}};")
    return out
