"""The records contract: GeoParquet in EPSG:4326 with the required columns."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from core.errors import InputError
from modeling.records import read_records, write_records


def records(**extra) -> gpd.GeoDataFrame:
    data = {"source_id": ["1", "2"], "name": ["Kyrkan", "Bron"], "source_row": [2, 3],
            "municipality_code": ["0180", "0380"], "lat": [59.33, 59.86], "lon": [18.07, 17.64]}
    data.update(extra)
    return gpd.GeoDataFrame(data, geometry=[Point(18.07, 59.33), Point(17.64, 59.86)], crs=4326)


def test_round_trip_keeps_types(tmp_path: Path) -> None:
    path = write_records(records(), tmp_path / "01_ingest" / "records.parquet")
    back = read_records(path)
    assert back["municipality_code"].tolist() == ["0180", "0380"]
    assert str(back["source_id"].dtype) == "str"
    assert str(back["source_row"].dtype) == "int64"
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].equals(Point(18.07, 59.33))


def test_missing_columns_and_wrong_crs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing lat, lon"):
        write_records(records().drop(columns=["lat", "lon"]), tmp_path / "r.parquet")
    with pytest.raises(InputError, match="EPSG:4326"):
        write_records(records().to_crs(3006), tmp_path / "r.parquet")
    with pytest.raises(InputError, match="unique source_id values, got '1' twice"):
        write_records(records(source_id=["1", "1"]), tmp_path / "r.parquet")


def test_read_missing_or_foreign_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="records file not found; run `wlkit ingest` first"):
        read_records(tmp_path / "nope.parquet")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(InputError, match="is not a GeoParquet records file"):
        read_records(bad)
