"""Geometry post-processing and the record contract for :mod:`modeling.validate`.

Split from :mod:`modeling.validate` (which decides which rows pass): repairing invalid shapes,
dissolving multi-row areas, one position per row, and turning the kept rows
into the GeoDataFrame of :mod:`modeling.records` — ``source_id``, ``name``, ``source_row``, the
mapped columns as text, ``lat``/``lon`` and, for polygons, ``centroid_lat``/``centroid_lon``/
``area_m2`` — in EPSG:4326.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from modeling.dates import parse_dates
from modeling.geo import WGS84, polygon_stats
from modeling.source_base import SourceMeta

logger = logging.getLogger(__name__)


def repair_geometries(geoms: np.ndarray) -> tuple[np.ndarray, int]:
    """Repair invalid geometries with ``make_valid``; return them and how many were repaired."""
    present = ~shapely.is_missing(geoms)
    invalid = present.copy()
    invalid[present] = ~shapely.is_valid(geoms[present])
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure",
                                            keep_collapsed=False)
        logger.warning("repaired %d invalid geometries with make_valid", int(invalid.sum()))
    return geoms, int(invalid.sum())


def dissolve_parts(ids: pd.Series, geoms: np.ndarray,
                   parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge the geometries of rows sharing an id into the first row (``source.dissolve``).

    Only rows in ``parts`` (duplicated ids that passed the other checks) take part; the loop
    runs once per split area, not per row. Returns the geometries and the rows merged away.
    """
    geoms = geoms.copy()
    merged = np.zeros(len(geoms), dtype=bool)
    groups = pd.Series(np.flatnonzero(parts)).groupby(ids.to_numpy()[parts]).agg(list)
    for idx in groups:
        if len(idx) < 2:
            continue
        geoms[idx[0]] = shapely.union_all(geoms[idx])
        merged[idx[1:]] = True
    if merged.any():
        logger.info("dissolved %d rows into the first row of their id", int(merged.sum()))
    return geoms, merged


def positions(geoms: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(lon, lat, centroid_lon, centroid_lat, area_m2)``: points as they are, lines and
    multipoints by centroid, polygons by a centroid inside the shape."""
    plon, plat, area = polygon_stats(geoms)
    present = ~shapely.is_missing(geoms)
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    if present.any():
        point = present.copy()
        point[present] = shapely.get_type_id(geoms[present]) == 0
        lon[point], lat[point] = shapely.get_x(geoms[point]), shapely.get_y(geoms[point])
        other = present & ~point
        if other.any():  # lines, multipoints: plain centroid; polygons are replaced below
            cent = shapely.centroid(geoms[other])
            lon[other], lat[other] = shapely.get_x(cent), shapely.get_y(cent)
    is_poly = np.isfinite(area)
    lon[is_poly], lat[is_poly] = plon[is_poly], plat[is_poly]
    return lon, lat, plon, plat, area


#: Record column names a ``source.columns`` key may not take.
RESERVED = {"source_id", "name", "geometry", "source_row", "lat", "lon", "centroid_lat",
            "centroid_lon", "area_m2"}


def records_frame(frame: pd.DataFrame, source: Any, meta: SourceMeta, ids: pd.Series,
                  names: pd.Series, geoms: np.ndarray, lon: np.ndarray, lat: np.ndarray,
                  plon: np.ndarray, plat: np.ndarray, area: np.ndarray,
                  keep: np.ndarray) -> gpd.GeoDataFrame:
    """The kept rows (``keep``) as records: ids, names, mapped columns, positions, geometry.

    Without a ``source.columns`` mapping every other column is kept under its own name
    (``src_<name>`` when it clashes with a record column).
    """
    data: dict[str, Any] = {
        "source_id": ids[keep].reset_index(drop=True),
        "name": names[keep].reset_index(drop=True),
        "source_row": frame["source_row"].to_numpy(dtype="int64")[keep],
    }
    mapping = dict(source.columns)
    if not mapping:  # no campaign mapping: keep every other column under its own name
        used = {source.id_column, source.name_column, source.lat_column, source.lon_column,
                source.wkt_column, "source_row"}
        mapping = {(f"src_{c}" if c in RESERVED else c): c for c in meta.header if c not in used}
    for key, col in mapping.items():
        data[key] = frame[col][keep].reset_index(drop=True)
    data["lat"] = lat[keep]
    data["lon"] = lon[keep]
    if np.isfinite(area).any():
        data["centroid_lat"] = plat[keep]
        data["centroid_lon"] = plon[keep]
        data["area_m2"] = area[keep]
    df = pd.DataFrame(data)
    for key in ["source_id", "name", *mapping]:
        if df[key].dtype != "str":
            df[key] = df[key].astype("str")
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms[keep], crs=WGS84).values, crs=WGS84)


def date_warnings(records: gpd.GeoDataFrame, source: Any) -> dict[str, int]:
    """``unparsed_date:<column>`` → how many values of each date column are not dates."""
    warnings: dict[str, int] = {}
    for key in source.date_columns:
        if key not in records:
            continue
        raw = records[key]
        parsed = parse_dates(raw)
        bad = int((raw.str.strip().ne("") & parsed["time"].isna()).sum())
        if bad:
            warnings[f"unparsed_date:{key}"] = bad
            logger.warning("%d values of %s are not dates the kit can read", bad, key)
    return warnings
