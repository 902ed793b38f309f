"""Upload shards against the local services: identifier ranges from the ledger, one item each."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from core.layout import LEDGER, LISTS_STATS
from pipelines.ingest import ingest_flow
from pipelines.lists import lists_flow
from pipelines.plan import plan_flow
from pipelines.reconcile import reconcile_flow
from pipelines.scale import lists_by_region_flow, upload_shards_flow

PROJECT = Path(__file__).resolve().parents[2]
CAMPAIGN = str(PROJECT / "campaigns" / "wlm-se-bbr-sample.yaml")


@pytest.mark.integration
@pytest.mark.slow
def test_upload_shards_write_each_item_once_and_rerun_has_nothing_left(
    local_services, tmp_path, monkeypatch
):
    t = local_services.target
    monkeypatch.setenv("WLKIT_API_URL", t.api_url)
    monkeypatch.setenv("WLKIT_SPARQL_URL", t.sparql_url)
    monkeypatch.setenv("WLKIT_USER_AGENT", t.user_agent)
    out = str(tmp_path / "run")
    ingest_flow(campaign=CAMPAIGN, out=out)
    reconcile_flow(campaign=CAMPAIGN, out=out, target="local")
    plan_flow(campaign=CAMPAIGN, out=out, target="local")
    local_services.reset()

    first = upload_shards_flow(campaign=CAMPAIGN, out=out, target="local", shards=3)

    assert first["shards"] == 3
    with sqlite3.connect(Path(out) / LEDGER) as db:
        rows = db.execute("SELECT source_id, qid, status FROM ledger").fetchall()
    done = [r for r in rows if r[2] == "done"]
    assert done and len({r[0] for r in rows}) == len(rows)
    assert len({r[1] for r in done}) == len(done)  # one item per record, none shared
    edits = local_services.edits()
    assert edits["count"] == first["created"] + first["updated"] > 0

    # Re-run: the ledger is the source of truth. Done rows are not sharded again; only the
    # plans held by QA (never written, no ledger row) are looked at again, and stay held.
    second = upload_shards_flow(campaign=CAMPAIGN, out=out, target="local", shards=3)
    assert local_services.edits()["count"] == edits["count"]  # nothing written twice
    assert second["created"] == second["updated"] == 0
    assert second["held"] == first["held"]
    assert second["shards"] == (3 if first["held"] >= 3 else first["held"])

    # Lists per region, in parallel: the regions of the whole-campaign run, one folder each.
    whole = lists_flow(campaign=CAMPAIGN, out=out, target="local")
    by_region = lists_by_region_flow(campaign=CAMPAIGN, out=out, target="local")
    regions = by_region["regions"]
    assert len(regions) >= 2
    with (Path(out) / LISTS_STATS).open(encoding="utf-8", newline="") as fh:
        per_region = {r["region"]: int(r["monuments"]) for r in csv.DictReader(fh)}
    assert set(regions) == {q for q in per_region if q.startswith("Q")}
    for qid, summary in regions.items():
        assert (Path(out) / "regions" / qid / "05_lists" / "summary.json").exists()
        # Each region's own run finds exactly the items the whole-campaign run counted there.
        assert 0 < summary["items"] == per_region[qid] < whole["items"]
