"""The offline map in headless Chromium: markers drawn, coloured by has-photo, no network; the
country's regions outlined under them, named on hover, the chosen one drawn bolder.

Needs Debian's ``chromium`` (``make browser`` installs it); a missing browser is a failure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from _browser import harness, map_dom

from modeling.campaign import load_campaign
from reports import lists
from reports.region_outlines import regions_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


def _table(campaign) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = pd.DataFrame({
        "item": ["Q1", "Q2", "Q3", "Q4"], "id": ["raa/bbr/1", "raa/bbr/2", "raa/bbr/3", "raa/bbr/4"],
        "coord": ["Point(18.0 59.3)", "Point(17.6 59.8)", "Point(16.0 58.0)", None],
        "image": ["http://commons.wikimedia.org/wiki/Special:FilePath/A.jpg", None, None, None],
        "commons_category": [None] * 4, "address": [None] * 4, "designation": ["Q24284072"] * 4,
        "designation_start": [None] * 4, "region": ["Q10", "Q10", "Q11", "Q11"],
    })
    items = lists.fold_items(rows)
    labels = pd.DataFrame({"item": ["Q1", "Q2", "Q3"], "label": ["</script><b>x</b>", "Kvarn", "Fyr"],
                           "lang": ["sv"] * 3})
    names = pd.DataFrame({"item": ["Q10", "Q11"], "label": ["A", "B"], "lang": ["sv", "sv"]})
    return lists.assemble(campaign, items, labels, labels, names), names


def test_map_renders_offline_with_coloured_markers(tmp_path: Path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    table, names = _table(campaign)
    lists.write_lists(campaign, table, names, tmp_path, generated_at="2026-01-01T00:00:00+00:00")
    page = tmp_path / "05_lists/map.html"
    text = page.read_text(encoding="utf-8")
    # no external resources: every http(s) URL in the page is a link target in data, never src/href of a resource
    resource = r"""<(?:script|link|img|iframe|source|object)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    assert not re.search(resource, text)
    assert "url(http" not in text and "@import" not in text
    assets = re.findall(r"""<(?:script|link)[^>]+(?:src|href)="([^"]+)""", text)
    assert assets == ["leaflet.css", "leaflet.js", "wlk-map.js"]
    for url in re.findall(r"https?://[^\s\"'<>\\]+", text):
        assert url.startswith(("https://commons.wikimedia.org/", "https://www.wikidata.org/")), url
    dom = map_dom(page, tmp_path / "profile", budget_ms=5000).stdout
    markers = re.findall(r"<path[^>]*class=\"[^\"]*wlk-marker[^\"]*\"[^>]*>", dom)
    assert len(markers) == 3  # Q4 has no coordinates
    with_photo = [m for m in markers if "wlk-with-photo" in m]
    without = [m for m in markers if "wlk-without-photo" in m]
    assert len(with_photo) == 1 and len(without) == 2
    assert all(lists.COLOURS["with"] in m for m in with_photo)
    assert all(lists.COLOURS["without"] in m for m in without)
    assert "<b>x</b>" not in dom  # the hostile label never became markup


def test_map_draws_the_country_outline_under_the_markers(tmp_path: Path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    table, names = _table(campaign)
    lists.write_lists(campaign, table, names, tmp_path, generated_at="2026-01-01T00:00:00+00:00")
    page = tmp_path / "05_lists/map.html"
    assert "all regions (4 items)" in page.read_text(encoding="utf-8")  # items, not region memberships
    dom = map_dom(page, tmp_path / "profile").stdout
    country = re.findall(r"<path[^>]*class=\"[^\"]*wlk-country[^\"]*\"[^>]*>", dom)
    neighbours = re.findall(r"<path[^>]*class=\"[^\"]*wlk-neighbour[^\"]*\"[^>]*>", dom)
    assert len(country) == 1 and neighbours  # Sweden, and Norway/Finland… clipped around it
    assert dom.index("wlk-country") < dom.index("wlk-marker")  # drawn below the markers


def test_large_lists_cluster_their_markers(tmp_path: Path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    n = 3_000
    rows = pd.DataFrame({
        "item": [f"Q{100 + i}" for i in range(n)], "id": [f"raa/bbr/{i}" for i in range(n)],
        "coord": [f"Point({12 + (i % 60) * 0.1:.3f} {56 + (i // 60) * 0.2:.3f})" for i in range(n)],
        "image": [None] * n, "commons_category": [None] * n, "address": [None] * n,
        "designation": ["Q24284072"] * n, "designation_start": [None] * n, "region": ["Q10"] * n,
    })
    items = lists.fold_items(rows)
    labels = pd.DataFrame({"item": items["item"], "label": [f"Objekt {i}" for i in range(n)], "lang": ["sv"] * n})
    names = pd.DataFrame({"item": ["Q10"], "label": ["A"], "lang": ["sv"]})
    lists.write_lists(campaign, lists.assemble(campaign, items, labels, labels, names), names, tmp_path)
    page = tmp_path / "05_lists/map.html"
    text = page.read_text(encoding="utf-8")
    assert re.findall(r"""<script[^>]+src="([^"]+)""", text) == ["leaflet.js", "wlk-map.js", "leaflet.markercluster.js"]
    dom = map_dom(page, tmp_path / "profile", budget_ms=15000).stdout
    clusters = [int(c) for c in re.findall(r"marker-cluster[^>]*>\s*<div>\s*<span>(\d+)</span>", dom)]
    singles = len(re.findall(r"<path[^>]*class=\"[^\"]*wlk-marker", dom))
    assert clusters and sum(clusters) + singles == n  # every point is in a cluster or drawn alone
    assert singles < n / 10


@pytest.mark.parametrize(("campaign_file", "coords", "count", "names"), [
    ("wlm-se-bbr-sample.yaml", ["Point(18.0 59.3)", "Point(17.6 59.8)", "Point(16.0 58.0)", None], 21,
     {"Stockholm", "Uppsala", "Östergötland"}),
    ("wlm-it-sample.yaml", ["Point(12.49 41.89)", "Point(11.25 43.77)", "Point(9.19 45.46)", None], 20,
     {"Lazio", "Toscana", "Lombardia"}),
])
def test_map_draws_the_countrys_regions_under_the_markers(tmp_path: Path, campaign_file, coords, count, names):
    campaign = load_campaign(ROOT / "campaigns" / campaign_file)
    rows = pd.DataFrame({
        "item": ["Q1", "Q2", "Q3", "Q4"], "id": ["1", "2", "3", "4"], "coord": coords,
        "image": [None] * 4, "commons_category": [None] * 4, "address": [None] * 4,
        "designation": ["Q24284072"] * 4, "designation_start": [None] * 4, "region": ["Q10"] * 4,
    })
    labels = pd.DataFrame({"item": ["Q1", "Q2", "Q3"], "label": ["a", "b", "c"], "lang": ["sv"] * 3})
    names_table = pd.DataFrame({"item": ["Q10"], "label": ["A"], "lang": ["sv"]})
    table = lists.assemble(campaign, lists.fold_items(rows), labels, labels, names_table)
    lists.write_lists(campaign, table, names_table, tmp_path, generated_at="2026-01-01T00:00:00+00:00")
    page = tmp_path / "05_lists/map.html"
    dom = map_dom(page, tmp_path / "profile").stdout
    regions = re.findall(r"<path[^>]*class=\"[^\"]*wlk-region[^\"]*\"[^>]*>", dom)
    assert len(regions) == count  # one outline per län / regione, thin lines
    assert all('stroke-width="0.8"' in r for r in regions)
    # above the country, below the markers
    assert dom.index("wlk-country") < dom.index("wlk-region") < dom.index("wlk-marker")
    assert len(re.findall(r"<path[^>]*class=\"[^\"]*wlk-marker", dom)) == 3
    shipped = json.loads(re.search(r'<script id="wlk-regions" type="application/json">(.*?)</script>',
                                   page.read_text(encoding="utf-8"), re.S).group(1))
    assert names <= {r["name"] for r in shipped["regions"]}  # the names shown on hover


HOVER_HARNESS = """
    var out = document.getElementById("out");
    var paths = doc.querySelectorAll("path.wlk-region"), seen = [];
    for (var i = 0; i < paths.length; i++) {
      var box = paths[i].getBoundingClientRect();
      paths[i].dispatchEvent(new MouseEvent("mouseover", { bubbles: true, view: doc.defaultView,
        clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 }));
      var tips = doc.querySelectorAll(".wlk-region-name"), tip = tips[tips.length - 1];
      seen.push([tip ? tip.textContent : null, paths[i].getAttribute("stroke-width")]);
      paths[i].dispatchEvent(new MouseEvent("mouseout", { bubbles: true, view: doc.defaultView }));
    }
    out.textContent = JSON.stringify(seen);"""


def test_hovering_a_region_shows_its_name(tmp_path: Path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    table, names = _table(campaign)
    lists.write_lists(campaign, table, names, tmp_path, generated_at="2026-01-01T00:00:00+00:00")
    seen = harness(tmp_path / "05_lists", HOVER_HARNESS, tmp_path / "profile")
    assert sorted(name for name, _ in seen) == sorted(r["name"] for r in regions_for("SE")["regions"])  # each its own
    assert {"Stockholm", "Uppsala", "Skåne", "Norrbotten"} <= {name for name, _ in seen}
    assert {width for _, width in seen} == {"2"}  # the hovered outline is drawn bolder


SELECT_HARNESS = """
    var select = doc.getElementById("region");
    select.value = select.options[1].value;
    select.dispatchEvent(new Event("change"));
    var bold = [];
    doc.querySelectorAll("path.wlk-region").forEach(function (p) {
      var width = p.getAttribute("stroke-width");
      if (width !== "0.8") bold.push([width, p.getAttribute("stroke")]);
    });
    document.getElementById("out").textContent = JSON.stringify(bold);"""


@pytest.mark.parametrize(("campaign_file", "region", "label", "coord"), [
    ("wlm-se-bbr-sample.yaml", "Q104231", "Stockholms län", "Point(18.07 59.33)"),  # Natural Earth's item
    ("wlm-it-sample.yaml", "Q1282", "Lazio", "Point(12.49 41.89)"),  # merged regione: by name
])
def test_choosing_a_region_draws_its_outline_bolder(tmp_path: Path, campaign_file, region, label, coord):
    campaign = load_campaign(ROOT / "campaigns" / campaign_file)
    rows = pd.DataFrame({
        "item": ["Q1"], "id": ["1"], "coord": [coord], "image": [None], "commons_category": [None],
        "address": [None], "designation": ["Q24284072"], "designation_start": [None], "region": [region],
    })
    labels = pd.DataFrame({"item": ["Q1"], "label": ["a"], "lang": [campaign.languages[0]]})
    names = pd.DataFrame({"item": [region], "label": [label], "lang": [campaign.languages[0]]})
    table = lists.assemble(campaign, lists.fold_items(rows), labels, labels, names)
    lists.write_lists(campaign, table, names, tmp_path, generated_at="2026-01-01T00:00:00+00:00")
    bold = harness(tmp_path / "05_lists", SELECT_HARNESS, tmp_path / "profile")
    assert bold == [["2.2", "#4d5f70"]]  # that region only
