"""The dry-run data of a plan store, row group by row group — on worker processes for a large store.

Each row group of ``03_plan/plans.parquet`` becomes its entries' JSON lines
(:class:`modeling.dryrun.EntryLines`, made row by row by :func:`modeling.dryrun.row_entry`); the
:class:`~modeling.dryrun.DryRunWriter` appends them in the store's order, so the files are the
same however many processes made them. From :data:`PARALLEL_FROM` plans on, up to four worker
processes (one per core) make the lines side by side (:func:`modeling.process_pool.ordered_map`:
at most two row groups each in flight, so memory holds a few row groups whatever the register's
size).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from core.settings import Target
from modeling.campaign import Campaign
from modeling.dryrun import DryRunWriter, EntryLines, Json, row_entry
from modeling.plan_model import Plan
from modeling.plan_store import iter_plan_dicts, open_store
from modeling.process_pool import ordered_map, workers_for

#: Plan-store columns an entry needs (never ``fingerprint``, ``base_revid`` or the index).
COLUMNS = ["source_id", "qid", "action", "identifier", "failed",
           "data", "checks", "warnings", "desired", "changes", "held"]
#: Store rows per read batch (text only: nothing the cyclic GC tracks).
_ROWS = 2_000
#: Plans from which worker processes are worth their start (about a second of imports each;
#: by CPU time they pay off from about 40,000 plans on 2 idle cores, not on busy ones).
PARALLEL_FROM = 80_000


def group_lines(store: str | Path, group: int, source_ids: set[str] | None = None) -> EntryLines:
    """The entries of one row group of ``store`` (only ``source_ids`` when given) as JSON lines."""
    part = EntryLines()
    for batch in open_store(Path(store)).iter_batches(_ROWS, row_groups=[group], columns=COLUMNS):
        for row in batch.to_pylist():
            if source_ids is None or row["source_id"] in source_ids:
                part.add(row_entry(row))
    return part


_WORKER_IDS: list[set[str] | None] = []  # a worker's shard (set once by _start_worker)


def _start_worker(source_ids: set[str] | None) -> None:
    _WORKER_IDS[:] = [source_ids]


def _worker_lines(store: str, group: int) -> EntryLines:
    return group_lines(store, group, _WORKER_IDS[0])


def _parts(store: Path, source_ids: set[str] | None, workers: int) -> Iterator[EntryLines]:
    """Every row group's lines, in the store's order: in this process or on ``workers``."""
    groups = open_store(store).metadata.num_row_groups
    if workers <= 1 or groups < 2:
        yield from (group_lines(store, g, source_ids) for g in range(groups))
        return
    jobs = ((str(store), g) for g in range(groups))
    yield from ordered_map(_worker_lines, jobs, workers, _start_worker, (source_ids,))


def dry_run_workers(store: str | Path) -> int:
    """Worker processes worth starting for ``store``: one per core (at most 4) from
    :data:`PARALLEL_FROM` plans on; 1 (this process) below, or for a JSON Lines export."""
    store = Path(store)
    if store.suffix == ".jsonl":
        return 1
    return workers_for(open_store(store).metadata.num_rows, PARALLEL_FROM)


def write_dry_run_store(store: str | Path, campaign: Campaign, target: Target, batch: str,
                        dest: str | Path, source_ids: set[str] | None = None, workers: int = 1) -> Json:
    """:func:`modeling.dryrun.write_dry_run` of the plans in a plan store (or its JSON Lines
    export), each row decoded only as far as its entry needs.

    Args:
        store: ``03_plan/plans.parquet`` (or ``plans.jsonl``).
        campaign: The campaign.
        target: The target the upload would write to (name and API URL only).
        batch: The batch id the real run would use.
        dest: ``04_upload/``.
        source_ids: Only these records (an upload shard); None = all.
        workers: Processes making the entries (1 = this one; see :func:`dry_run_workers`).

    Returns:
        The meta, as :func:`modeling.dryrun.write_dry_run`.

    Raises:
        InputError: a missing store, or one that is not a plan store.
    """
    store = Path(store)
    with DryRunWriter(dest, campaign, target, batch) as writer:
        if store.suffix == ".jsonl":  # the export: whole plans, one line each
            for chunk in iter_plan_dicts(store, _ROWS, source_ids):
                for plan in chunk:
                    writer.add(Plan.from_json(plan))
        else:
            for part in _parts(store, source_ids, workers):
                writer.add_lines(part)
    return writer.close()
