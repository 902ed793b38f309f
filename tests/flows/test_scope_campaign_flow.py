"""`wlkit run` on a campaign without a register: ingest … upload skipped with a clear line, lists,
report and contest from its scope (the Italian-style sample on fresh local services)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipelines.campaign import campaign_flow
from pipelines.contest import contest_flow
from sandbox.commons.loading import load_samples
from sandbox.services import free_port, start_services, stop_services

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = ROOT / "campaigns" / "wlm-it-sample.yaml"


def test_register_less_campaign_runs_from_its_scope(tmp_path, monkeypatch):
    info = start_services(tmp_path / "services", free_port(), free_port(), seed=True)
    try:
        load_samples(info, [CAMPAIGN])
        for name, port in (("WIKIBASE", info.wikibase_port), ("SPARQL", info.sparql_port),
                           ("COMMONS", info.commons_port)):
            monkeypatch.setenv(f"WLKIT_{name}_PORT", str(port))
        run = tmp_path / "run"
        summary = campaign_flow(campaign=str(CAMPAIGN), out=str(run), target="local")
        contest = contest_flow(campaign=str(CAMPAIGN), out=str(run), target="local")
    finally:
        stop_services(tmp_path / "services", pid=info.pid)
    for stage in ("ingest", "reconcile", "plan", "upload"):
        assert summary[stage]["skipped"].startswith("no register in the campaign")
        assert not (run / {"ingest": "01_ingest", "reconcile": "02_reconcile", "plan": "03_plan",
                           "upload": "04_upload"}[stage]).exists()
    assert summary["lists"]["items"] == 130 and summary["lists"]["regions"] == 8
    listed = pd.read_csv(run / "05_lists" / "all.csv", dtype=str)
    assert listed["id"].str.match(r"^\d\d[ET]\d{7}$").all()  # Italian IDs only: no CH-, no expired
    assert (run / "06_reports" / "checklist.md").is_file()
    fetched = json.loads((run / "07_contest" / "fetch.json").read_text(encoding="utf-8"))
    assert fetched["uploads"] == 240 and fetched["category"].endswith("in Italy")
    assert contest["matched"] == 199 and contest["eligible"] == 137
