"""Dry-run report tasks: label the ids the plans use (SPARQL), then render the report pages.

The upload flow streams the dry-run data into ``04_upload/dry_run/`` (:mod:`modeling.dryrun`);
these tasks add the labels of every entity id it shows — fetched from the target in batches with
the campaign's language fallback — and render ``dry_run.html``, its pages and ``dry_run.md``
(:mod:`reports.dry_run`). Tasks pass paths and counts only.
"""

from __future__ import annotations

import json
from pathlib import Path

from prefect import get_run_logger, task

from core.errors import WlkitError
from core.layout import stage_dir
from core.settings import Target
from modeling.campaign import Campaign
from modeling.dryrun import DRY_RUN_DIR, read_meta
from pipelines._options import LOCAL_TASK
from reports.dry_run import LABELS_FILE, render_dry_run
from reports.dry_run_pages import page_workers
from reports.entity_links import EntityLinks
from sparql.entity_labels import entity_labels


# Labels are a help to the reviewer, not a condition of the dry run: one attempt, no retries
# (the SPARQL client retries throttling itself), and a failure leaves bare ids with a warning.
@task(**LOCAL_TASK)
def fetch_dry_run_labels(out: str, campaign: Campaign, target: Target) -> int:
    """Write ``04_upload/dry_run/labels.json`` (id → label); returns the number labelled."""
    dest = stage_dir(out, "upload") / DRY_RUN_DIR
    ids = read_meta(dest.parent)["entity_ids"]
    try:
        labels = entity_labels(ids, campaign.fallback_chain, target)
    except WlkitError as exc:
        get_run_logger().warning("dry run: no labels from %s (%s); the report shows bare ids", target.name, exc)
        labels = {}
    (dest / LABELS_FILE).write_text(json.dumps(labels, ensure_ascii=False), encoding="utf-8")
    return len(labels)


@task(**LOCAL_TASK)
def render_dry_run_report(out: str, target: Target) -> list[str]:
    """Render the dry-run front page, its detail pages and ``dry_run.md``; returns the paths."""
    dest = stage_dir(out, "upload")
    paths = render_dry_run(dest, links=EntityLinks.for_target(target), workers=page_workers(read_meta(dest)))
    return [str(p) for p in paths[:2]]


def report_dry_run(out: str, campaign: Campaign, target: Target) -> list[Path]:
    """Label and render the dry run written under ``<out>/04_upload/dry_run/`` (call inside a flow).

    Returns:
        ``dry_run.html`` and ``dry_run.md``.
    """
    fetch_dry_run_labels(out, campaign, target)
    return [Path(p) for p in render_dry_run_report(out, target)]
