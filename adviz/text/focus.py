"""The caption of a focus: a node's adjoint as the sum over its paths to the output.

``g_w1_22 = Σ over 3 paths = p₁ + p₂ + p₃ = total``: each term is one path's
product of local partials (`adviz.core.pathsum.paths_from`), and the total is
their sum, which is the node's adjoint. Built once as tokens; every renderer
asks for its notation.

Examples
--------
>>> import adviz
>>> from adviz.core.pathsum import paths_from
>>> t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
>>> focus_text("x1", [p.product for p in paths_from(t, "x1")]).unicode()
'g_x₁ = Σ over 2 paths = −2 + (−0.14112) = −2.14112'
>>> focus_text("t1", [-2.0]).plain()
'g_t1 = Σ over 1 path = -2'
"""

from __future__ import annotations

from collections.abc import Sequence

from adviz.text.tokens import Grad, Num, Op, Text, Word, num_key, text

SIGMA = "\u03a3"

MOST_TERMS = 6
"""Most path products a caption writes out; more are summarised (``+ … (7 more)``)."""


def focus_text(node: str, products: Sequence[float]) -> Text:
    """The focus caption of ``node`` whose paths to the output have ``products``.

    Parameters
    ----------
    node
        The focused node's id.
    products
        Each path's product of local partials, in `paths_from` order.

    Examples
    --------
    >>> focus_text("w", [1.0] * 8).unicode()
    'g_w = Σ over 8 paths = 1 + 1 + 1 + 1 + 1 + 1 + … (2 more) = 8'
    >>> focus_text("x", []).unicode()
    'g_x = Σ over 0 paths = 0'
    """
    count = len(products)
    total = 0.0
    for product in products:
        total += product
    noun = "path" if count == 1 else "paths"
    tokens: list[Word | Num | Op | Grad] = [
        Grad(node), Op(" = "), Word(f"{SIGMA} over {count} {noun}")]
    if count:
        tokens.append(Op(" = "))
        for k, product in enumerate(products[:MOST_TERMS]):
            if k:
                tokens.append(Op(" + "))
            tokens.append(Num(product, parens=bool(k), key=num_key("path", node, str(k))))
        if count > MOST_TERMS:
            tokens += [Op(" + "), Word(f"… ({count - MOST_TERMS} more)")]
    if count != 1:
        tokens += [Op(" = "), Num(total, key=num_key("adjoint", node))]
    return text(*tokens)


def focus_line(node: str, products: Sequence[float]) -> str:
    """The focus caption as Unicode text (`focus_text`).

    Examples
    --------
    >>> focus_line("t1", [-2.0])
    'g_t₁ = Σ over 1 path = −2'
    """
    return focus_text(node, products).unicode()



def focus_total_text(node: str, count: int, total: float) -> Text:
    """The focus caption of a node with too many paths to list: their count and sum.

    Examples
    --------
    >>> focus_total_text("x", 4096, 0.5).unicode()
    'g_x = Σ over 4,096 paths = 0.5'
    """
    return text(Grad(node), Op(" = "), Word(f"{SIGMA} over {count:,} paths"), Op(" = "),
                Num(total, key=num_key("adjoint", node)))
