"""upload_flow: ``03_plan/plans.jsonl`` → one wbeditentity per new/changed item → ``04_upload/``.

Thin wiring only: this module builds the Wikibase client from the target
(:class:`clients.wikibase.WikibaseClient`) and hands it to :func:`modeling.upload.upload`, which
does the work (ledger, recovery, retries, licence gate). The write runs inside the target's
single write slot (:func:`pipelines._options.upload_slot`): one writer per target however many
flows run. A Ctrl-C / SIGTERM (see :mod:`pipelines.stopping`) ends the run between two writes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from clients.wikibase import WikibaseClient
from core.layout import LEDGER, PLANS, UPLOAD_SUMMARY, stage_dir
from core.settings import Target, load_target
from modeling.campaign import Campaign, load_campaign
from modeling.dryrun_store import dry_run_workers, write_dry_run_store
from modeling.items import iter_plans
from modeling.plan_model import Plan
from modeling.plan_store import iter_rows
from modeling.rerun import nothing_to_upload
from modeling.upload import UPLOAD_PARTS, UploadOptions, UploadSummary, new_batch_id, upload
from pipelines import stopping
from pipelines._options import STAGE_FLOW, WRITE_TASK, publish_summary, upload_slot
from pipelines.dryrun import report_dry_run
from pipelines.preflight import require_clear_preflight

#: Plans decoded at once while uploading (the upload waits on the wiki, not on decoding).
STREAM_CHUNK = 500


def upload_plans(plans: Iterable[Plan], campaign: Campaign, target: Target, *, ledger_path: str | Path,
                 batch: str | None = None, options: UploadOptions | None = None,
                 backoff: float = 5.0, is_bot: bool = False, progress: bool | None = None,
                 total: int | None = None) -> UploadSummary:
    """Upload ``plans`` to ``target`` with a client built from it (see :func:`modeling.upload.upload`).

    Args:
        plans: Item plans (a list, or a stream: see :func:`store_plans`).
        campaign: The campaign.
        target: Where to write (account from WLKIT_USER / WLKIT_PASSWORD).
        ledger_path: ``04_upload/ledger.sqlite``.
        batch: Batch id (default: a new one).
        options: Retries, sleep, commit grace, stop check (default: stop on Ctrl-C / SIGTERM).
        backoff: First backoff (s) when the server gives no Retry-After.
        is_bot: Flag edits as bot edits (the account needs the bot flag).
        progress: Show a progress bar (default: only on a terminal).
        total: How many plans a stream yields (default: counted as they come).
    """
    opts = options or UploadOptions(should_stop=stopping.requested)
    client = WikibaseClient(target, sleep=opts.sleep, max_retries=opts.max_retries, backoff=backoff,
                            is_bot=is_bot)
    return upload(plans, campaign, client, ledger_path=ledger_path, batch=batch, options=opts,
                  progress=progress, total=total)


def store_plans(path: Path, source_ids: set[str] | None) -> tuple[int | None, Iterator[Plan]]:
    """The plans to upload as a stream: their number (from the store's ``source_id`` column
    alone; None for a JSON Lines export), then the plans, decoded a few hundred at a time and
    only the parts the upload reads."""
    total = None if path.suffix == ".jsonl" else sum(
        1 for rows in iter_rows(path, ["source_id"]) for r in rows
        if source_ids is None or r["source_id"] in source_ids)
    chunks = iter_plans(path, STREAM_CHUNK, source_ids, parts=UPLOAD_PARTS)
    return total, (plan for chunk in chunks for plan in chunk)


@task(**WRITE_TASK)
def write(out: str, campaign: Campaign, target: Target, dry_run: bool,
          source_ids: list[str] | None) -> dict[str, Any]:
    """Upload (or dry-run) the plans of ``out`` (only ``source_ids`` for a shard); returns the summary.

    The single call site of the write slot. Plans are read here, from the plan store, so the task
    passes a path and a summary, never the plans themselves; they are streamed, never all in
    memory (the dry run reads the store row by row, :func:`modeling.dryrun_store.write_dry_run_store`).
    """
    path, ledger = Path(out) / PLANS, Path(out) / LEDGER
    wanted = set(source_ids) if source_ids is not None else None
    if dry_run:
        meta = write_dry_run_store(path, campaign, target, new_batch_id(), ledger.parent, wanted,
                                   workers=dry_run_workers(path))
        counts = meta["counts"]
        return UploadSummary(campaign=campaign.id, batch=meta["batch"], dry_run=True,
                             plans=sum(counts.values()), created=counts["create"],
                             updated=counts["update"], unchanged=counts["unchanged"],
                             held=counts["held"]).to_json()
    if wanted is None and (noop := nothing_to_upload(path, ledger, campaign.id)) is not None:
        return noop.to_json()  # every plan held or done with its fingerprint: no request (issue 11 §4)
    with upload_slot(target.name):
        total, plans = store_plans(path, wanted)
        summary = upload_plans(plans, campaign, target, ledger_path=ledger, total=total)
        if summary.stopped:  # exit now: the slot dies with the process (Prefect's API may be gone)
            stopping.finished()
    return summary.to_json()


@flow(name="upload", **STAGE_FLOW)
def upload_flow(campaign: str, out: str, target: str = "local", dry_run: bool = False,
                source_ids: list[str] | None = None) -> dict[str, Any]:
    """Upload a campaign's item plans, or write the dry-run diff data.

    Args:
        campaign: Path of the campaign YAML.
        out: Run directory (reads ``03_plan/``; writes ``04_upload/``).
        target: Target profile (``local``, ``testwikidata``, ``wikidata`` or custom).
        dry_run: Write the dry-run data and change nothing.
        source_ids: Only these records (an upload shard); None = all.

    Returns:
        The upload summary (created, updated, unchanged, held, failed, writes, reads …).
    """
    camp, tgt = load_campaign(campaign), load_target(target)
    camp.require_register("upload")
    if not dry_run:
        require_clear_preflight(out)  # what the target lacks blocks the upload (issue 15 §2)
    stage_dir(out, "upload")
    summary = write(out, camp, tgt, dry_run, source_ids)
    name = UPLOAD_SUMMARY
    if source_ids is not None:  # shards write their own summary next to the others
        digest = hashlib.sha1("|".join(sorted(source_ids)).encode()).hexdigest()[:8]
        name = str(Path(UPLOAD_SUMMARY).with_name(f"summary-shard-{digest}.json"))
    (Path(out) / name).write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    counts = {k: summary[k] for k in ("created", "updated", "unchanged", "held", "failed")}
    get_run_logger().info("upload %s: %s", camp.id, counts)
    files = report_dry_run(out, camp, tgt) if dry_run else [Path(out) / name]  # labels + pages (F2)
    publish_summary(camp.id, "upload", summary, files=files)
    return summary
