"""`from_torch`: a PyTorch autograd graph as a `Trace`, in two granularities.

The graph is read from the output's ``grad_fn``: each autograd function and
its ``next_functions``, ``AccumulateGrad`` leaves, and the saved tensors
(``_saved_self``, ``_saved_result``, ...) for operand values and constants.
Forward values come from the saved tensors or are recomputed from the
operands; the backward order PyTorch actually runs is recorded with hooks
during a real backward pass (``torch.autograd.grad`` with
``retain_graph=True``, so the user's ``.grad`` fields are left alone).

Scalar nodes (every leaf holds one number, or ``expand=True``): each element
of each tensor becomes a scalar node on adviz's op table, with local
partials computed by adviz:

==========================================  ======================================
PyTorch function                            adviz ops
==========================================  ======================================
``AddBackward0/1``, ``SubBackward0/1``,     ``add``, ``sub`` (``Rsub``: the operands
``RsubBackward0/1``                         swapped)
``MulBackward0/1``, ``DivBackward0/1``      ``mul``, ``div``
``PowBackward0/1/2``                        ``pow`` (constant exponent, both
                                            traced, constant base)
``NegBackward0``, ``ReciprocalBackward0``   ``neg``, ``div`` (``1/a``)
``Sin``, ``Cos``, ``Tan``, ``Exp``,         the op of the same name (``Sigmoid``:
``Log``, ``Sqrt``, ``Tanh``, ``Sigmoid``,   ``sigmoid``)
``Relu``, ``AbsBackward0``
``AddmmBackward0``, ``MmBackward0``         sums of products (``b + w*x + ...``)
``MseLossBackward0``                        ``sub``, ``pow`` 2, ``add``, ``div`` n
``SumBackward0``, ``MeanBackward0``         ``add`` (``div`` n for the mean)
``T``, ``View``, ``Reshape``, ``Squeeze``,  no node: the elements are rearranged
``Unsqueeze``, ``Expand``, ``Clone``,
``ToCopy``, ``Permute``
==========================================  ======================================

Tensor nodes (the default when a leaf has several elements): one node per
autograd function, values and adjoints as NumPy arrays, each edge carrying
the vector-Jacobian product PyTorch applies (computed by calling the
function's backward), written as a formula (``"g_t1 · w2"``).

Not supported: a function with several outputs, complex numbers, and a
constant added to a value that no later operation saved (PyTorch keeps no
copy of it): these raise `TraceError` naming the function; pass a function
instead of a tensor (``from_torch(f, inputs={...})``), which records every
value while it runs.

Examples
--------
>>> from adviz.core.importers.torch_graph import SCALAR_OPS
>>> SCALAR_OPS["SigmoidBackward0"], SCALAR_OPS["TanhBackward0"]
('sigmoid', 'tanh')
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from adviz.core.importers.common import (
    SIGNIFICANT,
    ImportedTrace,
    ScalarGraph,
    check_options,
    element_name,
    nice_constant,
    require,
    tape_trace,
)
from adviz.core.importers.tensor import VJP, TensorTrace, as_value, tensor_op
from adviz.core.importers.tensor import build_program as tensor_program
from adviz.core.ops import OPS
from adviz.core.program import Node
from adviz.errors import InputError, OpError, TraceError

if TYPE_CHECKING:
    from adviz.core.importers.torch_model import Plan

EXPAND_LIMIT = 64
"""``expand=True`` unrolls tensors of at most this many elements."""

SCALAR_OPS = {
    "SinBackward0": "sin", "CosBackward0": "cos", "TanBackward0": "tan", "ExpBackward0": "exp",
    "LogBackward0": "log", "SqrtBackward0": "sqrt", "TanhBackward0": "tanh",
    "SigmoidBackward0": "sigmoid", "ReluBackward0": "relu", "AbsBackward0": "abs",
    "NegBackward0": "neg",
}
"""Element-wise PyTorch functions and the op of the table each one is."""

_REARRANGE = {
    "TBackward0", "ViewBackward0", "ReshapeAliasBackward0", "UnsafeViewBackward0",
    "SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2", "SqueezeBackward3",
    "SqueezeBackward4", "UnsqueezeBackward0", "ExpandBackward0", "CloneBackward0",
    "ToCopyBackward0", "PermuteBackward0", "AliasBackward0", "TransposeBackward0",
    "ViewAsRealBackward0",
}
_BINARY = {"AddBackward0", "SubBackward0", "RsubBackward0", "MulBackward0", "DivBackward0",
           "PowBackward1"}
_WITH_NUMBER = {"AddBackward1", "SubBackward1", "RsubBackward1", "MulBackward1", "DivBackward1",
                "PowBackward0"}
_SELF_OTHER = {0: "_saved_self", 1: "_saved_other"}
_SAVED: dict[str, dict[int, str]] = {
    "PowBackward0": {0: "_saved_self"},
    "PowBackward1": {0: "_saved_self", 1: "_saved_exponent"},
    "PowBackward2": {1: "_saved_exponent"},
    "AddmmBackward0": {1: "_saved_mat1", 2: "_saved_mat2"},
    "MmBackward0": {0: "_saved_self", 1: "_saved_mat2"},
    "MseLossBackward0": {0: "_saved_self", 1: "_saved_target"},
    "AddBackward0": {}, "SubBackward0": {}, "RsubBackward0": {},
}
"""Which saved tensor holds which operand (by position), where not ``_saved_self/_other``."""


def _name(fn: Any) -> str:
    return type(fn).__name__


_ATTRIBUTES: dict[tuple[type, str], bool] = {}
"""(function type, attribute) -> whether the type can have it: a built-in function's
saved values are properties of its type, and asking an instance for a missing one is slow."""


def _saved(fn: Any, attr: str) -> Any:
    kind = type(fn)
    has = _ATTRIBUTES.get((kind, attr))
    if has is None:
        has = _ATTRIBUTES[(kind, attr)] = hasattr(kind, attr) or hasattr(fn, "__dict__")
    if not has:
        return None
    try:
        return getattr(fn, attr, None)
    except RuntimeError as err:
        raise TraceError(
            f"PyTorch already freed the saved values of {_name(fn)} (backward() ran without "
            "retain_graph=True): import the graph before calling backward(), or call "
            "backward(retain_graph=True)") from err


def _tensor(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return torch.tensor(float(value), dtype=torch.float64)
    return None


class _Walk:
    """The autograd graph of one output: functions, leaves, values and constants."""

    def __init__(self, output: Any, names: dict[str, Any], observed: dict[int, Any]) -> None:
        import torch

        self.torch = torch
        root = output.grad_fn
        seen: dict[int, Any] = {}
        # next_functions builds a new tuple on every access: read it once per function.
        nexts: dict[int, tuple[Any, ...]] = {}
        stack = [root]
        while stack:
            fn = stack.pop()
            if fn is None or id(fn) in seen:
                continue
            seen[id(fn)] = fn
            following = nexts[id(fn)] = fn.next_functions
            for f, _ in following:
                if f is not None and id(f) not in seen:
                    stack.append(f)
        self.root = root
        self.nexts = nexts
        self.ops = sorted((f for f in seen.values() if _name(f) != "AccumulateGrad"),
                          key=lambda f: f._sequence_nr())
        self.leaves: list[Any] = []
        leaf_ids: set[int] = set()
        for fn in self.ops:
            for f, _ in nexts[id(fn)]:
                if f is not None and id(f) not in leaf_ids and _name(f) == "AccumulateGrad":
                    leaf_ids.add(id(f))
                    self.leaves.append(f)
        if _name(root) == "AccumulateGrad":
            raise TraceError("the output is a leaf tensor itself: there is nothing to trace")
        for fn in self.ops:
            following = nexts[id(fn)]
            if len(following) and any(i for _, i in following):
                raise TraceError(f"{_name(fn)} comes after a function with several outputs, "
                                 "which adviz cannot show")
        self.leaf_names = self._leaf_names(names)
        self.observed: dict[int, Any] = {k: _tensor(v) for k, v in observed.items()}
        self.observed[id(root)] = output.detach()
        seen_values = self.observed
        for fn in self.ops:
            if id(fn) not in seen_values:
                result = _tensor(_saved(fn, "_saved_result"))
                if result is not None:
                    seen_values[id(fn)] = result
            for k, (f, _) in enumerate(nexts[id(fn)]):
                if f is not None and id(f) not in seen_values and id(f) not in leaf_ids:
                    attr = _SAVED.get(_name(fn), _SELF_OTHER).get(k)
                    value = _tensor(_saved(fn, attr)) if attr else None
                    if value is not None:
                        seen_values[id(f)] = value
        self.values: dict[int, Any] = {id(f): f.variable.detach() for f in self.leaves}
        self.scalar = all(self.values[id(f)].numel() == 1 for f in self.leaves)
        self.consts: dict[tuple[int, int], Any] = {}
        for fn in self.ops:
            self.values[id(fn)] = self._value(fn)

    def _leaf_names(self, names: dict[str, Any]) -> dict[int, str]:
        result: dict[int, str] = {}
        for name, tensor in names.items():
            for leaf in self.leaves:
                if leaf.variable is tensor:
                    result[id(leaf)] = name
        taken = set(names)
        k = 0
        for leaf in self.leaves:
            if id(leaf) not in result:
                k += 1
                while f"x{k}" in taken:
                    k += 1
                result[id(leaf)] = f"x{k}"
        return result

    def operands(self, fn: Any) -> list[Any]:
        """Operand values of ``fn`` by position (graph values and constants)."""
        return [self.values[id(f)] if f is not None else self.consts.get((id(fn), k))
                for k, (f, _) in enumerate(self.nexts[id(fn)])]

    def _value(self, fn: Any) -> Any:
        name = _name(fn)
        torch = self.torch
        saved = _SAVED.get(name, {0: "_saved_self", 1: "_saved_other"})
        args: list[Any] = []
        for k, (f, _) in enumerate(self.nexts[id(fn)]):
            if f is not None:
                args.append(self.values[id(f)])
                continue
            const = _tensor(_saved(fn, saved[k])) if k in saved else None
            args.append(const)
        if name in ("AddBackward1", "SubBackward1", "RsubBackward1"):
            args.append(None)  # the number PyTorch does not keep
        number = None
        if name in ("PowBackward0",):
            number = float(_saved(fn, "_saved_exponent"))
        elif name in ("MulBackward1", "DivBackward1"):
            number = float(_saved(fn, "_saved_other"))
        elif name == "PowBackward2":
            args = [_tensor(_saved(fn, "_saved_self")), *args]
            number = None
        out = self.observed.get(id(fn))
        alpha = _alpha(fn)
        # Constants PyTorch did not keep: solved from the observed result.
        missing = [k for k, a in enumerate(args) if a is None]
        if missing:
            if out is None or name not in ("AddBackward0", "SubBackward0", "RsubBackward0",
                                           "AddBackward1", "SubBackward1", "RsubBackward1"):
                raise TraceError(
                    f"{name}: PyTorch keeps no copy of its constant operand and no later "
                    "operation saved its result; pass the function instead of its result: "
                    "adviz.from_torch(f, inputs={...})")
            k = missing[0]
            other = args[1 - k] if len(args) == 2 else args[0]
            solved = None
            if self.scalar:  # a plain number, solved exactly as the float64 tensors would
                solved = _solve_number(out, other, name, alpha, k, len(args))
            if solved is None:
                if name.startswith("Add"):
                    solved = (out - other) / (alpha if k == 1 else 1.0)
                elif name.startswith("Sub"):
                    solved = ((other - out) / alpha if k == 1 or len(args) == 1
                              else out + alpha * other)
                else:  # rsub: out = other - alpha * self
                    solved = (out + alpha * other if k == 1 or len(args) == 1
                              else (other - out) / alpha)
                solved = _tidy(solved, other, out, name, alpha)
            if len(args) == 1:
                args.append(solved)
            else:
                args[k] = solved
        following = self.nexts[id(fn)]
        for k, a in enumerate(args):
            if k < len(following) and following[k][0] is None and a is not None:
                self.consts[(id(fn), k)] = a
        if name in ("AddBackward1", "SubBackward1", "RsubBackward1") and len(args) == 2:
            self.consts[(id(fn), 1)] = args[1]
        if name == "PowBackward2":
            self.consts[(id(fn), -1)] = args[0]
        if number is not None:
            self.consts[(id(fn), -1)] = number
        if out is not None:
            return out
        value = _forward(torch, fn, name, args, number, alpha)
        if value is None:
            raise TraceError(f"{name}: adviz cannot recompute its value and no later operation "
                             "saved it; pass the function instead of its result: "
                             "adviz.from_torch(f, inputs={...})")
        return value


_HAS_ALPHA: dict[type, bool] = {}


def _alpha(fn: Any) -> float:
    """The ``alpha`` a function saved (``a + alpha * b``), else 1."""
    kind = type(fn)
    has = _HAS_ALPHA.get(kind)
    if has is None:
        has = _HAS_ALPHA[kind] = hasattr(kind, "_saved_alpha")
    return float(_saved(fn, "_saved_alpha") or 1.0) if has else 1.0


def _solve_number(out: Any, other: Any, name: str, alpha: float, k: int, n: int
                  ) -> float | None:
    """A constant PyTorch did not keep, solved in floats when both are float64 numbers.

    Gives the same number as the tensor arithmetic of `_Walk._value` followed by
    `_tidy` (float64 tensors of one element compute exactly as Python floats).
    """
    import torch

    if not (isinstance(out, torch.Tensor) and isinstance(other, torch.Tensor)
            and out.dtype == torch.float64 and other.dtype == torch.float64
            and out.dim() == 0 and other.dim() == 0):
        return None
    return _solve_float(out.item(), other.item(), name, alpha, k, n)


def _solve_float(o: float, a: float, name: str, alpha: float, k: int, n: int) -> float:
    """The constant ``c`` of ``a + c``, ``a - c``, ``c - a`` (and with ``alpha``) giving ``o``.

    Examples
    --------
    >>> _solve_float(0.30000000000000004, 0.2, "AddBackward0", 1.0, 1, 2)
    0.1
    """
    if name.startswith("Add"):
        solved = (o - a) / (alpha if k == 1 else 1.0)
        sign = 1.0
    elif name.startswith("Sub"):
        solved = (a - o) / alpha if k == 1 or n == 1 else o + alpha * a
        sign = -1.0
    else:  # rsub: out = other - alpha * self
        solved = o + alpha * a if k == 1 or n == 1 else (a - o) / alpha
        sign = 0.0
    if alpha != 1.0 or not math.isfinite(solved):
        return solved
    # The shortest decimal that gives the observed result (`nice_constant`, written out).
    for spec in SIGNIFICANT:
        c = float(format(solved, spec))
        if (a + c if sign > 0.0 else a - c if sign < 0.0 else c - a) == o:
            return c
    return solved


def _tidy(solved: Any, other: Any, out: Any, name: str, alpha: float) -> Any:
    """A solved constant in its short decimal form when that reproduces the result exactly."""
    import torch

    if solved.numel() != 1 or alpha != 1.0:
        return solved
    a, o = float(other), float(out)
    c = float(solved)
    if name.startswith("Add"):
        nice = nice_constant(c, lambda v: a + v == o)
    elif name.startswith("Sub"):
        nice = nice_constant(c, lambda v: a - v == o)
    else:
        nice = nice_constant(c, lambda v: v - a == o)
    return torch.full_like(solved, nice)


def _forward(torch: Any, fn: Any, name: str, args: list[Any], number: Any,
             alpha: float) -> Any:
    functional = torch.nn.functional
    a: Any = args[0] if args else None
    b: Any = args[1] if len(args) > 1 else None
    if name in ("AddBackward0", "AddBackward1"):
        return a + alpha * b
    if name in ("SubBackward0", "SubBackward1"):
        return a - alpha * b
    if name in ("RsubBackward0", "RsubBackward1"):
        return b - alpha * a
    if name in ("MulBackward0",):
        return a * b
    if name == "MulBackward1":
        return a * number
    if name == "DivBackward0":
        return a / b
    if name == "DivBackward1":
        return a / number
    if name == "PowBackward0":
        return a ** number
    if name in ("PowBackward1", "PowBackward2"):
        return a ** b
    if name == "ReciprocalBackward0":
        return 1.0 / a
    if name in SCALAR_OPS:
        return getattr(torch, SCALAR_OPS[name])(a)
    if name == "AddmmBackward0":
        return torch.addmm(a, b, args[2], beta=float(_saved(fn, "_saved_beta")),
                           alpha=float(_saved(fn, "_saved_alpha")))
    if name == "MmBackward0":
        return a @ b
    if name == "TBackward0":
        return a.t()
    if name == "MseLossBackward0":
        reduction = ("none", "mean", "sum")[int(_saved(fn, "_saved_reduction"))]
        return functional.mse_loss(a, b, reduction=reduction)
    if name == "SumBackward0":
        return a.sum()
    if name == "MeanBackward0":
        return a.mean()
    if name in ("CloneBackward0", "ToCopyBackward0", "AliasBackward0"):
        return a.to(torch.float64)
    if name in _RESHAPE and a is not None:
        shape = _output_shape(fn)
        if shape is not None and math.prod(shape) == a.numel():
            return a.reshape(shape)
    return None


_RESHAPE = frozenset({"ViewBackward0", "ReshapeAliasBackward0", "UnsafeViewBackward0",
                      "SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2",
                      "SqueezeBackward3", "SqueezeBackward4", "UnsqueezeBackward0"})
"""Functions that only reshape their operand: their value is the operand in their shape."""


def _output_shape(fn: Any) -> tuple[int, ...] | None:
    """The shape of a function's result, from the metadata autograd keeps for its gradient."""
    try:
        return tuple(int(n) for n in fn._input_metadata[0].shape)
    except (AttributeError, IndexError, TypeError, RuntimeError):
        return None


# --- tensor nodes -------------------------------------------------------------------------

_TENSOR_TEXT: dict[str, tuple[str, tuple[str, ...]]] = {
    "AddmmBackward0": ("{0} + {1}·{2}", ("Σrows g", "g·{2}ᵀ", "{1}ᵀ·g")),
    "MmBackward0": ("{0}·{1}", ("g·{1}ᵀ", "{0}ᵀ·g")),
    "TBackward0": ("{0}ᵀ", ("gᵀ",)),
    "TanhBackward0": ("tanh({0})", ("g ⊙ (1 - {c}**2)",)),
    "SigmoidBackward0": ("sigmoid({0})", ("g ⊙ {c} ⊙ (1 - {c})",)),
    "ReluBackward0": ("relu({0})", ("g ⊙ [{0} > 0]",)),
    "ExpBackward0": ("exp({0})", ("g ⊙ {c}",)),
    "LogBackward0": ("log({0})", ("g ⊘ {0}",)),
    "SinBackward0": ("sin({0})", ("g ⊙ cos({0})",)),
    "CosBackward0": ("cos({0})", ("-g ⊙ sin({0})",)),
    "NegBackward0": ("-{0}", ("-g",)),
    "SqrtBackward0": ("sqrt({0})", ("g ⊘ (2{c})",)),
    "AbsBackward0": ("abs({0})", ("g ⊙ sign({0})",)),
    "AddBackward0": ("{0} + {1}", ("g", "g")),
    "SubBackward0": ("{0} - {1}", ("g", "-g")),
    "MulBackward0": ("{0} ⊙ {1}", ("g ⊙ {1}", "g ⊙ {0}")),
    "DivBackward0": ("{0} ⊘ {1}", ("g ⊘ {1}", "-g ⊙ {c} ⊘ {1}")),
    "MseLossBackward0": ("mse({0}, {1})", ("g·2({0} - {1})/n", "-g·2({0} - {1})/n")),
    "SumBackward0": ("sum({0})", ("g broadcast",)),
    "MeanBackward0": ("mean({0})", ("g/n broadcast",)),
}


def _tensor_trace(walk: _Walk, what: str, order: str, granularity: str,
                  output_name: str | None) -> TensorTrace:
    torch = walk.torch
    nodes: list[Node] = []
    position: dict[int, int] = {}
    inputs: list[int] = []
    for leaf in walk.leaves:
        position[id(leaf)] = len(nodes)
        inputs.append(len(nodes))
        nodes.append(Node(walk.leaf_names[id(leaf)], "input", None, (),
                          as_value(walk.values[id(leaf)].numpy()), len(nodes)))
    count = 0
    consts = 0
    for fn in walk.ops:
        name = _name(fn)
        slots: list[int] = []
        arg_index: list[int] = []
        for k, (f, _) in enumerate(walk.nexts[id(fn)]):
            if f is not None:
                slots.append(position[id(f)])
                arg_index.append(k)
            elif (id(fn), k) in walk.consts and hasattr(walk.consts[(id(fn), k)], "numpy"):
                consts += 1
                slots.append(len(nodes))
                arg_index.append(-1)
                nodes.append(Node(f"c{consts}", "const", None, (),
                                  as_value(walk.consts[(id(fn), k)].numpy()), len(nodes)))
        if fn is walk.root:
            node_id = output_name or "y"
        else:
            count += 1
            node_id = f"t{count}"
        expr, texts = _TENSOR_TEXT.get(
            name, (f"{name.removesuffix('Backward0')}(" + ", ".join(
                "{" + str(i) + "}" for i in range(len(slots))) + ")",
                   tuple(f"vjp_{name.removesuffix('Backward0')}(g)" for _ in slots)))
        if len(texts) != len(slots):
            texts = tuple(f"vjp_{name.removesuffix('Backward0')}(g)" for _ in slots)
        texts = tuple(t.replace("{c}", node_id).replace("g", f"g_{node_id}", 1)
                      if t.startswith(("g", "-g", "Σrows g")) or " g" in t or "g·" in t
                      else t for t in texts)
        texts = tuple(_fill_g(t, node_id) for t in texts)
        expr = expr.replace("{c}", node_id)
        value = walk.values[id(fn)]
        op = tensor_op(name.removesuffix("Backward0").lower(), expr, texts,
                       _vjps(torch, fn, arg_index, tuple(value.shape), texts))
        position[id(fn)] = len(nodes)
        nodes.append(Node(node_id, "op", op, tuple(slots), as_value(value.numpy()), len(nodes)))
    recorded = _record_order(walk)
    order_positions = [position[id(fn)] for fn in recorded] if recorded is not None else None
    program = tensor_program(nodes, inputs, position[id(walk.root)], order_positions)
    if order == "recorded" and program.recorded is None:
        order = "seed"
    names = {walk.leaf_names[id(f)]: as_value(f.variable.detach().numpy()) for f in walk.leaves}
    return TensorTrace(program, names, what=what, order=order, granularity=granularity,
                       framework="torch")


def _fill_g(text: str, node_id: str) -> str:
    import re

    return re.sub(r"(?<![\w_])g(?![\w_])", f"g_{node_id}", text.replace("{c}", node_id))


def _vjps(torch: Any, fn: Any, arg_index: list[int], shape: tuple[int, ...],
          texts: tuple[str, ...]) -> Callable[..., tuple[Any, ...]]:
    def partials(*values: Any) -> tuple[Any, ...]:
        result = []
        for position, k in enumerate(arg_index):
            parent_shape = tuple(getattr(values[position], "shape", ()))
            if k < 0:  # a constant: it receives no gradient
                result.append(VJP(functools.partial(_zeros_like_parent, parent_shape),
                                  texts[position], shape))
                continue

            def apply(g: Any, k: int = k, parent_shape: tuple[int, ...] = parent_shape) -> Any:
                import numpy as np

                with torch.no_grad():
                    grads = fn(torch.as_tensor(g, dtype=torch.float64))
                if not isinstance(grads, tuple):
                    grads = (grads,)
                out = grads[k]
                if out is None:
                    return np.zeros(parent_shape)
                return out.detach().numpy().reshape(parent_shape)

            result.append(VJP(apply, texts[position], shape))
        return tuple(result)

    return partials


def _zeros_like_parent(shape: tuple[int, ...], g: Any) -> Any:
    import numpy as np

    return np.zeros(shape)


def _record_order(walk: _Walk) -> list[Any] | None:
    """The functions in the order PyTorch's backward pass ran them (hooks on a real pass)."""
    return executed_order(walk.torch, walk.ops, [leaf.variable for leaf in walk.leaves],
                          _Output.of(walk.root), walk.observed[id(walk.root)])


def executed_order(torch: Any, functions: list[Any], leaves: list[Any], output: Any,
                   value: Any) -> list[Any] | None:
    """``functions`` in the order a real backward pass from ``output`` ran them, or ``None``.

    A prehook on each function records it; ``torch.autograd.grad`` with
    ``retain_graph=True`` leaves the user's ``.grad`` fields and the graph alone.
    """
    executed: list[Any] = []
    handles = []
    for fn in functions:
        def hook(grad_outputs: Any, fn: Any = fn) -> None:
            executed.append(fn)

        handles.append(fn.register_prehook(hook))
    try:
        torch.autograd.grad([output], leaves, grad_outputs=[torch.ones_like(value)],
                            retain_graph=True, allow_unused=True)
    except RuntimeError as err:
        raise TraceError(
            "PyTorch already freed this graph (backward() ran without retain_graph=True): "
            "import it before calling backward(), or call backward(retain_graph=True)") from err
    finally:
        for handle in handles:
            handle.remove()
    return executed if len(executed) == len(functions) else None


class _Output:
    """Holds the output tensor of a walk (the grad_fn alone cannot start a backward pass)."""

    tensors: ClassVar[dict[int, Any]] = {}

    @classmethod
    def of(cls, fn: Any) -> Any:
        return cls.tensors[id(fn)]


# --- scalar nodes -------------------------------------------------------------------------


_ADD_SUB = frozenset({"AddBackward0", "AddBackward1", "SubBackward0", "SubBackward1",
                      "RsubBackward0", "RsubBackward1"})
_NUMBER_OPS = frozenset({
    *_REARRANGE, *SCALAR_OPS, "AddBackward0", "AddBackward1", "SubBackward0", "SubBackward1",
    "RsubBackward0", "RsubBackward1", "MulBackward0", "MulBackward1", "DivBackward0",
    "DivBackward1", "PowBackward0", "PowBackward1", "PowBackward2", "ReciprocalBackward0",
})
"""Functions `_number_graph` reads directly when every value is a 0-d tensor."""


def _number_graph(walk: _Walk) -> tuple[ScalarGraph, dict[int, range]] | None:
    """`_scalar_graph` for a graph of 0-d tensors only (one scalar node per function).

    The same steps as the general path, without its per-element arrays; ``None``
    when some tensor has a dimension or some function is not element-wise.
    """
    values: dict[str, float] = {}
    refs: dict[int, Any] = {}
    vals = walk.values
    for leaf in walk.leaves:
        tensor = vals[id(leaf)]
        if tensor.dim() != 0:
            return None
        element = walk.leaf_names[id(leaf)]
        if element in values:
            raise InputError(f"two inputs are named {element!r}")
        refs[id(leaf)] = len(values)
        values[element] = float(tensor.item())
    for fn in walk.ops:
        if _name(fn) not in _NUMBER_OPS or vals[id(fn)].dim() != 0:
            return None
    for const in walk.consts.values():
        if hasattr(const, "dim") and const.dim() != 0:
            return None
    graph = ScalarGraph(values)
    steps = graph.steps
    add = graph.add
    base = len(values)
    steps_of: dict[int, range] = {}
    forward = {name: op.forward for name, op in OPS.items()}

    def emit(op: str, a: Any, b: Any = None) -> Any:
        args = (a,) if b is None else (a, b)
        if type(a) is not int and (b is None or type(b) is not int):
            return float(forward[op](*[float(x) for x in args]))
        return add(op, *[x if type(x) is int else float(x) for x in args])

    consts = walk.consts
    for fn in walk.ops:
        name = _name(fn)
        start = len(steps)
        key = id(fn)
        args: list[Any] = []
        for k, (f, _) in enumerate(walk.nexts[key]):
            if f is not None:
                args.append(refs[id(f)])
            else:
                const = consts.get((key, k))
                args.append(None if const is None else float(const))
        if name in ("AddBackward1", "SubBackward1", "RsubBackward1"):
            args.append(float(consts[(key, 1)]))
        if any(a is None for a in args):
            raise TraceError(f"{name}: a constant operand could not be read from PyTorch's graph")
        if name in _REARRANGE:
            result = args[0]
        elif name in SCALAR_OPS:
            result = emit(SCALAR_OPS[name], args[0])
        elif name in _ADD_SUB:
            a, b = args[0], args[1]
            alpha = _alpha(fn)
            if alpha != 1.0:  # a + alpha*b, a - alpha*b; rsub is b - alpha*a
                if name.startswith("Rsub"):
                    a = emit("mul", a, alpha)
                else:
                    b = emit("mul", b, alpha)
            if name.startswith("Add"):
                result = emit("add", a, b)
            elif name.startswith("Sub"):
                result = emit("sub", a, b)
            else:
                result = emit("sub", b, a)
        elif name in ("MulBackward0", "DivBackward0", "PowBackward1"):
            result = emit({"M": "mul", "D": "div", "P": "pow"}[name[0]], args[0], args[1])
        elif name in ("MulBackward1", "DivBackward1", "PowBackward0"):
            number = consts.get((key, -1))
            result = emit({"M": "mul", "D": "div", "P": "pow"}[name[0]], args[0],
                          float(number or 0.0))
        elif name == "PowBackward2":
            result = emit("pow", float(consts[(key, -1)]), args[0])
        else:  # ReciprocalBackward0
            result = emit("div", 1.0, args[0])
        refs[key] = result
        steps_of[key] = range(base + start, base + len(steps))
    root = refs[id(walk.root)]
    if type(root) is not int:
        raise TraceError("the output does not depend on any input that requires grad")
    graph.output = root
    return graph, steps_of


def _scalar_graph(walk: _Walk, record: bool, plan: Plan | None = None
                  ) -> tuple[ScalarGraph, list[int] | None]:
    """Every element of every tensor as a scalar node; returns the graph and, when ``record``,
    the steps in the order PyTorch's backward pass ran their functions. A ``plan`` names
    and orders the elements of a model's layers and makes its sample's values inputs."""
    import numpy as np

    numbers = _number_graph(walk) if plan is None else None
    if numbers is not None:
        graph, ranges = numbers
        if not record:
            return graph, None
        steps: list[int] = []
        for fn in _record_order(walk) or []:
            steps.extend(reversed(ranges[id(fn)]))
        return graph, steps

    # Each input element: (order key, name, value, leaf or None for the sample, index).
    entries: list[tuple[tuple[int, ...], str, float, Any, Any]] = []
    later = 1 << 30
    for n, leaf in enumerate(walk.leaves):
        array = walk.values[id(leaf)].numpy()
        name = walk.leaf_names[id(leaf)]
        for flat, index in enumerate(np.ndindex(array.shape)):
            known = None if plan is None else plan.element(leaf, index)
            if known is None:
                known = (element_name(name, index, array.shape), (later, n, flat))
            entries.append((known[1], known[0], float(array[index]), leaf, index))
    sample_cells = None
    if plan is not None and plan.sample is not None:
        const = walk.consts[plan.sample]
        array = const.numpy() if hasattr(const, "numpy") else np.asarray(const)
        sample_cells = np.empty(array.shape, dtype=object)
        for index in np.ndindex(array.shape):
            i = int(np.ravel_multi_index(index, array.shape))
            entries.append(((0, 0, i), f"x{i + 1}", float(array[index]), None, index))
    entries.sort(key=lambda e: e[0])
    values: dict[str, float] = {}
    refs: dict[int, Any] = {id(leaf): np.empty(walk.values[id(leaf)].shape, dtype=object)
                            for leaf in walk.leaves}
    for _, element, value, leaf, index in entries:
        if element in values:
            raise InputError(f"two inputs are named {element!r}")
        cells: Any = sample_cells if leaf is None else refs[id(leaf)]
        cells[index] = len(values)
        values[element] = value
    graph = ScalarGraph(values)
    steps_of: dict[int, list[int]] = {}

    def emit(op: str, *args: Any) -> Any:
        if all(type(a) is not int for a in args):
            return float(OPS[op].forward(*[float(a) for a in args]))
        return graph.add(op, *[a if type(a) is int else float(a) for a in args])

    def const_cells(value: Any) -> Any:
        array = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
        cells = np.empty(array.shape, dtype=object)
        for index in np.ndindex(array.shape):
            cells[index] = float(array[index])
        return cells

    for fn in walk.ops:
        name = _name(fn)
        start = len(graph.steps)
        args = []
        for k, (f, _) in enumerate(walk.nexts[id(fn)]):
            if f is not None:
                args.append(refs[id(f)])
            elif sample_cells is not None and plan is not None and plan.sample == (id(fn), k):
                args.append(sample_cells)
            else:
                const = walk.consts.get((id(fn), k))
                args.append(None if const is None else const_cells(const))
        if name in ("AddBackward1", "SubBackward1", "RsubBackward1"):
            args.append(const_cells(walk.consts[(id(fn), 1)]))
        shape = tuple(walk.values[id(fn)].shape)
        refs[id(fn)] = _expand(fn, name, args, shape, emit, walk)
        steps_of[id(fn)] = list(range(len(values) + start, len(values) + len(graph.steps)))
    root_cells = refs[id(walk.root)]
    root = root_cells.reshape(-1)[0]
    if type(root) is not int:
        raise TraceError("the output does not depend on any input that requires grad")
    graph.output = root
    if not record:
        return graph, None
    steps = []
    for fn in _record_order(walk) or []:
        steps.extend(reversed(steps_of[id(fn)]))
    return graph, steps


def _expand(fn: Any, name: str, args: list[Any], shape: tuple[int, ...],
            emit: Callable[..., Any], walk: _Walk) -> Any:
    import numpy as np

    def elementwise(op: str, *cells: Any) -> Any:
        arrays = np.broadcast_arrays(*cells) if len(cells) > 1 else [cells[0]]
        out = np.empty(arrays[0].shape, dtype=object)
        for index in np.ndindex(out.shape):
            out[index] = emit(op, *[a[index] for a in arrays])
        return out.reshape(shape) if out.size == int(np.prod(shape)) else out

    def total(cells: Any) -> Any:
        flat = list(cells.reshape(-1))
        acc = flat[0]
        for c in flat[1:]:
            acc = emit("add", acc, c)
        return acc

    def scalar(value: Any) -> Any:
        out = np.empty((), dtype=object)
        out[()] = value
        return out.reshape(shape)

    alpha = float(_saved(fn, "_saved_alpha") or 1.0) if hasattr(fn, "_saved_alpha") else 1.0
    number = walk.consts.get((id(fn), -1))
    if any(a is None for a in args):
        raise TraceError(f"{name}: a constant operand could not be read from PyTorch's graph")
    if name in _REARRANGE:
        a = args[0]
        if name in ("TBackward0", "TransposeBackward0", "PermuteBackward0"):
            a = a.T if name != "PermuteBackward0" else np.transpose(
                a, tuple(_saved(fn, "_saved_dims")))
        return np.broadcast_to(a.reshape(-1) if a.size == int(np.prod(shape)) else a,
                               (int(np.prod(shape)),) if a.size == int(np.prod(shape))
                               else shape).reshape(shape)
    if name in SCALAR_OPS:
        return elementwise(SCALAR_OPS[name], args[0])
    if name in ("AddBackward0", "AddBackward1", "SubBackward0", "SubBackward1", "RsubBackward0",
                "RsubBackward1"):
        a, b = args[0], args[1]
        if alpha != 1.0:  # a + alpha*b, a - alpha*b; rsub is b - alpha*a
            if name.startswith("Rsub"):
                a = elementwise("mul", a, np.full(a.shape, alpha, dtype=object))
            else:
                b = elementwise("mul", b, np.full(b.shape, alpha, dtype=object))
        if name.startswith("Add"):
            return elementwise("add", a, b)
        if name.startswith("Sub"):
            return elementwise("sub", a, b)
        return elementwise("sub", b, a)
    if name in ("MulBackward0", "DivBackward0", "PowBackward1"):
        return elementwise({"M": "mul", "D": "div", "P": "pow"}[name[0]], args[0], args[1])
    if name in ("MulBackward1", "DivBackward1", "PowBackward0"):
        op = {"M": "mul", "D": "div", "P": "pow"}[name[0]]
        return elementwise(op, args[0], np.full(args[0].shape, float(number or 0.0),
                                                dtype=object))
    if name == "PowBackward2":
        base = walk.consts[(id(fn), -1)]
        return elementwise("pow", np.full(args[0].shape, float(base), dtype=object), args[0])
    if name == "ReciprocalBackward0":
        return elementwise("div", np.full(args[0].shape, 1.0, dtype=object), args[0])
    if name in ("AddmmBackward0", "MmBackward0"):
        if name == "AddmmBackward0":
            bias, left, right = args
            beta = float(_saved(fn, "_saved_beta"))
            if alpha != 1.0 or beta != 1.0:
                raise OpError("addmm with alpha or beta other than 1 is not supported by expand")
            bias = np.broadcast_to(bias, shape)
        else:
            left, right = args
            bias = None
        out = np.empty(shape, dtype=object)
        for i in range(shape[0]):
            for j in range(shape[1]):
                acc = bias[i, j] if bias is not None else None
                for k in range(left.shape[1]):
                    product = emit("mul", right[k, j], left[i, k])
                    acc = product if acc is None else emit("add", acc, product)
                out[i, j] = acc
        return out
    if name == "MseLossBackward0":
        reduction = int(_saved(fn, "_saved_reduction"))
        squares = elementwise("pow", elementwise("sub", args[0], args[1]),
                              np.full(np.broadcast_shapes(args[0].shape, args[1].shape), 2.0,
                                      dtype=object))
        if reduction == 0:
            return squares
        result = total(squares)
        if reduction == 1 and squares.size > 1:
            result = emit("div", result, float(squares.size))
        return scalar(result)
    if name == "SumBackward0":
        return scalar(total(args[0]))
    if name == "MeanBackward0":
        result = total(args[0])
        return scalar(emit("div", result, float(args[0].size)) if args[0].size > 1 else result)
    raise OpError(f"the PyTorch function {name} has no scalar form in adviz; import the graph "
                  "without expand=True to see it as one tensor node")


class _Recorder:
    """Records the result of every PyTorch function while a function runs, by its grad_fn.

    A 0-d float64 result is kept as its float (one ``.item()``), any other as a
    copy (later in-place operations must not change what was recorded).
    """

    def __init__(self) -> None:
        import torch
        from torch.overrides import TorchFunctionMode

        results: dict[Any, Any] = {}
        f64 = torch.float64

        class Mode(TorchFunctionMode):
            def __torch_function__(self, func: Any, types: Any, args: Any = (),
                                   kwargs: Any = None) -> Any:
                out = func(*args, **(kwargs or {}))
                fn = getattr(out, "grad_fn", None)
                if fn is not None:
                    results[fn] = (out.item() if out.dim() == 0 and out.dtype is f64
                                   else out.detach().clone())
                return out

        self.mode = Mode()
        self.results = results


def _names(inputs: Any) -> dict[str, Any]:
    if inputs is None:
        return {}
    if isinstance(inputs, Mapping):
        return dict(inputs)
    if hasattr(inputs, "named_parameters"):
        return {n: p for n, p in inputs.named_parameters()}
    raise InputError("inputs must be a dict of name -> tensor or a torch.nn.Module, not "
                     f"{type(inputs).__name__}")


def from_torch(
    output: Any,
    inputs: Any = None,
    *,
    expand: bool = False,
    order: str | None = None,
    granularity: str = "node",
    output_name: str | None = None,
    prefix: str = "t",
    model: Any = None,
) -> ImportedTrace | TensorTrace:
    """Turn the autograd graph of a PyTorch scalar into a `Trace`.

    Parameters
    ----------
    output
        A scalar tensor with a ``grad_fn`` (e.g. a loss), or a function
        returning one: it is then called on leaf tensors made from
        ``inputs`` (name -> number) while every value is recorded.
    inputs
        Names of the leaves: a dict of name -> tensor, or a module whose
        ``named_parameters()`` give the names. Unnamed leaves are called
        ``x1, x2, ...`` in the order the graph first uses them.
    expand
        Unroll every tensor (at most 64 elements each) into scalar nodes
        (a matrix product into sums of products). Graphs whose leaves hold
        one number each always give scalar nodes.
    order
        Reverse order of the stages: ``"seed"`` (Kahn's algorithm), ``"tape"``
        or ``"recorded"`` (the order PyTorch's backward pass ran). Default:
        ``"seed"`` for scalar nodes, ``"recorded"`` for tensor nodes. The
        executed order is recorded (one backward pass with hooks) for tensor
        nodes, and for scalar nodes only with ``order="recorded"``; otherwise
        ``recorded_order`` is ``None``.
    granularity, prefix
        As for `adviz.trace`.
    output_name
        The output node's id (default ``"y"``).
    model
        The module that computed the output on one sample (an ``nn.Sequential``
        of ``nn.Linear`` layers and ``Tanh``, ``ReLU`` or ``Sigmoid``
        activations, or any module of ``nn.Linear`` layers). The trace is
        then a network (`Trace.network`, ``view="network"``) of scalar nodes:
        each output element ``j`` of the ``k``-th ``Linear`` applied is
        neuron ``j`` of layer ``k``, scoped ``("layer k", "neuron j")``; its
        weights ``weight[j, i]`` are the inputs ``w{k}_{j}{i}``, its bias
        ``b{k}_{j}``, its sum and activation the nodes ``z{k}_{j}`` and
        ``a{k}_{j}``; the sample's values are the inputs ``x1, x2, ...``.
        Tensors of up to 4096 elements are unrolled.

    Returns
    -------
    ImportedTrace or TensorTrace
        Scalar nodes, or tensor nodes (values and adjoints as NumPy arrays).

    Raises
    ------
    MissingDependencyError
        PyTorch is not installed (``pip install 'adviz[torch]'``).
    OpError
        A function adviz has no scalar form for (with ``expand=True`` or ``model``).
    InputError
        ``model`` has no ``nn.Linear`` applied exactly once, to one sample, in
        the graph.
    TraceError
        The output has no graph, or a value PyTorch did not keep is needed.

    Examples
    --------
    >>> import torch, adviz
    >>> x1 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    >>> x2 = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    >>> y = (x1 - x2)**2 + torch.cos(x1 + x2)
    >>> t = adviz.from_torch(y, inputs={"x1": x1, "x2": x2})
    >>> [s.node for s in t.reverse_stages], {k: round(v, 5) for k, v in t.grad.items()}
    (['y', 'y', 't2', 't4', 't1', 't3'], {'x1': -2.14112, 'x2': 1.85888})
    >>> t.recorded_order is None  # Kahn's order, as for a traced function
    True
    >>> adviz.from_torch(y, {"x1": x1, "x2": x2}, order="recorded").recorded_order
    ['y', 't4', 't3', 't2', 't1']

    With the model, the trace is a network:

    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> mlp = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    >>> loss = (mlp(torch.tensor([0.5, -1.0])) - 1.0).pow(2).sum()
    >>> net = adviz.from_torch(loss, model=mlp).network
    >>> net.sizes, net.inputs, net.layers[0].neurons[1].weights
    ((2, 3, 1), ('x1', 'x2'), ('w1_21', 'w1_22'))
    >>> n = net.layers[0].neurons[1]
    >>> n.pre, n.activation, n.function, n.bias
    ('z1_2', 'a1_2', 'tanh', 'b1_2')
    """
    torch = require("torch", "torch")
    check_options(order or "seed", granularity, output_name, prefix, True)
    import gc

    collecting = gc.isenabled()
    gc.disable()  # graphs of many small objects: collecting while they are built is waste
    try:
        return _from_torch(torch, output, inputs, expand, order, granularity, output_name,
                           prefix, model)
    finally:
        if collecting:
            gc.enable()


def _from_torch(torch: Any, output: Any, inputs: Any, expand: bool, order: str | None,
                granularity: str, output_name: str | None, prefix: str, model: Any = None
                ) -> ImportedTrace | TensorTrace:
    options = (expand, order, granularity, output_name, prefix, model)
    if not (callable(output) and not isinstance(output, torch.Tensor)):
        return _import(torch, output, _names(inputs), {}, "PyTorch graph", *options)
    function = output
    what = getattr(function, "__name__", "PyTorch graph")
    recorder = _Recorder()
    result, leaves = _call(torch, function, _names(inputs), what, recorder)
    return _import(torch, result, leaves, recorder.results, what, *options)


def _call(torch: Any, function: Callable[..., Any], point: dict[str, Any], what: str,
          recorder: _Recorder) -> tuple[Any, dict[str, Any]]:
    """Call ``function`` on leaf tensors made from ``point`` (name -> number or tensor),
    recording the value of every result."""
    leaves = {n: (v if isinstance(v, torch.Tensor) else torch.tensor(
        float(v), dtype=torch.float64, requires_grad=True)) for n, v in point.items()}
    try:
        with recorder.mode:
            return function(**leaves), leaves
    except (TraceError, InputError):
        raise
    except Exception as err:
        raise TraceError(f"{what} raised {type(err).__name__}: {err}") from err


def _import(torch: Any, output: Any, names: dict[str, Any], observed: dict[Any, Any], what: str,
            expand: bool, order: str | None, granularity: str, output_name: str | None,
            prefix: str, model: Any = None) -> ImportedTrace | TensorTrace:
    """The trace of an output tensor's graph (``observed``: values recorded while it ran)."""
    if not isinstance(output, torch.Tensor):
        raise InputError(f"from_torch takes a tensor (or a function returning one), not "
                         f"{type(output).__name__}")
    if output.numel() != 1:
        raise InputError(f"from_torch needs a scalar output (one number), not a tensor of "
                         f"shape {tuple(output.shape)}; reduce it first (e.g. .sum())")
    if output.grad_fn is None:
        raise TraceError("the output has no grad_fn: make the inputs with requires_grad=True "
                         "(and do not compute under torch.no_grad())")
    if output.is_complex():
        raise InputError("from_torch supports real tensors only")
    from adviz.core.importers.torch_numbers import scalar_tape

    if model is not None:
        from adviz.core.importers.torch_model import network_trace

        _Output.tensors[id(output.grad_fn)] = output
        try:
            walk = _Walk(output, names, {id(fn): value for fn, value in observed.items()})
            return network_trace(torch, walk, model, what, order, granularity, output_name,
                                 prefix)
        finally:
            _Output.tensors.pop(id(output.grad_fn), None)
    # Graphs of 0-d float64 tensors: read straight onto a tape; PyTorch's executed order is
    # recorded only when asked for (order="recorded").
    numbers = scalar_tape(torch, output, names, observed, prefix, order == "recorded")
    if numbers is not None:
        tape, out, recorded = numbers
        return tape_trace(tape, out, what, order=order or "seed", granularity=granularity,
                          output_name=output_name, prefix=prefix, recorded=recorded,
                          framework="torch")
    _Output.tensors[id(output.grad_fn)] = output
    try:
        walk = _Walk(output, names, {id(fn): value for fn, value in observed.items()})
        scalar = all(walk.values[id(f)].numel() == 1 for f in walk.leaves)
        if expand and not scalar:
            big = [walk.leaf_names[id(f)] for f in walk.leaves
                   if walk.values[id(f)].numel() > EXPAND_LIMIT]
            big += [_name(f) for f in walk.ops if walk.values[id(f)].numel() > EXPAND_LIMIT]
            if big:
                raise InputError(f"expand=True unrolls tensors of at most {EXPAND_LIMIT} "
                                 f"elements; {big[0]} has more: import without expand")
        if scalar or expand:
            graph, steps = _scalar_graph(walk, order == "recorded")
            return graph.trace(what, order=order or "seed", granularity=granularity,
                               output=output_name, prefix=prefix, recorded=steps,
                               framework="torch")
        return _tensor_trace(walk, what, order or "recorded", granularity, output_name)
    finally:
        _Output.tensors.pop(id(output.grad_fn), None)
