"""JSON record arrays, JSON Lines and Shapefile sidecars (issue 15, "Inputs")."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from core.errors import InputError
from modeling.campaign import Source
from modeling.ingest import ingest, source_from_options
from modeling.sources import read_source

DE_BBOX = (5.8, 47.2, 15.1, 55.1)

#: A district monuments register as open-data portals publish it: a list of objects.
MONUMENTS = [
    {"objektnummer": "D-1-62-000-1", "bezeichnung": "Frauenkirche", "kategorie": "Baudenkmal",
     "lat": 48.13864, "lon": 11.57351, "gemeinde": {"ags": "09162000", "name": "München"}},
    {"objektnummer": "D-1-62-000-2", "bezeichnung": "Altes Rathaus", "kategorie": "Baudenkmal",
     "lat": 48.13693, "lon": 11.57668, "gemeinde": {"ags": "09162000", "name": "München"}},
    {"objektnummer": "D-1-62-000-3", "bezeichnung": "Isartor", "kategorie": None,
     "lat": 48.13516, "lon": 11.58221, "gemeinde": {"ags": "09162000", "name": "München"}},
]


def spec(path: Path, **kw) -> Source:
    kw.setdefault("id_column", "objektnummer")
    kw.setdefault("name_column", "bezeichnung")
    return Source(path=str(path), **kw)


def test_json_record_array_is_read_like_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "denkmaeler.json"
    path.write_text(json.dumps(MONUMENTS, ensure_ascii=False), encoding="utf-8")
    frame, meta = read_source(spec(path))
    assert meta.format == "json"
    assert frame["bezeichnung"].tolist() == ["Frauenkirche", "Altes Rathaus", "Isartor"]
    assert frame["lat"].tolist() == ["48.13864", "48.13693", "48.13516"]
    assert frame["gemeinde.ags"].tolist() == ["09162000"] * 3  # nested object flattened
    assert frame["kategorie"].tolist() == ["Baudenkmal", "Baudenkmal", ""]
    assert frame["source_row"].tolist() == [1, 2, 3]


def test_json_records_ingest_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "denkmaeler.json"
    path.write_text(json.dumps({"total": 3, "results": MONUMENTS}), encoding="utf-8")
    result = ingest(source_from_options(path, id_column="objektnummer", name_column="bezeichnung",
                                        lat_column="lat", lon_column="lon"),
                    country_bbox=DE_BBOX)
    assert result.summary["records_ok"] == 3
    assert result.summary["format"] == "json"
    assert result.records["lat"].round(5).tolist() == [48.13864, 48.13693, 48.13516]


def test_json_lines_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "denkmaeler.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in MONUMENTS]
    path.write_text(lines[0] + "\n\n" + "\n".join(lines[1:]) + "\n", encoding="utf-8")
    frame, meta = read_source(spec(path))
    assert meta.format == "jsonl"
    assert frame["source_row"].tolist() == [1, 3, 4]  # blank line 2 skipped, numbers kept


def test_json_lines_in_a_dot_json_file_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text("\n".join(json.dumps(r) for r in MONUMENTS) + "\n", encoding="utf-8")
    frame, meta = read_source(spec(path))
    assert (meta.format, len(frame)) == ("jsonl", 3)


def test_broken_json_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "denkmaeler.jsonl"
    path.write_text(json.dumps(MONUMENTS[0]) + "\n{\"objektnummer\": \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"denkmaeler\.jsonl, row 2: line 2 is not valid JSON"):
        read_source(spec(path))


def test_object_without_record_list_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "meta.json"
    path.write_text(json.dumps({"title": "Denkmalliste", "count": 0}), encoding="utf-8")
    with pytest.raises(InputError, match=r"should be an array of records.*keys title, count"):
        read_source(spec(path))


def test_geojson_in_a_dot_json_file_still_reads_as_features(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"objektnummer": ["D-1"], "bezeichnung": ["Isartor"]},
                           geometry=gpd.points_from_xy([11.58221], [48.13516]), crs="EPSG:4326")
    path = tmp_path / "features.json"
    gdf.to_file(path, driver="GeoJSON")
    frame, meta = read_source(spec(path))
    assert meta.format == "geojson"
    assert isinstance(frame, gpd.GeoDataFrame)


# --- Shapefile sidecars -------------------------------------------------------------------------


def _merimee(tmp_path: Path) -> Path:
    gdf = gpd.GeoDataFrame(
        {"ref": ["PA00088801", "PA00088802"], "tico": ["Cathédrale", "Château"]},
        geometry=[box(651000, 6862000, 651100, 6862100), box(652000, 6863000, 652100, 6863100)],
        crs="EPSG:2154")
    path = tmp_path / "merimee.shp"
    gdf.to_file(path)
    return path


def test_shapefile_without_dbf_names_the_missing_file(tmp_path: Path) -> None:
    path = _merimee(tmp_path)
    (tmp_path / "merimee.dbf").unlink()
    with pytest.raises(InputError, match=r"missing merimee\.dbf \(the attribute table"):
        read_source(spec(path, id_column="ref", name_column="tico"))


def test_zipped_shapefile_without_shx_names_it(tmp_path: Path) -> None:
    _merimee(tmp_path)
    zpath = tmp_path / "merimee.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in tmp_path.glob("merimee.*"):
            if part.suffix not in {".zip", ".shx"}:
                zf.write(part, part.name)
    with pytest.raises(InputError, match=r"missing merimee\.shx"):
        read_source(spec(zpath, id_column="ref", name_column="tico"))


def test_shapefile_without_prj_asks_for_crs_and_says_why(tmp_path: Path) -> None:
    path = _merimee(tmp_path)
    (tmp_path / "merimee.prj").unlink()
    with pytest.raises(InputError, match=r"no \.prj.*--crs"):
        ingest(source_from_options(path, id_column="ref", name_column="tico"))
    ok = ingest(source_from_options(path, id_column="ref", name_column="tico", crs="EPSG:2154"))
    assert ok.summary["records_ok"] == 2
