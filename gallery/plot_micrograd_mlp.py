"""
A micrograd MLP
===============

The network of micrograd's lecture, ``nn.MLP(2, [4, 4, 1])``, on one sample
with a squared-error loss, read into adviz with :func:`adviz.from_micrograd`.
Its parameters are named ``w1_21`` (layer 1, neuron 2, input 1) and ``b1_2``;
their adjoints equal micrograd's ``.grad`` after ``loss.backward()``.
"""

# %%
# Build the graph in micrograd
# ----------------------------
import os
import random
from pathlib import Path

from _cards import card
from micrograd import nn

import adviz

out = Path(os.environ.get("ADVIZ_GALLERY_OUT", "gallery-out")) / "micrograd_mlp"
out.mkdir(parents=True, exist_ok=True)

random.seed(7)
model = nn.MLP(2, [4, 4, 1])
loss = (model([0.5, -1.0]) - 1.0) ** 2
t = adviz.from_micrograd(loss, model)
print(t)

# %%
# Compare with micrograd's own gradients
# --------------------------------------
loss.backward()
worst = max(abs(t.grad[name] - p.grad) for name, p in zip(t.grad, model.parameters()))
print(f"largest difference from micrograd's .grad: {worst:.1e}")

# %%
# The reverse pass, finished
# --------------------------
# Every node with its value and adjoint (the data and the target are constants).
ax = adviz.draw(t, "reverse", -1, rankdir="TB")
ax.figure.savefig(out / "reverse-last.png")

# %%
# On the gallery card
# -------------------
# The whole network after the reverse pass, and how far adviz's adjoints are
# from micrograd's ``.grad``.
card(t, "reverse", -1, "micrograd's MLP, traced",
     [f"{len(t.grad)} parameters", f"max |adjoint − .grad| = {worst:.1g}"], rankdir="TB")
# sphinx_gallery_thumbnail_number = -1
