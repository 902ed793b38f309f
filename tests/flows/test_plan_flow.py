"""The plan stage on the local services: plan store + summary contract, no-op re-run, re-plan."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from core import layout
from core.contracts import PLAN_COLUMNS, PlanSummary, read_summary
from modeling.items import read_plans
from pipelines.ingest import ingest_flow
from pipelines.plan import plan_flow
from pipelines.reconcile import reconcile_flow

PROJECT = Path(__file__).resolve().parents[2]
CAMPAIGN = str(PROJECT / "campaigns" / "wlm-se-bbr-sample.yaml")


@pytest.mark.integration
def test_plan_writes_the_store_and_a_rerun_with_the_same_inputs_keeps_it(local_services, tmp_path, monkeypatch):
    t = local_services.target
    monkeypatch.setenv("WLKIT_API_URL", t.api_url)
    monkeypatch.setenv("WLKIT_SPARQL_URL", t.sparql_url)
    out = tmp_path / "run"
    ingest_flow(campaign=CAMPAIGN, out=str(out))
    reconcile_flow(campaign=CAMPAIGN, out=str(out), target="local")

    first = plan_flow(campaign=CAMPAIGN, out=str(out), target="local", jsonl=True, chunk_size=100)
    store = out / layout.PLANS
    assert pq.ParquetFile(store).schema_arrow.names == list(PLAN_COLUMNS)
    plans = read_plans(store)
    records = pq.ParquetFile(out / layout.RECORDS).metadata.num_rows
    summary = read_summary(out, layout.PLAN_SUMMARY)
    assert isinstance(summary, PlanSummary)
    assert summary.plans == len(plans) == records == first["plans"]
    assert sum(summary.actions.values()) == records
    assert summary.labelled["sv"] == sum(1 for p in plans if "sv" in (p.desired.get("labels") or {}))
    assert [p.to_json() for p in read_plans(out / layout.PLANS_JSONL)] == [p.to_json() for p in plans]
    assert first["preflight"]["checked"] > 0

    stamp = store.stat().st_mtime_ns
    again = plan_flow(campaign=CAMPAIGN, out=str(out), target="local")
    assert store.stat().st_mtime_ns == stamp  # nothing re-planned
    assert {k: again[k] for k in ("plans", "actions", "inputs")} == {
        k: first[k] for k in ("plans", "actions", "inputs")}

    decisions = out / layout.DECISIONS
    decisions.write_text(decisions.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    plan_flow(campaign=CAMPAIGN, out=str(out), target="local")
    assert store.stat().st_mtime_ns != stamp  # an edited input re-plans
