"""The dry run read straight from the plan store writes exactly what it writes from whole plans.

:func:`modeling.dryrun_store.write_dry_run_store` decodes only what an entry shows (the label alone out of
an unchanged item's entity, the checks only of a row with a failed one); these tests hold it to
the entries :func:`modeling.dryrun.write_dry_run` makes from fully decoded plans, for every action,
held statements, failed checks, warnings, awkward labels, a shard and the JSON Lines export.
Plans come from the real planner on BBR-like records.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from core.settings import Target
from modeling.campaign import load_campaign
from modeling.dryrun import ACTIONS, REVIEW, iter_entries, read_meta, write_dry_run
from modeling.dryrun_store import write_dry_run_store
from modeling.items import plan_items, read_plans, write_plans
from modeling.plan_store import PlanWriter, store_row

ROOT = Path(__file__).resolve().parents[3]
TARGET = Target(name="local", api_url="http://127.0.0.1:8181/w/api.php", sparql_url="http://127.0.0.1:7878/query")
UNITS = {"0180": "Q990180", "Stockholm": "Q990180", "0380": "Q990380", "Uppsala": "Q990380"}
TODAY = date(2026, 10, 1)


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")


def _records(n: int) -> list[dict]:
    munis = [("0180", "Stockholm"), ("0380", "Uppsala")]
    return [{"source_id": f"2130000{i:07d}", "name": f"Kyrka nr {i}", "municipality_code": munis[i % 2][0],
             "municipality": munis[i % 2][1], "type": "kyrka", "designation_type": "enskilt",
             "designation_date": f"19{60 + i}-05-01", "address": f"Storgatan {i + 1}", "built": str(1700 + i),
             "lat": 57.5 + i * 0.01, "lon": 14.0 + i * 0.01, "source_row": i + 2} for i in range(n)]


def _other_country(qid: str) -> dict:
    """A live item whose P17 differs from the register's (a held statement)."""
    return {"type": "item", "id": qid, "lastrevid": 10, "labels": {}, "descriptions": {}, "aliases": {},
            "claims": {"P17": [{"mainsnak": {
                "snaktype": "value", "property": "P17", "datatype": "wikibase-item",
                "datavalue": {"type": "wikibase-entityid", "value": {"entity-type": "item", "id": "Q20"}}},
                "type": "statement", "rank": "normal"}]}}


@pytest.fixture(scope="module")
def plans(campaign):
    """Every kind of plan: created, updated (one with a held statement), unchanged, held by a
    failed check, one with a warning (unknown municipality) and labels that need care."""
    recs = _records(16)
    recs[3]["name"] = 'Kyrka "labels":{"en":"x"} <b> & \\ é'  # the label key inside a value
    recs[4]["municipality_code"], recs[4]["municipality"] = "9999", "Ingenstans"
    decisions = {r["source_id"]: "new" for r in recs}
    first = plan_items(recs, decisions, campaign, admin_units=UNITS, live_entities={}, today=TODAY)
    live = {}
    for i in (5, 6, 3):  # the register says what the item says: unchanged
        decisions[recs[i]["source_id"]] = qid = f"Q88{i}"
        live[qid] = {**first[i].desired, "id": qid, "lastrevid": 5}
    for i in (0, 1):
        decisions[recs[i]["source_id"]] = qid = f"Q77{i}"
        live[qid] = _other_country(qid)
    decisions[recs[2]["source_id"]] = "review"
    decisions[recs[7]["source_id"]] = "Q999"
    live["Q999"] = {"type": "item", "id": "Q999", "lastrevid": 11, "descriptions": {}, "aliases": {},
                    "labels": {"sv": {"language": "sv", "value": "Gammalt namn"}}, "claims": {}}
    out = plan_items(recs, decisions, campaign, admin_units=UNITS, live_entities=live, today=TODAY)
    assert {p.action for p in out} == set(ACTIONS)
    assert any(p.held for p in out) and any(p.failed_checks for p in out) and any(p.warnings for p in out)
    return out


def _store(plans, path: Path) -> Path:
    with PlanWriter(path) as writer:
        for start in range(0, len(plans), 5):  # several row groups
            writer.write([store_row(p.to_json(), fingerprint=p.fingerprint(), labelled=[])
                          for p in plans[start:start + 5]])
    return path


def _entries(dest: Path) -> dict[str, list[dict]]:
    return {a: list(iter_entries(dest, a)) for a in (*ACTIONS, REVIEW)}


def test_store_entries_equal_the_entries_of_whole_plans(campaign, plans, tmp_path):
    store = _store(plans, tmp_path / "plans.parquet")
    whole = write_dry_run(iter(plans), campaign, TARGET, "b1", tmp_path / "whole")
    streamed = write_dry_run_store(store, campaign, TARGET, "b1", tmp_path / "store")
    assert _entries(tmp_path / "store") == _entries(tmp_path / "whole")
    for key in ("counts", "writes", "review", "entity_ids"):
        assert streamed[key] == whole[key] == read_meta(tmp_path / "store")[key]
    unchanged = {e["source_id"]: e for e in _entries(tmp_path / "store")["unchanged"]}
    assert unchanged["21300000000003"]["label"] == 'Kyrka "labels":{"en":"x"} <b> & \\ é'
    assert unchanged["21300000000003"]["statements"] == []  # nothing written: no statements shown
    held = _entries(tmp_path / "store")["held"]
    assert held[0]["failed_checks"][0]["check"] == "decision"
    assert {"P1435", "P580", "P248", "Q990180"} <= set(streamed["entity_ids"])


def test_a_shard_and_the_jsonl_export(campaign, plans, tmp_path):
    store = _store(plans, tmp_path / "plans.parquet")
    shard = {p.source_id for p in plans[:6]}
    meta = write_dry_run_store(store, campaign, TARGET, "b1", tmp_path / "shard", shard)
    assert sum(meta["counts"].values()) == 6
    assert {e["source_id"] for a in ACTIONS for e in iter_entries(tmp_path / "shard", a)} == shard
    export = tmp_path / "plans.jsonl"  # the export sorts keys: its statements in property order
    write_plans(plans, export)
    write_dry_run_store(export, campaign, TARGET, "b1", tmp_path / "jsonl")
    write_dry_run(iter(read_plans(export)), campaign, TARGET, "b1", tmp_path / "whole")
    assert _entries(tmp_path / "jsonl") == _entries(tmp_path / "whole")


def test_entry_lines_are_json_objects_one_per_line(campaign, plans, tmp_path):
    store = _store(plans, tmp_path / "plans.parquet")
    write_dry_run_store(store, campaign, TARGET, "b1", tmp_path)
    lines = (tmp_path / "dry_run" / "items-create.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines and all(json.loads(line)["action"] == "create" for line in lines)  # any JSON reader


def test_worker_processes_write_the_same_files(campaign, plans, tmp_path):
    store = _store(plans, tmp_path / "plans.parquet")  # four row groups
    one = write_dry_run_store(store, campaign, TARGET, "b1", tmp_path / "one")
    two = write_dry_run_store(store, campaign, TARGET, "b1", tmp_path / "two", workers=2)
    for action in (*ACTIONS, REVIEW):
        name = f"dry_run/items-{action}.jsonl"
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
    keys = ("counts", "review", "entity_ids")
    assert {k: two[k] for k in keys} == {k: one[k] for k in keys}
