"""The plan store's preflight columns (issue 11): filled once per plan when it is stored, read
by the preflight without decoding any plan, with exactly the result of decoding them.

Finding: at 20,000 records the preflight decoded every plan's ``data`` and ``desired`` twice
(10–25 s of a 24–40 s plan stage); at 100,000 records it was the largest single cost.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq
from _upload_fixtures import ADMIN, TODAY, bbr, bbr_record, live_from
from shapely.geometry import Point

from core.contracts import PLAN_INDEX_COLUMNS
from modeling import datavalues as dv
from modeling.entity_builder import build_entity
from modeling.plan_index import parse_refs, ref_tokens
from modeling.plan_store import export_jsonl, has_index, iter_batches, iter_rows
from modeling.planning import plan_to_store
from modeling.plausibility import (
    LOCATION_COLUMNS,
    far_from_located,
    far_from_units,
    located_units,
    record_units,
)
from modeling.preflight import campaign_refs, index_refs, plan_refs, read_plan_lines, store_refs

TOWNS = [("0180", "Stockholm"), ("0380", "Uppsala"), ("1480", "Göteborg")]
#: Unit coordinates as the target would answer them (Göteborg's unit has none).
UNIT_POINTS = {"Q1754": (59.3293, 18.0686), "Q25286": (59.8586, 17.6389)}


def _register(n: int) -> list[dict]:
    records = [bbr_record(source_id=f"2130000001{i:04d}", name=f"Kv. Ärlan {i}", source_row=i + 2,
                          municipality_code=TOWNS[i % 3][0], municipality=TOWNS[i % 3][1],
                          built=str(1600 + i), lat=59.33 + i * 0.05, lon=18.07 - i * 0.04)
               for i in range(n)]
    records[5] |= {"municipality_code": "9999", "municipality": "Nowhere"}  # no P131
    records[8] |= {"lat": None, "lon": None}  # no P625
    return records


def _store(tmp_path: Path, n: int = 14) -> Path:
    """A plan store as the plan stage writes it: new items, an update of a live item that holds
    more than the register says, a held record, records without P131 or without P625."""
    records = _register(n)
    frame = gpd.GeoDataFrame(records, geometry=[Point(r["lon"], r["lat"]) if r["lat"] else None
                                                for r in records], crs="EPSG:4326")
    frame.to_parquet(tmp_path / "records.parquet")
    existing, _, _ = build_entity(records[4], bbr(), admin_units=ADMIN, today=TODAY)
    live = live_from(existing, "Q500")
    # the live designation statement has a qualifier and no reference yet: the update adds one
    live["claims"]["P1435"][0] |= {"references": [], "qualifiers": {"P1001": [
        dv.snak("P1001", "wikibase-item", dv.item("Q7725"))]}}
    del live["claims"]["P571"]  # and the register adds the inception
    decisions = {r["source_id"]: "new" for r in records} | {records[4]["source_id"]: "Q500",
                                                            records[7]["source_id"]: "review"}
    store = tmp_path / "plans.parquet"
    plan_to_store(tmp_path / "records.parquet", decisions, bbr(), store, admin_units=ADMIN,
                  fetch_live=lambda qids: dict.fromkeys(qids, live), today=TODAY, chunk_size=5)
    return store


def test_each_row_holds_its_refs_unit_and_point(tmp_path: Path) -> None:
    store = _store(tmp_path)
    rows = {r["source_id"]: r for rows in iter_rows(store, ["source_id", *PLAN_INDEX_COLUMNS])
            for r in rows}
    plans = {p["source_id"]: p for p in read_plan_lines(store)}
    first = rows["21300000010000"]
    tokens = first["refs"].split()
    assert tokens == sorted(set(tokens))  # each distinct entity/datatype once, sorted
    assert {"P1435:wikibase-item", "P625:globe-coordinate", "P1260:external-id",
            "P813:time", "P248:wikibase-item", "P854:url",  # reference snaks, on every statement
            "Q34", "Q20244383", "Q1754"} <= set(tokens)
    assert (first["unit"], first["lat"], first["lon"]) == ("Q1754", 59.33, 18.07)
    assert rows["21300000010005"]["unit"] is None and rows["21300000010005"]["lat"] is not None
    assert rows["21300000010008"]["unit"] == "Q25287" and rows["21300000010008"]["lon"] is None
    update = rows["21300000010004"]  # the live statement's qualifier, in the update's data
    assert {"P1001:wikibase-item", "Q7725", "P571:time"} <= set(update["refs"].split())
    assert plans["21300000010004"]["action"] == "update"
    assert plans["21300000010007"]["action"] == "held"


def test_tokens_cover_property_values_and_snaks_without_datatype() -> None:
    reference = {"snaks": {"P248": [dv.snak("P248", "wikibase-item", dv.item("Q20244383"))]}}
    desired = {"claims": {
        "P1659": [dv.statement({"snaktype": "value", "property": "P1659", "datavalue": {
            "type": "wikibase-entityid", "value": {"entity-type": "property", "id": "P1435",
                                                   "numeric-id": 1435}}},
            references=[reference])],
        "P31": [dv.statement(dv.snak("P31", "wikibase-item", dv.item("Q41176")),
                             references=[reference]),
                dv.statement(dv.snak("P31", "string", dv.string("byggnad")))],
    }}
    plan = {"source_id": "x", "data": {"claims": {"P31": desired["claims"]["P31"][:1]}},
            "desired": desired}
    assert ref_tokens(plan) == ("P1435 P1659: P248:wikibase-item P31:string P31:wikibase-item "
                                "Q20244383 Q41176")
    assert parse_refs("P1659: P31:string P1435") == [
        ("P1659", "statement", None), ("P31", "statement", "string"), ("P1435", "value", None)]
    assert index_refs([pa.array([ref_tokens(plan)] * 3)]) == plan_refs([plan] * 3)


def test_preflight_from_the_columns_equals_decoding_every_plan(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert has_index(store)
    decoded = plan_refs(read_plan_lines(store), campaign_refs(bbr()))
    assert store_refs(store, campaign_refs(bbr())) == decoded
    batches = (b.column(0) for b in iter_batches(store, ["refs"], batch_size=4))
    assert index_refs(batches, campaign_refs(bbr())) == decoded  # counted over several chunks
    assert decoded["Q20244383"].used_by == 14 and decoded["Q7725"].used_by == 1
    assert decoded["Q25287"].used_by == 3  # Göteborg: records 2, 8, 11 (5 has no P131)

    pairs = list(record_units(read_plan_lines(store)))
    assert located_units(iter_batches(store, LOCATION_COLUMNS, batch_size=4)) == {
        u for _, u, _, _ in pairs} == {"Q1754", "Q25286", "Q25287"}
    far = far_from_located(iter_batches(store, LOCATION_COLUMNS, batch_size=4), UNIT_POINTS, 50)
    assert far == far_from_units(pairs, UNIT_POINTS, 50)
    assert [(f["source_id"][-2:], f["km"]) for f in far] == [("12", 72.0), ("01", 57.6), ("09", 54.0)]
    assert {f["unit"] for f in far} <= set(UNIT_POINTS)  # units without coordinates are skipped
    assert far_from_located(iter_batches(store, LOCATION_COLUMNS), {}, 50) == []


def test_an_older_store_and_a_jsonl_export_are_read_by_decoding(tmp_path: Path) -> None:
    store = _store(tmp_path)
    expected = store_refs(store)
    older = tmp_path / "older.parquet"
    pq.write_table(pq.read_table(store).drop_columns(list(PLAN_INDEX_COLUMNS)), older)
    export_jsonl(store, tmp_path / "plans.jsonl")
    unfilled = tmp_path / "unfilled.parquet"  # rows written without store_row: refs null
    table = pq.read_table(store)
    pq.write_table(table.set_column(table.schema.get_field_index("refs"), "refs",
                                    pa.nulls(table.num_rows, pa.string())), unfilled)
    for path in (older, tmp_path / "plans.jsonl", unfilled):
        assert not has_index(path)
        assert store_refs(path) == expected
