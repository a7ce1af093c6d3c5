"""Frames that highlight one chain-rule path at a time, ending with their sum.

The seed page derives ``dy/dx1`` by hand as a sum over the paths from ``x1``
to ``y``. `path_frame_contents` makes one `adviz.scene.content.Frame` per path of
`adviz.paths` (its nodes and edges highlighted, the product of its partials
in the caption) and a last frame with every path and the sum, which equals
the input's adjoint. `path_frames` draws them as SVG with the trace's stored
layout.

Examples
--------
>>> import adviz
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> for caption in path_captions(t, "x1"):
...     print(caption)
Path 1 of 2: x₁ → t₁ → t₂ → y: 1 · (2t₁) · 1 = 1 · (−2) · 1 = −2
Path 2 of 2: x₁ → t₃ → t₄ → y: 1 · (−sin(t₃)) · 1 = 1 · (−0.14112) · 1 = −0.14112
Sum over paths = −2 + (−0.14112) = −2.14112 = g_x₁
"""

from __future__ import annotations

from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING

from adviz.core.pathsum import DEFAULT_LIMIT, Path, paths
from adviz.errors import InputError
from adviz.formatting import is_atomic
from adviz.scene.content import EdgeView, Frame, Line, NodeView, frame
from adviz.scene.style import EDGE_SIZE, LINE_SIZE, Theme
from adviz.text.labels import (
    DOT,
    MINUS,
    adjoint_line,
    partial_formula,
    partial_label,
    pretty_name,
    pretty_number,
)

if TYPE_CHECKING:
    from adviz.core.tracing import Trace

SUM_TERMS = 8
"""Most terms the last caption writes out; longer sums show the total only."""

ARROW = "\u2192"


def _choose_input(trace: Trace, input: str | None) -> str:
    if input is None:
        return next(iter(trace.grad))
    if input not in trace.grad:
        raise InputError(f"{input!r} is not an input; the inputs are {', '.join(trace.grad)}")
    return input


def _factor(text: str) -> str:
    return text if is_atomic(text.replace(MINUS, "-")) and not text.startswith(MINUS) \
        else f"({text})"


def _signed(value: float) -> str:
    text = pretty_number(value)
    return f"({text})" if text.startswith(MINUS) else text


def path_caption(trace: Trace, path: Path, number: int, count: int) -> str:
    """The caption of one path's frame: the path, its partials and their product.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> path_caption(t, adviz.paths(t, "x")[0], 1, 1)
    'Path 1 of 1: x → y: 2x = 6'
    """
    chain = f" {ARROW} ".join(pretty_name(n) for n in path.nodes)
    formulas = [partial_formula(trace, p, c) for p, c in pairwise(path.nodes)]
    values = [pretty_number(v) for v in path.partials]
    if len(formulas) == 1:
        shown = formulas[0] if formulas[0] == values[0] else f"{formulas[0]} = {values[0]}"
        return f"Path {number} of {count}: {chain}: {shown}"
    symbolic = f" {DOT} ".join(_factor(f) for f in formulas)
    numeric = f" {DOT} ".join(_signed(v) for v in path.partials)
    body = symbolic if symbolic == numeric else f"{symbolic} = {numeric}"
    return f"Path {number} of {count}: {chain}: {body} = {pretty_number(path.product)}"


def sum_caption(trace: Trace, input: str, found: list[Path]) -> str:
    """The caption of the last frame: the sum over paths equals the adjoint.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("x * x", x=3)
    >>> sum_caption(t, "x", adviz.paths(t, "x"))
    'Sum over paths = 6 = g_x'
    """
    total = sum(p.product for p in found)
    g = f"g_{pretty_name(input)}"  # the seed's notation, as every caption writes it
    gradient = f"{pretty_number(trace.grad[input])} = {g}"
    if not found:
        return f"No path from {input} to {trace.output}: {g} = 0"
    if len(found) == 1:
        return f"Sum over paths = {gradient}"
    if len(found) > SUM_TERMS:
        return f"Sum over {len(found)} paths = {pretty_number(total)}; {g} = " \
               f"{pretty_number(trace.grad[input])}"
    terms = " + ".join(_signed(p.product) if k else pretty_number(p.product)
                       for k, p in enumerate(found))
    return f"Sum over paths = {terms} = {pretty_number(total)} = {g}"


def path_captions(trace: Trace, input: str | None = None, *,
                  limit: int = DEFAULT_LIMIT) -> list[str]:
    """Captions of the path frames of ``input``: one per path, then the sum."""
    chosen = _choose_input(trace, input)
    found = paths(trace, chosen, limit=limit)
    return [path_caption(trace, p, k, len(found)) for k, p in enumerate(found, start=1)] + [
        sum_caption(trace, chosen, found)]


def path_frame_contents(trace: Trace, input: str | None = None, *,
                        limit: int = DEFAULT_LIMIT) -> list[Frame]:
    """One frame per path from ``input`` to the output, then one with every path.

    Nodes and edges on the highlighted path are ``"active"`` and
    ``"forward"`` (with their partial as label); the rest are muted. The
    frames' phase is ``"paths"``.

    Parameters
    ----------
    trace
        A `Trace`.
    input
        The input's name; ``None`` means the first input.
    limit
        Most paths to list (see `adviz.paths`).

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> frames = path_frame_contents(t, "x2")
    >>> len(frames), [n for n, v in frames[0].nodes.items() if v.state == "active"]
    (3, ['x2', 't1', 't2', 'y'])
    >>> [line.text for line in frames[-1].nodes["x2"].lines]
    ['x₂', '= 2', 'g = 1.85888']
    """
    chosen = _choose_input(trace, input)
    found = paths(trace, chosen, limit=limit)
    captions = [path_caption(trace, p, k, len(found)) for k, p in enumerate(found, start=1)]
    captions.append(sum_caption(trace, chosen, found))
    base = frame(trace, "summary")
    groups = [[p] for p in found] + [found]
    result = []
    for index, (group, caption) in enumerate(zip(groups, captions)):
        on_nodes = {n for p in group for n in p.nodes}
        on_edges = {e for p in group for e in pairwise(p.nodes)}
        last = index == len(groups) - 1
        nodes = {}
        for node, view in base.nodes.items():
            lines = tuple(line for line in view.lines if line.role != "adjoint")
            if node in on_nodes:
                state = "active"
                if last and node == chosen:
                    state = "receiving"
                    lines += (Line(adjoint_line(trace.grad[chosen]), "adjoint", LINE_SIZE),)
            else:
                state = "muted"
            nodes[node] = NodeView(state, view.kind, lines)
        edges = {}
        for key in base.edges:
            if key in on_edges:
                edges[key] = EdgeView("forward",
                                      (Line(partial_label(trace, *key), "partial", EDGE_SIZE),))
            else:
                edges[key] = EdgeView("muted", ())
        result.append(Frame("paths", index, caption, MappingProxyType(nodes),
                            MappingProxyType(edges)))
    return result


def path_frames(
    trace: Trace,
    input: str | None = None,
    *,
    theme: str | Theme = "light",
    rankdir: str = "LR",
    engine: str | None = None,
    full: bool = False,
    limit: int = DEFAULT_LIMIT,
) -> list[str]:
    """The path frames of ``input`` as SVG text, drawn with the trace's stored layout.

    Parameters
    ----------
    trace
        A `Trace`.
    input
        The input's name; ``None`` means the first input.
    theme, rankdir, engine
        As for `adviz.to_svg`.
    full
        Draw a large graph with every label (see `adviz.scene.view.view_options`;
        scopes are never collapsed here, since paths run through them).
    limit
        Most paths to draw; more raise `AdvizError` (see `adviz.count_paths`).

    Returns
    -------
    list of str
        One SVG document per path, then the sum.

    Examples
    --------
    >>> import adviz
    >>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
    >>> svgs = adviz.path_frames(t, "x1")
    >>> len(svgs), "Sum over paths = −2 + (−0.14112) = −2.14112 = g_x₁" in svgs[-1]
    (3, True)
    """
    from adviz.renderers.svg import paint
    from adviz.scene.picture import figure
    from adviz.scene.view import view_frame

    contents = path_frame_contents(trace, input, limit=limit)
    titles = tuple(c.title for c in contents)
    fig = figure(trace, theme=theme, rankdir=rankdir, engine=engine, collapse=(), full=full,
                 copies=False, extra_titles=titles)
    return [paint(fig, view_frame(trace, fig.view, c)) for c in contents]
