"""Ingest stage: read a register, validate it, write ``01_ingest/``.

``ingest`` is the one function the Prefect flow and the CLI call. It writes
``records.parquet`` (the record contract, see :mod:`modeling.records`), ``rejects.csv``
(``source_row, source_id, field, reason, value``) and ``summary.json``.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from pydantic import ValidationError

from core.errors import InputError
from core.layout import INGEST_SUMMARY, RECORDS, REJECTS, stage_dir
from modeling.campaign import Source, load_campaign
from modeling.crs_guess import country_extent, country_name
from modeling.diagnose import diagnose, projected_hint
from modeling.normalise import normalise_records
from modeling.records import write_records
from modeling.sources import read_source
from modeling.validate import REASONS, REJECT_COLUMNS, validate

logger = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]

#: CLI flag → Source field (the flags ``wlkit ingest`` accepts besides SOURCE and --out).
OPTION_FIELDS = ("format", "id_column", "name_column", "lat_column", "lon_column", "wkt_column",
                 "crs", "encoding", "delimiter", "decimal", "layer", "dissolve")


@dataclass
class IngestResult:
    """What ingest produced: records, rejects and the summary written to ``summary.json``."""

    records: gpd.GeoDataFrame
    rejects: pd.DataFrame
    summary: dict[str, Any]


def _validate(frame: Any, meta: Any, source: Source, bbox: BBox | None,
              country: str | None) -> Any:
    """:func:`validate`, with CRS suggestions added to a "give --crs" error."""
    try:
        return validate(frame, meta, source, country_bbox=bbox)
    except InputError as exc:
        if source.crs is None and "look projected" in str(exc):
            hint = projected_hint(frame, source, bbox, country)
            if hint:
                raise InputError(f"{exc}; {hint}") from None
        raise


def ingest(source: Source, *, base_dir: str | Path | None = None,
           country_bbox: tuple[float, float, float, float] | None = None,
           out_dir: str | Path | None = None, country: str | None = None) -> IngestResult:
    """Read and validate a register; write ``<out_dir>/01_ingest/`` when ``out_dir`` is given.

    Text is normalised (NFC, whitespace runs collapsed) and the changes are counted in the
    summary's ``normalised``. When one reject reason covers most rows, the outputs are written
    with a ``diagnosis`` in the summary and ingest stops (see :mod:`modeling.diagnose`).

    Args:
        source: the campaign's ``source`` section (or one built by :func:`source_from_options`).
        base_dir: directory the source path is relative to (the campaign file's folder).
        country_bbox: (min_lon, min_lat, max_lon, max_lat); points outside are rejected.
        out_dir: the run's output directory.
        country: the country's name, used in diagnoses (e.g. "Switzerland").

    Returns:
        An :class:`IngestResult`.

    Raises:
        InputError: the file cannot be read, a column is missing, the CRS is needed, or most
            rows fail the same way (the message says why and which flag fixes it).
    """
    started = time.perf_counter()
    frame, meta = read_source(source, base_dir)
    checked = _validate(frame, meta, source, country_bbox, country)
    checked.records, normalised = normalise_records(checked.records)
    found = diagnose(frame, source, checked.rejects, bbox=country_bbox, country=country)
    summary = _summary(meta, checked, normalised, started)
    if found is not None:
        summary["diagnosis"] = found.as_dict()
    if out_dir is not None:
        write_outputs(IngestResult(checked.records, checked.rejects, summary), out_dir)
    if found is not None:
        raise InputError(found.message, file=meta.file)
    logger.info("ingest %s: %d ok, %d rejected", meta.file, summary["records_ok"],
                summary["rejects"])
    return IngestResult(checked.records, checked.rejects, summary)


def _summary(meta: Any, checked: Any, normalised: dict[str, int], started: float) -> dict[str, Any]:
    """The ``summary.json`` content of one ingest."""
    rejects = checked.rejects
    # rows per reason, like "rejects" (rejects.csv has a line per row, field and reason)
    by_reason = {str(k): int(v) for k, v in rejects.groupby("reason")["source_row"].nunique().items()}
    return {
        "file": meta.file,
        "format": meta.format,
        "encoding": meta.encoding,
        "delimiter": meta.delimiter,
        "decimal": checked.decimal,
        "layer": meta.layer,
        "crs_in": checked.crs_in,
        "records_read": meta.records_read,
        "filtered_out": checked.filtered,
        "records_ok": len(checked.records),
        "rejects": int(rejects["source_row"].nunique()),
        "rejects_by_reason": dict(sorted(by_reason.items())),
        "repaired_geometries": checked.repaired_geometries,
        "dissolved_rows": checked.dissolved,
        "warnings": checked.warnings,
        "normalised": normalised,
        "geometry_types": dict(Counter(checked.records.geom_type.tolist())),
        "seconds": round(time.perf_counter() - started, 3),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_outputs(result: IngestResult, out_dir: str | Path) -> Path:
    """Write records.parquet, rejects.csv and summary.json into ``<out_dir>/01_ingest``."""
    folder = stage_dir(out_dir, "ingest")
    write_records(result.records, Path(out_dir) / RECORDS)
    result.rejects[REJECT_COLUMNS].to_csv(Path(out_dir) / REJECTS, index=False, encoding="utf-8")
    (Path(out_dir) / INGEST_SUMMARY).write_text(
        json.dumps(result.summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


def _as_input_error(exc: ValidationError, what: str) -> InputError:
    parts = [f"{'.'.join(str(x) for x in e['loc']) or what}: {e['msg']}" for e in exc.errors()]
    return InputError(f"{what} options are inconsistent: " + "; ".join(parts))


def source_from_options(path: str | Path, **flags: Any) -> Source:
    """Build a ``Source`` from CLI flags alone (``wlkit ingest SOURCE`` without ``--campaign``).

    Args:
        path: the register file.
        **flags: any of :data:`OPTION_FIELDS`; ``id_column`` and ``name_column`` are required.

    Raises:
        InputError: a required flag is missing or flags contradict each other.
    """
    values = {k: v for k, v in flags.items() if v is not None}
    unknown = set(values) - set(OPTION_FIELDS)
    if unknown:
        raise InputError(f"unknown ingest option(s): {', '.join(sorted(unknown))}")
    for key in ("id_column", "name_column"):
        if key not in values:
            raise InputError(f"--{key.replace('_', '-')} is required without --campaign",
                             file=str(path))
    try:
        return Source(path=str(path), **values)
    except ValidationError as exc:
        raise _as_input_error(exc, "ingest") from None


def apply_overrides(source: Source, *, path: str | Path | None = None, **flags: Any) -> Source:
    """Return a copy of a campaign ``Source`` with the CLI flags that were given applied.

    Setting ``lat_column``/``lon_column`` drops a configured ``wkt_column`` and vice versa, so a
    flag can switch the geometry mode.

    Raises:
        InputError: for an unknown flag or an inconsistent result.
    """
    values = {k: v for k, v in flags.items() if v is not None}
    unknown = set(values) - set(OPTION_FIELDS)
    if unknown:
        raise InputError(f"unknown ingest option(s): {', '.join(sorted(unknown))}")
    if path is not None:
        values["path"] = str(Path(path).resolve())
    if "wkt_column" in values:
        values.setdefault("lat_column", None)
        values.setdefault("lon_column", None)
    elif "lat_column" in values or "lon_column" in values:
        values.setdefault("wkt_column", None)
    data = source.model_dump()
    data.update(values)
    try:
        return Source.model_validate(data)
    except ValidationError as exc:
        raise _as_input_error(exc, "ingest") from None


def resolve_source(campaign: str | Path | None = None, source: str | Path | None = None,
                   overrides: dict[str, Any] | None = None) -> tuple[Source, Path | None,
                                                                     BBox | None]:
    """Work out what to ingest from a campaign file and/or a source path plus CLI flags.

    Args:
        campaign: campaign YAML path (optional).
        source: register path (optional with a campaign; then it replaces ``source.path``).
        overrides: CLI flags (:data:`OPTION_FIELDS`); with a campaign they override it.

    Returns:
        ``(source, base_dir, country_bbox)`` ready for :func:`ingest`.

    Raises:
        InputError: neither a campaign nor a source was given, or the flags are incomplete.
        CampaignError: the campaign file is invalid.
    """
    flags = dict(overrides or {})
    if campaign is not None:
        camp = load_campaign(campaign)
        camp.require_register("ingest")
        if camp.source is None:  # require_register raised already; this narrows the type
            raise InputError(f"campaign {camp.id} has no source: section")
        spec = apply_overrides(camp.source, path=source, **flags)
        bbox = camp.country.bbox or country_extent(camp.country.iso)
        return spec, camp.base_dir, (bbox[0], bbox[1], bbox[2], bbox[3]) if bbox else None
    if source is None:
        raise InputError("give a register file (SOURCE) or --campaign")
    return source_from_options(Path(source).resolve(), **flags), None, None


def country_label(campaign: str | Path | None) -> str | None:
    """The campaign country's English name (for diagnoses), or None without a campaign."""
    if campaign is None:
        return None
    return country_name(load_campaign(campaign).country.iso)


def run_label(campaign: str | Path | None = None, source: str | Path | None = None) -> str:
    """A short name for an ingest run: the campaign id, else the register file's stem."""
    if campaign is not None:
        return load_campaign(campaign).id
    stem = Path(str(source or "register")).stem.lower()
    return "".join(c if c.isalnum() else "-" for c in stem).strip("-") or "register"


def reject_table(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows ``reason, rows, meaning`` for the counts by reject reason (report/artifact table)."""
    return [{"reason": reason, "rows": count, "meaning": REASONS.get(reason, "")}
            for reason, count in summary["rejects_by_reason"].items()]
