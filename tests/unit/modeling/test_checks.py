"""Pre-upload checks: each one has a plan that fails it."""

from __future__ import annotations

from _upload_fixtures import ADMIN, TODAY, bbr, bbr_record, live_from, nvr, nvr_record

from modeling import datavalues as dv
from modeling.items import build_entity, plan_items


def _plans(records, campaign=None, decisions=None, **kw):
    campaign = campaign or bbr()
    decisions = decisions or {r["source_id"]: "new" for r in records}
    return plan_items(records, decisions, campaign, admin_units=ADMIN, today=TODAY,
                      live_entities=kw.pop("live_entities", {}), **kw)


def _failed(plan):
    return {c["check"]: c["message"] for c in plan.failed_checks}


def test_clean_record_passes_every_check():
    (p,) = _plans([bbr_record()])
    assert p.action == "create"
    assert len(p.checks) == 12 and all(c["ok"] for c in p.checks)


def test_licence_gate_holds_everything_for_non_cc0_data():
    c = bbr().model_copy(update={"licence": "CC-BY-4.0"})
    (p,) = _plans([bbr_record()], campaign=c)
    assert p.action == "held"
    assert "CC-BY-4.0" in _failed(p)["licence"] and "CC0" in _failed(p)["licence"]


def test_identifier_format():
    (p,) = _plans([bbr_record(source_id="2130000001234X")])
    assert "should match" in _failed(p)["identifier_format"]


def test_distinct_values_against_the_wiki_and_within_the_batch():
    (p,) = _plans([bbr_record()], existing_ids={"raa/bbr/21300000012345": {"Q4242"}})
    assert "already on Q4242" in _failed(p)["distinct_values"]
    a, b = _plans([bbr_record(), bbr_record(name="Annat namn")])
    assert "2 records of this batch" in _failed(a)["distinct_values"]
    assert "distinct_values" in _failed(b)


def test_single_value_on_the_merged_item():
    c = bbr()
    desired, _, _ = build_entity(bbr_record(), c, admin_units=ADMIN, today=TODAY)
    live = live_from(desired, "Q5")
    (p,) = _plans([bbr_record()], decisions={"21300000012345": "Q5"}, live_entities={"Q5": live})
    p.action = "update"
    # a second P17 value sneaking into the data (e.g. a hand-edited plan) must be caught
    p.data = {"claims": {"P17": [dv.statement(dv.snak("P17", "wikibase-item", dv.item("Q35")),
                                              references=[{"snaks": {}, "snaks-order": []}])]}}
    p.checks.clear()
    from modeling.checks import run_checks
    run_checks([p], c, live_entities={"Q5": live}, today=TODAY)
    assert "P17 would have 2 values" in _failed(p)["single_value"]


def test_new_item_without_label_description_or_p31():
    c = bbr()
    c.mapping.instance_of.column = None
    c.mapping.instance_of.default = None
    (p,) = _plans([bbr_record(name=None, municipality=None)], campaign=c)
    assert _failed(p)["new_item_terms"] == "new item without label, description, P31 instance of"


def test_label_equal_to_description():
    c = bbr()
    c.mapping.descriptions = {"sv": "{name}"}
    (p,) = _plans([bbr_record()], campaign=c)
    assert _failed(p)["label_not_description"] == "label equals description in sv"


def test_label_longer_than_250():
    (p,) = _plans([bbr_record(name="R" * 251)])
    assert "label sv (251 chars)" in _failed(p)["term_length"]


def test_whitespace_problems():
    (p,) = _plans([bbr_record(name="Gamla  rådhuset", address="Storgatan\x07 1")])
    msg = _failed(p)["whitespace"]
    assert "label sv: double space" in msg and "P6375: control character" in msg


def test_coordinates_outside_the_country():
    (p,) = _plans([bbr_record(lat=52.37, lon=4.89)])  # Amsterdam
    assert "outside SE" in _failed(p)["coordinates_in_country"]


def test_start_time_and_inception_in_the_future():
    (p,) = _plans([bbr_record(designation_date="2031-01-01", built="2030")])
    msg = _failed(p)["future_dates"]
    assert "P580 +2031-01-01" in msg and "P571 +2030" in msg


def test_unsourced_statement():
    (p,) = _plans([bbr_record()])
    p.data["claims"]["P17"][0]["references"] = []
    p.checks.clear()
    from modeling.checks import run_checks
    run_checks([p], bbr(), live_entities={}, today=TODAY)
    assert _failed(p)["sourced"] == "unsourced statements: P17"


def test_label_description_collision_with_an_existing_item_and_within_the_batch():
    key = ("sv", "Riddarhuset", "byggnadsminne i Stockholm")
    (p,) = _plans([bbr_record()], collisions={key: "Q777"})
    assert "already used by Q777" in _failed(p)["label_description_unique"]
    _a, b = _plans([bbr_record(), bbr_record(source_id="21300000012346")])
    assert "shared with another record" in _failed(b)["label_description_unique"]


def test_wle_record_passes_and_the_format_regex_applies_there_too():
    (ok,) = _plans([nvr_record()], campaign=nvr())
    assert ok.action == "create", ok.failed_checks
    (bad,) = _plans([nvr_record(source_id="12")], campaign=nvr())
    assert "identifier_format" in _failed(bad)


def test_update_is_not_held_for_a_label_shared_with_a_new_record():
    # issue 15 §6: the existing item keeps its label+description; only the new twin is held
    c = bbr()
    desired, _, _ = build_entity(bbr_record(), c, admin_units=ADMIN, today=TODAY)
    live = live_from(desired, "Q5")
    del live["claims"]["P571"]  # the update adds the inception
    twin = bbr_record(source_id="21300000012346")
    upd, new = _plans([bbr_record(), twin], decisions={"21300000012345": "Q5", twin["source_id"]: "new"},
                      live_entities={"Q5": live})
    assert upd.action == "update", upd.failed_checks
    assert "label_description_unique" not in _failed(upd)
    assert "shared with another record" in _failed(new)["label_description_unique"]
