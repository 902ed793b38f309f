"""The chunked plan stage: the store holds what the all-at-once planner gives, chunks or not."""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import pyarrow.parquet as pq
from _upload_fixtures import ADMIN, TODAY, bbr, bbr_record, live_from
from shapely.geometry import Point

from core.contracts import PLAN_COLUMNS
from modeling.entity_builder import build_entity
from modeling.items import plan_items, read_plans, write_plans
from modeling.plan_store import export_jsonl, iter_rows
from modeling.planning import plan_to_store


def _records(tmp_path, records):
    frame = gpd.GeoDataFrame(records, geometry=[Point(r["lon"], r["lat"]) for r in records],
                             crs="EPSG:4326")
    path = tmp_path / "records.parquet"
    frame.to_parquet(path)
    return path


def _register(n):
    towns = [("0180", "Stockholm"), ("0380", "Uppsala"), ("1480", "Göteborg")]
    return [bbr_record(source_id=f"2130000001{i:04d}", name=f"Kv. Ärlan {i}", source_row=i + 2,
                       municipality_code=towns[i % 3][0], municipality=towns[i % 3][1],
                       built=str(1600 + i), designation_date=f"19{i % 90 + 10}-05-0{i % 9 + 1}")
            for i in range(n)]


def test_chunked_store_equals_the_all_at_once_plans_and_counts_labels(tmp_path):
    records = _register(23)
    existing, _, _ = build_entity(records[4], bbr(), admin_units=ADMIN, today=TODAY)
    live = {"Q500": live_from(existing, "Q500")}
    decisions = {r["source_id"]: "new" for r in records} | {records[4]["source_id"]: "Q500"}
    calls = []

    def fetch(qids):
        calls.append(qids)
        return {q: live[q] for q in qids}

    store = tmp_path / "plans.parquet"
    summary = plan_to_store(_records(tmp_path, records), decisions, bbr(), store,
                            admin_units=ADMIN, fetch_live=fetch, today=TODAY, chunk_size=5)
    expected = plan_items(records, decisions, bbr(), admin_units=ADMIN, live_entities=live,
                          today=TODAY)
    got = read_plans(store)
    assert [p.to_json() for p in got] == [p.to_json() for p in expected]
    assert calls == [["Q500"]]  # live entities fetched per chunk, only that chunk's QIDs
    assert summary["plans"] == 23 and summary["actions"] == {"create": 22, "unchanged": 1}
    assert summary["labelled"] == {"sv": 23}
    assert pq.ParquetFile(store).metadata.num_row_groups == 5
    assert pq.ParquetFile(store).schema_arrow.names == list(PLAN_COLUMNS)
    fingerprints = [r["fingerprint"] for rows in iter_rows(store, ["fingerprint"]) for r in rows]
    assert fingerprints == [p.fingerprint() for p in expected]


def test_a_shared_identifier_or_label_across_chunks_is_held_like_within_one(tmp_path):
    records = _register(12)
    records[10] = {**records[10], "source_id": "21300000019999", "name": records[1]["name"],
                   "municipality_code": records[1]["municipality_code"],
                   "municipality": records[1]["municipality"]}  # same label+description as #1
    decisions = {r["source_id"]: "new" for r in records}
    store = tmp_path / "plans.parquet"
    summary = plan_to_store(_records(tmp_path, records), decisions, bbr(), store,
                            admin_units=ADMIN, fetch_live=dict, today=TODAY, chunk_size=4)
    plans = {p.source_id: p for p in read_plans(store)}
    for sid in (records[1]["source_id"], "21300000019999"):
        failed = {c["check"]: c["message"] for c in plans[sid].failed_checks}
        assert "shared with another record" in failed["label_description_unique"]
        assert plans[sid].action == "held"
    assert summary["actions"] == {"create": 10, "held": 2}
    assert summary["failed_checks"] == {"label_description_unique": 2}
    # the same records planned all at once hold exactly the same two
    together = plan_items(records, decisions, bbr(), admin_units=ADMIN, live_entities={}, today=TODAY)
    assert sorted(p.source_id for p in together if p.action == "held") == sorted(
        p.source_id for p in plans.values() if p.action == "held")


def test_jsonl_export_and_reading_it_back(tmp_path):
    records = _register(3)
    decisions = {r["source_id"]: "new" for r in records}
    store = tmp_path / "plans.parquet"
    plan_to_store(_records(tmp_path, records), decisions, bbr(), store, admin_units=ADMIN,
                  fetch_live=dict, today=TODAY)
    assert export_jsonl(store, tmp_path / "plans.jsonl") == 3
    assert [p.to_json() for p in read_plans(tmp_path / "plans.jsonl")] == [
        p.to_json() for p in read_plans(store)]
    write_plans(read_plans(store), tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_text() == (tmp_path / "plans.jsonl").read_text()


def _fetch_from(live, qids):
    return {q: live[q] for q in qids}


def test_worker_processes_write_the_same_store_in_register_order(tmp_path):
    """Chunks planned on two spawned processes: same rows, order, summary and batch-wide holds."""
    records = _register(17)
    records[15] = {**records[15], "source_id": "21300000019999", "name": records[2]["name"],
                   "municipality_code": records[2]["municipality_code"],
                   "municipality": records[2]["municipality"]}  # a label twin two chunks apart
    existing, _, _ = build_entity(records[7], bbr(), admin_units=ADMIN, today=TODAY)
    live = {"Q500": live_from(existing, "Q500")}
    decisions = {r["source_id"]: "new" for r in records} | {records[7]["source_id"]: "Q500"}
    path = _records(tmp_path, records)
    summaries, rows = [], []
    for workers in (1, 2):
        store = tmp_path / f"plans-{workers}.parquet"
        summaries.append(plan_to_store(path, decisions, bbr(), store, admin_units=ADMIN,
                                       fetch_live=partial(_fetch_from, live), today=TODAY,
                                       chunk_size=3, workers=workers))
        rows.append([r for batch in iter_rows(store) for r in batch])
    assert rows[1] == rows[0] and summaries[1] == summaries[0]
    assert [r["source_id"] for r in rows[1]] == [r["source_id"] for r in records]
    assert summaries[1]["actions"] == {"create": 14, "held": 2, "unchanged": 1}
    assert summaries[1]["failed_checks"] == {"label_description_unique": 2}
