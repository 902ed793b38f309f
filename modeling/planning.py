"""The plan stage in bounded memory: records → checked plans → the plan store, chunk by chunk.

:func:`plan_to_store` reads ``records.parquet`` one Arrow batch at a time, fetches the live
entities of that chunk only (through a callable: ≤ 50 per ``wbgetentities``), builds, diffs and
checks the chunk's plans (:func:`modeling.items.plan_items`) and appends them to the Parquet
store. Memory holds one chunk plus per-record keys for the batch-wide checks.

The two batch-wide checks (an identifier or a label+description pair on two records) are run
within each chunk first; records whose key turns out to be shared with a record of another
chunk are re-checked at the end and held, touching only those rows of the store.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from core.contracts import PLAN_SCHEMA
from modeling.campaign import Campaign
from modeling.checks import CHECKS, Context, final_terms
from modeling.entity_builder import fill, warm_dates
from modeling.items import plan_items
from modeling.plan_model import Plan
from modeling.plan_store import PlanWriter, plan_dict, store_row
from modeling.process_pool import ordered_map, workers_for

log = logging.getLogger(__name__)

Json = dict[str, Any]
TermKey = tuple[str, str, str]
#: A record's keys for the batch-wide checks: its identifier (None if not counted), its terms.
RowKey = tuple[str | None, tuple[TermKey, ...]]
#: The checks that count across the whole batch (re-run when a key spans two chunks).
BATCH_CHECKS = ("distinct_values", "label_description_unique")
DEFAULT_CHUNK = 2_000


def date_columns(campaign: Campaign) -> list[str]:
    """Record columns the mapping parses as dates (designation start, time-typed extras)."""
    m = campaign.register_mapping
    cols = [m.designation.start_column] if m.designation and m.designation.start_column else []
    return cols + [e.column for e in m.extra if e.datatype == "time"]


def record_batches(path: str | Path, chunk_size: int = DEFAULT_CHUNK,
                   columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """Records of ``records.parquet`` as Arrow batches, ``chunk_size`` at a time, without geometry
    (a batch goes to a worker process as Arrow buffers, decoded to dicts there)."""
    pf = pq.ParquetFile(path)
    cols = columns or [c for c in pf.schema_arrow.names if c != "geometry"]
    yield from pf.iter_batches(batch_size=chunk_size, columns=cols)


def record_chunks(path: str | Path, chunk_size: int = DEFAULT_CHUNK,
                  columns: list[str] | None = None) -> Iterator[list[Json]]:
    """Records of ``records.parquet`` as dicts, ``chunk_size`` at a time, without geometry."""
    for batch in record_batches(path, chunk_size, columns):
        yield batch.to_pylist()


def planned_terms(records: list[Json], campaign: Campaign) -> list[TermKey]:
    """(language, label, description) the mapping gives each record (templates only: cheap)."""
    m = campaign.register_mapping
    out: list[TermKey] = []
    for record in records:
        for lang, tpl in m.labels.items():
            desc_tpl = m.descriptions.get(lang)
            label = fill(tpl, record, what=f"mapping.labels.{lang}")
            desc = fill(desc_tpl, record, what=f"mapping.descriptions.{lang}") if desc_tpl else None
            if label and desc:
                out.append((lang, label, desc))
    return out


@dataclass
class _Keys:
    """Per-record keys of the batch-wide checks, counted across chunks."""

    ids: Counter[str] = field(default_factory=Counter)
    terms: Counter[TermKey] = field(default_factory=Counter)
    rows: list[RowKey] = field(default_factory=list)

    def extend(self, keys: list[RowKey]) -> None:
        for ident, terms in keys:
            if ident:
                self.ids[ident] += 1
            self.terms.update(terms)
        self.rows.extend(keys)

    def shared(self) -> set[int]:
        """Store row numbers whose identifier or terms another record also has."""
        return {n for n, (ident, terms) in enumerate(self.rows)
                if (ident and self.ids[ident] > 1) or any(self.terms[t] > 1 for t in terms)}


def _row_key(plan: Plan, terms: dict[str, tuple[str | None, str | None]]) -> RowKey:
    ident = plan.identifier if plan.identifier and plan.action != "unchanged" else None
    return ident, tuple((lang, lab, desc) for lang, (lab, desc) in sorted(terms.items()) if lab and desc)


def plan_to_store(
    records_path: str | Path,
    decisions: Mapping[str, str],
    campaign: Campaign,
    store_path: str | Path,
    *,
    admin_units: Mapping[str, str],
    fetch_live: Callable[[list[str]], Mapping[str, Json]],
    existing_ids: Mapping[str, set[str]] | None = None,
    collisions: Mapping[TermKey, str] | None = None,
    today: date | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
) -> Json:
    """Build, diff and check every record's plan and write the plan store, chunk by chunk.

    Args:
        records_path: ``01_ingest/records.parquet``.
        decisions: ``source_id`` → QID | ``new`` | ``review`` (ledger QIDs already merged).
        campaign: The campaign.
        store_path: Where the plan store goes (``03_plan/plans.parquet``).
        admin_units: Admin-unit code/name → QID.
        fetch_live: QIDs → live entity JSON (called once per chunk with that chunk's QIDs).
        existing_ids: Identifier value → QIDs holding it on the target.
        collisions: (language, label, description) → QID of an existing item.
        today: Run date.
        chunk_size: Records per chunk.
        workers: Processes planning chunks side by side (1 = this process; see
            :func:`plan_workers`); the store's rows keep the register's order either way.

    Returns:
        The plan summary (:class:`core.contracts.PlanSummary` keys).
    """
    job = _Job(campaign, admin_units, fetch_live, existing_ids, collisions, today or date.today())
    keys, summary = _Keys(), _Counts()
    with PlanWriter(store_path) as writer:
        for chunk in _chunks_in_order(job, record_batches(records_path, chunk_size), decisions, workers):
            keys.extend(chunk.keys)
            summary.merge(chunk.counts)
            writer.write_table(chunk.arrow())
            log.info("planned %d records", writer.rows)
    shared = keys.shared()
    if shared:
        _recheck(Path(store_path), shared, keys, campaign, job.today, summary)
    return summary.to_json()


@dataclass
class _Counts:
    """The plan summary, counted as plans are written."""

    plans: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    warnings: int = 0
    held_statements: int = 0
    labelled: Counter[str] = field(default_factory=Counter)

    def add(self, plan: Plan, labelled: list[str], sign: int = 1) -> None:
        self.plans += sign
        self.actions[plan.action] += sign
        for c in plan.failed_checks:
            self.failed[c["check"]] += sign
        self.warnings += sign * len(plan.warnings)
        self.held_statements += sign * len(plan.held)
        for lang in labelled:
            self.labelled[lang] += sign

    def merge(self, other: _Counts) -> None:
        self.plans += other.plans
        self.actions.update(other.actions)
        self.failed.update(other.failed)
        self.warnings += other.warnings
        self.held_statements += other.held_statements
        self.labelled.update(other.labelled)

    def to_json(self) -> Json:
        return {"plans": self.plans, "actions": {k: v for k, v in sorted(self.actions.items()) if v},
                "failed_checks": {k: v for k, v in sorted(self.failed.items()) if v}, "warnings": self.warnings,
                "held_statements": self.held_statements, "labelled": dict(sorted(self.labelled.items()))}


@dataclass(frozen=True)
class _Job:
    """What every chunk of one plan run shares (sent once to each worker process)."""

    campaign: Campaign
    admin_units: Mapping[str, str]
    fetch_live: Callable[[list[str]], Mapping[str, Json]]
    existing_ids: Mapping[str, set[str]] | None
    collisions: Mapping[TermKey, str] | None
    today: date


@dataclass
class _Chunk:
    """One chunk's result: its store rows as an Arrow table (built where the plans were, so the
    writing process only appends it; from a worker as zstd Arrow IPC bytes, see :func:`_packed`),
    batch-check keys and counts (no Plan objects)."""

    table: pa.Table | bytes
    keys: list[RowKey]
    counts: _Counts

    def arrow(self) -> pa.Table:
        """The rows as a table (unpacked when they came from a worker)."""
        if isinstance(self.table, bytes):
            return pa.ipc.open_stream(self.table).read_all()
        return self.table


def _packed(chunk: _Chunk) -> _Chunk:
    """The chunk with its table as zstd-compressed Arrow IPC: 2,000 plans are about 38 MB of
    JSON text, under 1 MB compressed, so the pipe to the writing process carries little and
    neither side pickles strings."""
    sink = pa.BufferOutputStream()
    table = chunk.arrow()
    with pa.ipc.new_stream(sink, table.schema,
                           options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table)
    return _Chunk(sink.getvalue().to_pybytes(), chunk.keys, chunk.counts)


def _table(rows: list[Json]) -> pa.Table:
    """Store rows as a :data:`PLAN_SCHEMA` table, built column by column (several times faster
    than ``Table.from_pylist`` on these rows)."""
    return pa.Table.from_pydict({name: [row[name] for row in rows] for name in PLAN_SCHEMA.names},
                                schema=PLAN_SCHEMA)


def _plan_chunk(job: _Job, batch: pa.RecordBatch, decisions: Mapping[str, str]) -> _Chunk:
    """Fetch the chunk's live items, build, diff and check its plans, and make its store rows."""
    records = batch.to_pylist()
    warm_dates(v for c in date_columns(job.campaign) for v in (r.get(c) for r in records))
    chosen = {sid: decisions.get(sid, "") for sid in (str(r["source_id"]) for r in records)}
    qids = sorted({q for q in chosen.values() if q.startswith("Q")})
    live = dict(job.fetch_live(qids)) if qids else {}
    plans = plan_items(records, chosen, job.campaign, admin_units=job.admin_units,
                       live_entities=live, existing_ids=job.existing_ids,
                       collisions=job.collisions, today=job.today)
    keys: list[RowKey] = []
    counts, rows = _Counts(), []
    for plan in plans:
        terms = final_terms(plan, live.get(plan.qid or ""))
        labelled = [lang for lang, (lab, _) in terms.items() if lab]
        keys.append(_row_key(plan, terms))
        counts.add(plan, labelled)
        rows.append(store_row(plan.to_json(), fingerprint=plan.fingerprint(), labelled=labelled))
    return _Chunk(_table(rows), keys, counts)


#: The job of this worker process (set once by :func:`_start_worker`).
_WORKER_JOB: list[_Job] = []

#: Records from which the plan stage starts worker processes (about 4 s of planning on one core).
PARALLEL_FROM = 20_000


def _start_worker(job: _Job) -> None:
    _WORKER_JOB[:] = [job]


def _worker_chunk(batch: pa.RecordBatch, decisions: Mapping[str, str]) -> _Chunk:
    return _packed(_plan_chunk(_WORKER_JOB[0], batch, decisions))


def _chunks_in_order(job: _Job, chunks: Iterator[pa.RecordBatch], decisions: Mapping[str, str],
                     workers: int) -> Iterator[_Chunk]:
    """Planned chunks in register order: in this process, or on ``workers`` processes (each
    gets the shared job once and only its chunk's records, as Arrow, and decisions)."""
    if workers <= 1:
        yield from (_plan_chunk(job, batch, decisions) for batch in chunks)
        return
    jobs = ((batch, {s: decisions.get(s, "") for s in map(str, batch.column("source_id").to_pylist())})
            for batch in chunks)
    yield from ordered_map(_worker_chunk, jobs, workers, _start_worker, (job,))


def plan_workers(records_path: str | Path) -> int:
    """Worker processes worth starting for the records of ``records_path`` (see
    :func:`modeling.process_pool.workers_for`)."""
    return workers_for(pq.ParquetFile(records_path).metadata.num_rows, PARALLEL_FROM)


def _terms_entity(terms: tuple[TermKey, ...]) -> Json:
    """A stand-in live entity carrying the final terms recorded for a plan."""
    return {"labels": {lang: {"value": lab} for lang, lab, _ in terms},
            "descriptions": {lang: {"value": desc} for lang, _, desc in terms}}


def _recheck(store: Path, shared: set[int], keys: _Keys, campaign: Campaign, today: date,
             counts: _Counts) -> None:
    """Re-run the batch-wide checks on the rows in ``shared`` with the counts of the whole batch.

    The store is rewritten (other rows are copied without decoding) and ``counts`` corrected.
    """
    ctx = Context(campaign, today, {}, None, None, id_counts=keys.ids, term_counts=keys.terms)
    tmp = store.with_name(store.name + ".recheck")
    store.replace(tmp)
    n = 0
    with PlanWriter(store) as writer:
        for batch in pq.ParquetFile(tmp).iter_batches(batch_size=DEFAULT_CHUNK):
            rows = batch.to_pylist()
            for i, row in enumerate(rows):
                if n + i not in shared:
                    continue
                plan = Plan.from_json(plan_dict(row))
                labelled = row["labelled"].split(",") if row["labelled"] else []
                counts.add(plan, labelled, sign=-1)
                ctx.live_entities = {plan.qid or "": _terms_entity(keys.rows[n + i][1])}
                plan.checks = [c for c in plan.checks if c["check"] not in BATCH_CHECKS]
                for name in BATCH_CHECKS:
                    if row["action"] == "unchanged" and name != "distinct_values":
                        continue
                    message = CHECKS[name](plan, ctx)
                    plan.checks.append({"check": name, "ok": message is None, "message": message})
                if plan.failed_checks:
                    plan.action = "held"
                counts.add(plan, labelled)
                rows[i] = store_row(plan.to_json(), fingerprint=row["fingerprint"], labelled=labelled)
            n += len(rows)
            writer.write(rows)
    tmp.unlink()
