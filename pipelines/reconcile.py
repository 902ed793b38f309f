"""reconcile_flow: records → identifier match, then geo + name candidates → ``02_reconcile/``.

Thin wiring only: the logic is :mod:`modeling.reconcile` (matching, scoring) and
:mod:`modeling.decisions` (the decisions.csv round trip). Reads ``01_ingest/records.parquet``
and, when present, the previous ``02_reconcile/decisions.csv`` (a person may have edited it:
human rows win); writes ``decisions.csv``, ``decisions.auto.csv``, ``review.csv`` and
``summary.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
from prefect import flow, get_run_logger, task

from core.layout import DECISIONS, RECONCILE_SUMMARY, RECORDS, stage_dir
from core.settings import Target, load_target
from modeling.campaign import Campaign, load_campaign
from modeling.decisions import read_previous, review_table, write_outputs
from modeling.reconcile import reconcile_detailed
from pipelines._options import STAGE_FLOW, publish_summary
from sparql.client import run as sparql_run

#: SPARQL reads, retried; not result-cached (a re-run must see items created since).
RECONCILE_TASK: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [10, 60],
                                  "retry_jitter_factor": 0.5, "timeout_seconds": 30 * 60}


@task(**RECONCILE_TASK)
def match(out: str, campaign: Campaign, target: Target) -> dict[str, Any]:
    """Read the records and previous decisions, match (SPARQL), write the stage files.

    One task from path to path: the records frame and the result never become task parameters
    or results (Prefect walks and records both; at 10⁵ records that costs more than the work).
    Returns the small summary only.
    """
    records = gpd.read_parquet(Path(out) / RECORDS)
    previous, previous_auto = read_previous(stage_dir(out, "reconcile", create=False))
    result = reconcile_detailed(records, campaign, target, query=sparql_run, previous=previous,
                                previous_auto=previous_auto)
    review = review_table(result.decisions, result.pairs, records, target.entity_prefix,
                          campaign.register_mapping.identifier.url)
    return write_outputs(result.decisions, review, stage_dir(out, "reconcile"),
                         {"requests": result.requests, "candidates": len(result.candidates)})


@flow(name="reconcile", **STAGE_FLOW)
def reconcile_flow(campaign: str, out: str, target: str = "local") -> dict[str, Any]:
    """Reconcile a campaign's ingested records with existing items; write ``02_reconcile/``.

    Args:
        campaign: path of the campaign YAML.
        out: run directory (reads ``01_ingest/``, writes ``02_reconcile/``).
        target: target profile (``local``, ``testwikidata``, ``wikidata`` or custom).

    Returns:
        The summary: records, matched_by_id, matched_by_geo, new, review, human, requests.
    """
    camp, tgt = load_campaign(campaign), load_target(target)
    camp.require_register("reconcile")
    summary = match(out, camp, tgt)
    get_run_logger().info("reconcile %s: %s", camp.id, summary)
    publish_summary(camp.id, "reconcile", summary,
                    files=[Path(out) / DECISIONS, stage_dir(out, "reconcile") / "review.csv",
                           Path(out) / RECONCILE_SUMMARY])
    return summary
