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
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from core.errors import InputError
from modeling.source_base import SourceMeta, SourceSpec, detect_encoding, stringify
from modeling.source_gis import read_gis
from modeling.source_json import read_json_records, sniff_json

__all__ = ["SourceMeta", "SourceSpec", "detect_encoding", "detect_format", "read_source",
           "resolve_path", "sniff_delimiter", "stringify"]

logger = logging.getLogger(__name__)

_EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".geojson": "geojson", ".json": "geojson", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".shp": "shapefile", ".zip": "shapefile",
    ".gpkg": "gpkg",
}
_DELIMITERS = (";", ",", "\t", "|")
_DBF_FIELD = re.compile(r"^(\w+),[CNDLF](?:,\d+){0,2}$")


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
        f"format should be one of csv, tsv, xlsx, geojson, json, jsonl, shp, zip, gpkg (by "
        f"extension), got "
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
    if fmt == "geojson" and spec.format == "auto":
        fmt = sniff_json(path)  # a .json file may hold records, not features
    if fmt in {"json", "jsonl"}:
        return read_json_records(path, spec, lines=fmt == "jsonl")
    if fmt == "csv":
        return _read_csv(path, spec)
    if fmt == "xlsx":
        return _read_xlsx(path, spec)
    return read_gis(path, spec, fmt)


# --- CSV ------------------------------------------------------------------------------------


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


