"""
Fan-out: why adjoints are summed
================================

When a node feeds several children, it influences the output along several
paths, and its adjoint is the sum of the contributions of all of them.

In symbols, :math:`g_p = \\sum_j g_{c_j}\\, \\partial c_j / \\partial p`.

Here :math:`u = x + 1` feeds :math:`f = u + 2u` twice, once directly and once
through :math:`2u`, so :math:`df/dx = 1 + 2 = 3`. The reverse pass may only
process :math:`u` once *both* of its children have sent their contribution.
"""

# %%
# Trace
# -----
import os
from pathlib import Path

import matplotlib.pyplot as plt
from _cards import card

import adviz

out = Path(os.environ.get("ADVIZ_GALLERY_OUT", "gallery-out")) / "fan_out"
out.mkdir(parents=True, exist_ok=True)


def f(x):
    u = adviz.name(x + 1, "u")
    return u + 2 * u


t = adviz.trace(f, x=1.0)
print("df/dx =", t.grad["x"])

# %%
# The reverse stages
# ------------------
# ``u`` receives 1 from ``y`` directly and 2 through ``t1 = 2*u``; it is
# processed only after both, so :math:`g_x = 3`. A plain breadth-first sweep
# would process ``u`` after its first child and pass on only part of its
# adjoint.
for stage in t.reverse_stages:
    print(f"stage {stage.index}: {stage.caption}")

# %%
# Drawn, the running sum of :math:`g_u` is visible before and after the
# second contribution arrives.
fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5), layout="constrained")
adviz.draw(t, "reverse", 1, ax=top)
adviz.draw(t, "reverse", 2, ax=bottom)
fig.savefig(out / "sum-of-contributions.png")

# %%
# What goes wrong without the sum
# --------------------------------
# Had ``u`` passed its adjoint on after its first contribution only, ``x``
# would get :math:`1 \cdot 1 = 1` instead of 3. adviz processes a node only
# once every one of its children has been processed (Kahn's algorithm on the
# reversed graph), so the sum is complete when it is used.
partial_sum = t.reverse_stages[1].contributions[0].after
print("g_u after its first contribution:", partial_sum, "-> wrong df/dx =", partial_sum * 1)
print("g_u after both contributions:   ", t.adjoints["u"], "-> df/dx =", t.grad["x"])

# %%
# Frames as PNG
# -------------
# ``fmt="png"`` renders the frames as PNG images (no system libraries or
# fonts needed), for tools that do not take SVG.
frames = adviz.save_frames(t, out / "frames", phase="reverse", fmt="png")
print(len(frames), "PNG frames:", ", ".join(p.name for p in frames))

# %%
# On the gallery card
# -------------------
# Reverse stage 2: the second contribution has reached ``u``, whose adjoint
# is now the sum of both.
first, second = t.reverse_stages[1].contributions[0], t.reverse_stages[2].contributions[0]
card(t, "reverse", 2, "Fan-out: adjoints add up",
     [f"g_u = {first.delta:g} + {second.delta:g} = {second.after:g}",
      f"df/dx = {t.grad['x']:g}"])
# sphinx_gallery_thumbnail_number = -1
