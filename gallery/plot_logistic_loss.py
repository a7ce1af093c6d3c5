"""
Logistic loss on one sample
===========================

The cross-entropy loss of logistic regression on one sample, and its
gradient found one local derivative at a time.

Logistic regression on one sample :math:`(x, \\text{target})` with weight
:math:`w` and bias :math:`b`: the prediction is :math:`p = \\sigma(w x + b)`
and the loss is the cross-entropy

.. math::

   L = -\\bigl(\\text{target} \\log p + (1 - \\text{target}) \\log(1 - p)\\bigr).

Its gradient with respect to the weight is the well-known
:math:`(p - \\text{target})\\, x`; the reverse pass finds it one local
derivative at a time.
"""

# %%
# Trace the loss
# --------------
# The output node is named ``L`` (``output="L"``); ``p`` is named with
# ``adviz.name``.
import math
import os
from pathlib import Path

from _cards import card, signed

import adviz

out = Path(os.environ.get("ADVIZ_GALLERY_OUT", "gallery-out")) / "logistic_loss"
out.mkdir(parents=True, exist_ok=True)


def loss(w, b, x=1.5, target=1.0):
    p = adviz.name(adviz.sigmoid(w * x + b), "p")
    return -(target * adviz.log(p) + (1 - target) * adviz.log(1 - p))


t = adviz.trace(loss, w=0.4, b=-0.2, output="L")
p = 1 / (1 + math.exp(-(0.4 * 1.5 - 0.2)))
print(f"L = {t.value:.5f}")
print(f"dL/dw = {t.grad['w']:.5f}   (p - target) * x = {(p - 1.0) * 1.5:.5f}")
print(f"dL/db = {t.grad['b']:.5f}   (p - target)     = {p - 1.0:.5f}")

# %%
# The final state of the reverse pass
# -----------------------------------
# Every node shows its value and its adjoint; every edge its local partial
# and its contribution. ``rankdir="TB"`` draws the graph from the inputs at
# the top down to the loss.
ax = adviz.draw(t, "reverse", -1, rankdir="TB")
ax.figure.savefig(out / "reverse-last.png")

# %%
# The stage through the sigmoid
# -----------------------------
# When ``p`` is processed, its adjoint :math:`g_p = -1/p` (from the log)
# meets the sigmoid's local derivative :math:`p (1 - p)`; their product is the
# familiar :math:`p - \text{target}`, which the sum and the product then hand
# on to :math:`b` and :math:`w`.
stage = next(s.index for s in t.reverse_stages if s.node == "p")
print(t.reverse_stages[stage].caption)
_ = adviz.save(t, out / f"reverse-{stage:03d}.svg", phase="reverse", stage=stage,
               rankdir="TB")
frames = adviz.save_frames(t, out / "frames", phase="reverse", rankdir="TB")
print(len(frames), "SVG frames in", frames[0].parent.name)

# %%
# On the gallery card
# -------------------
# The stage through the sigmoid, where :math:`p - \text{target}` appears.
card(t, "reverse", stage, "Through the sigmoid",
     [f"dL/db = p − target = {signed(t.grad['b'])}",
      f"dL/dw = {signed(t.grad['w'])} = x · dL/db"], rankdir="TB")
# sphinx_gallery_thumbnail_number = -1
