"""The plan store: ``03_plan/plans.parquet``, written and read in chunks.

One row per plan. Scalar columns (``source_id``, ``qid``, ``action``, ``identifier``,
``base_revid``, ``fingerprint``, ``failed``, ``labelled``, and what the preflight reads: ``refs``,
``unit``, ``lat``, ``lon`` from :mod:`modeling.plan_index`) can be filtered and counted without
decoding anything; each nested part of a plan (``data``, ``checks``, ``warnings``, ``desired``,
``changes``, ``held``) is one JSON text column. A new item's ``data`` is its whole ``desired``
entity, so ``data`` is null then and readers take ``desired`` (stored and decoded once).
The file is zstd-compressed Parquet, one row
group per written chunk, so a reader holds one chunk at a time. A person opens it with pandas,
DuckDB, or exports it as JSON Lines (:func:`export_jsonl`, one plan per line). This module
knows rows and dicts only; :mod:`modeling.items` turns them into :class:`~modeling.items.Plan`.

The column list is :data:`core.contracts.PLAN_COLUMNS` (the stage contract).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from core.contracts import PLAN_INDEX_COLUMNS, PLAN_JSON_PARTS, PLAN_SCHEMA
from core.errors import InputError
from modeling.plan_index import index_columns

Json = dict[str, Any]

#: Plans per row group when a caller does not choose.
DEFAULT_CHUNK = 5_000


def store_row(plan: Json, *, fingerprint: str, labelled: list[str]) -> Json:
    """One store row of a plan dict (``Plan.to_json()``): scalars as they are, nested parts as
    JSON text, plus its fingerprint, the languages it will have a label in, and the preflight's
    columns (:func:`modeling.plan_index.index_columns`)."""
    row: Json = {
        "source_id": plan["source_id"], "qid": plan.get("qid"), "action": plan["action"],
        "identifier": plan.get("identifier"), "base_revid": plan.get("base_revid"),
        "fingerprint": fingerprint, "labelled": ",".join(sorted(labelled)),
        "failed": sum(1 for c in plan.get("checks") or [] if not c.get("ok")),
        **index_columns(plan),
    }
    same = plan.get("data") is plan.get("desired")
    for part in PLAN_JSON_PARTS:
        row[part] = None if same and part == "data" else orjson.dumps(plan.get(part)).decode()
    if row["data"] == row["desired"]:
        row["data"] = None  # a new item writes its whole entity: stored once, as desired
    return row


def plan_dict(row: Json, parts: tuple[str, ...] = PLAN_JSON_PARTS) -> Json:
    """The plan dict (``Plan.to_json()`` shape) of a store row (only ``parts`` decoded)."""
    out: Json = {k: row[k] for k in ("source_id", "qid", "action", "identifier")}
    revid = row.get("base_revid")
    out["base_revid"] = int(revid) if revid is not None else None
    for part in parts:
        if part == "data" and row["data"] is None:
            continue
        out[part] = orjson.loads(row[part])
    if "data" in parts and row["data"] is None:  # stored once (see store_row)
        out["data"] = out["desired"] if "desired" in out else orjson.loads(row["desired"])
    return out


class PlanWriter:
    """Append plan rows chunk by chunk to a zstd Parquet store (use as a context manager)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(self.path.name + ".part")
        self._writer = pq.ParquetWriter(self._tmp, PLAN_SCHEMA, compression="zstd")
        self.rows = 0

    def write(self, rows: list[Json]) -> int:
        """Write one chunk of :func:`store_row` rows (one row group); returns their number."""
        if rows:
            self._writer.write_table(pa.Table.from_pylist(rows, schema=PLAN_SCHEMA))
            self.rows += len(rows)
        return len(rows)

    def write_table(self, table: pa.Table) -> int:
        """Write one chunk already made into an Arrow table of :data:`PLAN_SCHEMA` (one row group)."""
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows
        return int(table.num_rows)

    def close(self) -> None:
        """Finish the file and move it into place (readers never see half a store)."""
        self._writer.close()
        self._tmp.replace(self.path)

    def __enter__(self) -> PlanWriter:
        return self

    def __exit__(self, kind: Any, *_: Any) -> None:
        if kind is None:
            self.close()
        else:
            self._writer.close()
            self._tmp.unlink(missing_ok=True)


def open_store(path: Path) -> pq.ParquetFile:
    """The plan store as a Parquet file (its row groups and columns read lazily).

    Raises:
        InputError: no such file, or not a Parquet file (names the file).
    """
    if not path.exists():
        raise InputError("plans file not found: run the plan stage first", file=str(path))
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a plan store: {exc}", file=str(path)) from None


def iter_rows(path: str | Path, columns: list[str] | None = None,
              batch_size: int = DEFAULT_CHUNK) -> Iterator[list[Json]]:
    """Store rows in batches (only ``columns`` when given: a cheap scan, no JSON decoding)."""
    for batch in open_store(Path(path)).iter_batches(batch_size=batch_size, columns=columns):
        yield batch.to_pylist()


def has_index(path: str | Path) -> bool:
    """Whether ``path`` is a store with the preflight's columns filled on every row
    (:data:`core.contracts.PLAN_INDEX_COLUMNS`); False for a JSON Lines file or a store an older
    version wrote, which are read by decoding the plans."""
    path = Path(path)
    if path.suffix == ".jsonl":
        return False
    store = open_store(path)
    if not set(PLAN_INDEX_COLUMNS) <= set(store.schema_arrow.names):
        return False
    refs = store.schema_arrow.get_field_index("refs")
    for i in range(store.metadata.num_row_groups):
        stats = store.metadata.row_group(i).column(refs).statistics
        if stats is None or not stats.has_null_count or stats.null_count:
            return False
    return True


def iter_batches(path: str | Path, columns: list[str],
                 batch_size: int = 50_000) -> Iterator[pa.RecordBatch]:
    """Arrow batches of some scalar columns of a store (for vectorised readers; nothing decoded)."""
    yield from open_store(Path(path)).iter_batches(batch_size=batch_size, columns=columns)


def iter_plan_dicts(path: str | Path, batch_size: int = DEFAULT_CHUNK,
                    source_ids: set[str] | None = None,
                    parts: tuple[str, ...] = PLAN_JSON_PARTS) -> Iterator[list[Json]]:
    """Plan dicts in batches of at most ``batch_size`` (only ``source_ids`` when given).

    Only the nested ``parts`` are read and decoded from the store (a reader needing the
    statements asks for ``("data", "desired")`` and skips the rest). A JSON Lines file (the
    export, or a store an older version wrote) is read as well, whole.

    Raises:
        InputError: a missing file, or a line that is not JSON (names the file and line).
    """
    path = Path(path)
    if path.suffix == ".jsonl":
        yield from _iter_jsonl(path, batch_size, source_ids)
        return
    columns = ["source_id", "qid", "action", "identifier", "base_revid",
               *dict.fromkeys([*parts, "desired"] if "data" in parts else parts)]
    for rows in iter_rows(path, columns, batch_size=batch_size):
        plans = [plan_dict(r, parts) for r in rows if source_ids is None or r["source_id"] in source_ids]
        if plans:
            yield plans


def _iter_jsonl(path: Path, batch_size: int, source_ids: set[str] | None) -> Iterator[list[Json]]:
    if not path.exists():
        raise InputError("plans file not found: run the plan stage first", file=str(path))
    batch: list[Json] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                plan = json.loads(line)
            except ValueError as exc:
                raise InputError(f"not an item plan: {exc}", file=str(path), row=n) from None
            if not isinstance(plan, dict):
                raise InputError("not an item plan: a JSON object is needed", file=str(path), row=n)
            if source_ids is None or plan.get("source_id") in source_ids:
                batch.append(plan)
            if len(batch) >= batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


def export_jsonl(store: str | Path, target: str | Path) -> int:
    """Write the store as JSON Lines (one plan per line), chunk by chunk; returns the count."""
    n = 0
    with Path(target).open("w", encoding="utf-8") as fh:
        for chunk in iter_plan_dicts(store):
            for plan in chunk:
                fh.write(json.dumps(plan, ensure_ascii=False, sort_keys=True) + "\n")
                n += 1
    return n


def pending_source_ids(path: str | Path, done: dict[str, str | None]) -> tuple[set[str], dict[str, int]]:
    """Records the upload still has to look at, from the store's scalar columns only.

    A plan is pending unless it is ``held`` (never written) or the ledger's ``done`` row carries
    the plan's fingerprint (the item already says what the register says).

    Args:
        path: The plan store.
        done: ``source_id`` → fingerprint of the ledger's ``done`` rows.

    Returns:
        (pending source ids, plans per action) — no plan is decoded.
    """
    pending: set[str] = set()
    actions: dict[str, int] = {}
    for rows in iter_rows(path, ["source_id", "action", "fingerprint"]):
        for row in rows:
            actions[row["action"]] = actions.get(row["action"], 0) + 1
            if row["action"] != "held" and done.get(row["source_id"]) != row["fingerprint"]:
                pending.add(row["source_id"])
    return pending, actions
