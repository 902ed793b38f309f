"""sandbox.rdf graph-for-graph against Wikibase's own RDF test fixtures (dump form, acme.test base)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, NamedNode, RdfFormat, parse

from sandbox.rdf import Vocabulary, clean_time, entity_triples

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "data" / "wikibase-rdf-fixtures"
PHP = FIXTURES / "wikibase-repo-tests-phpunit-data-rdf"

#: Harness constants (PROVENANCE.md).
PROPERTY_TYPES = {"P2": "wikibase-item", "P3": "commonsMedia", "P4": "globe-coordinate",
                  "P5": "monolingualtext", "P6": "quantity", "P7": "string", "P8": "time",
                  "P9": "url", "P10": "geo-shape", "P11": "external-id"}
ACME_SITES = {"enwiki": ("wikipedia", "en", "http://enwiki.acme.test/$1",
                         "http://enwiki.acme.test/"),
              "ruwiki": ("none", "ru", "http://ruwiki.acme.test/$1", "http://ruwiki.acme.test/")}
ACME = Vocabulary(entity="http://acme.test/", top="http://acme.test/",
                  data="http://data.acme.test/", site=ACME_SITES.get)

#: entity → expected RdfBuilder files (union), from PROVENANCE.md.
CASES = {
    "Q1": ["RdfBuilder/Q1_info"],
    "Q2": ["RdfBuilder/Q2_meta", "RdfBuilder/Q2_version", "RdfBuilder/Q2_stub",
           "RdfBuilder/Q2_aliases"],
    "Q3": ["RdfBuilder/Q3_meta", "RdfBuilder/Q3_version", "RdfBuilder/Q3_sitelinks"],
    "Q4": ["RdfBuilder/Q4_meta", "RdfBuilder/Q4_version", "RdfBuilder/Q4_statements",
           "RdfBuilder/Q4_direct", "RdfBuilder/Q4_values"],
    "Q5": ["RdfBuilder/Q5_badges"],
    "Q6": ["RdfBuilder/Q6_meta", "RdfBuilder/Q6_version", "RdfBuilder/Q6_statements",
           "RdfBuilder/Q6_qualifiers", "RdfBuilder/Q6_values", "RdfBuilder/Q6_referenced"],
    "Q7": ["RdfBuilder/Q7_meta", "RdfBuilder/Q7_version", "RdfBuilder/Q7_statements",
           "RdfBuilder/Q7_reference_refs", "RdfBuilder/Q7_references", "RdfBuilder/Q7_values"],
    "P2": ["PropertyRdfBuilder/P2_all", "PropertyRdfBuilder/P2_terms"],
}


@pytest.fixture(scope="module")
def fixtures():
    if not PHP.is_dir():
        pytest.skip("../shared/data/wikibase-rdf-fixtures is absent")
    return PHP


def _canonical(triples) -> set[tuple[str, str, str]]:
    """Triples as strings with value/reference node IRIs and blank nodes renamed by content."""
    triples = [(t.subject, t.predicate, t.object) for t in triples]

    def kind(term) -> str | None:
        if isinstance(term, BlankNode):
            return "b"
        if isinstance(term, NamedNode):
            if "/value/" in term.value and term.value.startswith("http://acme.test/value/"):
                return "v"
            if term.value.startswith("http://acme.test/reference/"):
                return "r"
        return None

    labels: dict[str, str] = {}

    def name(term) -> str:
        k = kind(term)
        if k is None:
            return str(term)
        return labels.get(str(term), f"<{k}:?>")

    for rounds in ("bv", "r"):
        for subj in {s for s, _, _ in triples if kind(s) and kind(s) in rounds}:
            sig = sorted(f"{p} {name(o)}" for s, p, o in triples if s == subj)
            labels[str(subj)] = f"<{kind(subj)}:{hashlib.md5('|'.join(sig).encode()).hexdigest()}>"
    for term in {o for _, _, o in triples if kind(o)} - set(labels):
        labels[str(term)] = f"<{kind(term)}:leaf>"
    return {(name(s), str(p), name(o)) for s, p, o in triples}


def _expected(files: list[str]):
    out = []
    for f in files:
        out.extend(parse(path=str(PHP / f"{f}.nt"), format=RdfFormat.N_TRIPLES))
    return out


def _actual(entity_id: str):
    entity = json.loads((PHP / "entities" / f"{entity_id}.json").read_text(encoding="utf-8"))
    return entity_triples(entity, ACME, PROPERTY_TYPES.get, form="dump", counts=False,
                          revid=42, modified="2013-10-04T03:31:05Z")


@pytest.mark.parametrize("entity_id", sorted(CASES))
def test_entity_matches_fixture(fixtures, entity_id):
    expected = _canonical(_expected(CASES[entity_id]))
    actual = _canonical(_actual(entity_id))
    if entity_id == "P2":
        # PropertyRdfBuilder fixtures hold the declaration and terms only, not the
        # entity-level metadata (data node, version, `a wikibase:Property`) nor aliases.
        actual = {t for t in actual if not t[0].startswith("<http://data.acme.test/")
                  and t[2] != "<http://wikiba.se/ontology#Property>" and "altLabel" not in t[1]}
    assert sorted(expected - actual) == [], "missing triples"
    assert sorted(actual - expected) == [], "unexpected triples"


def test_bad_dates_fixture(fixtures):
    """Q8: time cleaning edge cases (only the time-related triples are in the fixture)."""
    expected = _canonical(_expected(["RdfBuilder/Q8_baddates"]))
    actual = _canonical(_actual("Q8"))
    assert sorted(expected - actual) == []
    extra = {t for t in actual - expected if "schema.org" not in t[1] and
             "creativecommons" not in t[1] and not t[0].startswith("http://data.acme.test/")
             and not t[2].endswith("#Item")}
    assert sorted(extra) == []


@pytest.mark.parametrize("time,precision,calendar,expected", [
    ("+1998-10-20T00:00:00Z", 11, "http://www.wikidata.org/entity/Q1985727",
     "1998-10-20T00:00:00Z"),
    ("+1900-00-00T00:00:00Z", 9, "http://www.wikidata.org/entity/Q1985727",
     "1900-01-01T00:00:00Z"),
    ("-0001-00-00T00:00:00Z", 9, "http://www.wikidata.org/entity/Q1985727",
     "0000-01-01T00:00:00Z"),
    ("+2011-02-31T00:00:00Z", 11, "http://www.wikidata.org/entity/Q1985727",
     "2011-02-28T00:00:00Z"),
    ("+1650-05-00T00:00:00Z", 10, "http://www.wikidata.org/entity/Q1985727",
     "1650-05-01T00:00:00Z"),
    ("+1582-10-05T00:00:00Z", 11, "http://www.wikidata.org/entity/Q1985786",
     "1582-10-15T00:00:00Z"),
])
def test_clean_time(time, precision, calendar, expected):
    assert clean_time(time, precision, calendar) == expected


def _recording(name: str) -> dict:
    path = FIXTURES / "wdqs-wiremock-testwikidata-recordings" / name
    return json.loads(path.read_text(encoding="utf-8"))["response"]


def test_q1608_recorded_json_to_ttl(fixtures):
    """Real test.wikidata.org pair: wbeditentity JSON (rev 525144) → Special:EntityData TTL."""
    entity = json.loads(_recording("w_apiphp-6d7ddf13-f922-42b8-94f3-5e64b9fc0ed9.json")
                        ["body"])["entity"]
    ttl = _recording("wiki_specialentitydata_q1608ttl-7246b255-7a14-493a-9111-ef4181da69a4.json"
                     )["body"]
    vocab = Vocabulary.for_base("http://test.wikidata.org")
    vocab = Vocabulary(entity=vocab.entity, top=vocab.top,
                       data="https://test.wikidata.org/wiki/Special:EntityData/")
    expected = list(parse(ttl.encode("utf-8"), format=RdfFormat.TURTLE))
    actual = entity_triples(entity, vocab, {"P73857": "quantity"}.get, form="dump",
                            modified="2020-01-22T08:50:15Z")

    def canon(triples):
        out = set()
        for t in triples:
            s, p, o = (str(x) for x in (t.subject, t.predicate, t.object))
            s, o = (x if "/value/" not in x else "<wdv>" for x in (s, o))
            out.add((s, p, o))
        return out

    assert sorted(canon(expected) ^ canon(actual)) == []
