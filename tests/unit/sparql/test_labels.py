"""sparql.labels: the fallback chain in Python, batches of VALUES, any-language last resort."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyoxigraph as ox
import pytest

import sparql.client
import sparql.labels as labels
from core.settings import Target
from sparql.client import results_to_frame
from sparql.render import render

ROOT = Path(__file__).resolve().parents[3]
TARGET = Target(name="t", api_url="http://127.0.0.1:9/w/api.php", sparql_url="http://127.0.0.1:9/query")


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Run lists_labels.rq on an in-process store with the fixture; record each call's params."""
    store = ox.Store()
    store.load(path=str(ROOT / "tests/fixtures/rdf/lists_monuments.ttl"), format=ox.RdfFormat.TURTLE)
    calls: list[dict] = []

    def run(name, target, *, cache_dir=None, page_size=None, **params):
        calls.append(params)
        data = json.loads(store.query(render(name, **params)).serialize(format=ox.QueryResultsFormat.JSON))
        return results_to_frame(data, target.entity_prefix)

    monkeypatch.setattr(sparql.client, "run", run)
    return calls


def test_chain_then_mul_then_any(queries):
    ids = ["Q991001", "Q991004", "Q991006", "Q991007", "Q990002", "Q404"]
    got = labels.labels_with_fallback(ids, ["sv", "en"], TARGET)
    assert dict(zip(got["item"], got["lang"], strict=True)) == {
        "Q991001": "sv", "Q991004": "en", "Q991006": "de", "Q991007": "mul", "Q990002": "sv"}
    assert queries[0]["langs"] == ["sv", "en", "mul"]
    assert queries[1] == {"items": ["Q404", "Q991006"], "langs": None}  # only the unlabelled ones


def test_batches(queries):
    labels.fetch_labels([f"Q{n}" for n in range(1, 1201)] + [None, "Q1"], ["sv"], TARGET, batch_size=500)
    assert [len(c["items"]) for c in queries] == [500, 500, 200]


def test_pick_labels_without_any_language():
    df = pd.DataFrame({"item": ["Q1", "Q2"], "label": ["a", "b"], "lang": ["de", "en"]})
    assert labels.pick_labels(df, ["sv", "en"], any_language=False).to_dict("records") == [
        {"item": "Q2", "label": "b", "lang": "en"}]
