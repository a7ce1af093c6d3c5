"""The notebook of the docs runs: every code cell, in order, in one namespace (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("anywidget", reason="the widget needs the notebook extra")
pytest.importorskip("sympy", reason="the notebook checks the analytic gradient")
nbformat = pytest.importorskip("nbformat")

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebooks" / "live_seed_example.ipynb"


@pytest.mark.slow
def test_the_live_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    cells = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert cells
    for source in cells:
        exec(compile(source, str(NOTEBOOK), "exec"), namespace)
    w, b = namespace["w"], namespace["b"]
    assert len(w.history) == 21  # type: ignore[attr-defined]
    assert b.values["y"] == 5.0  # type: ignore[attr-defined]
    assert (tmp_path / "seed-descent.gif").stat().st_size > 0
