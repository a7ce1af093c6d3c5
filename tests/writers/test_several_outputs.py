"""A trace with several outputs given to a picture or a file: a one-line error naming the outputs
and how to pick one, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

import adviz


@pytest.fixture(scope="module")
def vector() -> adviz.Trace:
    return adviz.trace(lambda a, b: (a * b, adviz.sin(a)), a=2.0, b=3.0)


PICK = r"takes one output and this trace has 2 \(y1, y2\): pick one with trace.pick\('y1'\)"


@pytest.mark.parametrize("suffix", ["svg", "gif", "html", "tex", "md", "png"])
def test_save_refuses_and_writes_nothing(vector, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"out.{suffix}"
    with pytest.raises(adviz.TraceError, match=PICK):
        adviz.save(vector, target)
    assert list(tmp_path.iterdir()) == []


def test_pictures_and_frames_refuse(vector, tmp_path: Path) -> None:
    for call in (lambda: adviz.to_svg(vector), lambda: adviz.to_tikz(vector),
                 lambda: adviz.save_frames(vector, tmp_path / "frames"),
                 lambda: adviz.save(vector, tmp_path / "demo.html", format="demo")):
        with pytest.raises(adviz.TraceError, match=PICK):
            call()
    assert list(tmp_path.iterdir()) == []


def test_the_json_graph_carries_every_output(vector, tmp_path: Path) -> None:
    import json

    path = adviz.save(vector, tmp_path / "graph.json")
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    assert data["graph"]["output"] == "y1"
    assert data["graph"]["outputs"] == ["y1", "y2"]


def test_a_picked_output_draws(vector) -> None:
    svg = adviz.to_svg(vector.pick("y2"))
    assert "<title>y2</title>" in svg
