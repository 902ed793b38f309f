"""Twenty queries written the way people write them for WDQS, run unchanged on the local endpoint.

The data are the monuments and protected areas of ``tests/fixtures/wdqs_monuments.py``, seeded
through the Action API so that the RDF is the sandbox's own WDQS-format export.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from _wdqs_support import http, seed_monuments, sparql

from sandbox.services import free_port, start_services, stop_services


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory):
    """SPARQL URL of a seeded, isolated services pair."""
    data_dir = tmp_path_factory.mktemp("wdqs-conformance")
    info = start_services(data_dir, wikibase_port=free_port(), sparql_port=free_port())
    try:
        seed_monuments(info.admin_url, info.admin_headers)
        yield info.sparql_url
    finally:
        stop_services(data_dir)


def _pairs(rows: list[dict[str, str]], *keys: str) -> list[tuple[str, ...]]:
    return [tuple(r.get(k, "") for k in keys) for r in rows]


def test_01_label_service_with_fallback_to_second_language_and_to_the_id(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item ?itemLabel WHERE {
          ?item wdt:P1435 ?designation ; wdt:P17 wd:Q34 .
          SERVICE wikibase:label { bd:serviceParam wikibase:language "[AUTO_LANGUAGE],sv". }
        } ORDER BY ?item""")
    assert _pairs(rows, "item", "itemLabel", "itemLabel@") == [
        ("Q9100001", "Stockholm Cathedral", "en"), ("Q9100002", "Uppsala Cathedral", "en"),
        ("Q9100003", "Visby City Wall", "en"), ("Q9100004", "Hoburgen Lighthouse", "en"),
        ("Q9100005", "Lund Cathedral", "en"), ("Q9100006", "Väderkvarnen på Skansen", "sv"),
        ("Q9100007", "Q9100007", ""),  # no label in any language: WDQS gives the id
    ]


def test_02_auto_language_follows_uselang(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item ?itemLabel WHERE {
          VALUES ?item { wd:Q9100001 wd:Q9200004 }
          SERVICE wikibase:label { bd:serviceParam wikibase:language "[AUTO_LANGUAGE],en". }
        } ORDER BY ?item""", uselang="de")
    assert _pairs(rows, "itemLabel") == [("Stockholm Cathedral",), ("Hammarskog-Naturreservat",)]


def test_03_designation_with_start_time_qualifier_and_labels(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item ?designationLabel ?start WHERE {
          ?item p:P1435 ?statement .
          ?statement ps:P1435 ?designation ; pq:P580 ?start .
          ?item wdt:P131 wd:Q190000980 .
          SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
        } ORDER BY ?start""")
    assert _pairs(rows, "item", "designationLabel", "start") == [
        ("Q9100004", "governmental listed building", "1935-01-01T00:00:00Z"),
        ("Q9100003", "governmental listed building", "1970-01-01T00:00:00Z"),
    ]


def test_04_designations_still_in_force(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item WHERE {
          ?item p:P1435 ?st . ?st ps:P1435 ?d .
          FILTER NOT EXISTS { ?st pq:P582 ?end . }
          ?item wdt:P131 wd:Q190000980 .
        }""")
    assert _pairs(rows, "item") == [("Q9100004",)]  # Visby's designation ended in 2001


def test_05_around_a_center_taken_from_an_item(endpoint):
    rows = sparql(endpoint, """
        SELECT ?place ?placeLabel ?dist WHERE {
          wd:Q190000180 wdt:P625 ?stockholm .
          SERVICE wikibase:around {
            ?place wdt:P625 ?location .
            bd:serviceParam wikibase:center ?stockholm .
            bd:serviceParam wikibase:radius "5" .
            bd:serviceParam wikibase:distance ?dist .
          }
          ?place wdt:P1435 [] .
          SERVICE wikibase:label { bd:serviceParam wikibase:language "sv". }
        } ORDER BY ASC(?dist)""")
    assert _pairs(rows, "place", "placeLabel") == [
        ("Q9100001", "Storkyrkan"), ("Q9100006", "Väderkvarnen på Skansen")]
    assert 0.3 < float(rows[0]["dist"]) < 0.6 < float(rows[1]["dist"]) < 2.5


def test_06_around_a_literal_point_without_distance_variable(endpoint):
    rows = sparql(endpoint, """
        SELECT ?park WHERE {
          SERVICE wikibase:around {
            ?park wdt:P625 ?coords .
            bd:serviceParam wikibase:center "Point(18.07 59.33)"^^geo:wktLiteral .
            bd:serviceParam wikibase:radius "30" .
          }
          ?park wdt:P31 wd:Q46169 .
        }""")
    assert _pairs(rows, "park") == [("Q9200001",)]  # Tyresta ~20 km away, Sarek far north


def test_07_around_on_coordinate_value_nodes(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item WHERE {
          SERVICE wikibase:around {
            ?item p:P625/psv:P625 ?node .
            bd:serviceParam wikibase:center "Point(17.6339 59.8581)"^^geo:wktLiteral .
            bd:serviceParam wikibase:radius "15" .
          }
        } ORDER BY ?item""")
    # Uppsala Cathedral, the Uppsala municipality item and Hammarskog (~10 km south)
    assert _pairs(rows, "item") == [("Q190000380",), ("Q9100002",), ("Q9200004",)]


def test_08_box_south_west_north_east_on_gotland(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item ?itemLabel WHERE {
          SERVICE wikibase:box {
            ?item wdt:P625 ?location .
            bd:serviceParam wikibase:cornerSouthWest "Point(17.9 56.8)"^^geo:wktLiteral .
            bd:serviceParam wikibase:cornerNorthEast "Point(19.4 58.0)"^^geo:wktLiteral .
          }
          ?item wdt:P1260 ?bbr .
          SERVICE wikibase:label { bd:serviceParam wikibase:language "sv". }
        } ORDER BY ?itemLabel""")
    assert _pairs(rows, "item", "itemLabel") == [
        ("Q9100004", "Hoburgens fyr"), ("Q9100003", "Visby ringmur")]


def test_09_box_west_east_corners_from_items(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item WHERE {
          wd:Q9100005 wdt:P625 ?lund . wd:Q9100002 wdt:P625 ?uppsala .
          SERVICE wikibase:box {
            ?item wdt:P625 ?location .
            bd:serviceParam wikibase:cornerWest ?lund .
            bd:serviceParam wikibase:cornerEast ?uppsala .
          }
          ?item wdt:P31 wd:Q16970 .
        } ORDER BY ?item""")
    # the box spans 13.19–17.63 °E and 55.70–59.86 °N: both ends, not Stockholm (18.07 °E)
    assert _pairs(rows, "item") == [("Q9100002",), ("Q9100005",)]


def test_10_count_per_municipality_with_group_by_label(endpoint):
    rows = sparql(endpoint, """
        SELECT ?municipality ?municipalityLabel (COUNT(?item) AS ?monuments) WHERE {
          ?item wdt:P1435 [] ; wdt:P131 ?municipality .
          SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
        } GROUP BY ?municipality ?municipalityLabel
        ORDER BY DESC(?monuments) ?municipalityLabel""")
    assert _pairs(rows, "municipalityLabel", "monuments") == [
        ("Gotland Municipality", "2"), ("Stockholm Municipality", "2"),
        ("Linköping Municipality", "1"), ("Lund Municipality", "1"),
        ("Uppsala Municipality", "1")]


def test_11_protected_area_size_with_unit_and_iucn_category(endpoint):
    rows = sparql(endpoint, """
        SELECT ?area ?areaLabel ?iucnLabel ?amount ?unitLabel WHERE {
          ?area wdt:P31 wd:Q46169 ; wdt:P814 ?iucn ;
                p:P2046/psv:P2046 [ wikibase:quantityAmount ?amount ;
                                    wikibase:quantityUnit ?unit ] .
          SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
        } ORDER BY DESC(?amount)""")
    assert _pairs(rows, "areaLabel", "iucnLabel", "amount", "unitLabel") == [
        ("Sarek National Park", "IUCN category II", "197000", "hectare"),
        ("Tyresta National Park", "IUCN category II", "1970", "hectare")]


def test_12_subclass_property_path(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item WHERE { ?item wdt:P31/wdt:P279* wd:Q41176 . } ORDER BY ?item""")
    assert _pairs(rows, "item") == [("Q9100001",), ("Q9100002",), ("Q9100005",)]


def test_13_statement_count_and_identifiers(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item ?statements WHERE {
          ?item wdt:P1260 [] ; wikibase:statements ?statements .
          FILTER(?statements >= 7)
        } ORDER BY DESC(?statements) ?item""")
    # P31 P17 P131 P625 P1435 P1260 (+ P18, + P571)
    assert _pairs(rows, "item", "statements") == [
        ("Q9100001", "8"), ("Q9100002", "8"), ("Q9100004", "7")]


def test_14_explicit_label_and_description_bindings_in_the_service(endpoint):
    rows = sparql(endpoint, """
        SELECT ?name ?text WHERE {
          VALUES ?item { wd:Q9100001 wd:Q9100005 }
          SERVICE wikibase:label {
            bd:serviceParam wikibase:language "sv,en" .
            ?item rdfs:label ?name .
            ?item schema:description ?text .
          }
        } ORDER BY ?name""")
    assert _pairs(rows, "name", "text") == [
        ("Lunds domkyrka", "domkyrka i Lund"), ("Storkyrkan", "kyrka i Stockholm")]


def test_15_alt_label_and_description_variables(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item ?itemDescription ?itemAltLabel WHERE {
          VALUES ?item { wd:Q9100001 wd:Q9100002 }
          SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
        } ORDER BY ?item""")
    assert rows[0] == {"item": "Q9100001", "itemDescription": "church in Gamla stan, Stockholm",
                       "itemDescription@": "en",
                       "itemAltLabel": "Church of St. Nicholas, Great Church",
                       "itemAltLabel@": "en"}
    assert rows[1] == {"item": "Q9100002"}  # neither description nor aliases in English


def test_16_articles_on_swedish_wikipedia(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item ?article ?title WHERE {
          ?article schema:about ?item ; schema:isPartOf <https://sv.wikipedia.org/> ;
                   schema:name ?title .
          ?item wdt:P1435 [] .
        } ORDER BY ?title""")
    assert _pairs(rows, "item", "article", "title") == [
        ("Q9100001", "https://sv.wikipedia.org/wiki/Storkyrkan", "Storkyrkan"),
        ("Q9100002", "https://sv.wikipedia.org/wiki/Uppsala_domkyrka", "Uppsala domkyrka")]


def test_17_monuments_without_image_with_optional_and_minus(endpoint):
    rows = sparql(endpoint, """
        SELECT ?item ?itemLabel WHERE {
          ?item wdt:P1260 ?id .
          MINUS { ?item wdt:P18 ?image . }
          OPTIONAL { ?item wdt:P571 ?inception . }
          FILTER(!BOUND(?inception))
          SERVICE wikibase:label { bd:serviceParam wikibase:language "en,sv". }
        } ORDER BY ?item""")
    assert _pairs(rows, "item", "itemLabel") == [
        ("Q9100003", "Visby City Wall"), ("Q9100005", "Lund Cathedral"),
        ("Q9100006", "Väderkvarnen på Skansen"), ("Q9100007", "Q9100007")]


def test_18_reference_stated_in_and_identifier_lookup_with_values(endpoint):
    rows = sparql(endpoint, """
        SELECT ?id ?item ?sourceLabel WHERE {
          VALUES ?id { "raa/bbr/21300000003265" "raa/bbr/21300000001234" "raa/bbr/404" }
          ?item p:P1260 ?st . ?st ps:P1260 ?id ;
                prov:wasDerivedFrom/pr:P248 ?source .
          SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
        } ORDER BY ?id""")
    assert _pairs(rows, "id", "item", "sourceLabel") == [
        ("raa/bbr/21300000001234", "Q9100005", "Bebyggelseregistret"),
        ("raa/bbr/21300000003265", "Q9100001", "Bebyggelseregistret")]


def test_19_query_hints_are_accepted_and_ignored(endpoint):
    rows = sparql(endpoint, """
        SELECT ?reserve ?reserveLabel ?nvr WHERE {
          hint:Query hint:optimizer "None" .
          ?reserve wdt:P31 wd:Q179049 ; wdt:P3613 ?nvr .
          hint:Prior hint:runLast true .
          SERVICE wikibase:label { bd:serviceParam wikibase:language "sv". }
        } ORDER BY ?nvr""")
    assert _pairs(rows, "reserveLabel", "nvr") == [
        ("Vålådalens naturreservat", "2000453"), ("Hammarskog", "2016081")]


def test_20_sample_distance_and_best_rank(endpoint):
    sample = sparql(endpoint, """
        SELECT ?item WHERE {
          SERVICE bd:sample { ?item wdt:P31 wd:Q16970 . bd:serviceParam bd:sample.limit 2 . }
        }""")
    assert len(sample) == 2 and {r["item"] for r in sample} <= {"Q9100001", "Q9100002", "Q9100005"}
    rows = sparql(endpoint, """
        SELECT ?item (ROUND(?km) AS ?rounded) WHERE {
          ?item p:P625 ?st . ?st a wikibase:BestRank ; ps:P625 ?coords .
          ?item wdt:P31 wd:Q16970 .
          BIND(geof:distance(?coords, "Point(18.0686 59.3293)"^^geo:wktLiteral) AS ?km)
        } ORDER BY ?km""")
    # great-circle from Stockholm's centre: Storkyrkan ~0.4 km, Uppsala ~64 km, Lund ~497 km
    assert _pairs(rows, "item", "rounded") == [
        ("Q9100001", "0"), ("Q9100002", "64"), ("Q9100005", "497")]


# --- answer formats -----------------------------------------------------------------------------


def test_accept_q_values_choose_the_format(endpoint):
    url = endpoint + "?query=SELECT%20%3Fx%20WHERE%20%7B%20VALUES%20%3Fx%20%7B%201%20%7D%20%7D"
    cases = {"application/sparql-results+json;q=0.2, text/csv;q=0.9": "text/csv",
             "text/csv;q=0, application/sparql-results+xml": "application/sparql-results+xml",
             "text/html, */*;q=0.1": "application/sparql-results+json",
             "text/tab-separated-values;q=0.5, application/json;q=0.4":
                 "text/tab-separated-values"}
    for accept, expected in cases.items():
        status, headers, body = http(url, headers={"Accept": accept})
        assert status == 200 and headers["Content-Type"].split(";")[0] == expected, accept
    status, _, body = http(url, headers={"Accept": "text/csv"})
    assert body.decode().splitlines() == ["x", "1"]


def test_construct_answers_json_ld_when_asked(endpoint):
    query = ("CONSTRUCT { ?item rdfs:label ?label } WHERE { VALUES ?item { wd:Q9100005 } "
             "?item rdfs:label ?label FILTER(LANG(?label) = 'sv') }")
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    status, headers, body = http(url, headers={"Accept": "application/ld+json"})
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    doc = json.loads(body)
    assert doc == [{"@id": "http://www.wikidata.org/entity/Q9100005",
                    "http://www.w3.org/2000/01/rdf-schema#label": [
                        {"@value": "Lunds domkyrka", "@language": "sv"}]}]
    status, headers, body = http(url, headers={"Accept": "text/turtle;q=0.5, application/n-triples"})
    assert headers["Content-Type"].startswith("application/n-triples")
    assert body.decode().strip() == ('<http://www.wikidata.org/entity/Q9100005> '
                                     '<http://www.w3.org/2000/01/rdf-schema#label> '
                                     '"Lunds domkyrka"@sv .')
