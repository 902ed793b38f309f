"""Upload through the real local services: create, update, idempotent re-run, refused records."""

from __future__ import annotations

import json

import pytest
from _upload_support import (
    TODAY,
    admin_units,
    campaign,
    items_per_identifier,
    plans_for,
    records,
    run_upload,
    write_counts,
)

from clients.wikibase import WikibaseClient
from core.errors import LicenceError
from modeling import datavalues as dv
from modeling.items import build_entity
from modeling.ledger import Ledger
from modeling.upload import UploadOptions
from pipelines.upload import upload_plans

pytestmark = pytest.mark.integration


def _existing_item(units):
    """An item someone else made: P1260 + P31, no reference, one extra statement of theirs."""
    rec = records(1, start=500)[0]
    entity, _, _ = build_entity(rec, campaign(), admin_units=units, today=TODAY)
    claims = {
        "P1260": [dv.statement(entity["claims"]["P1260"][0]["mainsnak"])],
        "P31": [dv.statement(dv.snak("P31", "wikibase-item", dv.item("Q16970")))],
        "P373": [dv.statement(dv.snak("P373", "string", dv.string("Someone's category")))],
    }
    item = {"type": "item", "id": "Q190000001", "labels": {"sv": {"language": "sv", "value": rec["name"]}},
            "descriptions": {}, "aliases": {}, "claims": claims, "sitelinks": {}}
    return rec, item


def test_first_run_creates_and_updates_second_run_makes_no_edit(services_factory, tmp_path):
    svc = services_factory()
    units = admin_units(svc.target, tmp_path)
    assert units["0180"] and units["1480"]
    existing_rec, existing = _existing_item(units)
    svc.admin("seed", {"entities": [existing]})
    svc.reset()
    recs = [*records(12), existing_rec]
    decisions = {r["source_id"]: "new" for r in recs} | {existing_rec["source_id"]: "Q190000001"}
    plans = plans_for(svc.target, recs, units, decisions)
    assert [p.action for p in plans].count("create") == 12 and plans[-1].action == "update"
    ledger = tmp_path / "04_upload" / "ledger.sqlite"

    first = upload_plans(plans, campaign(), svc.target, ledger_path=ledger, batch="b1",
                         options=UploadOptions(sleep=lambda s: None))
    assert (first.created, first.updated, first.failed, first.held) == (12, 1, 0, 0)
    assert first.writes == 13 and first.reads == 0  # nothing read for new items (nor with baserevid)
    counts = write_counts(svc)
    assert sum(counts.values()) == 13 and set(counts.values()) == {1}  # one write per item
    edit = [e for e in svc.edits()["edits"] if "Q190000001" in json.dumps(e)]
    assert edit and "editgroups/b/wlkit/b1" in json.dumps(edit[0])

    # the existing item kept the other editor's statements; ours got added with a reference
    live = plans_for(svc.target, [existing_rec], units, {existing_rec["source_id"]: "Q190000001"})
    ent = WikibaseClient(svc.target).get_entities(["Q190000001"])["Q190000001"]
    assert [dv.format_snak(s["mainsnak"]) for s in ent["claims"]["P31"]] == [
        "Q16970", campaign().mapping.instance_of.map[existing_rec["type"]]]
    assert ent["claims"]["P373"][0].get("references", []) == []
    assert ent["claims"]["P1260"][0]["references"][0]["snaks"]["P248"]
    assert live[0].action == "unchanged"

    # second run: plan again (ledger QIDs replace "new") and upload: zero edits
    with Ledger(ledger) as led:
        known = led.qids(campaign().id)
    assert len(known) == 13
    again = plans_for(svc.target, recs, units, known)
    assert {p.action for p in again} == {"unchanged"}
    second = run_upload(svc.target, again, ledger)
    assert (second.created, second.updated, second.writes) == (0, 0, 0)
    assert sum(write_counts(svc).values()) == 13
    # and re-uploading the very same first plans is skipped by the ledger
    third = run_upload(svc.target, plans, ledger)
    assert third.skipped_done == 13 and third.writes == 0
    assert all(len(q) == 1 for q in items_per_identifier(svc.target, recs).values())


def test_licence_gate_refuses_real_upload(services_factory, tmp_path):
    svc = services_factory()
    c = campaign().model_copy(update={"licence": "CC-BY-4.0"})
    with pytest.raises(LicenceError, match=r"CC-BY-4\.0"):
        run_upload(svc.target, [], tmp_path / "l.sqlite", camp=c)
    assert svc.edits()["count"] == 0


def test_a_permanently_failing_record_is_reported_and_the_rest_goes_on(services_factory, tmp_path):
    svc = services_factory()
    units = admin_units(svc.target, tmp_path)
    recs = records(4)
    # another item already has record 1's label + description: the server refuses that edit
    clash = {"type": "item", "id": "Q190000002",
             "labels": {"sv": {"language": "sv", "value": recs[1]["name"]}},
             "descriptions": {"sv": {"language": "sv", "value": f"byggnadsminne i {recs[1]['municipality']}"}},
             "aliases": {}, "claims": {}, "sitelinks": {}}
    svc.admin("seed", {"entities": [clash]})
    svc.reset()
    plans = plans_for(svc.target, recs, units)  # collisions not looked up: only the server knows
    summary = run_upload(svc.target, plans, tmp_path / "l.sqlite")
    assert (summary.created, summary.failed) == (3, 1)
    (failure,) = summary.failures
    assert failure["source_id"] == recs[1]["source_id"] and failure["code"] == "modification-failed"
    assert "Q190000002" in failure["error"]


def test_a_refused_create_whose_item_is_ours_becomes_done(services_factory, tmp_path):
    """An earlier crash made the item (same label, description and identifier) but no ledger row."""
    svc = services_factory()
    units = admin_units(svc.target, tmp_path)
    rec = records(1, start=800)[0]
    entity, _, _ = build_entity(rec, campaign(), admin_units=units, today=TODAY)
    svc.admin("seed", {"entities": [{**entity, "id": "Q190000003"}]})
    svc.reset()
    plans = plans_for(svc.target, [rec], units)  # planned as new: reconciliation had not seen it
    ledger = tmp_path / "l.sqlite"
    summary = run_upload(svc.target, plans, ledger)
    assert (summary.created, summary.recovered, summary.failed) == (0, 1, 0)
    with Ledger(ledger) as led:
        row = led.get(campaign().id, rec["source_id"])
    assert (row.status, row.qid) == ("done", "Q190000003")


def test_an_unchanged_plan_closes_a_failed_row(services_factory, tmp_path):
    svc = services_factory()
    units = admin_units(svc.target, tmp_path)
    rec = records(1, start=810)[0]
    first = run_upload(svc.target, plans_for(svc.target, [rec], units), tmp_path / "first.sqlite")
    qid = first.items[rec["source_id"]]
    ledger = tmp_path / "l.sqlite"
    with Ledger(ledger) as led:  # a row left failed by an older run
        led.pending(campaign().id, rec["source_id"], intent="create", qid=None, batch="old", fingerprint="x")
        led.failed(campaign().id, rec["source_id"], batch="old", error="modification-failed")
    again = plans_for(svc.target, [rec], units, {rec["source_id"]: qid})
    assert again[0].action == "unchanged"
    run_upload(svc.target, again, ledger)
    with Ledger(ledger) as led:
        assert led.counts(campaign().id) == {"done": 1}
        assert led.get(campaign().id, rec["source_id"]).qid == qid
