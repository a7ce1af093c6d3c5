"""
The seed example, both passes
=============================

The teaching example of reverse-mode automatic differentiation, traced and
drawn through the forward pass and the reverse pass.

The function is :math:`y = (x_1 - x_2)^2 + \\cos(x_1 + x_2)` at :math:`x_1 = 1, x_2 = 2`.
adviz traces it into the nodes :math:`t_1 = x_1 - x_2,\\ t_2 = t_1^2,\\
t_3 = x_1 + x_2,\\ t_4 = \\cos t_3,\\ y = t_2 + t_4`, evaluates them in the
forward pass, then accumulates the adjoints :math:`g_n = \\partial y / \\partial n`
from the output back to the inputs.
"""

# %%
# Trace the function
# ------------------
# An expression string is parsed safely (never passed to ``eval``); a plain
# Python function works the same way (see the other examples).
import os
from pathlib import Path

import matplotlib.pyplot as plt
from _cards import card, signed

import adviz

out = Path(os.environ.get("ADVIZ_GALLERY_OUT", "gallery-out")) / "seed_example"
out.mkdir(parents=True, exist_ok=True)

t = adviz.trace("(x1 - x2)**2 + cos(x1 + x2)", x1=1, x2=2)
print(t)

# %%
# The walkthrough
# ---------------
# The same rows as the teaching page: forward values, one reverse row per
# processed node, and the final gradient.
print(adviz.walkthrough(t))

# %%
# One stage of each pass
# ----------------------
# :func:`adviz.draw` draws the state after one stage on a Matplotlib Axes. The
# forward pass has evaluated every node; reverse stage 3 has just sent
# :math:`g_{t_4} \cdot (-\sin t_3)` back to :math:`t_3`.
fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.4), layout="constrained")
adviz.draw(t, "forward", -1, ax=top)
adviz.draw(t, "reverse", 3, ax=bottom)
fig.savefig(out / "forward-and-reverse.png")

# %%
# Every frame, as SVG files
# -------------------------
# :func:`adviz.save_frames` writes ``forward-000.svg`` ... ``reverse-005.svg``
# (one file per stage, all with the same size and node positions), ready for
# slides. :func:`adviz.save` writes any single stage, here the last reverse
# stage, which shows the final gradient.
frames = adviz.save_frames(t, out / "frames")
print(f"{len(frames)} frames:", ", ".join(p.name for p in frames[:3]), "...")
_ = adviz.save(t, out / "reverse-last.svg", phase="reverse", stage=-1)

# %%
# The reverse pass as a GIF
# -------------------------
# Each stage's gradient travels along the edges from the processed node to its
# parents. ``tween`` sets the travel frames per stage; small values keep the
# file small.
_ = adviz.save(t, out / "reverse.gif", phase="reverse", tween=2, hold=4, dpi=60,
               progress=False)

# %%
# The player
# ----------
# ``adviz.save(t, "player.html")`` writes a self-contained page that steps
# through both passes; in a notebook (and here) the trace shows itself as that
# player.
_ = adviz.save(t, out / "player.html")
t  # noqa: B018

# %%
# On the gallery card
# -------------------
# The last reverse stage: every adjoint is known, and the gradient is read off
# the inputs (``gallery/_cards.py`` draws the cards of this gallery).
card(t, "reverse", -1, "Reverse pass: the gradient",
     [f"dy/dx1 = {signed(t.grad['x1'])}", f"dy/dx2 = {signed(t.grad['x2'])}"], rankdir="TB")
# sphinx_gallery_thumbnail_number = -1
