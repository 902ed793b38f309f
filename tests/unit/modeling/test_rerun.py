"""A re-run with nothing to upload is recognised from fingerprints, without decoding a plan."""

from __future__ import annotations

import geopandas as gpd
from _upload_fixtures import ADMIN, TODAY, bbr, bbr_record
from shapely.geometry import Point

from core.contracts import UploadSummary as UploadContract
from modeling.items import read_plans
from modeling.ledger import Ledger
from modeling.planning import plan_to_store
from modeling.rerun import nothing_to_upload


def _store(tmp_path, n=4):
    records = [bbr_record(source_id=f"2130000001{i:04d}", name=f"Kv. Ärlan {i}") for i in range(n)]
    records[0] = {**records[0], "source_id": "12"}  # fails the identifier format: held
    frame = gpd.GeoDataFrame(records, geometry=[Point(r["lon"], r["lat"]) for r in records],
                             crs="EPSG:4326")
    frame.to_parquet(tmp_path / "records.parquet")
    store = tmp_path / "plans.parquet"
    plan_to_store(tmp_path / "records.parquet", {r["source_id"]: "new" for r in records}, bbr(), store,
                  admin_units=ADMIN, fetch_live=dict, today=TODAY)
    return store


def test_all_done_with_their_fingerprints_is_a_noop_without_a_rate(tmp_path):
    store = _store(tmp_path)
    ledger_path = tmp_path / "ledger.sqlite"
    plans = read_plans(store)
    assert [p.action for p in plans] == ["held", "create", "create", "create"]
    assert nothing_to_upload(store, ledger_path, "c") is None  # nothing uploaded yet
    with Ledger(ledger_path) as ledger:
        for k, p in enumerate(plans[1:]):
            ledger.done("c", p.source_id, qid=f"Q{10 + k}", revid=k + 1, batch="b1",
                        fingerprint=p.fingerprint(), intent="create")
    summary = nothing_to_upload(store, ledger_path, "c")
    assert summary is not None
    assert (summary.plans, summary.held, summary.skipped_done, summary.writes) == (4, 1, 3, 0)
    assert summary.items_per_s is None  # not 300,000 items/s for a run that did nothing
    assert UploadContract.model_validate(summary.to_json()).items_per_s is None


def test_a_changed_plan_is_still_to_upload(tmp_path):
    store = _store(tmp_path)
    ledger_path = tmp_path / "ledger.sqlite"
    plans = read_plans(store)
    with Ledger(ledger_path) as ledger:
        for k, p in enumerate(plans[1:]):
            fp = "register changed since" if k == 1 else p.fingerprint()
            ledger.done("c", p.source_id, qid=f"Q{10 + k}", revid=k + 1, batch="b1",
                        fingerprint=fp, intent="create")
    assert nothing_to_upload(store, ledger_path, "c") is None
