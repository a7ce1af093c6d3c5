"""
A custom op: softplus
=====================

A new elementary operation, softplus, registered with its derivative and
drawn like any other op.

:func:`adviz.register_op` adds an elementary operation to adviz's op table:
its forward function, its local derivative and, optionally, how its formulas
are written. Here :math:`\\operatorname{softplus}(a) = \\log(1 + e^a)`, whose
derivative is the logistic sigmoid :math:`\\sigma(a)`.
"""

# %%
# Register the op
# ---------------
# The returned function applies the op to traced values (and to plain
# numbers). ``partial_exprs`` and ``partial_latex`` are the formulas written on
# the edges, over the argument texts ``{0}``, ``{1}``, ...
import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
from _cards import card

import adviz
from adviz.text.labels import pretty_name

out = Path(os.environ.get("ADVIZ_GALLERY_OUT", "gallery-out")) / "custom_op"
out.mkdir(parents=True, exist_ok=True)


def softplus_forward(a):
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


softplus = adviz.register_op(
    "softplus",
    softplus_forward,
    sigmoid,
    expr="softplus({0})",
    latex=r"\operatorname{{softplus}}({0})",
    partial_exprs=["sigmoid({0})"],
    partial_latex=[r"\sigma({0})"],
    replace=True,
)

# %%
# Use it in a function and in an expression string
# ------------------------------------------------
# Once registered, the op works in traced functions and, by name, in
# expression strings; the graph, the stages and the walkthrough know it.
t = adviz.trace(lambda w, x, b: softplus(w * x + b), w=0.8, x=1.5, b=-0.5)
same = adviz.trace("softplus(w * x + b)", w=0.8, x=1.5, b=-0.5)
print(t.grad, same.grad)
print(adviz.walkthrough(same))

# %%
# Draw it
# -------
# The edge into the softplus node carries its partial, written
# :math:`\sigma(t_2)` as registered.
fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), layout="constrained")
adviz.draw(same, "forward", -1, ax=top)
adviz.draw(same, "reverse", -1, ax=bottom)
fig.savefig(out / "softplus.png")
_ = adviz.save(same, out / "reverse-last.svg", phase="reverse", stage=-1)

# %%
# On the gallery card
# -------------------
# The reverse stage that crosses the softplus node with its registered
# partial, the sigmoid.
through = next(s for s in same.reverse_stages
               if s.contributions and same.graph.nodes[s.node]["op"] == "softplus")
edge = through.contributions[0]
card(same, "reverse", through.index, "A new op: softplus",
     ["d softplus(a)/da = σ(a)", f"σ({pretty_name(edge.parent)}) = {edge.partial:.5f}"],
     rankdir="TB")
# sphinx_gallery_thumbnail_number = -1

# %%
# Unregister it
# -------------
# Custom ops live in a process-wide table; remove the op when done.
adviz.unregister_op("softplus")
print("softplus" in adviz.OPS)
