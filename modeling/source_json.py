"""JSON registers that are not GeoJSON: arrays of records and JSON Lines, read like a CSV.

Open-data portals often publish a register as a list of objects (``[{"id": …, "lat": …}, …]``),
as an object wrapping that list (``{"results": [...]}``), or one object per line (JSON Lines).
They are read into a frame of strings, exactly as a CSV would be, so the coordinate columns are
named with ``lat_column``/``lon_column`` (or ``wkt_column``) as usual. Nested objects are
flattened with dots (``{"geo": {"lat": 1}}`` gives the column ``geo.lat``); lists are kept as
their JSON text. ``source_row`` is the record's number (JSON Lines: its line number).
"""

from __future__ import annotations

import codecs
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import InputError
from modeling.source_base import SourceMeta, SourceSpec, detect_encoding

logger = logging.getLogger(__name__)

#: Wrapper keys some portals put around the record list (first list of objects wins anyway).
_WRAPPERS = ("records", "results", "data", "items", "rows", "features")


def sniff_json(path: Path) -> str:
    """Which JSON a ``.json``/``.geojson`` file holds: ``geojson``, ``json`` (records) or ``jsonl``.

    A FeatureCollection (or a single Feature) is GeoJSON; an array, or an object wrapping an array
    of objects, is a record array; several lines that each parse as an object are JSON Lines.
    """
    with path.open("rb") as fh:
        head = fh.read(65536).lstrip(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"["):
        return "json"
    if not head.startswith(b"{"):
        return "geojson"  # not JSON at all: the GeoJSON reader names the problem
    if b'"FeatureCollection"' in head or b'"Feature"' in head:
        return "geojson"
    lines = [ln for ln in head.splitlines()[:3] if ln.strip()]
    if len(lines) > 1 and all(_is_object(ln) for ln in lines[:-1]):
        return "jsonl"
    return "json"


def _is_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _records_of(doc: Any, name: str) -> list[dict[str, Any]]:
    """The list of record objects in a parsed JSON document."""
    if isinstance(doc, dict):
        lists = {k: v for k, v in doc.items() if isinstance(v, list) and v and
                 isinstance(v[0], dict)}
        key = next((k for k in _WRAPPERS if k in lists), next(iter(lists), None))
        if key is None:
            raise InputError("should be an array of records (a list of objects), or an object "
                             f"holding one; got an object with keys {', '.join(list(doc)[:8])}",
                             file=name)
        logger.info("%s: records taken from the %r member", name, key)
        doc = doc[key]
    if not isinstance(doc, list):
        raise InputError(f"should be an array of records, got {type(doc).__name__}", file=name)
    if not doc:
        raise InputError("holds an empty array: no records", file=name)
    bad = next((i for i, r in enumerate(doc, 1) if not isinstance(r, dict)), None)
    if bad is not None:
        raise InputError(f"record {bad} should be an object of column: value, got "
                         f"{type(doc[bad - 1]).__name__}", file=name, row=bad)
    return doc


def _parse_lines(text: str, name: str) -> tuple[list[dict[str, Any]], list[int]]:
    records, rows = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {number} is not valid JSON: {exc.msg}", file=name,
                             row=number) from None
        if not isinstance(rec, dict):
            raise InputError(f"line {number} should be an object, got {type(rec).__name__}",
                             file=name, row=number)
        records.append(rec)
        rows.append(number)
    if not records:
        raise InputError("holds no records", file=name)
    return records, rows


def _cell(value: Any) -> str:
    """A JSON value as the string a CSV cell would hold."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_json_records(path: Path, spec: SourceSpec,
                      lines: bool = False) -> tuple[pd.DataFrame, SourceMeta]:
    """Read a JSON record array (or JSON Lines with ``lines=True``) into a frame of strings.

    Args:
        path: the file.
        spec: the source (``encoding`` is used; default detected, normally UTF-8).
        lines: the file is JSON Lines.

    Returns:
        ``(frame, meta)`` like the CSV reader: string columns plus ``source_row``.

    Raises:
        InputError: the file is not JSON, holds no records, or a record is not an object.
    """
    name = str(path)
    data = path.read_bytes()
    encoding = spec.encoding or detect_encoding(data)
    try:
        text = data.decode(encoding).lstrip("\ufeff")
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"cannot be decoded as {encoding} ({exc}); give --encoding",
                         file=name) from None
    if lines:
        records, rows = _parse_lines(text, name)
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                             f"{exc.colno}", file=name) from None
        records = _records_of(doc, name)
        rows = list(range(1, len(records) + 1))
    flat = pd.json_normalize(records, max_level=3)
    frame = pd.DataFrame({str(c): [_cell(v) for v in flat[c].tolist()] for c in flat.columns},
                         dtype="str")
    frame["source_row"] = np.asarray(rows, dtype="int64")
    header = [c for c in frame.columns if c != "source_row"]
    meta = SourceMeta(file=name, format="jsonl" if lines else "json", encoding=encoding,
                      records_read=len(frame), header=header)
    logger.info("read %s: %d records (%s, %d columns)", name, len(frame), meta.format, len(header))
    return frame, meta
