"""Services lifecycle, persistence across restarts, seeding, SPARQL transport and admin load."""

from __future__ import annotations

import json

import pytest
import requests

from core.errors import ServiceError
from sandbox.services import free_port, seed_files, services_status, start_services, stop_services

pytestmark = pytest.mark.integration


def test_seeded_base_entities_and_wdqs_prefixes(local_services):
    rows = requests.post(local_services.sparql_url, data={"query": """
        SELECT ?code ?label WHERE { ?m wdt:P31 wd:Q127448 ; wdt:P17 wd:Q34 ; wdt:P525 ?code ;
                                       rdfs:label ?label FILTER(LANG(?label) = "sv") }
        ORDER BY ?code"""}).json()["results"]["bindings"]
    codes = [r["code"]["value"] for r in rows]
    assert codes == ["0180", "0380", "0580", "0980", "1280", "1281", "1480", "2321", "2480",
                     "2510"]
    assert rows[0]["label"]["value"] == "Stockholms kommun"
    # WBI 0.12 transport: query in URL, multipart/form-data without boundary, empty body
    r = requests.post(local_services.sparql_url + "?format=json&query=" + requests.utils.quote(
        "SELECT ?t WHERE { wd:P1260 wikibase:propertyType ?t }"),
        headers={"Content-Type": "multipart/form-data",
                 "Accept": "application/sparql-results+json"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert r.json()["results"]["bindings"][0]["t"]["value"] == \
        "http://wikiba.se/ontology#ExternalId"


def test_geof_distance(local_services):
    rows = requests.get(local_services.sparql_url, params={"query": """
        SELECT ?d WHERE { wd:Q190000180 wdt:P625 ?a . wd:Q190000380 wdt:P625 ?b .
                          BIND(geof:distance(?a, ?b) AS ?d) }"""}).json()["results"]["bindings"]
    assert 60 < float(rows[0]["d"]["value"]) < 70  # Stockholm–Uppsala ≈ 64 km


def test_entity_data_json_and_ttl(local_services):
    base = local_services.api_url.replace("/w/api.php", "/wiki/Special:EntityData/")
    doc = requests.get(base + "Q34.json").json()
    assert doc["entities"]["Q34"]["labels"]["sv"]["value"] == "Sverige"
    ttl = requests.get(base + "Q34.ttl").text
    assert "schema:about wd:Q34" in ttl or "<http://www.wikidata.org/entity/Q34>" in ttl


def test_lifecycle_restart_keeps_data_and_seed_is_idempotent(tmp_path):
    data_dir = tmp_path / "svc"
    info = start_services(data_dir, free_port(), free_port(), seed=True)
    try:
        status = services_status(data_dir)
        assert status["running"] and status["api_ok"] and status["sparql_ok"]
        with pytest.raises(ServiceError, match="already running"):
            start_services(data_dir, free_port(), free_port())
        entity = tmp_path / "one.json"
        entity.write_text(json.dumps({"entities": {"Q4242": {
            "id": "Q4242", "type": "item",
            "labels": {"en": {"language": "en", "value": "seeded thing"}},
            "claims": {"P31": [{"mainsnak": {"snaktype": "value", "property": "P31",
                                             "datavalue": {"value": {"entity-type": "item",
                                                                     "id": "Q41176"},
                                                           "type": "wikibase-entityid"}},
                                "type": "statement", "rank": "normal"}]}}}}))
        assert seed_files(info.api_url, [entity], secret=info.admin_secret)["created"] == 1
        again = seed_files(info.api_url, [entity], secret=info.admin_secret)
        assert again["unchanged"] == 1
    finally:
        assert stop_services(data_dir)
    assert not services_status(data_dir)["running"]
    info = start_services(data_dir, free_port(), free_port(), seed=True)
    try:
        ent = requests.post(info.api_url, data={"action": "wbgetentities", "ids": "Q4242",
                                                "format": "json"}).json()["entities"]["Q4242"]
        assert ent["labels"]["en"]["value"] == "seeded thing"
        rows = requests.get(info.sparql_url, params={
            "query": "SELECT ?c WHERE { wd:Q4242 wdt:P31 ?c }"}).json()["results"]["bindings"]
        assert [r["c"]["value"] for r in rows] == ["http://www.wikidata.org/entity/Q41176"]
    finally:
        stop_services(data_dir)


def test_admin_load_turtle(services_factory):
    svc = services_factory(seed=False)
    ttl = ("@prefix wd: <http://www.wikidata.org/entity/> .\n"
           "@prefix wdt: <http://www.wikidata.org/prop/direct/> .\n"
           "wd:Q1 wdt:P31 wd:Q5 .\n")
    assert svc.load_rdf(ttl)["loaded"] == 1
    r = requests.get(svc.sparql_url, params={"query": "ASK { wd:Q1 wdt:P31 wd:Q5 }"})
    assert r.json()["boolean"] is True


def test_shared_reference_nodes_not_duplicated(services_factory):
    """Two items citing the same reference: the union graph holds its triples once."""
    svc = services_factory(seed=True)
    s = requests.Session()
    tok = s.post(svc.api_url, data={"action": "query", "meta": "tokens", "type": "login",
                                    "format": "json"}).json()["query"]["tokens"]["logintoken"]
    s.post(svc.api_url, data={"action": "login", "lgname": "Wlkit@sandbox",
                              "lgpassword": "sandbox-bot-password", "lgtoken": tok,
                              "format": "json"})
    csrf = s.get(svc.api_url, params={"action": "query", "meta": "tokens",
                                      "format": "json"}).json()["query"]["tokens"]["csrftoken"]
    ref = [{"snaks": {"P248": [{"snaktype": "value", "property": "P248", "datavalue": {
        "value": {"entity-type": "item", "id": "Q20244383"}, "type": "wikibase-entityid"}}]}}]
    ids = []
    for n in range(2):
        data = {"labels": {"en": {"language": "en", "value": f"ref item {n}"}},
                "claims": [{"mainsnak": {"snaktype": "value", "property": "P31", "datavalue": {
                    "value": {"entity-type": "item", "id": "Q41176"},
                    "type": "wikibase-entityid"}}, "type": "statement", "references": ref}]}
        r = s.post(svc.api_url, data={"action": "wbeditentity", "new": "item", "token": csrf,
                                      "data": json.dumps(data), "format": "json"}).json()
        ids.append(r["entity"]["id"])
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?r pr:P248 wd:Q20244383 }"
    count = lambda: int(requests.get(svc.sparql_url, params={"query": q}).json()  # noqa: E731
                        ["results"]["bindings"][0]["n"]["value"])
    assert count() == 1
    r = s.post(svc.api_url, data={"action": "wbeditentity", "id": ids[0], "clear": "",
                                  "token": csrf, "format": "json",
                                  "data": json.dumps({"labels": {"en": {"language": "en",
                                                                        "value": "x"}}})}).json()
    assert "entity" in r
    assert count() == 1  # still used by the second item
    s.post(svc.api_url, data={"action": "wbeditentity", "id": ids[1], "clear": "",
                              "token": csrf, "format": "json",
                              "data": json.dumps({"labels": {"en": {"language": "en",
                                                                    "value": "y"}}})})
    assert count() == 0
    assert svc.edits()["ids"] == ids + ids
