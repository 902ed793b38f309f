"""The record contract between ingest and the later stages: ``01_ingest/records.parquet``.

A records file is GeoParquet in EPSG:4326 with one row per register record:

============== ======== ===========================================================
column         dtype    meaning
============== ======== ===========================================================
source_id      str      the register's identifier (stripped)
name           str      the register's name (stripped)
geometry       geometry point, or polygon/multipolygon for areas (EPSG:4326)
source_row     int64    1-based row in the file (header = row 1) or feature number
lat, lon       float64  the point, or the polygon's inside centroid
<mapped keys>  str      the campaign's ``source.columns`` keys, raw strings
centroid_lat,  float64  polygons only: point inside the area
centroid_lon
area_m2        float64  polygons only: area in an equal-area projection
============== ======== ===========================================================
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from core.errors import InputError

#: Required columns and their dtype kind ("str", "int", "float", "geometry").
REQUIRED: dict[str, str] = {
    "source_id": "str",
    "name": "str",
    "source_row": "int",
    "lat": "float",
    "lon": "float",
    "geometry": "geometry",
}
#: Present when the records hold polygons.
POLYGON_COLUMNS: dict[str, str] = {
    "centroid_lat": "float", "centroid_lon": "float", "area_m2": "float"}


def check_records(gdf: pd.DataFrame, *, file: str | None = None) -> None:
    """Raise :class:`InputError` unless ``gdf`` follows the record contract.

    Args:
        gdf: the records frame.
        file: named in the error.
    """
    missing = [c for c in REQUIRED if c not in gdf.columns]
    if missing:
        raise InputError(f"records should have columns {', '.join(REQUIRED)}; missing "
                         f"{', '.join(missing)}", file=file)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.crs is None or gdf.crs.to_epsg() != 4326:
        crs = getattr(gdf, "crs", None)
        raise InputError(f"records should be a GeoDataFrame in EPSG:4326, got crs {crs}", file=file)
    if gdf["source_id"].duplicated().any():
        dup = gdf.loc[gdf["source_id"].duplicated(), "source_id"].iloc[0]
        raise InputError(f"records should have unique source_id values, got {dup!r} twice",
                         file=file, field="source_id", value=dup)


def _normalise(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = gdf.copy()
    for col in gdf.columns:
        kind = REQUIRED.get(col) or POLYGON_COLUMNS.get(col)
        if col == gdf.geometry.name:
            continue
        if kind == "int":
            gdf[col] = gdf[col].astype("int64")
        elif kind == "float":
            gdf[col] = gdf[col].astype("float64")
        else:
            gdf[col] = gdf[col].astype("str").fillna("")
    return gdf


def write_records(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write records as GeoParquet after checking the contract.

    Args:
        gdf: records (output of :func:`modeling.validate.validate`).
        path: target file, usually ``<out>/01_ingest/records.parquet``.

    Returns:
        The path written.
    """
    path = Path(path)
    check_records(gdf, file=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    _normalise(gdf).to_parquet(path, index=False)
    return path


def read_records(path: str | Path) -> gpd.GeoDataFrame:
    """Read a records GeoParquet file and check the contract.

    Raises:
        InputError: missing file, not GeoParquet, or a broken contract.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("records file not found; run `wlkit ingest` first", file=str(path))
    try:
        gdf = gpd.read_parquet(path)
    except (ValueError, OSError) as exc:
        raise InputError(f"is not a GeoParquet records file: {exc}", file=str(path)) from None
    check_records(gdf, file=str(path))
    return _normalise(gdf)
