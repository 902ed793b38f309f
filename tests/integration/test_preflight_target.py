"""Preflight and data-versioned caches against the local services (issue 15 §2, §3).

Findings: stages ran against whatever answered and failed minutes later ("unreachable after 6
tries"); a dry run reported thousands of edits although the country, designation and stated-in
items did not exist on the target; a cached admin-unit lookup from before a seed dropped P131 on
every item without a word.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from clients.probe import check_services, data_version
from core.errors import QueryError, ServiceError, UploadError
from core.settings import Target
from modeling.campaign import load_campaign
from modeling.lookups import admin_unit_table
from pipelines.preflight import require_clear_preflight, run_preflight
from sandbox.services import free_port, seed_files
from sparql import client

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def _nobody_target() -> Target:
    port = free_port()  # nothing listens there
    return Target(name="local", api_url=f"http://127.0.0.1:{port}/w/api.php",
                  sparql_url=f"http://127.0.0.1:{port}/query",
                  user_agent="wikiloves-kit-tests/0.1 (tests@example.org)")


def test_no_services_fails_within_two_seconds_saying_what_to_do() -> None:
    started = time.monotonic()
    with pytest.raises(ServiceError, match=r"nothing is listening on 127\.0\.0\.1:\d+ .*run "
                                           r"`wlkit services up`, or choose a target"):
        check_services(_nobody_target())
    assert time.monotonic() - started < 2


def test_sparql_client_does_not_retry_a_refused_connection() -> None:
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"nothing is listening on .*`wlkit services up`"):
        client.run_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1", _nobody_target())
    assert time.monotonic() - started < 2  # before: 6 tries with backoff


def test_services_answer(local_services) -> None:
    assert check_services(local_services.target) == {"api": "wlkit sandbox", "sparql": True}


def _seed(services, tmp_path: Path, *entities: dict) -> None:
    path = tmp_path / f"seed-{time.monotonic_ns()}.jsonl"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities) + "\n",
                    encoding="utf-8")
    seed_files(services.api_url, [path], secret=services.info.admin_secret)


def _item(qid: str, label: str, **claims: str) -> dict:
    out = {"id": qid, "type": "item", "labels": {"en": {"language": "en", "value": label}},
           "claims": {}}
    for prop, value in claims.items():
        dv = ({"type": "string", "value": value} if not value.startswith("Q") else
              {"type": "wikibase-entityid",
               "value": {"entity-type": "item", "id": value, "numeric-id": int(value[1:])}})
        datatype = "external-id" if dv["type"] == "string" else "wikibase-item"
        out["claims"][prop] = [{"mainsnak": {"snaktype": "value", "property": prop,
                                             "datatype": datatype, "datavalue": dv},
                                "type": "statement", "rank": "normal"}]
    return out


def test_stale_admin_unit_cache_is_not_reused_after_a_seed(services_factory, tmp_path: Path) -> None:
    services = services_factory(seed=True)
    target = services.target
    campaign = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
    before = admin_unit_table(campaign, target, tmp_path, query=client.run,
                              data_version=data_version(target))
    assert "2583" not in before
    # a municipality seeded after the first plan (the P131 bug of issue 15)
    _seed(services, tmp_path, _item("Q190025830", "Haparanda Municipality", P31="Q127448",
                                    P525="2583"))
    after = admin_unit_table(campaign, target, tmp_path, query=client.run,
                             data_version=data_version(target))
    assert after["2583"] == "Q190025830"
    calls: list[str] = []
    again = admin_unit_table(campaign, target, tmp_path, data_version=data_version(target),
                             query=lambda *a, **k: calls.append(a[0]))
    assert again == after and calls == []  # same data version: the cache is used


def test_data_version_changes_with_every_save(services_factory, tmp_path: Path) -> None:
    services = services_factory(seed=True)
    first = data_version(services.target)
    assert data_version(services.target) == first
    _seed(services, tmp_path, _item("Q39", "Switzerland"))
    assert data_version(services.target) != first


def _swiss_campaign(tmp_path: Path) -> Path:
    data = yaml.safe_load((ROOT / "campaigns" / "wlm-se-bbr-sample.yaml").read_text("utf-8"))
    data.update(id="wlm-ch-test", country={"qid": "Q39", "iso": "CH"}, languages=["de"],
                label_fallback=["de"])
    data["mapping"]["reference"]["stated_in"] = "Q65048323"
    data["mapping"]["designation"]["map"] = {"A": "Q8274529", "B": "Q12126757"}
    data["mapping"]["designation"]["default"] = "Q12126757"
    data["mapping"]["located_in"] = None
    data["lists"]["designations"] = ["Q8274529", "Q12126757"]
    data["source"]["path"] = str(ROOT / "campaigns" / "data" / "wlm-se-bbr-sample" / "bbr_sample.csv")
    path = tmp_path / "wlm-ch-test.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_preflight_lists_what_the_target_lacks_and_blocks_the_upload(
        services_factory, tmp_path: Path) -> None:
    services = services_factory(seed=True)
    out = tmp_path / "run"
    result = run_preflight(str(_swiss_campaign(tmp_path)), str(out), services.target)
    missing = {m["id"]: m["roles"] for m in result["missing"]}
    assert missing["Q39"] == ["country"]
    assert missing["Q65048323"] == ["stated in"]
    assert {"Q8274529", "Q12126757"} <= set(missing)
    assert "P1435" not in missing and result["blocking"] is True
    saved = json.loads((out / "03_plan" / "preflight.json").read_text(encoding="utf-8"))
    assert saved["missing"] == result["missing"] and saved["data_version"].startswith(("rev:", "edits:"))
    with pytest.raises(UploadError, match=r"upload blocked: .*Q39 \(country\).*wlkit staging prepare"):
        require_clear_preflight(out)


def test_wrong_property_datatype_is_reported(services_factory, tmp_path: Path) -> None:
    services = services_factory(seed=True)
    camp = _swiss_campaign(tmp_path)
    data = yaml.safe_load(camp.read_text("utf-8"))
    data["mapping"]["extra"] = [{"property": "P373", "column": "address", "datatype": "url"}]
    camp.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_preflight(str(camp), str(tmp_path / "run"), services.target)
    wrong = {w["id"]: (w["expected"], w["actual"]) for w in result["wrong_datatype"]}
    assert wrong == {"P373": ("url", "string")}


def test_unit_coordinates_come_from_the_target(services_factory, tmp_path: Path) -> None:
    from clients.probe import entity_coordinates
    from modeling import datavalues as dv

    services = services_factory(seed=True)
    bern = _item("Q910000351", "Bern", P31="Q127448")
    bern["claims"]["P625"] = [dv.statement(dv.snak("P625", "globe-coordinate",
                                                   dv.globecoordinate(46.948, 7.4474, 0.0001)))]
    _seed(services, tmp_path, bern)
    got = entity_coordinates(services.target, ["Q910000351", "Q34", "Q999999"])
    assert got == {"Q910000351": (46.948, 7.4474)}


def test_wikibase_client_does_not_retry_a_refused_connection() -> None:
    from clients.wikibase import WikibaseClient
    from core.errors import NothingListeningError

    waits: list[float] = []
    client = WikibaseClient(_nobody_target(), sleep=waits.append)
    started = time.monotonic()
    with pytest.raises(NothingListeningError, match=r"nothing is listening on .*`wlkit services up`"):
        client.get_entities(["Q1"])
    assert waits == [] and time.monotonic() - started < 2  # before: 5 retries with backoff


def _bbr_record(i: int, code: str, lat: float, lon: float) -> dict:
    return {"source_id": f"2130000002{i:04d}", "name": f"Kv. Ärlan {i}", "municipality_code": code,
            "municipality": "", "type": "byggnad", "designation_type": "enskilt",
            "designation_date": "1965-04-02", "address": f"Storgatan {i}", "built": "1641",
            "lat": lat, "lon": lon, "source_row": i + 2}


def test_preflight_from_store_columns_equals_an_older_store(services_factory, tmp_path: Path) -> None:
    """The same preflight.json from the store's preflight columns as from decoding the plans of
    a store an older version wrote (issue 11)."""
    import pyarrow.parquet as pq

    from core.contracts import PLAN_INDEX_COLUMNS
    from core.layout import PLANS
    from modeling import datavalues as dv
    from modeling.items import plan_items
    from modeling.plan_store import PlanWriter, store_row

    services = services_factory(seed=True)
    units = {"0180": ("Q910000351", 46.948, 7.4474), "0380": ("Q910000261", 47.3769, 8.5417)}
    for qid, lat, lon in units.values():
        unit = _item(qid, f"Unit {qid}", P31="Q127448")
        unit["claims"]["P625"] = [dv.statement(dv.snak("P625", "globe-coordinate",
                                                       dv.globecoordinate(lat, lon, 0.0001)))]
        _seed(services, tmp_path, unit)
    records = [_bbr_record(i, ("0180", "0380", "1480")[i % 3], 46.95 + i * 0.1, 7.44 + i * 0.05)
               for i in range(12)]
    campaign = ROOT / "campaigns" / "wlm-se-bbr-sample.yaml"
    admin = {k: v[0] for k, v in units.items()} | {"1480": "Q910009999"}  # not on the target
    plans = plan_items(records, {r["source_id"]: "new" for r in records}, load_campaign(campaign),
                       admin_units=admin, live_entities={})
    new, old = tmp_path / "new", tmp_path / "old"
    with PlanWriter(new / PLANS) as writer:
        writer.write([store_row(p.to_json(), fingerprint="f", labelled=[]) for p in plans])
    (old / PLANS).parent.mkdir(parents=True)
    pq.write_table(pq.read_table(new / PLANS).drop_columns(list(PLAN_INDEX_COLUMNS)), old / PLANS)
    got, expected = (run_preflight(str(campaign), str(out), services.target) for out in (new, old))
    assert {**got, "at": None} == {**expected, "at": None}
    assert got["far_from_unit"] and {f["unit"] for f in got["far_from_unit"]} <= {
        "Q910000351", "Q910000261"}
    assert got["missing"] == [{"id": "Q910009999", "kind": "item", "roles": ["value"], "used_by": 4}]
