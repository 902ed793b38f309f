"""sparql/scope_items.rq and modeling.scope on a small WDQS-format store (pyoxigraph, in-process).

Items exercise every scope rule: identifier statements valid on a day by their P580/P582
qualifiers (open, expired, future), a deprecated identifier, another country, designations and
their subclasses (P279*), an ended designation, and a region filter through P131+.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from core.errors import CampaignError
from modeling.campaign import Campaign, Scope
from modeling.scope import scope_query
from sparql.client import results_to_frame
from sparql.render import render

TTL = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix p: <http://www.wikidata.org/prop/> .
@prefix ps: <http://www.wikidata.org/prop/statement/> .
@prefix pq: <http://www.wikidata.org/prop/qualifier/> .
@prefix wikibase: <http://wikiba.se/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
wd:Q1 wdt:P17 wd:Q38 ; wdt:P131 wd:Q100 ; wdt:P2186 "IT-1" ; p:P2186 wd:S1 .
wd:S1 ps:P2186 "IT-1" ; wikibase:rank wikibase:NormalRank ; pq:P580 "2019-09-01T00:00:00Z"^^xsd:dateTime .
wd:Q2 wdt:P17 wd:Q38 ; wdt:P131 wd:Q101 ; p:P2186 wd:S2 .
wd:S2 ps:P2186 "IT-2" ; wikibase:rank wikibase:NormalRank ; pq:P580 "2018-01-01T00:00:00Z"^^xsd:dateTime ;
      pq:P582 "2024-12-31T00:00:00Z"^^xsd:dateTime .
wd:Q3 wdt:P17 wd:Q38 ; p:P2186 wd:S3 .
wd:S3 ps:P2186 "IT-3" ; wikibase:rank wikibase:NormalRank ; pq:P580 "2027-01-01T00:00:00Z"^^xsd:dateTime .
wd:Q4 wdt:P17 wd:Q38 ; p:P2186 wd:S4 .
wd:S4 ps:P2186 "IT-4" ; wikibase:rank wikibase:DeprecatedRank .
wd:Q5 wdt:P17 wd:Q39 ; p:P2186 wd:S5 .
wd:S5 ps:P2186 "CH-5" ; wikibase:rank wikibase:NormalRank .
wd:Q6 wdt:P17 wd:Q38 ; wdt:P131 wd:Q100 ; p:P2186 wd:S6 ; p:P1435 wd:D6 .
wd:S6 ps:P2186 "IT-6" ; wikibase:rank wikibase:PreferredRank .
wd:D6 ps:P1435 wd:Q900 .
wd:Q7 wdt:P17 wd:Q38 ; p:P1435 wd:D7 .
wd:D7 ps:P1435 wd:Q901 ; pq:P580 "1990-05-01T00:00:00Z"^^xsd:dateTime .
wd:Q8 wdt:P17 wd:Q38 ; p:P1435 wd:D8 .
wd:D8 ps:P1435 wd:Q900 ; pq:P582 "2001-01-01T00:00:00Z"^^xsd:dateTime .
wd:Q901 wdt:P279 wd:Q900 .
wd:Q100 wdt:P131 wd:Q200 .
"""


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.load(TTL.encode(), format=ox.RdfFormat.TURTLE)
    return s


def _run(store: ox.Store, **params: object) -> list[tuple[str, str]]:
    result = store.query(render("scope_items", **params))
    data = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
    frame = results_to_frame(data, "http://www.wikidata.org/entity/")
    return sorted(set(zip(frame["item"], frame["id"], strict=True)))


def test_identifier_valid_on_the_day_in_the_country(store: ox.Store) -> None:
    day = "2026-09-01T00:00:00Z"
    assert _run(store, idprop="P2186", valid_on=day, country="Q38") == [("Q1", "IT-1"), ("Q6", "IT-6")]
    # without the window: the expired and the future IDs count; deprecated never does
    assert _run(store, idprop="P2186", country="Q38") == [("Q1", "IT-1"), ("Q2", "IT-2"), ("Q3", "IT-3"),
                                                          ("Q6", "IT-6")]
    assert ("Q5", "CH-5") in _run(store, idprop="P2186")
    assert _run(store, idprop="P2186", valid_on="2020-06-01T00:00:00Z", country="Q38") == [
        ("Q1", "IT-1"), ("Q2", "IT-2"), ("Q6", "IT-6")]


def test_designations_include_subclasses_and_skip_ended_ones(store: ox.Store) -> None:
    assert _run(store, designations=["Q900"]) == [("Q6", "Q6"), ("Q7", "Q7")]  # id = the QID
    assert _run(store, designations=["Q901"]) == [("Q7", "Q7")]
    assert _run(store, idprop="P2186", designations=["Q900"]) == [("Q6", "IT-6")]


def test_region_filter_follows_p131_upwards(store: ox.Store) -> None:
    assert _run(store, idprop="P2186", region="Q200") == [("Q1", "IT-1"), ("Q6", "IT-6")]


def _campaign(tmp_path: Path, scope: dict) -> Campaign:
    camp = Campaign.model_validate({
        "id": "wlm-xx", "name": "x", "year": 2026, "country": {"qid": "Q38", "iso": "IT"}, "languages": ["it"],
        "licence": "CC0-1.0", "publisher": {"name": "x"}, "scope": scope})
    camp.base_dir = tmp_path
    return camp


def test_scope_query_parameters(tmp_path: Path) -> None:
    q = scope_query(_campaign(tmp_path, {"identifier": "P2186", "valid_on": "2026-09-01"}), region="Q100")
    assert q.name == "scope_items" and q.params == {
        "idprop": "P2186", "valid_on": "2026-09-01T00:00:00Z", "designations": None, "country": "Q38",
        "region": "Q100"}
    q = scope_query(_campaign(tmp_path, {"designations": ["Q900"], "country": False}))
    assert q.params["designations"] == ["Q900"] and q.params["country"] is None and q.params["idprop"] is None


def test_own_query_file(tmp_path: Path) -> None:
    (tmp_path / "mine.rq").write_text("SELECT ?item ?id WHERE { ?item wdt:P2186 ?id } ORDER BY ?item\n")
    camp = _campaign(tmp_path, {"query": "mine.rq"})
    assert scope_query(camp).path == tmp_path / "mine.rq" and scope_query(camp).label == "mine.rq"
    with pytest.raises(CampaignError, match=r"scope\.query file is run as written"):
        scope_query(camp, region="Q100")
    with pytest.raises(CampaignError, match="does not exist"):
        scope_query(_campaign(tmp_path, {"query": "missing.rq"}))
    assert Scope(identifier="P2186", valid_on=date(2026, 9, 1)).valid_on.year == 2026
