"""The spatial index behind ``wikibase:around``/``box``: the same rows as the FILTER rewrite,
kept up to date as entities are saved, edited, merged and as RDF is loaded or unloaded."""

from __future__ import annotations

import json
import random

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from sandbox.graph import LOADED_GRAPH
from sandbox.rdf import WIKIDATA, Vocabulary
from sandbox.repo import Repository
from sandbox.sparql_endpoint import load_rdf
from sandbox.sparql_exec import QueryRunner
from sandbox.spatial_index import SpatialIndex
from sandbox.wdqs_functions import custom_functions
from sandbox.wdqs_services import rewrite_query

PREFIXES = WIKIDATA.prefixes()
WKT = "<http://www.opengis.net/ont/geosparql#wktLiteral>"
MOON = "<http://www.wikidata.org/entity/Q405>"


def _points_ttl(n: int = 400, seed: int = 3) -> bytes:
    """Items around Stockholm, near the antimeridian and on the Moon; wdt: and ps: literals."""
    rng = random.Random(seed)
    lines = ["@prefix wd: <http://www.wikidata.org/entity/> .",
             "@prefix wdt: <http://www.wikidata.org/prop/direct/> .",
             "@prefix p: <http://www.wikidata.org/prop/> .",
             "@prefix ps: <http://www.wikidata.org/prop/statement/> ."]
    for i in range(n):
        if i % 10 == 0:
            lon, lat = rng.choice([179.99, -179.99]), rng.uniform(-16.5, -16.0)  # Fiji
        else:
            lon, lat = 18.07 + rng.uniform(-0.3, 0.3), 59.33 + rng.uniform(-0.2, 0.2)
        globe = f"{MOON} " if i % 37 == 0 else ""
        point = f'"{globe}Point({lon} {lat})"^^{WKT}'
        lines.append(f"wd:Q{i} wdt:P31 wd:Q{16970 if i % 3 else 41176} ; wdt:P625 {point} ; "
                     f"p:P625 wd:S{i} . wd:S{i} ps:P625 {point} .")
    return "\n".join(lines).encode()


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    s.load(_points_ttl(), format=RdfFormat.TURTLE, to_graph=NamedNode("urn:x-test:g"))
    return s


QUERIES = {
    "around, constant center, distance": """SELECT ?x ?d WHERE { SERVICE wikibase:around {
        ?x wdt:P625 ?l . bd:serviceParam wikibase:center "Point(18.07 59.33)"^^geo:wktLiteral ;
        wikibase:radius "7.5" ; wikibase:distance ?d . } ?x wdt:P31 wd:Q16970 . }""",
    "around, centers from VALUES, statements": """SELECT DISTINCT ?x ?c WHERE {
        VALUES ?c { "Point(18.0 59.3)"^^geo:wktLiteral "Point(18.2 59.4)"^^geo:wktLiteral
                    "Point(179.999 -16.2)"^^geo:wktLiteral }
        SERVICE wikibase:around { ?s ps:P625 ?l . bd:serviceParam wikibase:center ?c ;
        wikibase:radius "9" . } hint:Prior hint:runFirst true . ?x p:P625 ?s . }""",
    "around, a center twice (rows twice, as joined with the VALUES)": """SELECT ?x WHERE {
        VALUES ?c { "Point(18.0 59.3)"^^geo:wktLiteral "Point(18.0 59.3)"^^geo:wktLiteral }
        SERVICE wikibase:around { ?x wdt:P625 ?l . bd:serviceParam wikibase:center ?c ;
        wikibase:radius "6" . } }""",
    "around, VALUES with another variable (kept)": """SELECT ?x ?n WHERE {
        VALUES (?c ?n) { ("Point(18.0 59.3)"^^geo:wktLiteral "a") ("Point(18.0 59.3)"^^geo:wktLiteral "b")
                         ("Point(18.3 59.5)"^^geo:wktLiteral UNDEF) }
        SERVICE wikibase:around { ?x wdt:P625 ?l . bd:serviceParam wikibase:center ?c ;
        wikibase:radius "6" . } }""",
    "box, constant corners": """SELECT ?x WHERE { SERVICE wikibase:box { ?x wdt:P625 ?l .
        bd:serviceParam wikibase:cornerSouthWest "Point(17.9 59.2)"^^geo:wktLiteral .
        bd:serviceParam wikibase:cornerNorthEast "Point(18.1 59.4)"^^geo:wktLiteral . } }""",
    "box across the antimeridian": """SELECT ?x WHERE { SERVICE wikibase:box { ?x wdt:P625 ?l .
        bd:serviceParam wikibase:cornerSouthWest "Point(179.9 -16.4)"^^geo:wktLiteral .
        bd:serviceParam wikibase:cornerNorthEast "Point(-179.9 -16.1)"^^geo:wktLiteral . } }""",
    "box, corners from VALUES pairs": """SELECT ?x ?sw WHERE {
        VALUES (?sw ?ne) { ("Point(17.8 59.1)"^^geo:wktLiteral "Point(18.0 59.3)"^^geo:wktLiteral)
                           ("Point(18.2 59.4)"^^geo:wktLiteral "Point(18.5 59.6)"^^geo:wktLiteral) }
        SERVICE wikibase:box { ?x wdt:P625 ?l . bd:serviceParam wikibase:cornerSouthWest ?sw ;
        wikibase:cornerNorthEast ?ne . } }""",
}


def _rows(store: Store, query: str, spatial: SpatialIndex | None) -> list[tuple[str, ...]]:
    text = rewrite_query(query, PREFIXES, spatial=spatial)
    result = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True,
                         custom_functions=custom_functions(store))
    return sorted(tuple("" if t is None else t.value for t in row) for row in result)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_index_gives_the_rows_of_the_filter_rewrite(store, name):
    query = QUERIES[name]
    indexed = rewrite_query(query, PREFIXES, spatial=SpatialIndex(store))
    assert "VALUES (" in indexed and "inbox" not in indexed and "distance>" not in indexed
    expected = _rows(store, query, None)  # every coordinate tested by FILTER
    assert len(expected) > 3
    assert _rows(store, query, SpatialIndex(store)) == expected


def test_unanswerable_forms_fall_back_to_the_filter(store):
    path = """SELECT ?x WHERE { SERVICE wikibase:around { ?x p:P625/ps:P625 ?l .
        bd:serviceParam wikibase:center "Point(18.07 59.33)"^^geo:wktLiteral ;
        wikibase:radius "5" . } }"""
    bound_elsewhere = """SELECT ?x WHERE { wd:Q1 wdt:P625 ?c . SERVICE wikibase:around {
        ?x wdt:P625 ?l . bd:serviceParam wikibase:center ?c ; wikibase:radius "5" . } }"""
    for query in (path, bound_elsewhere):
        text = rewrite_query(query, PREFIXES, spatial=SpatialIndex(store))
        assert "VALUES (" not in text and "distance>" in text
        assert len(_rows(store, query, SpatialIndex(store))) > 3


# --- upkeep on the sandbox repository ---------------------------------------------------------

VOCAB = Vocabulary.for_base("http://www.wikidata.org")
WD = "http://www.wikidata.org/"
NEAR = """SELECT ?x WHERE { SERVICE wikibase:around { ?s ps:P625 ?l .
    bd:serviceParam wikibase:center "Point(18.07 59.33)"^^geo:wktLiteral ; wikibase:radius "1" . }
    ?x p:P625 ?s . }"""


def _coord(lat: float, lon: float) -> list[dict]:
    return [{"mainsnak": {"snaktype": "value", "property": "P625", "datavalue": {
        "type": "globecoordinate", "value": {"latitude": lat, "longitude": lon,
                                             "precision": 1e-6,
                                             "globe": "http://www.wikidata.org/entity/Q2"}}},
             "type": "statement", "rank": "normal"}]


def _near(runner: QueryRunner) -> set[str]:
    body = json.loads(runner.answer(NEAR, "application/sparql-results+json").body)
    return {b["x"]["value"].rsplit("/", 1)[-1] for b in body["results"]["bindings"]}


def test_index_follows_saves_edits_merges_loads_and_lags(tmp_path):
    repo = Repository(tmp_path, VOCAB)
    repo.seed([{"id": "P625", "type": "property", "datatype": "globe-coordinate",
                "labels": {"en": {"language": "en", "value": "coordinate location"}}}])
    runner = QueryRunner(repo)
    try:
        assert _near(runner) == set()  # built (empty) before any item exists
        a = repo.edit({"claims": _coord(59.331, 18.071)}, new="item", check_targets=False)[0]["id"]
        b = repo.edit({"claims": _coord(59.332, 18.072)}, new="item", check_targets=False)[0]["id"]
        assert _near(runner) == {a, b}
        repo.edit({"claims": _coord(57.7, 11.97)}, entity_id=b, clear=True)  # moved to Göteborg
        assert _near(runner) == {a}
        repo.edit({}, entity_id=a, clear=True)
        repo.redirect(a, b)
        assert _near(runner) == set()
        repo.lags.query_s = 3600.0  # WDQS-like lag: the swap and its index change wait
        c = repo.edit({"claims": _coord(59.333, 18.07)}, new="item", check_targets=False)[0]["id"]
        assert _near(runner) == set()
        repo.lags.query_s = 0.0
        assert _near(runner) == {c}  # applied with the swap, before the query's lookup
        ttl = (f'<{WD}entity/Q900> <{WD}prop/P625> <{WD}entity/S900> . '
               f'<{WD}entity/S900> <{WD}prop/statement/P625> "Point(18.07 59.33)"^^{WKT} .')
        load_rdf(repo, ttl.encode(), "text/turtle")
        assert _near(runner) == {c, "Q900"}
        repo.graph.store.remove_graph(LOADED_GRAPH)
        repo.graph.spatial.invalidate()  # what /admin/unload does after removing the graph
        assert _near(runner) == {c}
    finally:
        runner.vetter.close()
