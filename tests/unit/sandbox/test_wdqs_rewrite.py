"""The SPARQL lexer's limits, the WDQS service rewrite and content negotiation, without a server."""

from __future__ import annotations

import random

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Store

from sandbox.admin_auth import SECRET_HEADER, admin_refusal, ensure_secret
from sandbox.http_guard import loopback_host
from sandbox.rdf import WIKIDATA
from sandbox.sparql_exec import negotiate
from sandbox.sparql_lexer import MAX_NESTING, QueryRefused, match_brackets, tokenize
from sandbox.wdqs_functions import custom_functions
from sandbox.wdqs_services import rewrite_query

PREFIXES = WIKIDATA.prefixes()
TTL = b"""
@prefix wd: <http://www.wikidata.org/entity/> . @prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
wd:Q1 wdt:P31 wd:Q5 ; rdfs:label "Kyrka"@sv ; wdt:P625 "Point(18.07 59.33)"^^geo:wktLiteral .
wd:Q2 wdt:P31 wd:Q5 ; wdt:P625 "<http://www.wikidata.org/entity/Q405> Point(18.07 59.33)"^^geo:wktLiteral .
wd:Q3 wdt:P31 wd:Q5 ; rdfs:label "Borg"@sv, "Castle"@en ; wdt:P625 "Point(13.0 55.6)"^^geo:wktLiteral .
"""


@pytest.fixture
def store() -> Store:
    s = Store()
    s.load(TTL, format=RdfFormat.TURTLE, to_graph=NamedNode("urn:x-test:g"))
    return s


def run(store: Store, query: str, uselang: str = "en") -> list[tuple[str | None, ...]]:
    result = store.query(rewrite_query(query, PREFIXES, uselang), prefixes=PREFIXES,
                         use_default_graph_as_union=True,
                         custom_functions=custom_functions(store))
    return [tuple(None if t is None else t.value for t in row) for row in result]


def test_lexer_keeps_strings_iris_and_comments_apart():
    tokens = tokenize('SELECT ?x # SERVICE { in a comment\n WHERE { ?x rdfs:label "a } {" . '
                      "FILTER(?d < 5 && ?e >= 1.5) ?x <http://e/a#b> 5. }")
    assert [t.text for t in tokens if t.kind in ("open", "close")] == ["{", "(", ")", "}"]
    assert [t.text for t in tokens if t.kind == "num"] == ["5", "1.5", "5"]
    assert "SERVICE" not in [t.text for t in tokens]


def test_nesting_limit_and_unbalanced_brackets_are_refused():
    match_brackets(tokenize("{" * MAX_NESTING + "}" * MAX_NESTING))
    with pytest.raises(QueryRefused, match="more than 64 deep"):
        match_brackets(tokenize("{" * 5000 + "}" * 5000))
    with pytest.raises(QueryRefused, match="never closed"):
        match_brackets(tokenize("SELECT * { ?a ?b ?c"))
    with pytest.raises(QueryRefused, match="unbalanced"):
        match_brackets(tokenize("SELECT * { ?a ?b (?c } )"))
    with pytest.raises(QueryRefused, match="unterminated string"):
        tokenize('SELECT * { ?a ?b "oops }')


@pytest.mark.parametrize("service", ["<http://127.0.0.1:8181/admin/reset>", "wikibase:mwapi",
                                     "SILENT <http://example.org/sparql>", "?endpoint"])
def test_other_services_are_refused_by_name(service):
    with pytest.raises(QueryRefused) as err:
        rewrite_query(f"SELECT * {{ SERVICE {service} {{ ?a ?b ?c }} }}", PREFIXES)
    assert service.replace("SILENT ", "") in str(err.value)


def test_label_service_binds_at_the_end_of_its_group(store):
    rows = run(store, """SELECT ?x ?xLabel WHERE {
        SERVICE wikibase:label { bd:serviceParam wikibase:language "[AUTO_LANGUAGE],sv". }
        ?x wdt:P31 wd:Q5 . } ORDER BY ?x""")
    assert rows == [("http://www.wikidata.org/entity/Q1", "Kyrka"),
                    ("http://www.wikidata.org/entity/Q2", "Q2"),
                    ("http://www.wikidata.org/entity/Q3", "Castle")]


def test_label_language_must_be_a_code():
    with pytest.raises(QueryRefused, match="language codes"):
        rewrite_query('SELECT ?xLabel { ?x ?p ?o SERVICE wikibase:label { bd:serviceParam '
                      'wikibase:language "en\\") } BIND(1 AS ?z" } }', PREFIXES)


def test_around_ignores_other_globes_and_box_crossing_the_antimeridian(store):
    rows = run(store, """SELECT ?x WHERE { SERVICE wikibase:around { ?x wdt:P625 ?l .
        bd:serviceParam wikibase:center "Point(18 59.3)"^^geo:wktLiteral .
        bd:serviceParam wikibase:radius "10" . } }""")
    assert rows == [("http://www.wikidata.org/entity/Q1",)]  # Q2 is on the Moon
    rows = run(store, """SELECT ?x WHERE { SERVICE wikibase:box { ?x wdt:P625 ?l .
        bd:serviceParam wikibase:cornerSouthWest "Point(170 50)"^^geo:wktLiteral .
        bd:serviceParam wikibase:cornerNorthEast "Point(14 56)"^^geo:wktLiteral . } }""")
    assert rows == [("http://www.wikidata.org/entity/Q3",)]


def test_around_needs_its_parameters():
    with pytest.raises(QueryRefused, match="wikibase:radius"):
        rewrite_query("SELECT * { SERVICE wikibase:around { ?x wdt:P625 ?l . bd:serviceParam "
                      'wikibase:center "Point(1 2)"^^geo:wktLiteral } }', PREFIXES)


def test_hints_are_dropped_and_queries_without_services_untouched():
    assert rewrite_query("SELECT * { ?a ?b ?c }", PREFIXES) == "SELECT * { ?a ?b ?c }"
    out = rewrite_query('SELECT * { hint:Query hint:optimizer "None" . ?a ?b ?c }', PREFIXES)
    assert "hint:" not in out and "?a ?b ?c" in out


def test_geof_distance_between_points(store):
    fn = custom_functions(store)[NamedNode("http://www.opengis.net/def/function/geosparql/distance")]
    km = float(fn(Literal("Point(18.0686 59.3293)"), Literal("Point(17.6389 59.8586)")).value)
    assert 63 < km < 65  # Stockholm–Uppsala


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "application/sparql-results+json"),
    ("text/csv;q=0.3, application/sparql-results+xml;q=0.8", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0, text/csv", "text/csv"),
    ("image/png", "application/sparql-results+json"),
    ("text/*;q=0.5", "text/csv"),
])
def test_negotiate_honours_q_values(accept, expected):
    offered = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]
    assert negotiate(accept, offered, "application/sparql-results+json") == expected


@pytest.mark.parametrize(("host", "ok"), [
    ("localhost", True), ("localhost:7878", True), ("127.0.0.1", True), ("127.9.9.9:80", True),
    ("[::1]:8181", True), ("evil.example", False), ("127.0.0.1.nip.io", False), ("", False),
    (None, False), ("0.0.0.0", False), ("10.0.0.1", False)])
def test_loopback_host_names(host, ok):
    assert loopback_host(host) is ok


def test_admin_secret_file_and_refusals(tmp_path):
    secret = ensure_secret(tmp_path)
    assert (tmp_path / "admin.secret").stat().st_mode & 0o777 == 0o600
    assert ensure_secret(tmp_path) == secret  # kept across restarts
    assert admin_refusal(secret, None, "GET", None, False)[0] == 403
    assert admin_refusal(secret, secret + "x", "GET", None, False)[0] == 403
    assert admin_refusal(secret, secret, "POST", "text/plain", True)[0] == 415
    assert admin_refusal(secret, secret, "POST", None, True)[0] == 415
    assert admin_refusal(secret, secret, "POST", "application/json", True) is None
    assert admin_refusal(secret, secret, "GET", None, False) is None
    assert SECRET_HEADER.startswith("X-")


def test_label_variables_the_query_binds_itself_are_left_alone(store):
    rows = run(store, """SELECT ?x ?xLabel ?yLabel WHERE {
        ?x rdfs:label ?xLabel FILTER(LANG(?xLabel) = "en") BIND(?x AS ?y)
        SERVICE wikibase:label { bd:serviceParam wikibase:language "sv". } }""")
    assert rows == [("http://www.wikidata.org/entity/Q3", "Castle", "Borg")]


def test_tokens_cover_the_query_between_whitespace_and_comments() -> None:
    """The lexer reads every character: tokens plus skipped whitespace/comments rebuild the
    query, whatever it holds (or it refuses an unterminated string)."""
    rng = random.Random(7)
    alphabet = "{}()[]<>\"'#?$:.;,=!&|^ \n\tabcPQ01é\\"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50)))
        try:
            tokens = tokenize(text)
        except QueryRefused as exc:
            assert "unterminated string" in str(exc)
            continue
        pos = 0
        for tok in tokens:
            gap = text[pos:tok.start]
            assert not gap.strip() or gap.lstrip().startswith("#"), (text, gap)
            assert text[tok.start:tok.end] == tok.text
            pos = tok.end
