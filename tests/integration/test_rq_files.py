"""Every ``sparql/*.rq`` runs on the WDQS-format fixture, in-process and over HTTP (STYLE §2.8).

Parametrised over ``sorted(Path("sparql").glob("*.rq"))``: a new query file must get an entry
in :data:`PARAMS` (parameters + expected rows) or this test fails — nothing is skipped. The same
rendered text runs on a pyoxigraph store in-process (WDQS's SERVICEs rewritten as the endpoint
does, :func:`sandbox.wdqs_services.rewrite_query`) and on the sandbox SPARQL endpoint
(``services_factory``, its admin ``POST /admin/load``), through ``sparql.client``; both must give
the same rows (endpoint portability, FIELD-NOTES §3 item 14).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyoxigraph as ox
import pytest

from core.settings import WIKIDATA_ENTITY_BASE
from sandbox.spatial_index import SpatialIndex
from sandbox.wdqs_functions import custom_functions
from sandbox.wdqs_services import rewrite_query
from sparql.client import results_to_frame, run
from sparql.render import render

ROOT = Path(__file__).resolve().parents[2]
RQ_FILES = sorted((ROOT / "sparql").glob("*.rq"))
TTL = ROOT / "tests/fixtures/rdf/lists_monuments.ttl"
ENTITY_PREFIX = WIKIDATA_ENTITY_BASE + "/entity/"
WLM_DESIGNATIONS = ["Q24284072", "Q24284071", "Q24284073"]

#: file stem -> (params, expected: predicate on the result frame, columns)
PARAMS: dict[str, tuple[dict[str, Any], Any]] = {
    "lists_campaign_items": (
        {"idprop": "P1260", "designations": WLM_DESIGNATIONS},
        lambda df: sorted(set(df["item"])) == ["Q991001", "Q991002", "Q991004", "Q991006", "Q991007"],
    ),
    "lists_campaign_regions": (  # items with the identifier per direct P131, out of scope ones too
        {"idprop": "P1260"},
        lambda df: df.set_index(df["region"].fillna("-"))["items"].to_dict() == {"-": 1, "Q990001": 5, "Q990002": 2},
    ),
    "lists_coverage": (
        {"idprop": "P1260", "designations": WLM_DESIGNATIONS},
        lambda df: df.set_index(df["region"].fillna("-"))["items"].to_dict() == {"-": 1, "Q990001": 3, "Q990002": 2},
    ),
    "lists_labels": (
        {"items": ["Q991001", "Q990002", "Q991006"], "langs": ["sv", "en"]},
        lambda df: sorted(zip(df["item"], df["lang"], strict=True))
        == [("Q990002", "sv"), ("Q991001", "en"), ("Q991001", "sv")],
    ),
    "dryrun_labels": (
        {"entities": [ENTITY_PREFIX + q for q in ("Q991001", "Q990002", "Q991006")],
         "langs": ["sv", "en"]},
        lambda df: sorted(zip(df["item"], df["lang"], strict=True))
        == [("Q990002", "sv"), ("Q991001", "en"), ("Q991001", "sv")],
    ),
    "lookup_admin_units": (
        {"admin_class": "Q127448", "codeprop": "P525", "langs": ["sv"]},
        lambda df: set(zip(df["item"], df["code"], strict=True)) == {("Q990001", "9901"), ("Q990002", "9902")},
    ),
    "plan_label_collisions": (
        {"labels": [("Gamla kyrkan", "sv"), ("Gamla kyrkan", "en"), ("Nothing", "sv")]},
        lambda df: df[["item", "lang"]].values.tolist() == [["Q991001", "sv"]],
    ),
    "scope_items": (
        {"idprop": "P1260", "designations": WLM_DESIGNATIONS},
        lambda df: sorted(set(df["item"])) == ["Q991001"],  # the fixture's one p:P1260 statement node
    ),
    "reconcile_by_identifier": (
        {"idprop": "P1260", "values": ["raa/bbr/21300000000001", "raa/bbr/99999999999999"]},
        lambda df: df["item"].tolist() == ["Q991001"] and df["rank"].str.endswith("NormalRank").all(),
    ),
    "reconcile_candidates": (
        {"classes": ["Q16970", "Q38720"], "langs": ["sv"], "idprop": "P1260", "radius": "0.5",
         "centers": [(18.0700, 59.3300), (17.6389, 59.8586), (20.0, 60.0)]},
        lambda df: set(df["item"]) == {"Q991001"} and set(df["name"].dropna()) == {"Gamla kyrkan"},
    ),
}


def _params(stem: str) -> dict[str, Any]:
    from sparql.render import literal

    params = dict(PARAMS[stem][0])
    if stem == "plan_label_collisions":
        params["labels"] = [literal(s, lang=lang) for s, lang in params["labels"]]
    return params


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.load(path=str(TTL), format=ox.RdfFormat.TURTLE)
    return s


@pytest.fixture(scope="module")
def endpoint(fixture_rdf_target):
    return fixture_rdf_target




def _inprocess(store: ox.Store, text: str) -> pd.DataFrame:
    # WDQS's SERVICEs (wikibase:around in reconcile_candidates) run as on the local endpoint:
    # rewritten into plain SPARQL, the geographic ones answered from a spatial index.
    text = rewrite_query(text, {}, spatial=SpatialIndex(store))
    result = store.query(text, custom_functions=custom_functions(store))
    data = json.loads(result.serialize(format=ox.QueryResultsFormat.JSON))
    return results_to_frame(data, ENTITY_PREFIX)


def _canonical(df: pd.DataFrame) -> list[tuple]:
    return sorted(tuple("" if pd.isna(v) else str(v) for v in row) for row in df.itertuples(index=False))


def test_every_rq_file_has_a_params_entry():
    missing = [p.name for p in RQ_FILES if p.stem not in PARAMS]
    assert not missing, f"add these .rq files to PARAMS in {Path(__file__).name}: {missing}"
    assert len(RQ_FILES) >= 3


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.name)
def test_rq_runs_in_process(path: Path, store: ox.Store):
    assert path.stem in PARAMS, f"{path.name} has no PARAMS entry"
    _values, check = PARAMS[path.stem]
    text = render(path.stem, **_params(path.stem))
    df = _inprocess(store, text)
    header = path.read_text(encoding="utf-8").split("# Columns:")[1].split("SELECT")[0]
    for column in df.columns:
        assert column in header, f"{path.name}: column {column} not documented in its header"
    assert len(df) > 0 and check(df), df.to_string()


@pytest.mark.integration
@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: p.name)
def test_rq_same_rows_over_http(path: Path, store: ox.Store, endpoint):
    assert path.stem in PARAMS, f"{path.name} has no PARAMS entry"
    params = _params(path.stem)
    over_http = run(path.stem, endpoint, **params)
    local = _inprocess(store, render(path.stem, **params))
    assert list(over_http.columns) == list(local.columns)
    assert _canonical(over_http) == _canonical(local)
    assert PARAMS[path.stem][1](over_http)


def test_scope_read_region_by_region_equals_the_scope_at_once(store: ox.Store):
    """lists_build reads a large country as groups of regions plus the items without one: the
    rows are the scope's own (an item in two regions comes twice and is dropped once)."""
    params = {"idprop": "P1260", "designations": WLM_DESIGNATIONS}
    whole = _inprocess(store, render("lists_campaign_items", **params))
    counts = _inprocess(store, render("lists_campaign_regions", idprop="P1260"))
    parts = [_inprocess(store, render("lists_campaign_items", parts=[region], unordered=1, **params))
             for region in counts["region"].dropna()]
    parts.append(_inprocess(store, render("lists_campaign_items", unlocated=1, unordered=1, **params)))
    assert "ORDER BY" not in render("lists_campaign_items", unordered=1, **params)
    together = pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)
    assert _canonical(together) == _canonical(whole)
    assert sorted(set(whole["item"])) == ["Q991001", "Q991002", "Q991004", "Q991006", "Q991007"]

