"""Snak and reference hashes equal the ones Wikidata shows for the same snaks."""

from __future__ import annotations

from sandbox.wb_hashes import (
    php_json,
    snak_serialization,
    wikibase_reference_hash,
    wikibase_snak_hash,
)


def _item(pid: str, qid: str) -> dict:
    return {"snaktype": "value", "property": pid, "datavalue": {
        "type": "wikibase-entityid",
        "value": {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid}}}


def test_hashes_match_wikidata():
    # Q42's "instance of: human" main snak, and the ubiquitous reference
    # "imported from Wikimedia project: English Wikipedia" (P143 = Q328).
    assert wikibase_snak_hash(_item("P31", "Q5")) == "ad7d38a03cdd40cdc373de0dc4e7b7fcbccb31d9"
    p143 = wikibase_snak_hash(_item("P143", "Q328"))
    assert wikibase_reference_hash([p143]) == "fa278ebfc458360e5aed63d5058cca83c46134f1"


def test_reference_hash_ignores_snak_order():
    a, b = wikibase_snak_hash(_item("P248", "Q1")), wikibase_snak_hash(_item("P143", "Q2"))
    assert wikibase_reference_hash([a, b]) == wikibase_reference_hash([b, a])


def test_value_serializations_as_php_writes_them():
    assert snak_serialization({"snaktype": "novalue", "property": "P17"}) == \
        'C:43:"Wikibase\\DataModel\\Snak\\PropertyNoValueSnak":3:{P17}'
    text = snak_serialization({"snaktype": "value", "property": "P6375", "datavalue": {
        "type": "monolingualtext", "value": {"text": "Gärdet", "language": "sv"}}})
    assert 'a:2:{i:0;s:2:"sv";i:1;s:7:"Gärdet";}' in text  # byte lengths, like PHP
    assert php_json(["+1723-06-03T00:00:00Z", "http://www.wikidata.org/entity/Q1985727"]) == \
        '["+1723-06-03T00:00:00Z","http:\\/\\/www.wikidata.org\\/entity\\/Q1985727"]'
    quantity = snak_serialization({"snaktype": "value", "property": "P2046", "datavalue": {
        "type": "quantity", "value": {"amount": "+12.5", "unit": "1"}}})
    assert 'C:33:"DataValues\\UnboundedQuantityValue"' in quantity
    assert 'C:23:"DataValues\\DecimalValue":12:{s:5:"+12.5";}' in quantity
