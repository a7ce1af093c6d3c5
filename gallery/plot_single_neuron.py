"""
A single neuron
===============

One neuron with two inputs and a tanh activation: one reverse sweep gives the
derivative with respect to every weight and the bias.

The neuron computes :math:`y = \\tanh(w_1 x_1 + w_2 x_2 + b)`. The weights
and the bias are inputs of the graph like the data, so the reverse pass yields
:math:`\\partial y / \\partial w_1`, :math:`\\partial y / \\partial w_2` and
:math:`\\partial y / \\partial b` in one sweep.
"""

# %%
# Trace a Python function
# -----------------------
# The function's parameters are the graph's inputs; the intermediates are
# numbered ``t1, t2, ...`` in evaluation order (``t4`` is the pre-activation).
import os
from pathlib import Path

from _cards import card, signed

import adviz

out = Path(os.environ.get("ADVIZ_GALLERY_OUT", "gallery-out")) / "single_neuron"
out.mkdir(parents=True, exist_ok=True)


def neuron(x1, x2, w1, w2, b):
    return adviz.tanh(w1 * x1 + w2 * x2 + b)


t = adviz.trace(neuron, x1=2.0, x2=-1.0, w1=-0.5, w2=0.8, b=0.3)
for name, g in t.grad.items():
    print(f"dy/d{name} = {g:+.5f}")

# %%
# The reverse pass, stage by stage
# --------------------------------
# Stage 1 multiplies :math:`g_y = 1` by the local derivative of tanh,
# :math:`1 - \tanh^2 t_4`; the sums pass it on unchanged, and each product
# hands its parent the *other* factor: :math:`g_{w_1} = g_{t_1} x_1`.
for stage in (1, len(t.reverse_stages) - 1):
    ax = adviz.draw(t, "reverse", stage)
    ax.figure.savefig(out / f"reverse-{stage:03d}.png")

# %%
# The local derivatives check out
# -------------------------------
# :func:`adviz.check_grad` compares the reverse-mode gradient with central
# finite differences.
print(adviz.check_grad(t))

# %%
# Frames for slides, top to bottom
# --------------------------------
# ``rankdir="TB"`` puts the inputs on top; the SVG frames go to ``frames/``.
frames = adviz.save_frames(t, out / "frames", phase="reverse", rankdir="TB")
print(len(frames), "reverse frames")

# %%
# On the gallery card
# -------------------
# The reverse pass, finished: one sweep gave the derivative with respect to
# each weight and the bias.
card(t, "reverse", -1, "One sweep, every weight",
     [f"dy/dw1 = {signed(t.grad['w1'])}", f"dy/dw2 = {signed(t.grad['w2'])}",
      f"dy/db = {signed(t.grad['b'])}"], rankdir="TB")
# sphinx_gallery_thumbnail_number = -1
