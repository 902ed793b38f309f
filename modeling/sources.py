"""Read a data owner's register file into a frame: CSV/TSV, XLSX, GeoJSON, Shapefile, GeoPackage.

Tabular files are read with every value as a string (identifiers keep their leading zeros,
decimal commas survive until :mod:`modeling.validate` parses the coordinate columns). GIS files
are read with pyogrio; their attributes are turned into strings the same way. Every frame gets a
``source_row`` column: the 1-based row in the file with the header as row 1 (a record spanning
several physical lines counts once, as in a spreadsheet), or the 1-based feature number.

Anything that makes the whole file unreadable raises one :class:`~core.errors.InputError`
naming the file and the reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyogrio
from charset_normalizer import from_bytes
from pyogrio.errors import DataLayerError, DataSourceError

from core.errors import InputError
from modeling.geo import crs_label

logger = logging.getLogger(__name__)

_EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".geojson": "geojson", ".json": "geojson",
    ".shp": "shapefile", ".zip": "shapefile",
    ".gpkg": "gpkg",
}
_DELIMITERS = (";", ",", "\t", "|")
_DBF_FIELD = re.compile(r"^(\w+),[CNDLF](?:,\d+){0,2}$")
_LATIN_ALPHABETS = {"Basic Latin", "Control character", "Latin-1 Supplement", "Latin Extended-A",
                    "Latin Extended-B", "Latin Extended Additional", "General Punctuation",
                    "Currency Symbols", "Spacing Modifier Letters", "Letterlike Symbols"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


class SourceSpec(Protocol):
    """What :func:`read_source` needs from a source (``modeling.campaign.Source`` fits)."""

    path: str
    format: str
    encoding: str | None
    delimiter: str | None
    layer: str | None


@dataclass
class SourceMeta:
    """How a file was read: reported in ``01_ingest/summary.json``."""

    file: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    layer: str | None = None
    crs_in: str | None = None
    crs_declared: bool = False
    records_read: int = 0
    ragged: list[dict[str, Any]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


def resolve_path(path: str | Path, base_dir: str | Path | None = None) -> Path:
    """Resolve a source path against the campaign directory (absolute paths stay)."""
    p = Path(path).expanduser()
    if not p.is_absolute() and base_dir is not None:
        p = Path(base_dir) / p
    return p


def detect_format(path: Path) -> str:
    """The reader to use for ``path``, from its extension.

    Raises:
        InputError: for an extension no reader handles.
    """
    suffix = path.suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise InputError(
        f"format should be one of csv, tsv, xlsx, geojson, shp, zip, gpkg (by extension), got "
        f"{suffix or 'no extension'!r}; pass the format explicitly", file=str(path))


def read_source(spec: SourceSpec,
                base_dir: str | Path | None = None) -> tuple[pd.DataFrame, SourceMeta]:
    """Read the register named by ``spec`` into a frame of strings (+ geometry for GIS files).

    Args:
        spec: a ``Source`` (path, format, encoding, delimiter, layer are used).
        base_dir: directory relative paths resolve against (the campaign file's folder).

    Returns:
        ``(frame, meta)``. ``frame`` is a DataFrame (CSV/XLSX) or GeoDataFrame (GIS formats, in the
        file's CRS) with a ``source_row`` column; ``meta`` records how it was read.

    Raises:
        InputError: the file is missing, empty, binary, broken, header-only or ambiguous.
    """
    path = resolve_path(spec.path, base_dir)
    name = str(path)
    if not path.exists():
        raise InputError("file not found", file=name)
    if path.is_dir():
        raise InputError("should be a file, got a directory", file=name)
    if path.stat().st_size == 0:
        raise InputError("file is empty (0 bytes)", file=name)
    fmt = spec.format if spec.format != "auto" else detect_format(path)
    if fmt == "csv":
        return _read_csv(path, spec)
    if fmt == "xlsx":
        return _read_xlsx(path, spec)
    return _read_gis(path, spec, fmt)


# --- CSV ------------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    """Pick the text encoding of ``data``.

    A BOM decides first; then strict UTF-8; otherwise charset-normalizer looks at the lines that
    hold non-ASCII bytes, and for Latin-script text Windows-1252 is preferred over look-alike
    guesses (cp1250, mac_roman …) since that is what spreadsheet exports in Western Europe use.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return enc
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = _non_ascii_sample(data)
    best = from_bytes(sample).best()
    if best is None or set(best.alphabets) <= _LATIN_ALPHABETS:
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"
    return best.encoding


def _non_ascii_sample(data: bytes, limit: int = 4000) -> bytes:
    """Up to ``limit`` snippets around non-ASCII bytes (where the encoding shows)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    idx = np.flatnonzero(arr >= 0x80)[:limit]
    if idx.size == 0:
        return data[:65536]
    pieces = [data[max(0, i - 40): i + 40] for i in idx[:: max(1, idx.size // 400)]]
    return b"\n".join(pieces)


def sniff_delimiter(text: str, default: str = ",") -> str:
    """Choose the delimiter that splits the first lines into a consistent number of fields."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    best, best_score = default, (0.0, 1)
    for delim in _DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delim) if r][:50]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        same = sum(len(r) == width for r in rows[1:]) / max(1, len(rows) - 1)
        score = (same, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"encoding should be a known codec like utf-8 or cp1252, got {encoding!r}",
                         file=name) from None
    if encoding.replace("_", "-").lower() in {"utf-8", "utf8"} and data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"cannot be decoded as {encoding} (byte 0x{data[exc.start]:02x} on line {line}); "
            "give the right encoding with --encoding (e.g. cp1252, latin-1)", file=name) from None


def _read_csv(path: Path, spec: SourceSpec) -> tuple[pd.DataFrame, SourceMeta]:
    name = str(path)
    data = path.read_bytes()
    head = data[:8192]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError("looks like a binary file, not CSV text (NUL bytes near the start)",
                         file=name)
    encoding = spec.encoding or detect_encoding(data)
    text = _decode(data, encoding, name)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InputError("file has no content (only whitespace)", file=name)
    default = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    delimiter = spec.delimiter or sniff_delimiter(text, default)
    header = _header(text, delimiter, name)
    rest = text.split("\n", 1)[1] if "\n" in text else ""
    meta = SourceMeta(file=name, format="csv", encoding=encoding, delimiter=delimiter,
                      header=header)
    ragged: list[dict[str, Any]] = []

    def _on_bad(row: Any) -> str:
        ragged.append({"row": row.number, "text": row.text, "expected": row.expected_columns,
                       "actual": row.actual_columns})
        return "skip"

    if rest.strip():
        try:
            utf8 = (data[len(codecs.BOM_UTF8):] if encoding == "utf-8-sig" else data) if (
                encoding in {"utf-8", "utf-8-sig"}) else text.encode("utf-8")
            table = pacsv.read_csv(
                io.BytesIO(utf8),
                read_options=pacsv.ReadOptions(column_names=header, skip_rows=1,
                                               block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                                 invalid_row_handler=_on_bad),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False,
                    quoted_strings_can_be_null=False),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InputError(f"is not a readable {delimiter!r}-delimited CSV: {exc}",
                             file=name) from None
    else:
        table = pa.table({h: pa.array([], pa.string()) for h in header})
    if table.num_rows == 0:
        raise InputError(f"has a header ({len(header)} columns) but no records", file=name)
    frame = table.to_pandas()
    total = table.num_rows + len(ragged)
    rows = np.arange(2, total + 2, dtype="int64")
    if ragged:
        if any(r["row"] is None for r in ragged):  # pyarrow leaves them unnumbered with
            _number_ragged(text, delimiter, len(header), ragged)  # newlines_in_values
        rows = rows[~np.isin(rows, [r["row"] for r in ragged])]
    frame["source_row"] = rows
    meta.ragged = ragged
    meta.records_read = total
    logger.info("read %s: %d records (%s, %r, %d ragged)", name, total, encoding, delimiter,
                len(ragged))
    return frame, meta


def _number_ragged(text: str, delimiter: str, width: int, ragged: list[dict[str, Any]]) -> None:
    """Find the row numbers of the ragged rows (only runs when a file has some)."""
    numbers = []
    rows = (r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r)
    for number, row in enumerate(rows, start=1):
        if number > 1 and len(row) != width:
            numbers.append(number)
    for entry, number in zip(ragged, numbers, strict=False):
        entry["row"] = number


def _header(text: str, delimiter: str, name: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text[:65536]), delimiter=delimiter), [])
    header = [h.strip() for h in first]
    if header and all(_DBF_FIELD.match(h) for h in header):
        # Headers exported from dBase keep the field declarations ("Mjtunnus,N,10,0").
        header = [_DBF_FIELD.match(h).group(1) for h in header]  # type: ignore[union-attr]
    if not any(header):
        raise InputError("first line should be a header of column names, got an empty line",
                         file=name)
    seen: dict[str, int] = {}
    unique = []
    for i, h in enumerate(header):
        h = h or f"column_{i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
        unique.append(h)
    return unique


# --- XLSX -----------------------------------------------------------------------------------


def _read_xlsx(path: Path, spec: SourceSpec) -> tuple[pd.DataFrame, SourceMeta]:
    name = str(path)
    try:
        frame = pd.read_excel(path, sheet_name=spec.layer or 0, dtype=str, engine="openpyxl")
    except ValueError as exc:
        raise InputError(f"sheet problem: {exc}", file=name) from None
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException on garbage
        raise InputError(f"is not a readable XLSX workbook ({type(exc).__name__}: {exc})",
                         file=name) from None
    if frame.empty:
        raise InputError(f"sheet {spec.layer or 1!s} has a header but no records", file=name)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.fillna("")
    frame["source_row"] = np.arange(2, len(frame) + 2, dtype="int64")
    meta = SourceMeta(file=name, format="xlsx", layer=spec.layer, records_read=len(frame),
                      header=[c for c in frame.columns if c != "source_row"])
    return frame, meta


# --- GIS formats ----------------------------------------------------------------------------


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


def _read_gis(path: Path, spec: SourceSpec, fmt: str) -> tuple[pd.DataFrame, SourceMeta]:
    name = str(path)
    declared = True
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


def stringify(series: pd.Series) -> pd.Series:
    """Turn an attribute column into strings: integral floats lose ``.0``, nulls become ``""``.

    Identifiers stored as floats by GIS software (``555514026.0``) come back as ``"555514026"``.
    """
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(values)
        integral = finite & (np.floor(values) == values) & (np.abs(values) < 1e15)
        out = series.astype(str)
        whole = values[integral].astype("int64")
        out[integral] = pd.Series(whole, index=series.index[integral]).astype(str)
        out[~finite] = ""
        return out.astype("str")
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").fillna("").astype("str")
    if pd.api.types.is_bool_dtype(series):
        return series.map({True: "true", False: "false"}).fillna("").astype("str")
    return series.astype("str").fillna("")
