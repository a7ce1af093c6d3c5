"""
A 2-2-1 network
===============

A small network, two inputs, a hidden layer of two tanh units and one linear
output unit, and one reverse pass through all its parameters.

In formulas:

.. math::

   h_i = \\tanh(w_{i1} x_1 + w_{i2} x_2 + b_i), \\qquad
   y = v_1 h_1 + v_2 h_2 + c.

Every weight is an input of the graph, so one reverse pass gives the gradient
with respect to all nine parameters (and the two data inputs). ``adviz.scope``
groups the nodes of each layer and ``adviz.name`` names the hidden units.
"""

# %%
# Trace the network
# -----------------
import os
from pathlib import Path

from _cards import card, signed

import adviz

out = Path(os.environ.get("ADVIZ_GALLERY_OUT", "gallery-out")) / "two_two_one_network"
out.mkdir(parents=True, exist_ok=True)


def network(x1, x2, w11, w12, w21, w22, b1, b2, v1, v2, c):
    with adviz.scope("layer 1"):
        h1 = adviz.name(adviz.tanh(w11 * x1 + w12 * x2 + b1), "h1")
        h2 = adviz.name(adviz.tanh(w21 * x1 + w22 * x2 + b2), "h2")
    with adviz.scope("layer 2"):
        return v1 * h1 + v2 * h2 + c


params = dict(w11=0.5, w12=-0.3, w21=0.8, w22=0.1, b1=0.0, b2=0.1, v1=1.2, v2=-0.7, c=0.05)
t = adviz.trace(network, x1=1.0, x2=-1.0, **params)
print(t)

# %%
# All values and adjoints at once
# -------------------------------
# The last reverse stage: every node carries its value and its adjoint.
# ``rankdir="TB"`` puts the inputs on top, which suits a graph this wide.
# (The same picture as SVG: ``adviz.save(t, "summary.svg", phase="summary")``.)
ax = adviz.draw(t, "reverse", -1, rankdir="TB")
ax.figure.savefig(out / "reverse-last.png")

# %%
# The reverse pass reaches the first layer
# ----------------------------------------
# The output layer's weights get their gradient first; the first layer's
# weights need :math:`g_{h_1}` and :math:`g_{h_2}`, which pass through the
# tanh derivatives :math:`1 - h_i^2`.
stage = next(s.index for s in t.reverse_stages if s.node == "h1")
_ = adviz.save(t, out / f"reverse-{stage:03d}.svg", phase="reverse", stage=stage,
               rankdir="TB")

# %%
# A gradient-descent step
# -----------------------
# Move every parameter against its gradient and trace again: ``y`` goes down.
step = 0.1
moved = {k: v - step * t.grad[k] for k, v in params.items()}
t2 = adviz.trace(network, x1=1.0, x2=-1.0, **moved)
print(f"y: {t.value:.5f} -> {t2.value:.5f}")

# %%
# On the gallery card
# -------------------
# The stage that hands the gradient from the hidden unit ``h1`` back into the
# first layer.
card(t, "reverse", stage, "The gradient reaches layer 1",
     [f"g_h1 = {signed(t.adjoints['h1'])}", f"y: {t.value:.5f} → {t2.value:.5f}"],
     rankdir="TB")
# sphinx_gallery_thumbnail_number = -1
