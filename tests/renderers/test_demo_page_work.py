"""The demo page's shortcuts give what the long way gives: focus captions from path counts,
label anchors from the forward routes alone, formula sizes counted once per subexpression."""

from __future__ import annotations

import pytest

import adviz
from adviz.core.pathsum import DEFAULT_LIMIT
from adviz.examples import mlp
from adviz.renderers.demo import focus_templates
from adviz.scene.focus import focus_of
from adviz.text.focus import MOST_TERMS
from adviz.text.tokens import Hole

SEED = "(x1 - x2)**2 + cos(x1 + x2)"


def _doubling(steps: int) -> adviz.Trace:
    """Each step doubles the number of paths from ``x`` to the output."""
    def f(x):
        for _ in range(steps):
            x = x + adviz.sin(x)
        return x
    return adviz.trace(f, x=0.5)


def _reference(trace: adviz.Trace) -> list[list[object]]:
    """Each node's focus caption from its `Focus` (its paths listed and multiplied out)."""
    out: list[list[object]] = []
    for node in trace.program.nodes:
        template: list[object] = []
        for piece in focus_of(trace, node.id).text.template("unicode"):
            if isinstance(piece, Hole):
                quantity, _, rest = (piece.key or "").partition(":")
                index = int(rest.rsplit("->", 1)[1]) if quantity == "path" else None
                template.append(["path" if quantity == "path" else "sum", index,
                                 int(piece.parens)])
            else:
                template.append(piece)
        out.append(template)
    return out


TRACES = {
    "seed": lambda: adviz.trace(SEED, x1=1, x2=2),
    "mlp": lambda: mlp((2, 4, 1)),
    "unused input": lambda: adviz.trace(lambda a, b: a * 2.0, a=1.0, b=2.0),
    "repeated argument": lambda: adviz.trace("x * x + x", x=1.5),
    "more paths than written out": lambda: _doubling(4),  # 16 paths > MOST_TERMS
    "more paths than listed": lambda: _doubling(11),  # 2,048 paths > DEFAULT_LIMIT
}


@pytest.mark.parametrize("name", TRACES)
def test_focus_templates_equal_the_captions_of_each_nodes_focus(name: str) -> None:
    trace = TRACES[name]()
    assert focus_templates(trace) == _reference(trace)


def test_focus_templates_cover_every_way_a_caption_is_written() -> None:
    assert 2**4 > MOST_TERMS and 2**11 > DEFAULT_LIMIT
    captions = focus_templates(_doubling(11))
    assert any("more)" in str(piece) for t in captions for piece in t)  # "… (n more)"
    assert any("2,048 paths" in str(piece) for t in captions for piece in t)  # counted only


def test_label_anchors_from_the_forward_routes_equal_those_from_whole_edge_shapes() -> None:
    from adviz.scene.anchors import Label, place_labels
    from adviz.scene.curves import Route
    from adviz.scene.picture import _edge_shape, _label_anchors, figure

    for trace in (adviz.trace(SEED, x1=1, x2=2), mlp((2, 4, 1))):
        fig = figure(trace, full=True)
        view, layout = fig.view, fig.layout
        labels = {}
        for key, route in layout.edges.items():
            shape = _edge_shape(route, 0.0, 0.0)
            if shape.label is None or not view.edge_lines.get(key):
                continue
            tip = shape.forward_head.tip if shape.forward_head is not None else None
            labels[key] = Label(view.edge_lines[key], Route(shape.forward, tip).polyline,
                                shape.label)
        assert labels
        unmet: list[tuple[str, str]] = []
        assert _label_anchors(view, layout, unmet) == place_labels(
            labels, obstacles=_obstacles(layout), bounds=_bounds(layout),
            tb=layout.rankdir in ("TB", "BT"), unmet=[])


def _obstacles(layout):  # as `_label_anchors` puts them: node boxes, then scope labels
    from adviz.scene.picture import CLUSTER_SIZE, _clusters
    from adviz.text.labels import text_width

    boxes = [(b.x - b.width / 2, b.y - b.height / 2, b.x + b.width / 2, b.y + b.height / 2)
             for b in layout.nodes.values()]
    return boxes + [(c.label_x, c.label_y - CLUSTER_SIZE,
                     c.label_x + text_width(c.label, CLUSTER_SIZE), c.label_y + CLUSTER_SIZE * 0.3)
                    for c in _clusters(layout, 0.0, 0.0).values()]


def _bounds(layout):
    from adviz.scene.picture import LABEL_BLEED

    return (-LABEL_BLEED, -LABEL_BLEED, layout.width + LABEL_BLEED, layout.height + LABEL_BLEED)


sympy = pytest.importorskip("sympy", reason="formula sizes are counted where SymPy is installed")


def _tree_nodes(expr) -> int:
    """Every node of the expression tree, walked one by one."""
    return 1 + sum(_tree_nodes(arg) for arg in expr.args)


@pytest.mark.parametrize("sizes", [(2, 3, 1), (2, 4, 4, 1)])
def test_formula_sizes_counted_once_per_subexpression_equal_the_tree_walk(sizes) -> None:
    from adviz.core.symbolic import formula_size, gradient_expressions, tree_size

    grads, _ = gradient_expressions(mlp(sizes))
    shared: dict = {}
    for formula in grads.values():
        nodes = _tree_nodes(formula)
        assert tree_size(formula, shared) == nodes
        for limit in (0, 5, nodes - 1, nodes, nodes + 1, 10 * nodes):
            assert formula_size(formula, limit, shared) == formula_size(formula, limit) \
                == min(nodes, limit + 1)


def test_analytic_forms_print_and_name_the_same_formulas_as_before() -> None:
    from adviz.core.symbolic import formula_size, symbolic_gradient
    from adviz.renderers.demo import PAGE_FORMULA_LIMIT, analytic_forms

    trace = mlp((2, 6, 6, 1))
    forms = analytic_forms(trace)
    grads = symbolic_gradient(trace)
    for row in forms["grads"]:
        g = grads[row["input"]]
        if formula_size(g.formula, PAGE_FORMULA_LIMIT) <= PAGE_FORMULA_LIMIT:
            assert row["text"] == g.text
        else:
            assert row["text"] == f"(a formula of over {PAGE_FORMULA_LIMIT:,} terms)"
        assert row["value"] == pytest.approx(trace.grad[row["input"]], rel=1e-9, abs=1e-12)
    assert any(not r["js"] for r in forms["grads"]) and any(r["js"] for r in forms["grads"])


@pytest.mark.parametrize("sizes", [(2, 4, 1), (2, 3, 3, 1)])
def test_printers_that_print_each_subexpression_once_write_what_sympy_writes(sizes) -> None:
    from sympy.printing.jscode import JavascriptCodePrinter
    from sympy.printing.str import StrPrinter

    from adviz.core.symbolic import formula_size, memoised, print_order, symbolic_gradient

    grads = [g for g in symbolic_gradient(mlp(sizes)).values()
             if formula_size(g.formula, 3000) <= 3000]  # SymPy's own printers walk the tree
    assert len(grads) >= 8
    for base in (StrPrinter, JavascriptCodePrinter):
        for order in (None, "none"):
            shared = memoised(base)({"order": order})  # one printer for every formula
            for g in grads:
                assert shared.doprint(g.formula) == base({"order": order}).doprint(g.formula)
    for g in grads:
        assert g.text == sympy.sstr(g.formula, order=print_order(g.formula))


def test_a_code_printer_still_declares_what_a_shared_subexpression_needs() -> None:
    from sympy.printing.jscode import JavascriptCodePrinter

    from adviz.core.symbolic import memoised

    x = sympy.Symbol("x")
    shared = sympy.sin(x + sympy.GoldenRatio)  # a constant the code must declare above it
    printer = memoised(JavascriptCodePrinter)({"order": None})
    first, second = printer.doprint(shared * 2), printer.doprint(shared + x)
    assert "GoldenRatio" in first.splitlines()[0] and "GoldenRatio" in second.splitlines()[0]
    assert second == JavascriptCodePrinter({"order": None}).doprint(shared + x)
