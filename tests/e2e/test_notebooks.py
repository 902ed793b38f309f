"""The analysts' notebooks run top to bottom on sample outputs, with no manual step.

01 and 02 read a run's ``05_lists/`` and ``02_reconcile/`` outputs through ``WLKIT_NOTEBOOK_OUT``
(here those folders of a run made by the real stages, tests/fixtures/stage_runs.py); 03 ingests
the bundled sample register itself when the variable points to nothing with ``01_ingest/``.
Notebooks are committed without outputs.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from modeling.contest.stage import run_contest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))




@pytest.fixture(scope="module")
def notebook_out(tmp_path_factory, stage_runs, contest_small) -> Path:
    out = tmp_path_factory.mktemp("notebook-out")
    # lists + decisions only: notebook 03 must fall back to ingesting the bundled sample
    stage_runs.copy("wlm", out / "wlm-se-bbr-sample", stages=("reconcile", "lists"))
    contest_small.write_run(out / "wlm-contest-sample", contest_small.build())  # 04: a contest run
    run_contest(contest_small.campaign_stub(id_template="Monument Sweden"), out / "wlm-contest-sample")
    return out


def test_at_least_three_notebooks_without_outputs():
    assert len(NOTEBOOKS) >= 3
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path.name} has outputs"
                assert "def " not in cell.source and "class " not in cell.source, f"{path.name} defines logic"


@pytest.mark.slow
@pytest.mark.integration  # stage_runs starts the local services
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, notebook_out, monkeypatch, stage_runs):
    sample = ROOT / "campaigns" / "data" / "wlm-se-bbr-sample" / "bbr_sample.csv"
    if path.name.startswith("03_") and not sample.is_file():
        pytest.fail("the bundled sample register is missing")
    monkeypatch.setenv("WLKIT_NOTEBOOK_OUT", str(notebook_out))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in outputs)
    if path.name.startswith("01_"):
        assert "Stockholm" in text and "with photo" in text
    if path.name.startswith("02_"):
        # the review count and every record the staging seed made ambiguous
        assert re.search(rf"^review\s+{stage_runs.inputs.review}$", text, re.M)
        assert all(sid in text for sid in stage_runs.inputs.review_ids)
    if path.name.startswith("03_"):
        assert "rows" in text and "municipality" in text and "wlkit-notebook-" in text
    if path.name.startswith("04_"):
        assert "newly_pictured" in text and "cumulative_uploads" in text and "below_min_resolution" in text
