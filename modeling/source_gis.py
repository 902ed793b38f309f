"""GIS registers (GeoJSON, Shapefile, zipped Shapefile, GeoPackage) read with pyogrio.

Attributes come back as strings (:func:`~modeling.source_base.stringify`), geometries stay in
the file's CRS; :mod:`modeling.validate` reprojects them. A Shapefile is several files: a missing
``.dbf`` (the attributes) or ``.shx`` (the index) is named in the error, and a missing ``.prj``
(the CRS) is recorded so a later "give --crs" message can say why the CRS is unknown.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from core.errors import InputError
from modeling.geo import crs_label
from modeling.source_base import SourceMeta, SourceSpec, detect_encoding, stringify

logger = logging.getLogger(__name__)

#: Shapefile sidecars: suffix → what is lost without it.
SIDECARS = {".dbf": "the attribute table (every column but the geometry)",
            ".shx": "the shape index GDAL needs to read the geometries",
            ".prj": "the coordinate reference system"}


def shapefile_sidecars(path: Path) -> list[str]:
    """The sidecar suffixes missing next to a ``.shp`` (or inside a ``.zip``), case-insensitive."""
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n.lower() for n in zf.namelist()]
        except zipfile.BadZipFile:
            raise InputError("is not a readable ZIP archive", file=str(path)) from None
        stems = [n[:-4] for n in names if n.endswith(".shp")]
        if not stems:
            return []
        return [s for s in SIDECARS if f"{stems[0]}{s}" not in names]
    present = {p.name.lower() for p in path.parent.glob(f"{path.stem}.*")}
    return [s for s in SIDECARS if f"{path.stem.lower()}{s}" not in present]


def check_sidecars(path: Path) -> bool:
    """Raise for a Shapefile missing its ``.dbf`` or ``.shx``; return whether the ``.prj`` is there.

    Raises:
        InputError: naming the missing file(s) and what they hold.
    """
    missing = shapefile_sidecars(path)
    fatal = [s for s in missing if s != ".prj"]
    if fatal:
        parts = "; ".join(f"{path.stem}{s} ({SIDECARS[s]})" for s in fatal)
        raise InputError(f"the Shapefile is incomplete: missing {parts}. A Shapefile is several "
                         "files with the same name; copy all of them (.shp, .shx, .dbf, .prj) into "
                         "one folder, or zip them together", file=str(path))
    if ".prj" in missing:
        logger.warning("%s has no %s.prj: its CRS is unknown (give it with --crs)", path,
                       path.stem)
    return ".prj" not in missing


def _geojson_declares_crs(path: Path) -> bool:
    """Whether a GeoJSON file carries a top-level ``crs`` member (looked for near both ends)."""
    with path.open("rb") as fh:
        head = fh.read(65536)
        size = path.stat().st_size
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    before_features = head.split(b'"features"', 1)[0]
    return bool(re.search(rb'"crs"\s*:', before_features) or re.search(rb'"crs"\s*:', tail))


def _check_json(path: Path) -> None:
    """Raise a clear error for a GeoJSON that is not JSON (GDAL's message is cryptic)."""
    with path.open("rb") as fh:
        start = fh.read(4096).lstrip(codecs.BOM_UTF8).lstrip()
    if not start.startswith(b"{"):
        raise InputError("is not GeoJSON: should start with '{' (a FeatureCollection)",
                         file=str(path))
    if path.stat().st_size <= 50_000_000:
        try:
            json.loads(path.read_bytes().decode("utf-8", errors="replace"))
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            raise InputError(f"is not valid JSON: {exc.msg} at {where}", file=str(path)) from None


def _pick_layer(path: Path, layer: str | None, name: str) -> str | None:
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except (DataSourceError, DataLayerError) as exc:
        raise InputError(f"cannot be opened as a GIS dataset: {exc}", file=name) from None
    if layer is not None:
        if layer not in layers:
            raise InputError(f"layer should be one of {', '.join(layers)}, got {layer!r}",
                             file=name)
        return layer
    if len(layers) > 1:
        raise InputError(f"has {len(layers)} layers ({', '.join(layers)}); choose one with --layer",
                         file=name)
    if not layers:
        raise InputError("holds no vector layer", file=name)
    return layers[0]


def read_gis(path: Path, spec: SourceSpec, fmt: str) -> tuple[pd.DataFrame, SourceMeta]:
    """Read a GIS file into a GeoDataFrame of string attributes (in the file's CRS).

    Raises:
        InputError: the file is broken, lacks a sidecar, or its text cannot be decoded.
    """
    name = str(path)
    declared = True
    if fmt == "shapefile":
        declared = check_sidecars(path)
    if fmt == "geojson":
        _check_json(path)
        declared = _geojson_declares_crs(path)
    layer = _pick_layer(path, spec.layer, name) if fmt in {"gpkg", "shapefile"} else spec.layer
    encoding = spec.encoding
    try:
        try:
            gdf = _ogr_read(path, layer, encoding, fmt)
        except UnicodeDecodeError:
            if spec.encoding:
                raise
            encoding = detect_encoding(path.read_bytes())
            logger.warning("%s is not valid UTF-8; read it as %s (override with --encoding)",
                           name, encoding)
            gdf = _ogr_read(path, layer, encoding, fmt)
    except UnicodeDecodeError:
        raise InputError(f"attribute text cannot be decoded as {encoding or 'utf-8'}; give the "
                         "right encoding with --encoding (e.g. latin-1, cp1252)", file=name) from None
    except (DataSourceError, DataLayerError) as exc:
        raise InputError(f"cannot be read as {fmt}: {exc}", file=name) from None
    if len(gdf) == 0:
        raise InputError("holds no features", file=name)
    geom = gdf.geometry.name
    attrs = [c for c in gdf.columns if c != geom]
    for col in attrs:
        gdf[col] = stringify(gdf[col])
    gdf["source_row"] = np.arange(1, len(gdf) + 1, dtype="int64")
    meta = SourceMeta(file=name, format=fmt, encoding=encoding, layer=layer,
                      crs_in=crs_label(gdf.crs) if declared else None, crs_declared=declared,
                      records_read=len(gdf), header=attrs)
    logger.info("read %s: %d features (%s, crs %s)", name, len(gdf), fmt, meta.crs_in)
    return gdf, meta


def _ogr_read(path: Path, layer: str | None, encoding: str | None, fmt: str) -> Any:
    kwargs: dict[str, Any] = {"layer": layer} if layer is not None else {}
    if encoding:
        kwargs["encoding"] = encoding
    if fmt == "geojson":  # keep "1998/10/20" as written; GDAL would guess a date type
        kwargs["DATE_AS_STRING"] = "YES"
    return pyogrio.read_dataframe(path, **kwargs)


