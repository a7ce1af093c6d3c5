"""check_grad: reverse mode against central finite differences."""

from __future__ import annotations

import pytest

import adviz


def test_check_grad_agrees_on_the_seed(seed_trace: adviz.Trace) -> None:
    result = adviz.check_grad(seed_trace)
    assert result.ok
    assert result.max_rel_error < 1e-8
    assert set(result.numeric) == {"x1", "x2"}
    assert "OK" in str(result)


def test_check_grad_detects_a_wrong_partial() -> None:
    wrong = adviz.register_op("wrongsin", adviz.sin, lambda a: 2.0, arity=1, replace=True)
    try:
        result = adviz.check_grad(lambda x: wrong(x), x=0.4)
    finally:
        adviz.unregister_op("wrongsin")
    assert not result.ok
    assert result.max_rel_error > 0.1
    assert "MISMATCH" in str(result)


def test_check_grad_on_expression_strings_and_functions() -> None:
    assert adviz.check_grad("sigmoid(w*x + b)", w=0.3, x=-1.2, b=0.5).ok
    assert adviz.check_grad(lambda a, b: adviz.tanh(a * b) / (1 + b * b), a=0.7, b=1.9).ok


def test_check_grad_near_a_domain_edge_reports_it() -> None:
    with pytest.raises(adviz.DomainError, match="finite differences"):
        adviz.check_grad("log(x)", x=1e-9, step=1e-6)
