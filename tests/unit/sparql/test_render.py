"""sparql.render: typed parameters, markers, escaping, injection attempts, prefixes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from core.errors import QueryError
from sparql import render as r


@pytest.fixture
def rq(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a throwaway .rq into a temporary query dir."""
    monkeypatch.setattr(r, "QUERY_DIR", tmp_path)

    def write(name: str, text: str) -> str:
        (tmp_path / f"{name}.rq").write_text(text, encoding="utf-8")
        return name

    return write


ONE = """# Purpose: test
# @param name literal
# @param country qid
# @param prop pid
# @param ids literal[]
# @param limit integer?
SELECT ?item WHERE {
  #VALUES ?id $ids
  ?item wdt:$prop ?id ; wdt:P17 $country ; rdfs:label $name .
}
#IF $limit
LIMIT $limit
#END
"""


def test_render_fills_every_marker_and_adds_used_prefixes(rq):
    text = r.render(rq("one", ONE), name="Kyrka", country="Q34", prop="P1260", ids=["a", "b"], limit=5)
    assert 'VALUES ?id { "a" "b" }' in text
    assert "?item wdt:P1260 ?id ; wdt:P17 wd:Q34 ; rdfs:label \"Kyrka\" ." in text
    assert text.rstrip().endswith("LIMIT 5")
    assert "PREFIX wd: <http://www.wikidata.org/entity/>" in text
    assert "PREFIX rdfs:" in text and "PREFIX p:" not in text and "PREFIX schema:" not in text
    assert "$" not in text and "# Purpose" not in text


def test_optional_block_dropped_and_entity_base_respected(rq):
    text = r.render(rq("one", ONE), name="x", country="Q1", prop="P2", ids=["a"], entity_base="http://wikibase.local")
    assert "LIMIT" not in text
    assert "PREFIX wd: <http://wikibase.local/entity/>" in text


@pytest.mark.parametrize("hostile", [
    'x" } ; DELETE WHERE { ?s ?p ?o } #',
    "x\\\" . ?s ?p ?o . #",
    'line\nbreak"@en . ?a ?b ?c',
    "\\",
    "tab\tand\rcr\b\f",
])
def test_literal_injection_attempts_stay_one_literal(rq, hostile):
    """The rendered query parses, and the literal round-trips byte for byte through Oxigraph."""
    name = rq("lit", '# @param s literal\nSELECT ?v WHERE { BIND($s AS ?v) }\n')
    text = r.render(name, s=hostile)
    rows = list(ox.Store().query(text))
    assert len(rows) == 1 and rows[0]["v"].value == hostile


def test_literal_with_language(rq):
    name = rq("lang", '# @param s literal\nSELECT ?v ?l WHERE { BIND($s AS ?v) BIND(LANG(?v) AS ?l) }\n')
    rows = list(ox.Store().query(r.render(name, s=r.literal("hej", lang="sv"))))
    assert rows[0]["l"].value == "sv"
    with pytest.raises(QueryError, match="language tag"):
        r.literal("x", lang='sv" . ?s ?p ?o')


@pytest.mark.parametrize(("helper", "bad"), [
    (r.qid, "Q34 } ; ?s ?p ?o"), (r.qid, "P31"), (r.qid, 34), (r.pid, "P31/wdt:P279"),
    (r.integer, "5; DROP"), (r.integer, True), (r.iri, "http://x> . ?s ?p <y"), (r.iri, "not an iri"),
])
def test_typed_helpers_reject_bad_values(helper, bad):
    with pytest.raises(QueryError):
        helper(bad)


def test_missing_unknown_and_mistyped_params(rq):
    name = rq("one", ONE)
    ok = {"name": "x", "country": "Q1", "prop": "P2", "ids": ["a"]}
    with pytest.raises(QueryError, match=r"needs parameter \$country"):
        r.render(name, **{k: v for k, v in ok.items() if k != "country"})
    with pytest.raises(QueryError, match=r"no parameter \$region"):
        r.render(name, region="Q5", **ok)
    with pytest.raises(QueryError, match="should be a list"):
        r.render(name, **{**ok, "ids": "abc"})
    with pytest.raises(QueryError, match="should be qid, got a literal term"):
        r.render(name, **{**ok, "country": r.literal("Q1")})
    with pytest.raises(QueryError, match=r"needs parameter \$ids"):
        r.render(name, **{**ok, "ids": []})


def test_undeclared_marker_and_bad_names(rq):
    with pytest.raises(QueryError, match=r"uses \$oops"):
        r.render(rq("bad", "SELECT * WHERE { ?s ?p $oops }\n"))
    with pytest.raises(QueryError, match="not found"):
        r.render("no_such_query")
    with pytest.raises(QueryError, match="file stem"):
        r.render("../etc/passwd")
    with pytest.raises(QueryError, match="#IF without #END"):
        r.render(rq("unclosed", "# @param a qid?\nSELECT * WHERE {\n#IF $a\n?s ?p $a\n}\n"))


def test_every_project_query_declares_purpose_params_and_columns():
    for path in sorted(r.QUERY_DIR.glob("*.rq")):
        head = path.read_text(encoding="utf-8").split("SELECT")[0]
        assert head.startswith("#"), path.name
        assert "Purpose" in head and "Columns" in head, path.name
        code = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.lstrip().startswith("#")]
        assert "wikibase:label" not in "\n".join(code), f"{path.name}: no label service (portability)"


IN = """# Purpose: test
# @param kinds qid[]?
# @param langs literal[]
# @param one qid?
SELECT ?item ?lang WHERE {
  ?item wdt:P31 ?kind ; rdfs:label ?label .
  #IN ?kind $kinds
  BIND(LANG(?label) AS ?lang)
  #IN ?lang $langs
}
"""


def test_in_line_is_a_filter_of_typed_terms_and_optional(rq):
    name = rq("in", IN)
    text = r.render(name, kinds=["Q1", "Q2"], langs=['sv", "x', "en"])
    assert "FILTER(?kind IN (wd:Q1, wd:Q2))" in text
    assert 'FILTER(?lang IN ("sv\\", \\"x", "en"))' in text  # a hostile value stays one literal
    store = ox.Store()
    store.load(b'<http://www.wikidata.org/entity/Q9> <http://www.wikidata.org/prop/direct/P31> '
               b'<http://www.wikidata.org/entity/Q2> .\n<http://www.wikidata.org/entity/Q9> '
               b'<http://www.w3.org/2000/01/rdf-schema#label> "A"@en .\n', format=ox.RdfFormat.N_TRIPLES)
    assert [row["lang"].value for row in store.query(text)] == ["en"]
    assert "?kind IN" not in r.render(name, langs=["en"])  # optional list left out: no filter
    with pytest.raises(QueryError, match="#IN \\$one should name a declared list parameter"):
        r.render(rq("bad", "# @param one qid\nSELECT ?x WHERE { ?x ?p ?o .\n  #IN ?x $one\n}\n"), one="Q1")
