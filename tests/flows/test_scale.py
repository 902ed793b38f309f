"""Upload shards against the local services: identifier ranges from the ledger, one item each."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from modeling.layout import LEDGER
from pipelines.ingest import ingest_flow
from pipelines.plan import plan_flow
from pipelines.reconcile import reconcile_flow
from pipelines.scale import upload_shards_flow

PROJECT = Path(__file__).resolve().parents[2]
CAMPAIGN = str(PROJECT / "campaigns" / "wlm-se-bbr-sample.yaml")


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

    second = upload_shards_flow(campaign=CAMPAIGN, out=out, target="local", shards=3)
    assert local_services.edits()["count"] == edits["count"]  # nothing written twice
    assert second["shards"] == len(rows) - len(done)
