"""sandbox.entity: wbeditentity merge semantics and datavalue validation (offline)."""

from __future__ import annotations

import pytest

from sandbox.entity import EditContext, apply_edit, snak_hash
from sandbox.wikibase_errors import ApiFailure

TYPES = {"P31": "wikibase-item", "P1260": "external-id", "P2046": "quantity", "P571": "time",
         "P625": "globe-coordinate", "P18": "commonsMedia", "P3896": "geo-shape"}


def ctx() -> EditContext:
    return EditContext(property_type=TYPES.get, entity_exists=lambda e: e in {"Q34", "Q41176"})


def item_snak(pid: str, qid: str) -> dict:
    return {"snaktype": "value", "property": pid,
            "datavalue": {"value": {"entity-type": "item", "id": qid},
                          "type": "wikibase-entityid"}}


def stmt(snak: dict, **extra) -> dict:
    return {"mainsnak": snak, "type": "statement", "rank": "normal", **extra}


def base() -> dict:
    return apply_edit(None, {
        "labels": {"sv": {"language": "sv", "value": " Kyrka "}},
        "aliases": {"sv": [{"language": "sv", "value": "A"}, {"language": "sv", "value": "B"}]},
        "claims": {"P31": [stmt(item_snak("P31", "Q41176"))],
                   "P1260": [stmt({"snaktype": "value", "property": "P1260",
                                   "datavalue": {"value": "raa/bbr/1", "type": "string"}})]},
    }, "Q1", "item", ctx())


def test_new_entity_gets_guids_hashes_datatypes_and_trimmed_labels():
    ent = base()
    assert ent["labels"]["sv"]["value"] == "Kyrka"
    st = ent["claims"]["P31"][0]
    assert st["id"].startswith("Q1$") and st["mainsnak"]["datatype"] == "wikibase-item"
    assert st["mainsnak"]["hash"] == snak_hash(st["mainsnak"])
    assert st["mainsnak"]["datavalue"]["value"] == {"entity-type": "item", "numeric-id": 41176,
                                                    "id": "Q41176"}


def test_remove_markers_alias_ops_and_untouched_statements_kept():
    ent = base()
    guid = ent["claims"]["P1260"][0]["id"]
    new = apply_edit(ent, {
        "labels": {"sv": {"language": "sv", "value": "Kyrka", "remove": ""}},
        "aliases": {"sv": [{"language": "sv", "value": "C", "add": ""},
                           {"language": "sv", "value": "A", "remove": ""}]},
        "claims": [{"id": guid, "remove": ""}],
    }, "Q1", "item", ctx())
    assert new["labels"] == {}
    assert [a["value"] for a in new["aliases"]["sv"]] == ["B", "C"]
    assert "P1260" not in new["claims"] and len(new["claims"]["P31"]) == 1


def test_replace_by_guid_keeps_position_and_clear_empties():
    ent = base()
    guid = ent["claims"]["P31"][0]["id"]
    new = apply_edit(ent, {"claims": [stmt(item_snak("P31", "Q34"), id=guid)]}, "Q1", "item",
                     ctx())
    assert [s["id"] for s in new["claims"]["P31"]] == [guid]
    assert new["claims"]["P31"][0]["mainsnak"]["datavalue"]["value"]["id"] == "Q34"
    cleared = apply_edit(ent, {}, "Q1", "item", ctx(), clear=True)
    assert cleared["claims"] == {} and cleared["labels"] == {}


@pytest.mark.parametrize("snak,code,fragment", [
    ({"snaktype": "value", "property": "P999", "datavalue": {"value": "x", "type": "string"}},
     "modification-failed", "P999"),
    ({"snaktype": "value", "property": "P31", "datavalue": {"value": "x", "type": "string"}},
     "modification-failed", "expected wikibase-entityid"),
    ({"snaktype": "value", "property": "P2046",
      "datavalue": {"value": {"amount": "+1e-05", "unit": "1"}, "type": "quantity"}},
     "modification-failed", "P2046"),
    ({"snaktype": "value", "property": "P571",
      "datavalue": {"value": {"time": "1998-10-20", "precision": 11,
                              "calendarmodel": "http://www.wikidata.org/entity/Q1985727"},
                    "type": "time"}}, "modification-failed", "P571"),
    ({"snaktype": "value", "property": "P625",
      "datavalue": {"value": {"latitude": 95, "longitude": 18, "precision": 0.001},
                    "type": "globecoordinate"}}, "modification-failed", "P625"),
    ({"snaktype": "value", "property": "P18",
      "datavalue": {"value": "File:Foo.jpg", "type": "string"}}, "modification-failed", "P18"),
    ({"snaktype": "value", "property": "P3896",
      "datavalue": {"value": "Sweden.map", "type": "string"}}, "modification-failed", "P3896"),
    (item_snak("P31", "Q99999"), "modification-failed", "Q99999"),
])
def test_invalid_values_name_the_property(snak, code, fragment):
    with pytest.raises(ApiFailure) as exc:
        apply_edit(None, {"claims": [stmt(snak)]}, "Q1", "item", ctx())
    assert exc.value.code == code
    assert fragment in exc.value.info


def test_long_label_and_unknown_language():
    with pytest.raises(ApiFailure) as exc:
        apply_edit(None, {"labels": {"en": {"language": "en", "value": "x" * 251}}}, "Q1",
                   "item", ctx())
    assert exc.value.messages[0]["name"] == "wikibase-validator-label-too-long"
    with pytest.raises(ApiFailure) as exc:
        apply_edit(None, {"labels": {"xx-bogus": {"language": "xx-bogus", "value": "x"}}}, "Q1",
                   "item", ctx())
    assert exc.value.code == "not-recognized-language"


def test_property_needs_datatype_and_cannot_change_it():
    with pytest.raises(ApiFailure) as exc:
        apply_edit(None, {"labels": {}}, "P5", "property", ctx())
    assert exc.value.code == "param-illegal"
    prop = apply_edit(None, {"datatype": "string"}, "P5", "property", ctx())
    with pytest.raises(ApiFailure):
        apply_edit(prop, {"datatype": "url"}, "P5", "property", ctx())
