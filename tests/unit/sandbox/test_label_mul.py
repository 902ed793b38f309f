"""The label service falls back to ``mul`` after the requested languages, as WDQS does."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from sandbox.rdf import WIKIDATA
from sandbox.wdqs_functions import custom_functions
from sandbox.wdqs_services import rewrite_query

PREFIXES = WIKIDATA.prefixes()
# Q10: a person's name given once for all Latin-script languages (mul) plus a Swedish label;
# Q11: only a Swedish label; Q12: no label at all.
TTL = b"""
@prefix wd: <http://www.wikidata.org/entity/> . @prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
wd:Q10 wdt:P31 wd:Q5 ; rdfs:label "Selma Lagerl\xc3\xb6f"@mul, "Selma Ottilia Lovisa Lagerl\xc3\xb6f"@sv ;
       skos:altLabel "S. Lagerl\xc3\xb6f"@mul .
wd:Q11 wdt:P31 wd:Q5 ; rdfs:label "Kyrkan i Ekeby"@sv .
wd:Q12 wdt:P31 wd:Q5 .
"""


@pytest.fixture
def store() -> Store:
    s = Store()
    s.load(TTL, format=RdfFormat.TURTLE, to_graph=NamedNode("urn:x-test:g"))
    return s


def labels(store: Store, languages: str, uselang: str = "en") -> dict[str, tuple]:
    query = ("SELECT ?item ?itemLabel ?itemAltLabel WHERE { ?item wdt:P31 wd:Q5 . SERVICE "
             f'wikibase:label {{ bd:serviceParam wikibase:language "{languages}" . }} }}')
    result = store.query(rewrite_query(query, PREFIXES, uselang), prefixes=PREFIXES,
                         use_default_graph_as_union=True, custom_functions=custom_functions(store))
    return {row[0].value.rsplit("/", 1)[1]: tuple(None if t is None else (t.value, t.language)
                                                  for t in (row[1], row[2])) for row in result}


def test_mul_after_the_requested_languages(store):
    got = labels(store, "en,fr")
    assert got["Q10"] == (("Selma Lagerlöf", "mul"), ("S. Lagerlöf", "mul"))
    assert got["Q11"] == (("Q11", None), None)  # no en/fr/mul label: the id, as WDQS
    assert got["Q12"] == (("Q12", None), None)


def test_requested_languages_come_before_mul(store):
    got = labels(store, "sv,en")
    assert got["Q10"][0] == ("Selma Ottilia Lovisa Lagerlöf", "sv")
    assert got["Q11"][0] == ("Kyrkan i Ekeby", "sv")


def test_auto_language_then_mul(store):
    assert labels(store, "[AUTO_LANGUAGE]", uselang="de")["Q10"][0] == ("Selma Lagerlöf", "mul")
    assert labels(store, "[AUTO_LANGUAGE],mul", uselang="sv")["Q10"][0][1] == "sv"
