"""The lists' data files: every region's CSV/GeoJSON and all.csv/all.geojson in one pass, each
monument formatted once, with the same lines as writing every file on its own."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pandas as pd

from reports.lists_files import ListFiles, write_csv, write_geojson
from reports.lists_fold import sections

LANGS = ["sv", "en"]
NAMES = pd.DataFrame({"item": ["Q10", "Q11", "Q12"], "label": ["Ale", "Borås", "Öckerö"],
                      "lang": ["sv"] * 3})


def _rows(n: int = 60) -> list[dict]:
    label_of = dict(zip(NAMES["item"], NAMES["label"], strict=True))
    rows = []
    for i in range(n):
        regions = [["Q10"], ["Q11"], ["Q10", "Q12"], []][i % 4]  # one, one, two, none
        rows.append({
            "item": f"Q{1000 + i}", "id": f"id-{i}", "label": f"=cmd {i}" if i % 9 == 0 else f"Kyrka {i}",
            "label_lang": "sv", "regions": regions, "region_labels": [label_of[q] for q in regions],
            "designations": ["Q5"], "designation": "Q5", "designation_label": "byggnadsminne",
            "designation_start": "1990", "lat": None if i % 5 == 0 else 57.0 + i / 100, "lon": 12.0,
            "image": None, "commons_category": None, "address": "Gatan 1, Ale" if i % 3 else None,
            "upload_url": f"https://example.org/u?{i}", "wikidata_url": f"https://example.org/Q{1000 + i}",
            "has_label_sv": True, "has_label_en": i % 2 == 0,
        })
    return rows


def test_one_pass_writes_the_same_files_as_one_file_at_a_time(tmp_path: Path) -> None:
    rows = _rows()
    secs = sections(rows, NAMES)
    one, each = tmp_path / "one", tmp_path / "each"
    one.mkdir()
    each.mkdir()
    with ListFiles(one, LANGS) as files:
        for s in secs:
            files.section(s)
    for s in secs:
        write_csv(each / f"{s.slug}.csv", s.rows, LANGS, s)
        write_geojson(each / f"{s.slug}.geojson", s.rows)
        assert (one / f"{s.slug}.csv").read_bytes() == (each / f"{s.slug}.csv").read_bytes()
        assert (one / f"{s.slug}.geojson").read_bytes() == (each / f"{s.slug}.geojson").read_bytes()
    write_csv(each / "all.csv", rows, LANGS)
    write_geojson(each / "all.geojson", rows)
    lines = (one / "all.csv").read_text(encoding="utf-8").splitlines()
    one_by_one = (each / "all.csv").read_text(encoding="utf-8").splitlines()
    assert collections.Counter(lines) == collections.Counter(one_by_one)
    assert len(lines) == 1 + len(rows)  # each monument once, also the one in two regions
    two = next(line for line in lines if line.startswith("Q1002,"))
    assert ",Q10;Q12,Ale;Öckerö," in two  # all its regions, not the first region's
    assert any(line.startswith("Q1009,id-9,'=cmd 9,") for line in lines)  # formula-safe
    features = json.loads((one / "all.geojson").read_bytes())["features"]
    assert sorted(f["id"] for f in features) == sorted(r["item"] for r in rows if r["lat"] is not None)
    order = [f["id"] for f in features]
    assert features == sorted(json.loads((each / "all.geojson").read_bytes())["features"],
                              key=lambda f: order.index(f["id"]))
    # the lists' order: by region as all.wiki, a monument at its first region, the rest last
    assert [line.split(",")[0] for line in lines[1:]] == list(dict.fromkeys(r["item"] for s in secs for r in s.rows))
