"""Region outlines shipped for the offline map (Natural Earth admin-1, reports/static/regions/).

Checks the shipped data against places whose region is known, that neighbouring regions share
their borders (no overlaps), that the page's JavaScript decoder equals the Python one (needs
``node``, installed by ``make test``), and that the files are in the built wheel.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from modeling.campaign import load_campaign
from reports.lists_map import render_map
from reports.region_outlines import available, decode_ring, region_features, regions_for

ROOT = Path(__file__).resolve().parents[3]
JS = ROOT / "reports/static/wlk-map.js"

#: country -> (number of first-level regions, a place (lon, lat), the region holding it)
KNOWN = {
    "SE": (21, (18.0686, 59.3293), "Stockholm"),          # län
    "IT": (20, (12.4964, 41.9028), "Lazio"),              # regioni (merged from NE's provinces)
    "CH": (26, (7.4474, 46.9480), "Bern"),                # cantons
    "DE": (16, (11.5820, 48.1351), "Bayern"),             # Länder
    "FR": (18, (-1.6778, 48.1173), "Bretagne"),           # 13 metropolitan + 5 overseas régions
    "ES": (19, (-3.7038, 40.4168), "Madrid"),             # comunidades autónomas
}


def _shapes(iso: str) -> dict[str, object]:
    return {f["properties"]["name"]: shape(f["geometry"]) for f in region_features(iso)["features"]}


@pytest.mark.parametrize("iso", sorted(KNOWN))
def test_each_country_has_its_first_level_regions(iso: str):
    count, place, name = KNOWN[iso]
    regions = _shapes(iso)
    assert len(regions) == count
    holding = [n for n, g in regions.items() if g.contains(Point(place))]
    assert holding == [name]


def test_regions_carry_wikidata_items_where_natural_earth_has_them():
    doc = regions_for("se")  # any case
    by_name = {r["name"]: r for r in doc["regions"]}
    assert by_name["Stockholm"]["wikidata"] == "Q104231" and by_name["Stockholm"]["iso"] == "SE-AB"
    assert "Natural Earth" in doc["source"] and "public domain" in doc["source"]
    italy = {r["name"]: r for r in regions_for("IT")["regions"]}  # merged from provinces: no item, ISO code kept
    assert italy["Lazio"]["iso"] == "IT-62" and italy["Lazio"]["wikidata"] is None
    assert {r["name"] for r in regions_for("GB")["regions"]} == {"England", "Scotland", "Wales", "Northern Ireland"}


@pytest.mark.parametrize("iso", ["SE", "IT", "DE", "FR"])
def test_neighbouring_regions_share_borders_without_overlap(iso: str):
    shapes = [g.buffer(0) for g in _shapes(iso).values()]
    total = sum(g.area for g in shapes)
    assert unary_union(shapes).area == pytest.approx(total, rel=0.002)


def test_files_are_small_and_cover_the_world():
    codes = available()
    assert len(codes) > 200 and {"SE", "IT", "CH", "DE", "FR", "NO", "US", "BR"} <= set(codes)
    sizes = {c: (ROOT / "reports/static/regions" / f"{c}.json").stat().st_size for c in codes}
    assert max(sizes[c] for c in KNOWN) < 40_000
    assert max(sizes.values()) < 150_000


def test_unknown_codes_have_no_outlines():
    assert regions_for("XX") is None and regions_for("../SE") is None and regions_for("") is None
    assert region_features("XX") == {"type": "FeatureCollection", "features": []}


def test_the_map_carries_only_its_own_countrys_regions():
    campaign = load_campaign(ROOT / "campaigns/wlm-it-sample.yaml")
    row = {"item": "Q1", "id": "1", "label": "Colosseo", "lat": 41.8902, "lon": 12.4922, "image": None, "regions": []}
    html = render_map(campaign, [row], [], "2026-01-01T00:00:00+00:00")
    assert '"Lazio"' in html and '"Toscana"' in html
    assert '"Stockholm"' not in html and '"Bayern"' not in html


def test_the_page_decoder_equals_the_python_decoder():
    node = shutil.which("node") or shutil.which("nodejs")
    assert node, "node is not installed: run `make node-clients`"
    path = ROOT / "reports/static/regions/CH.json"
    script = (f"const m = require({json.dumps(str(JS))});"
              f"const doc = JSON.parse(require('fs').readFileSync({json.dumps(str(path))}, 'utf8'));"
              "console.log(JSON.stringify(m.regionFeatures(doc)));")
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, check=True)
    expected = json.loads(json.dumps(region_features("CH")["features"]))  # tuples -> lists
    assert json.loads(done.stdout) == expected


@pytest.mark.slow
def test_region_files_are_in_the_built_wheel(tmp_path: Path):
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", ".wlkit", "out", "node_modules", "build", "*.egg-info", "__pycache__", ".pytest_cache",
        "tests", "sandbox", "notebooks", "bench"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(source)], check=True, timeout=600, capture_output=True)
    wheel = next((tmp_path / "dist").glob("wikiloves_kit-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"reports/static/regions/{c}.json" for c in KNOWN} <= set(names)
    assert "reports/region_outlines.py" in names


def _builder():
    spec = importlib.util.spec_from_file_location("build_region_outlines", ROOT / "tools/build_region_outlines.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _unit(iso_a2: str, name: str, region: str, box: tuple[float, float, float, float], qid: str) -> dict:
    x0, y0, x1, y1 = box
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"iso_a2": iso_a2, "name": name, "region": region, "region_cod": "IT-62",
                           "adm1_code": f"{iso_a2}-{name}", "wikidataid": qid, "iso_3166_2": f"{iso_a2}-{name[:2]}"}}


def test_the_build_script_merges_provinces_and_round_trips(tmp_path: Path):
    build = _builder()
    layer = {"type": "FeatureCollection", "features": [
        _unit("IT", "Roma", "Lazio", (12.0, 41.5, 13.0, 42.5), "Q1"),       # two provinces of one regione
        _unit("IT", "Latina", "Lazio", (13.0, 41.5, 14.0, 42.5), "Q2"),
        _unit("IT", "Firenze", "Toscana", (11.0, 43.0, 12.0, 44.0), "Q3"),
        _unit("CH", "Bern", "", (7.0, 46.5, 8.0, 47.0), "Q11"),             # cantons stay as they are
        _unit("CH", "Luzern", "", (8.0, 46.5, 8.5, 47.0), "Q12"),
        _unit("-99", "Nowhere", "", (0.0, 0.0, 1.0, 1.0), "Q9"),            # no country code: left out
    ]}
    (tmp_path / "layer.json").write_text(json.dumps(layer), encoding="utf-8")
    counts = build.build(tmp_path / "layer.json", tmp_path / "out")
    assert counts == {"CH": 2, "IT": 2}
    italy = json.loads((tmp_path / "out/IT.json").read_text(encoding="utf-8"))
    lazio = next(r for r in italy["regions"] if r["name"] == "Lazio")
    assert lazio["wikidata"] is None and lazio["iso"] == "IT-62"
    ring = [(x, y) for x, y in decode_ring(lazio["p"][0][0], italy["scale"])]
    assert shape({"type": "Polygon", "coordinates": [ring]}).equals(shape(
        {"type": "Polygon", "coordinates": [[(12, 41.5), (14, 41.5), (14, 42.5), (12, 42.5), (12, 41.5)]]}))
    swiss = json.loads((tmp_path / "out/CH.json").read_text(encoding="utf-8"))
    assert [(r["name"], r["wikidata"]) for r in swiss["regions"]] == [("Bern", "Q11"), ("Luzern", "Q12")]
