"""The ingest stage end to end on the bundled sample registers, plus CLI option handling."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from core.errors import InputError
from modeling.campaign import load_campaign
from modeling.ingest import apply_overrides, ingest, resolve_source, source_from_options
from modeling.records import read_records

ROOT = Path(__file__).resolve().parents[3]
BBR = ROOT / "campaigns" / "wlm-se-bbr-sample.yaml"
NVR = ROOT / "campaigns" / "wle-se-reserves-sample.yaml"

SUMMARY_KEYS = {"file", "format", "encoding", "delimiter", "crs_in", "records_read", "records_ok",
                "rejects", "rejects_by_reason", "at"}


def test_bbr_sample_writes_the_three_files(tmp_path: Path) -> None:
    camp = load_campaign(BBR)
    result = ingest(camp.source, base_dir=camp.base_dir, country_bbox=camp.country.bbox,
                    out_dir=tmp_path)
    folder = tmp_path / "01_ingest"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) >= SUMMARY_KEYS
    assert (summary["format"], summary["encoding"], summary["delimiter"], summary["crs_in"]) == (
        "csv", "cp1252", ";", "EPSG:3006")
    # campaigns/data/wlm-se-bbr-sample/PROVENANCE.md: 337 rows, 8 bad, 329 good
    assert (summary["records_read"], summary["records_ok"], summary["rejects"]) == (337, 329, 8)
    assert summary["rejects_by_reason"] == {
        "bad_coordinate": 1, "duplicate_id": 2, "missing_id": 1, "missing_name": 1,
        "outside_country": 1, "ragged_row": 1, "swapped_coordinates": 1}
    rejects = pd.read_csv(folder / "rejects.csv", dtype=str, keep_default_na=False)
    assert list(rejects.columns) == ["source_row", "source_id", "field", "reason", "value"]
    assert rejects["source_row"].tolist() == ["19", "66", "67", "122", "173", "224", "265", "302"]
    records = read_records(folder / "records.parquet")
    assert len(records) == 329 == len(result.records)
    assert records["municipality_code"].str.fullmatch(r"\d{4}").all()
    assert "9999" in set(records["municipality_code"])  # valid record, P131 just won't resolve
    assert records["source_id"].str.fullmatch(r"21[34]\d{11}").all()
    assert "Kv. Ärlan 4; bostadshus och gårdshus" in set(records["name"])
    assert records["lat"].between(55.3, 64.1).all()


def test_bbr_sample_points_fall_in_their_municipality_area(tmp_path: Path) -> None:
    camp = load_campaign(BBR)
    rec = ingest(camp.source, base_dir=camp.base_dir, country_bbox=camp.country.bbox).records
    centres = {"0180": (59.33, 18.06), "0380": (59.86, 17.64), "1480": (57.71, 11.97),
               "1280": (55.59, 13.03), "0980": (57.48, 18.48), "0580": (58.41, 15.62),
               "1281": (55.70, 13.19), "2480": (63.83, 20.26)}
    for code, (lat, lon) in centres.items():
        here = rec[rec["municipality_code"] == code]
        assert len(here) >= 38
        assert (here["lat"] - lat).abs().max() < 0.12, code
        assert (here["lon"] - lon).abs().max() < 0.2, code


def test_nvr_sample(tmp_path: Path) -> None:
    camp = load_campaign(NVR)
    result = ingest(camp.source, base_dir=camp.base_dir, country_bbox=camp.country.bbox,
                    out_dir=tmp_path)
    s = result.summary
    assert (s["records_read"], s["records_ok"], s["crs_in"]) == (42, 39, "EPSG:3006")
    assert s["rejects_by_reason"] == {"duplicate_id": 2, "empty_geometry": 1}
    rec = result.records
    assert {"centroid_lat", "centroid_lon", "area_m2"} <= set(rec.columns)
    assert rec["decided"].str.fullmatch(r"\d{4}/\d{2}/\d{2}").all()
    assert "2510,2321" in set(rec["municipality_code"])
    sarek = rec.set_index("name").loc["Sarek"]
    assert 1.5e9 < sarek["area_m2"] < 2.2e9
    assert sarek.geometry.contains(__import__("shapely").Point(sarek["lon"], sarek["lat"]))


def test_source_from_options_requires_id_and_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--id-column is required without --campaign"):
        source_from_options(tmp_path / "r.csv", name_column="n")
    with pytest.raises(InputError, match="lat_column and lon_column go together"):
        source_from_options(tmp_path / "r.csv", id_column="i", name_column="n", lat_column="y")
    with pytest.raises(InputError, match="unknown ingest option"):
        source_from_options(tmp_path / "r.csv", id_column="i", name_column="n", colour="red")


def test_flags_alone_are_enough(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,name,y,x\n1,Kyrkan,59.33,18.07\n", encoding="utf-8")
    spec, base, bbox = resolve_source(None, str(path), {"id_column": "id", "name_column": "name",
                                                         "lat_column": "y", "lon_column": "x"})
    assert (base, bbox) == (None, None)
    result = ingest(spec, out_dir=tmp_path / "out")
    assert result.summary["records_ok"] == 1
    assert (tmp_path / "out" / "01_ingest" / "records.parquet").exists()


def test_overrides_win_over_the_campaign(tmp_path: Path) -> None:
    camp = load_campaign(BBR)
    spec = apply_overrides(camp.source, path=tmp_path / "other.csv", encoding="latin-1",
                           wkt_column="WKT")
    assert spec.path == str((tmp_path / "other.csv").resolve())
    assert (spec.encoding, spec.wkt_column, spec.lat_column, spec.lon_column) == (
        "latin-1", "WKT", None, None)
    assert spec.columns == camp.source.columns  # untouched keys stay
    again = apply_overrides(spec, lat_column="N", lon_column="E")
    assert (again.wkt_column, again.lat_column) == (None, "N")
    _spec2, base, bbox = resolve_source(str(BBR), None, {"crs": "EPSG:3006"})
    assert base == BBR.parent and bbox == (10.5, 55.0, 24.3, 69.1)


def test_neither_campaign_nor_source() -> None:
    with pytest.raises(InputError, match="give a register file"):
        resolve_source(None, None, None)
