"""Column contracts of stage files other stages code against (defined once, read from here).

The contest stage (``07_contest/``) starts from what the Commons fetch writes:

* ``uploads.parquet`` — one row per contest upload (:data:`UPLOADS_SCHEMA`);
* ``users.parquet`` — one row per uploader (:data:`USERS_SCHEMA`);
* ``category_files.parquet`` — files in the Commons categories (P373) of scoped monuments
  (:data:`CATEGORY_FILES_SCHEMA`).

Times are UTC ISO 8601 strings (``2026-09-03T14:05:09Z``), as the MediaWiki API gives them.

The run stages (ingest → reconcile → plan → upload → lists) are defined here too: per stage its
files' columns and a pydantic model of its ``summary.json``. :mod:`core.layout` says *where* a
stage writes; this module says *what*. Every reader (the next stage, the report facts, the
notebooks, the benchmark) reads through these definitions instead of guessing key names.
Summary models ignore keys they do not know but require the ones readers rely on:
:func:`read_summary` raises :class:`core.errors.InputError` naming the file and the key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core import layout
from core.errors import InputError

#: 07_contest/uploads.parquet: every file in the contest category, as read from the Commons API.
UPLOADS_SCHEMA = pa.schema([
    pa.field("title", pa.string(), nullable=False),          # "File:….jpg"
    pa.field("pageid", pa.int64(), nullable=False),
    pa.field("mediainfo_id", pa.string(), nullable=False),   # "M<pageid>"
    pa.field("uploader", pa.string()),                       # user of the first revision
    pa.field("uploaded_at", pa.string()),                    # UTC ISO, first upload
    pa.field("sha1", pa.string()),
    pa.field("width", pa.int64()),
    pa.field("height", pa.int64()),
    pa.field("size", pa.int64()),                            # bytes
    pa.field("mime", pa.string()),
    pa.field("exif_datetime", pa.string()),                  # extmetadata DateTimeOriginal or null
    pa.field("categories", pa.list_(pa.string())),           # "Category:X" (with prefix)
    pa.field("category_sortkeys", pa.list_(pa.string())),    # "Category:X|sortkey (prefix)"
    pa.field("templates", pa.list_(pa.string())),            # "Template:X" (with prefix)
    pa.field("wikitext", pa.string()),                       # current revision's wikitext
    pa.field("depicts", pa.list_(pa.string())),              # P180 QIDs of the MediaInfo
    pa.field("globalusage", pa.int64()),                     # pages on other wikis using it
])
UPLOADS_COLUMNS: tuple[str, ...] = tuple(UPLOADS_SCHEMA.names)

#: 07_contest/users.parquet: uploaders and their registration time (null when unknown).
USERS_SCHEMA = pa.schema([
    pa.field("user", pa.string(), nullable=False),
    pa.field("registration", pa.string()),                   # UTC ISO or null
])
USERS_COLUMNS: tuple[str, ...] = tuple(USERS_SCHEMA.names)

#: 07_contest/category_files.parquet: members of the monuments' own Commons categories (P373).
CATEGORY_FILES_SCHEMA = pa.schema([
    pa.field("category", pa.string(), nullable=False),       # P373 value, without "Category:"
    pa.field("title", pa.string(), nullable=False),          # "File:…"
])
CATEGORY_FILES_COLUMNS: tuple[str, ...] = tuple(CATEGORY_FILES_SCHEMA.names)


# --------------------------------------------------------------------------- ingest

#: Columns every ``records.parquet`` has (mapped register columns come on top).
RECORD_COLUMNS = ("source_id", "name", "source_row", "geometry")
#: ``rejects.csv`` columns: one line per (row, field, reason); a row may have several lines.
REJECT_COLUMNS = ("source_row", "source_id", "field", "reason", "value")
#: Reject reasons that leave a row without a usable position (coordinate coverage counts them).
COORDINATE_REASONS = frozenset({
    "missing_coordinates", "bad_coordinate", "zero_coordinates", "out_of_range",
    "outside_country", "empty_geometry", "bad_geometry",
})


class _Summary(BaseModel):
    model_config = ConfigDict(extra="allow")


class IngestSummary(_Summary):
    """``01_ingest/summary.json``. ``rejects`` counts rejected *rows*; ``rejects_by_reason``
    counts rows per reason (a row rejected for two reasons counts once in each)."""

    records_read: int
    records_ok: int
    rejects: int
    rejects_by_reason: dict[str, int] = Field(default_factory=dict)


# --------------------------------------------------------------------------- reconcile

DECISION_COLUMNS = ("source_id", "qid", "score", "reason", "candidates", "decided_by")


class ReconcileSummary(_Summary):
    """``02_reconcile/summary.json``."""

    records: int
    matched_by_id: int
    matched_by_geo: int
    new: int
    review: int
    human: int = 0
    requests: dict[str, int] = Field(default_factory=dict)


# --------------------------------------------------------------------------- plan

#: Parts of a plan stored as one JSON text column each.
PLAN_JSON_PARTS = ("data", "checks", "warnings", "desired", "changes", "held")
#: What the preflight reads of each plan (:mod:`modeling.plan_index`): ``refs``, the entities
#: the plan refers to (``P31:wikibase-item`` a property with its snak datatype, ``Q34`` a value;
#: sorted, space-separated), ``unit`` the P131 value, ``lat``/``lon`` the P625 value (null when
#: absent). A store without them (an older version's) is read by decoding the plans instead.
PLAN_INDEX_COLUMNS = ("refs", "unit", "lat", "lon")
#: ``03_plan/plans.parquet``: scalar columns first (filterable without decoding JSON).
PLAN_SCHEMA = pa.schema([
    ("source_id", pa.string()), ("qid", pa.string()), ("action", pa.string()),
    ("identifier", pa.string()), ("base_revid", pa.int64()), ("fingerprint", pa.string()),
    ("failed", pa.int32()), ("labelled", pa.string()),
    ("refs", pa.string()), ("unit", pa.string()), ("lat", pa.float64()), ("lon", pa.float64()),
    *[(part, pa.string()) for part in PLAN_JSON_PARTS],
])
PLAN_COLUMNS = tuple(PLAN_SCHEMA.names)


class PlanSummary(_Summary):
    """``03_plan/summary.json``. ``labelled`` counts items per language that will have a label
    after the edit (the live item's label, or the one the plan adds)."""

    plans: int
    actions: dict[str, int]
    failed_checks: dict[str, int] = Field(default_factory=dict)
    warnings: int = 0
    held_statements: int = 0
    labelled: dict[str, int] = Field(default_factory=dict)
    inputs: str | None = None


class Preflight(_Summary):
    """``03_plan/preflight.json`` (written by :mod:`pipelines.preflight`, logic in
    :mod:`modeling.preflight`): what the target lacks of what the campaign and its plans refer
    to. ``missing``: ``{id, kind: item|property, roles: [...], used_by: plans}``, most used first;
    ``wrong_datatype``: the same plus ``expected`` and ``actual``; both block a real upload
    (``blocking``). ``far_from_unit``: ``{source_id, unit, km}`` records farther than
    ``located_in.max_distance_km`` from their P131 unit, for review (not blocking).
    ``data_version`` is the target's latest revision (``rev:N``) or edit count (``edits:N``)."""

    target: str
    data_version: str | None = None
    checked: int = 0
    ok: bool = True
    blocking: bool = False
    missing: list[dict[str, Any]] = Field(default_factory=list)
    wrong_datatype: list[dict[str, Any]] = Field(default_factory=list)
    far_from_unit: list[dict[str, Any]] = Field(default_factory=list)


# --------------------------------------------------------------------------- upload, lists


class UploadSummary(_Summary):
    """``04_upload/summary.json``. ``items_per_s`` is None when nothing was written."""

    plans: int
    created: int
    updated: int
    unchanged: int
    held: int
    failed: int
    items_per_s: float | None = None


class ListsSummary(_Summary):
    """``05_lists/summary.json``."""

    items: int
    regions: int | None = None


#: Stage summary file → its model.
SUMMARIES: dict[str, type[_Summary]] = {
    layout.INGEST_SUMMARY: IngestSummary,
    layout.RECONCILE_SUMMARY: ReconcileSummary,
    layout.PLAN_SUMMARY: PlanSummary,
    layout.UPLOAD_SUMMARY: UploadSummary,
    layout.LISTS_SUMMARY: ListsSummary,
    layout.PREFLIGHT: Preflight,
}

M = TypeVar("M", bound=_Summary)


def read_summary(run_dir: str | Path, rel: str, model: type[M] | None = None) -> M | None:
    """Read a stage summary through its model; None when the file does not exist.

    Args:
        run_dir: The run directory.
        rel: The summary's path in it (a :mod:`core.layout` constant).
        model: The model (default: the one registered for ``rel``).

    Raises:
        InputError: the file is not JSON or lacks a required key (names the file and key).
    """
    path = Path(run_dir) / rel
    if not path.is_file():
        return None
    cls = model or SUMMARIES[rel]
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        return cls.model_validate(raw)  # type: ignore[return-value]
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise InputError(f"summary key {key!r}: {first['msg']}", file=str(path)) from None
        raise InputError(f"not a JSON summary: {exc}", file=str(path)) from None


def write_summary(run_dir: str | Path, rel: str, summary: _Summary | dict[str, Any]) -> dict[str, Any]:
    """Validate ``summary`` against the model of ``rel`` and write it; returns the JSON dict."""
    cls = SUMMARIES[rel]
    model = summary if isinstance(summary, _Summary) else cls.model_validate(summary)
    path = Path(run_dir) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    # pydantic's serialiser: the same text as json.dumps(indent=2, ensure_ascii=False), ~15x
    # faster on a large preflight.json (10⁶ far_from_unit entries), and the dict read back from
    # it (what model_dump(mode="json") gives, at a fraction of its cost).
    text = model.model_dump_json(indent=2)
    path.write_text(text, encoding="utf-8")
    data: dict[str, Any] = orjson.loads(text)
    return data
