"""build_lists end to end over HTTP: the sandbox SPARQL endpoint holding the fixture RDF."""

from __future__ import annotations

import json
from pathlib import Path

import mwparserfromhell
import pytest

from modeling.campaign import load_campaign
from pipelines.lists_build import build_lists

ROOT = Path(__file__).resolve().parents[2]
TTL = ROOT / "tests/fixtures/rdf/lists_monuments.ttl"
pytestmark = pytest.mark.integration


@pytest.fixture
def target(fixture_rdf_target):
    """The fixture-RDF endpoint (tests/conftest.py)."""
    return fixture_rdf_target


def test_build_lists_over_http_matches_the_fixture(target, tmp_path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    summary = build_lists(campaign, target, tmp_path, cache_dir=tmp_path / "cache")
    assert (summary["items"], summary["regions"], summary["with_image"]) == (5, 2, 2)
    assert summary["labelled"] == {"sv": 2, "en": 2}
    out = tmp_path / "05_lists"
    assert json.loads((out / "summary.json").read_text())["with_coords"] == 4
    code = mwparserfromhell.parse((out / "all.wiki").read_text())
    assert sum(t.name.strip() == "BBR" for t in code.filter_templates()) == 6  # the bridge is in two regions
    cached = sorted((tmp_path / "cache").glob("*.json"))
    assert cached  # a second run is served from the cache, byte-identical lists
    again = build_lists(campaign, target, tmp_path / "again", cache_dir=tmp_path / "cache")
    assert again["items"] == 5 and sorted((tmp_path / "cache").glob("*.json")) == cached


def test_wle_scope_over_http(target, tmp_path):
    campaign = load_campaign(ROOT / "campaigns/wle-se-reserves-sample.yaml")
    summary = build_lists(campaign, target, tmp_path, region="Q990000")
    assert summary["items"] == 2 and summary["regions"] == 2
