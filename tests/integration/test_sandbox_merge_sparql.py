"""After ``wbmergeitems`` the query service shows the merge as WDQS does: the old item is only
``wd:Qold owl:sameAs wd:Qnew``, its statements are gone, the target holds what moved (issue 16)."""

from __future__ import annotations

import json

import pytest
from _wdqs_support import sparql
from test_sandbox_edit_actions import Api

pytestmark = pytest.mark.integration

CHURCH = {"type": "wikibase-entityid", "value": {"entity-type": "item", "id": "Q16970"}}


def _own_statements(old: str) -> str:
    return (f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "
            f'"http://www.wikidata.org/entity/statement/{old}-")) }}')


def _statement(prop: str, value: dict) -> dict:
    return {"mainsnak": {"snaktype": "value", "property": prop, "datavalue": value},
            "type": "statement", "rank": "normal"}


@pytest.fixture(scope="module")
def merged(bot_services) -> tuple[str, str, str]:
    """(SPARQL URL, merged-away item, target item) after one wbmergeitems."""
    api = Api(bot_services.api_url)
    old = api.new_item("Gamla kapellet i Ekeby", claims=[_statement("P31", CHURCH)])["id"]
    new = api.new_item("Ekeby kyrka")["id"]
    url = bot_services.sparql_url
    assert sparql(url, f"SELECT ?v WHERE {{ wd:{old} wdt:P31 ?v }}") == [{"v": "Q16970"}]
    assert len(sparql(url, _own_statements(old))) == 1  # the statement node, before the merge
    r = api.post("wbmergeitems", fromid=old, toid=new)
    assert r["success"] == 1, json.dumps(r)
    return url, old, new


def test_old_item_is_only_same_as(merged):
    url, old, new = merged
    rows = sparql(url, f"SELECT ?p ?o WHERE {{ wd:{old} ?p ?o }}")
    assert rows == [{"p": "http://www.w3.org/2002/07/owl#sameAs", "o": new}]
    assert sparql(url, f"SELECT ?x WHERE {{ ?x owl:sameAs wd:{new} }}") == [{"x": old}]


def test_old_items_statements_are_gone(merged):
    url, old, _ = merged
    assert sparql(url, f"SELECT ?s ?v WHERE {{ wd:{old} p:P31 ?s . ?s ps:P31 ?v }}") == []
    assert sparql(url, f"SELECT ?v WHERE {{ wd:{old} wdt:P31 ?v }}") == []
    assert sparql(url, _own_statements(old)) == []


def test_target_holds_what_moved(merged):
    url, _, new = merged
    rows = sparql(url, f"SELECT ?v WHERE {{ wd:{new} p:P31 ?s . ?s ps:P31 ?v }}")
    assert rows == [{"v": "Q16970"}]
    rows = sparql(url, 'SELECT ?x WHERE { ?x skos:altLabel "Gamla kapellet i Ekeby"@en }')
    assert rows == [{"x": new}]
    assert sparql(url, 'SELECT ?x WHERE { ?x rdfs:label "Gamla kapellet i Ekeby"@en }') == []
