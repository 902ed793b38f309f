"""reports.lists (via pipelines.lists_build) on the WDQS-format fixture, queried in-process with pyoxigraph.

``build_lists`` runs for real: its SPARQL goes through ``sparql.render`` into an in-process
Oxigraph store holding ``tests/fixtures/rdf/lists_monuments.ttl`` (only the HTTP hop is left out;
tests/integration covers that).
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any

import mwparserfromhell
import pandas as pd
import pyoxigraph as ox
import pytest

import pipelines.lists_build
import sparql.client
from core.errors import CampaignError
from core.settings import Target
from modeling.campaign import load_campaign
from pipelines.lists_build import build_lists
from reports import lists
from sparql.client import results_to_frame
from sparql.render import render

ROOT = Path(__file__).resolve().parents[3]
TTL = ROOT / "tests/fixtures/rdf/lists_monuments.ttl"
TARGET = Target(name="test", api_url="http://127.0.0.1:9/w/api.php", sparql_url="http://127.0.0.1:9/query")
WIKIDATA = Target(name="wikidata", api_url="https://www.wikidata.org/w/api.php", sparql_url="http://127.0.0.1:9/query")
HOSTILE = "Kvarn | {{x}} [[y]] <b>bold</b> a=b ''it'' ~~~~ =SUM(A1)"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.load(path=str(TTL), format=ox.RdfFormat.TURTLE)
    return s


@pytest.fixture
def inprocess(monkeypatch: pytest.MonkeyPatch, store: ox.Store) -> list[str]:
    """Route sparql.client.run to the in-process store; returns the list of queries run."""
    seen: list[str] = []

    def run(name, target, *, cache_dir=None, page_size=None, **params):
        text = render(name, entity_base=target.entity_base, **params)
        seen.append(name)
        data = json.loads(store.query(text).serialize(format=ox.QueryResultsFormat.JSON))
        return results_to_frame(data, target.entity_prefix)

    monkeypatch.setattr(sparql.client, "run", run)
    return seen


@pytest.fixture
def wlm():
    return load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")


@pytest.fixture
def wle():
    return load_campaign(ROOT / "campaigns/wle-se-reserves-sample.yaml")


def test_a_large_country_is_read_region_by_region_with_the_same_lists(inprocess, wlm, tmp_path, monkeypatch):
    """Above one page the scope is read as groups of regions (plus the items without one), so no
    request evaluates the whole country; the lists are those of the one query."""
    whole = build_lists(wlm, TARGET, tmp_path / "whole")
    assert inprocess.count("lists_campaign_items") == 1
    monkeypatch.setattr(pipelines.lists_build, "PAGE_SIZE", 3)
    monkeypatch.setattr(pipelines.lists_build, "PART_ROWS", 2)
    inprocess.clear()
    parted = build_lists(wlm, TARGET, tmp_path / "parted")
    assert inprocess[0] == "lists_campaign_regions"
    assert inprocess.count("lists_campaign_items") == 3  # Q990001 (5 items), Q990002 (2), no region
    assert {k for k in whole if whole[k] != parted[k]} <= {"generated_at"}
    for name in ("all.csv", "all.geojson", "stats.csv"):
        assert (tmp_path / "parted/05_lists" / name).read_bytes() == (tmp_path / "whole/05_lists" / name).read_bytes()


def test_only_a_region_above_a_page_is_paged_and_sorted(inprocess, wlm, tmp_path, monkeypatch):
    """Sorting cost Oxigraph as much as finding the rows: every request of a country read region
    by region is unsorted and whole, but for a single region larger than a page."""
    asked: list[tuple[str, Any, Any]] = []
    inner = sparql.client.run

    def run(name, target, *, cache_dir=None, page_size=None, **params):
        asked.append((name, page_size, params.get("unordered")))
        return inner(name, target, cache_dir=cache_dir, page_size=page_size, **params)

    monkeypatch.setattr(sparql.client, "run", run)
    monkeypatch.setattr(pipelines.lists_build, "PART_ROWS", 2)
    monkeypatch.setattr(pipelines.lists_build, "PAGE_SIZE", 5)  # Q990001 (5 items) is one request
    build_lists(wlm, TARGET, tmp_path / "a")
    scope = [(size, unordered) for name, size, unordered in asked if name == "lists_campaign_items"]
    assert scope == [(None, 1)] * 3
    asked.clear()
    monkeypatch.setattr(pipelines.lists_build, "PAGE_SIZE", 4)  # now it is paged, sorted
    build_lists(wlm, TARGET, tmp_path / "b")
    scope = [(size, unordered) for name, size, unordered in asked if name == "lists_campaign_items"]
    assert sorted(scope, key=str) == sorted([(None, 1), (None, 1), (4, None)], key=str)
    assert (tmp_path / "a/05_lists/all.csv").read_bytes() == (tmp_path / "b/05_lists/all.csv").read_bytes()


def test_build_lists_wlm_scope_and_files(inprocess, wlm, tmp_path):
    summary = build_lists(wlm, TARGET, tmp_path)
    out = tmp_path / "05_lists"
    # Q991003 (designation ended) and Q991005 (other designation) are out of scope.
    assert summary["items"] == 5
    assert summary["with_image"] == 2 and summary["with_coords"] == 4 and summary["with_commons_category"] == 2
    assert summary["labelled"] == {"sv": 2, "en": 2}
    assert summary["regions"] == 2 and summary["without_region"] == 1
    assert "SERVICE" not in " ".join(inprocess)
    names = {p.name for p in out.iterdir()}
    for required in ("all.csv", "all.geojson", "map.html", "leaflet.js", "leaflet.css", "stats.csv",
                     "stats.wiki", "stats.png", "summary.json", "testkommun-a-q990001.wiki",
                     "obygd-kommun-q990002.csv", "no-region.geojson"):
        assert required in names
    assert json.loads((out / "summary.json").read_text())["items"] == 5
    assert "== Inget område (1) ==" in (out / "no-region.wiki").read_text()  # the list's language (sv)
    assert (out / "stats.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_wikitext_rows_are_one_template_each_with_intact_text(inprocess, wlm, tmp_path):
    build_lists(wlm, TARGET, tmp_path)
    text = (tmp_path / "05_lists/testkommun-a-q990001.wiki").read_text()
    code = mwparserfromhell.parse(text)
    headings = [str(h.title).strip() for h in code.filter_headings()]
    assert headings == ["Testkommun A (3)"]
    rows = [t for t in code.filter_templates(recursive=False) if t.name.strip() == "BBR"]
    assert len(rows) == 3
    assert next(t.name.strip() for t in code.filter_templates(recursive=False)) == "BBR-huvud"
    by_id = {html.unescape(str(t.get("bbr").value)): t for t in rows}
    kvarn = by_id["raa/bbr/21300000000002"]
    assert [p.name.strip() for p in kvarn.params] == list(wlm.lists.row_params)
    assert html.unescape(str(kvarn.get("namn").value)) == HOSTILE
    assert not kvarn.get("namn").value.filter_templates() and not kvarn.get("namn").value.filter_wikilinks()
    assert not kvarn.get("namn").value.filter_tags()
    assert html.unescape(str(kvarn.get("kommun").value)) == "Testkommun A"
    assert str(kvarn.get("lat").value) == "59.8586"
    church = by_id["raa/bbr/21300000000001"]
    assert str(church.get("bild").value) == "Gamla kyrkan 1.jpg"
    # the bridge sits in both municipalities and is listed under each
    assert "raa/bbr/21300000000006" in by_id
    assert text.rstrip().endswith("|}")


def test_region_names_with_pipes_stay_in_one_parameter(inprocess, wlm, tmp_path):
    build_lists(wlm, TARGET, tmp_path)
    code = mwparserfromhell.parse((tmp_path / "05_lists/obygd-kommun-q990002.wiki").read_text())
    assert [html.unescape(str(h.title).strip()) for h in code.filter_headings()] == ["Öbygd | kommun (2)"]
    for t in code.filter_templates(recursive=False):
        if t.name.strip() == "BBR":
            assert html.unescape(str(t.get("kommun").value)) == "Öbygd | kommun"
            assert len(t.params) == len(wlm.lists.row_params)


def test_generic_table_when_no_row_template(inprocess, wle, tmp_path):
    summary = build_lists(wle, WIKIDATA, tmp_path)
    assert summary["items"] == 2  # WLE scope: identifier property only
    text = (tmp_path / "05_lists/all.wiki").read_text()
    code = mwparserfromhell.parse(text)
    assert [str(h.title).strip() for h in code.filter_headings()] == ["Testkommun A (1)", "Öbygd &#124; kommun (1)"]
    assert "{| class=\"wikitable sortable\"" in text
    links = [str(link.title) for link in code.filter_wikilinks()]
    assert ":d:Q992001" in links and "File:Testmyren.jpg" in links
    ext = [str(e.url) for e in code.filter_external_links()]
    assert len(ext) == 1 and "campaign=wle-se" in ext[0] and "id=2000002" in ext[0] and "|" not in ext[0]


def test_region_filter_uses_the_p131_tree(inprocess, wlm, tmp_path):
    summary = build_lists(wlm, TARGET, tmp_path, region="Q990000")
    assert summary["items"] == 4 and summary["without_region"] == 0
    summary = build_lists(wlm, TARGET, tmp_path / "b", region="Q990002")
    assert summary["items"] == 2


def test_csv_is_formula_safe_and_parses_back(inprocess, wlm, tmp_path):
    build_lists(wlm, TARGET, tmp_path)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "05_lists/all.csv").read_text())))
    assert len(rows) == 5
    kvarn = next(r for r in rows if r["item"] == "Q991002")
    assert kvarn["label"] == HOSTILE  # starts with K: unchanged
    assert kvarn["region"] == "Q990001" and kvarn["has_label_sv"] == "True"
    bridge = next(r for r in rows if r["item"] == "Q991006")
    assert bridge["label"] == "Grenzbrücke" and bridge["label_lang"] == "de"
    assert bridge["region"] == "Q990001;Q990002"
    for slug, region, label in (("testkommun-a-q990001", "Q990001", "Testkommun A"),
                                ("obygd-kommun-q990002", "Q990002", "Öbygd | kommun")):
        own = list(csv.DictReader(io.StringIO((tmp_path / f"05_lists/{slug}.csv").read_text())))
        assert {(r["region"], r["region_label"]) for r in own} == {(region, label)}  # the bridge too
        assert "Q991006" in {r["item"] for r in own}
    rune = next(r for r in rows if r["item"] == "Q991007")
    assert rune["label_lang"] == "mul" and rune["designation_start"] == "1990"


def test_geojson_and_upload_links(inprocess, wlm, tmp_path):
    build_lists(wlm, TARGET, tmp_path)
    gj = json.loads((tmp_path / "05_lists/all.geojson").read_text())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 4  # Q991004 has no coordinates
    church = next(f for f in gj["features"] if f["id"] == "Q991001")
    assert church["geometry"]["coordinates"] == [18.0686, 59.3293]
    assert church["properties"]["has_image"] is True and church["properties"]["image"] == "Gamla kyrkan 1.jpg"
    kvarn = next(f for f in gj["features"] if f["id"] == "Q991002")
    assert kvarn["properties"]["has_image"] is False and kvarn["properties"]["image"] is None
    url = church["properties"]["upload_url"]
    assert url.startswith("https://commons.wikimedia.org/w/index.php?title=Special%3AUploadWizard&campaign=wlm-se-bbr&")
    assert "id=raa%2Fbbr%2F21300000000001" in url and "descriptionlang=sv" in url
    assert "description=Gamla%20kyrkan" in url and "lat=59.329300&lon=18.068600" in url
    assert "categories=Listed%20buildings%20in%20Sweden" in url


def test_stats_wiki_and_csv(inprocess, wlm, tmp_path):
    build_lists(wlm, TARGET, tmp_path)
    stats = pd.read_csv(tmp_path / "05_lists/stats.csv", dtype={"region": str}, keep_default_na=False)
    total = stats[stats["region_label"] == "Total"].iloc[0]
    assert total["monuments"] == 5 and total["with_image"] == 2 and total["with_image_pct"] == 40.0
    a = stats[stats["region"] == "Q990001"].iloc[0]
    assert a["monuments"] == 3 and a["labelled_sv"] == 2
    code = mwparserfromhell.parse((tmp_path / "05_lists/stats.wiki").read_text())
    text = code.strip_code()
    assert "2 (40%)" in str(code)  # total with image
    assert "Testkommun A" in text


def test_bad_row_param_column_is_a_campaign_error(inprocess, wlm, tmp_path):
    wlm.lists.row_params = {"bbr": "id", "x": "no_such_column"}
    with pytest.raises(CampaignError, match=r"lists.row_params.x .*no_such_column"):
        build_lists(wlm, TARGET, tmp_path)


def test_fold_items_keeps_one_row_per_item():
    rows = pd.DataFrame({
        "item": ["Q2", "Q2", "Q1"], "id": ["b", "b", "a"],
        "coord": ["Point(18 59)", "Point(18 59)", None], "image": [None, "http://x/Special:FilePath/B.jpg", None],
        "commons_category": [None, None, "C"], "address": [None, None, None],
        "designation": ["Q5", "Q6", "Q5"], "designation_start": ["2001-01-01T00:00:00Z", None, None],
        "region": ["Q10", "Q11", None],
    })
    folded = lists.fold_items(rows)
    assert folded["item"].tolist() == ["Q1", "Q2"]
    q2 = folded.iloc[1]
    assert q2["designations"] == ["Q5", "Q6"] and q2["regions"] == ["Q10", "Q11"]
    assert q2["image"] == "B.jpg" and q2["lat"] == 59.0 and q2["designation_start"] == "2001-01-01"
