"""upload_flow: ``03_plan/plans.jsonl`` → one wbeditentity per new/changed item → ``04_upload/``.

Thin wiring only: :func:`modeling.upload.upload` does the work (ledger, retries, licence gate,
dry-run report). The write runs inside the target's single write slot
(:func:`pipelines._options.upload_slot`): one writer per target however many flows run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from modeling.campaign import Campaign, load_campaign
from modeling.items import Plan, read_plans
from core.layout import LEDGER, PLANS, UPLOAD_SUMMARY, stage_dir
from core.settings import Target, load_target
from modeling.upload import upload
from pipelines._options import LOCAL_TASK, STAGE_FLOW, WRITE_TASK, publish_summary, upload_slot


@task(**LOCAL_TASK)
def load_plans(out: str, source_ids: list[str] | None) -> list[Plan]:
    """The plans (only ``source_ids`` when a shard is given)."""
    plans = read_plans(Path(out) / PLANS)
    if source_ids is not None:
        wanted = set(source_ids)
        plans = [p for p in plans if p.source_id in wanted]
    return plans


@task(**WRITE_TASK)
def write(plans: list[Plan], campaign: Campaign, target: Target, out: str, dry_run: bool) -> dict[str, Any]:
    """Upload (or dry-run) the plans; the single call site of the write slot."""
    ledger = Path(out) / LEDGER
    if dry_run:
        return upload(plans, campaign, target, ledger_path=ledger, dry_run=True).to_json()
    with upload_slot(target.name):
        return upload(plans, campaign, target, ledger_path=ledger).to_json()


@flow(name="upload", **STAGE_FLOW)
def upload_flow(campaign: str, out: str, target: str = "local", dry_run: bool = False,
                source_ids: list[str] | None = None) -> dict[str, Any]:
    """Upload a campaign's item plans, or write the dry-run diff report.

    Args:
        campaign: Path of the campaign YAML.
        out: Run directory (reads ``03_plan/``; writes ``04_upload/``).
        target: Target profile (``local``, ``testwikidata``, ``wikidata`` or custom).
        dry_run: Write ``dry_run.md``/``dry_run.html`` and change nothing.
        source_ids: Only these records (an upload shard); None = all.

    Returns:
        The upload summary (created, updated, unchanged, held, failed, writes, reads …).
    """
    camp, tgt = load_campaign(campaign), load_target(target)
    stage = stage_dir(out, "upload")
    summary = write(load_plans(out, source_ids), camp, tgt, out, dry_run)
    name = UPLOAD_SUMMARY
    if source_ids is not None:  # shards write their own summary next to the others
        digest = hashlib.sha1("|".join(sorted(source_ids)).encode()).hexdigest()[:8]
        name = f"04_upload/summary-shard-{digest}.json"
    (Path(out) / name).write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    get_run_logger().info("upload %s: %s", camp.id, {k: summary[k] for k in ("created", "updated", "unchanged", "held", "failed")})
    files = [stage / "dry_run.md", stage / "dry_run.html"] if dry_run else [Path(out) / name]
    publish_summary(camp.id, "upload", summary, files=files)
    return summary
