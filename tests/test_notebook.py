"""notebooks/tour.ipynb runs from top to bottom against a real two-night warehouse (nbclient,
a real Jupyter kernel); its stored outputs stay empty."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_outputs import two_nights  # noqa: F401  (the fixture: a real two-night warehouse)

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("pandas")
pytest.importorskip("polars")
pytest.importorskip("matplotlib")

TOUR = Path(__file__).resolve().parents[1] / "notebooks" / "tour.ipynb"


def test_the_stored_notebook_has_no_outputs():
    nb = nbformat.read(TOUR, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def _text(output) -> str:
    if output.get("output_type") == "stream":
        return output["text"]
    return "".join(output.get("data", {}).get("text/plain", ""))


@pytest.mark.slow
def test_tour_runs_against_a_warehouse(two_nights, tmp_path, monkeypatch):
    monkeypatch.setenv("FOERDERRADAR_WAREHOUSE", str(two_nights[0]))
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    nb = nbformat.read(TOUR, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source.startswith("TODAY = None")
    first.source = 'TODAY = "2025-04-01"'
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outs = {i: "\n".join(_text(o) for o in c.outputs) for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    text = "\n".join(outs.values())
    assert "2025-04-01" in text                                   # today as set
    assert "open_calls" in text and "municipality_programmes" in text      # the views with their docs
    assert "Earliest deadline on or after today" in text          # a column comment
    assert "Kommunaler Klimaschutz" in text and "Aachen" in text  # question 3: Aachen's programme
    assert "Frist" in text or "deadline" in text                  # question 2: what changed
    assert any(o.get("data", {}).get("image/png") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "polars" in text.lower() or "shape:" in text           # a polars frame was shown
