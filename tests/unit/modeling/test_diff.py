"""Add-only diff against the live entity."""

from __future__ import annotations

import copy

from _upload_fixtures import ADMIN, TODAY, bbr, bbr_record, live_from

from modeling import datavalues as dv
from modeling.diff import diff_entity, equivalent_reference, same_snak
from modeling.items import SINGLE_VALUE, build_entity

SINGLE = SINGLE_VALUE | {"P1260"}


def _desired():
    entity, _, _ = build_entity(bbr_record(), bbr(), admin_units=ADMIN, today=TODAY)
    return entity


def test_new_item_sends_the_whole_entity():
    desired = _desired()
    res = diff_entity(desired, None, single_value=SINGLE)
    assert res.data == desired
    assert sum(c["kind"] == "statement" for c in res.changes) == sum(map(len, desired["claims"].values()))


def test_identical_live_item_needs_no_write_even_with_a_newer_retrieved_date():
    live = live_from(_desired(), "Q5")
    from datetime import date
    later, _, _ = build_entity(bbr_record(), bbr(), admin_units=ADMIN, today=date(2027, 5, 5))
    assert diff_entity(later, live, single_value=SINGLE).data == {}


def test_existing_statement_without_our_reference_gets_it_added_with_its_id():
    desired = _desired()
    live = live_from(desired, "Q5")
    other_ref = dv.reference([dv.snak("P248", "wikibase-item", dv.item("Q1"))])
    live["claims"]["P31"][0]["references"] = [other_ref]
    res = diff_entity(desired, live, single_value=SINGLE)
    (st,) = res.data["claims"]["P31"]
    assert st["id"] == live["claims"]["P31"][0]["id"]
    assert len(st["references"]) == 2 and st["references"][0] == other_ref
    assert list(res.data) == ["claims"] and list(res.data["claims"]) == ["P31"]


def test_reference_equivalence_uses_stated_in_and_url_not_retrieved():
    a = dv.reference([dv.snak("P248", "wikibase-item", dv.item("Q20244383")),
                      dv.snak("P854", "url", dv.string("http://x/1")),
                      dv.snak("P813", "time", dv.time("+2020-01-01T00:00:00Z", 11))])
    b = dv.reference([dv.snak("P248", "wikibase-item", dv.item("Q20244383")),
                      dv.snak("P854", "url", dv.string("http://x/1")),
                      dv.snak("P813", "time", dv.time("+2026-01-01T00:00:00Z", 11))])
    c = dv.reference([dv.snak("P248", "wikibase-item", dv.item("Q20244383")),
                      dv.snak("P854", "url", dv.string("http://x/2"))])
    assert equivalent_reference(a, b)
    assert not equivalent_reference(a, c)
    assert not equivalent_reference(a, dv.reference([dv.snak("P248", "wikibase-item", dv.item("Q1"))]))


def test_coordinates_within_tolerance_are_equal_and_far_ones_are_held_not_overwritten():
    desired = _desired()
    live = live_from(desired, "Q5")
    coord = live["claims"]["P625"][0]["mainsnak"]["datavalue"]["value"]
    coord["latitude"] += 0.0003  # ~33 m
    assert diff_entity(desired, live, single_value=SINGLE).data == {}
    coord["latitude"] += 0.01  # ~1.1 km
    res = diff_entity(desired, live, single_value=SINGLE)
    assert "claims" not in res.data
    assert res.held and res.held[0]["property"] == "P625"


def test_times_compare_by_value_and_precision():
    y1641 = dv.snak("P571", "time", dv.time("+1641-00-00T00:00:00Z", 9))
    also = dv.snak("P571", "time", dv.time("+1641-05-01T00:00:00Z", 9))
    day = dv.snak("P571", "time", dv.time("+1641-05-01T00:00:00Z", 11))
    assert same_snak(y1641, also)
    assert not same_snak(y1641, day)


def test_other_editors_statements_are_never_removed_and_multi_value_gets_added():
    desired = _desired()
    live = live_from(desired, "Q5")
    live["claims"]["P31"][0]["mainsnak"]["datavalue"] = dv.item("Q16970")
    live["claims"]["P373"] = [{"mainsnak": dv.snak("P373", "string", dv.string("Riddarhuset")),
                               "type": "statement", "rank": "normal", "id": "Q5$x", "references": []}]
    res = diff_entity(desired, live, single_value=SINGLE)
    assert list(res.data["claims"]) == ["P31"]
    (new,) = res.data["claims"]["P31"]
    assert "id" not in new and dv.format_snak(new["mainsnak"]) == "Q41176"
    assert not any(s.get("remove") is not None for sts in res.data["claims"].values() for s in sts)


def test_differing_identifier_is_held_for_review():
    desired = _desired()
    live = live_from(desired, "Q5")
    live["claims"]["P1260"][0]["mainsnak"]["datavalue"] = dv.string("raa/bbr/21300000000001")
    res = diff_entity(desired, live, single_value=SINGLE)
    assert [h["property"] for h in res.held] == ["P1260"]
    assert "claims" not in res.data


def test_labels_are_only_added_where_missing_and_aliases_only_added():
    desired = _desired()
    desired["aliases"] = {"sv": [{"language": "sv", "value": "Riddarhuspalatset"}]}
    live = live_from(desired, "Q5")
    live["labels"] = {"sv": {"language": "sv", "value": "Riddarhuspalatset"}}
    live["descriptions"] = {"en": {"language": "en", "value": "building in Stockholm"}}
    live["aliases"] = {}
    res = diff_entity(desired, live, single_value=SINGLE)
    assert "labels" not in res.data  # sv label exists: never overwritten
    assert res.data["descriptions"] == {"sv": desired["descriptions"]["sv"]}
    assert "aliases" not in res.data  # the alias equals the live label
    assert any("kept 'Riddarhuspalatset'" in w for w in res.warnings)


def test_missing_qualifier_is_added_to_an_equal_statement():
    desired = _desired()
    live = live_from(desired, "Q5")
    st = live["claims"]["P1435"][0]
    st.pop("qualifiers")
    st.pop("qualifiers-order")
    res = diff_entity(desired, copy.deepcopy(live), single_value=SINGLE)
    (sent,) = res.data["claims"]["P1435"]
    assert sent["id"] == st["id"] and sent["qualifiers"]["P580"]
    assert len(sent["references"]) == 1  # ours already there: not duplicated
