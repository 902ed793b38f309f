"""Item plans: record + decision → Wikibase JSON following the campaign mapping."""

from __future__ import annotations

import json

import pytest
from _upload_fixtures import ADMIN, TODAY, bbr, bbr_record, live_from, nvr, nvr_record

from core.errors import CampaignError
from modeling import datavalues as dv
from modeling.items import Plan, build_entity, fill, plan_items, summarize


def _values(entity, prop):
    return [dv.format_snak(s["mainsnak"]) for s in entity["claims"].get(prop, [])]


def test_bbr_record_maps_every_statement_with_one_reference_each():
    entity, warnings, ident = build_entity(bbr_record(), bbr(), admin_units=ADMIN, today=TODAY)
    assert warnings == []
    assert ident == "raa/bbr/21300000012345"
    assert _values(entity, "P31") == ["Q41176"]
    assert _values(entity, "P17") == ["Q34"]
    assert _values(entity, "P131") == ["Q1754"]
    assert _values(entity, "P625") == ["59.3249, 18.0676"]  # rounded to the 1e-4 precision
    assert _values(entity, "P1260") == ["raa/bbr/21300000012345"]
    assert _values(entity, "P6375") == ["Riddarhustorget 10 (sv)"]
    assert _values(entity, "P571") == ["+1641-00-00T00:00:00Z /9"]
    (p1435,) = entity["claims"]["P1435"]
    assert dv.format_snak(p1435["mainsnak"]) == "Q24284072"
    assert [dv.format_snak(q) for q in p1435["qualifiers"]["P580"]] == ["+1965-04-02T00:00:00Z /11"]
    for sts in entity["claims"].values():
        for st in sts:
            (ref,) = st["references"]
            assert ref["snaks-order"] == ["P248", "P854", "P813", "P577"]
            assert dv.format_snak(ref["snaks"]["P248"][0]) == "Q20244383"
            assert ref["snaks"]["P854"][0]["datavalue"]["value"] == "http://kulturarvsdata.se/raa/bbr/21300000012345"
            assert ref["snaks"]["P813"][0]["datavalue"]["value"]["time"] == "+2026-10-01T00:00:00Z"
    assert entity["labels"] == {"sv": {"language": "sv", "value": "Riddarhuset"}}
    assert entity["descriptions"]["en"]["value"] == "listed building in Stockholm, Sweden"


def test_nvr_polygon_record_gets_area_geoshape_novalue_and_split_p131():
    rec = nvr_record(iucn="Not Applicable", municipality_code="0180, 0380, 9999")
    entity, warnings, _ = build_entity(rec, nvr(), admin_units=ADMIN, today=TODAY)
    assert _values(entity, "P2046") == ["+123.46 Q35852"]  # 1 234 567.8 m² = 123.46 ha, Decimal string
    assert entity["claims"]["P2046"][0]["mainsnak"]["datavalue"]["value"]["amount"] == "+123.46"
    assert _values(entity, "P3896") == ["Data:Sweden/Nature reserves/2000123.map"]
    assert _values(entity, "P814") == ["<novalue>"]
    assert _values(entity, "P131") == ["Q1754", "Q25286"]
    assert any("'9999' not found" in w for w in warnings)
    assert _values(entity, "P809") == ["12345"]
    assert _values(entity, "P625") == ["59.17, 18.3"]


def test_unmapped_type_falls_back_to_default_with_a_warning():
    entity, warnings, _ = build_entity(bbr_record(type="slott"), bbr(), admin_units=ADMIN, today=TODAY)
    assert _values(entity, "P31") == ["Q1497375"]
    assert any("'slott' is not in the value map" in w for w in warnings)


def test_empty_template_field_gives_no_description_and_a_warning():
    entity, warnings, _ = build_entity(bbr_record(municipality=None), bbr(), admin_units=ADMIN, today=TODAY)
    assert entity["descriptions"] == {}
    assert any("description sv" in w for w in warnings)


def test_template_naming_an_unknown_field_is_a_campaign_error():
    with pytest.raises(CampaignError, match=r"mapping.labels.sv.*\{county\}"):
        fill("{county}", bbr_record(), what="mapping.labels.sv")


def test_quantity_amounts_are_decimal_strings_never_exponents():
    assert dv.amount("0.00001") == "+0.00001"
    assert dv.amount("12.50") == "+12.5"
    assert dv.amount(-3) == "-3"


def test_plan_new_existing_unchanged_and_review():
    c = bbr()
    desired, _, _ = build_entity(bbr_record(), c, admin_units=ADMIN, today=TODAY)
    live = live_from(desired, "Q200000001")
    recs = [bbr_record(), bbr_record(source_id="21300000099999", name="Gamla rådhuset"),
            bbr_record(source_id="21300000077777", name="Kvarnen")]
    plans = plan_items(recs, {"21300000012345": "Q200000001", "21300000099999": "new",
                              "21300000077777": "review"},
                       c, admin_units=ADMIN, live_entities={"Q200000001": live}, today=TODAY)
    assert [p.action for p in plans] == ["unchanged", "create", "held"]
    assert plans[0].data == {}
    assert plans[1].qid is None and plans[1].data["claims"]["P1260"]
    assert "review" in plans[2].failed_checks[0]["message"]
    assert summarize(plans)["actions"] == {"create": 1, "held": 1, "unchanged": 1}


def test_plan_roundtrips_through_json_and_fingerprint_ignores_retrieved():
    c = bbr()
    (p,) = plan_items([bbr_record()], {"21300000012345": "new"}, c, admin_units=ADMIN,
                      live_entities={}, today=TODAY)
    again = Plan.from_json(json.loads(json.dumps(p.to_json())))
    assert again == p
    from datetime import date
    (later,) = plan_items([bbr_record()], {"21300000012345": "new"}, c, admin_units=ADMIN,
                          live_entities={}, today=date(2027, 1, 1))
    assert later.fingerprint() == p.fingerprint()
    (changed,) = plan_items([bbr_record(name="Riddarhuset i Stockholm")], {"21300000012345": "new"}, c,
                            admin_units=ADMIN, live_entities={}, today=TODAY)
    assert changed.fingerprint() != p.fingerprint()


def test_decided_item_missing_on_target_is_held():
    (p,) = plan_items([bbr_record()], {"21300000012345": "Q999"}, bbr(), admin_units=ADMIN,
                      live_entities={}, today=TODAY)
    assert p.action == "held" and "does not exist" in p.failed_checks[0]["message"]
