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
import pandas as pd
from prefect import flow, get_run_logger, task

from modeling.campaign import Campaign, load_campaign
from modeling.decisions import read_previous, review_table, write_outputs
from core.layout import RECORDS, stage_dir
from modeling.reconcile import ReconcileResult, reconcile_detailed
from core.settings import Target, load_target
from pipelines._options import LOCAL_TASK, STAGE_FLOW, publish_summary

#: SPARQL reads, retried; not result-cached (a re-run must see items created since).
RECONCILE_TASK: dict[str, Any] = {"retries": 2, "retry_delay_seconds": [10, 60],
                                  "retry_jitter_factor": 0.5, "timeout_seconds": 30 * 60,
                                  "tags": ["sparql"]}


@task(**LOCAL_TASK)
def load_records(out: str) -> gpd.GeoDataFrame:
    """Read ``01_ingest/records.parquet``."""
    return gpd.read_parquet(Path(out) / RECORDS)


@task(**LOCAL_TASK)
def load_previous(out: str) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The previous (maybe edited) decisions and the auto copy, validated."""
    return read_previous(stage_dir(out, "reconcile", create=False))


@task(**RECONCILE_TASK)
def match(records: gpd.GeoDataFrame, campaign: Campaign, target: Target,
          previous: pd.DataFrame | None, previous_auto: pd.DataFrame | None) -> ReconcileResult:
    """Identifier match + geo/name candidates (SPARQL), human decisions merged."""
    return reconcile_detailed(records, campaign, target, previous=previous,
                              previous_auto=previous_auto)


@task(**LOCAL_TASK)
def write(result: ReconcileResult, records: gpd.GeoDataFrame, campaign: Campaign,
          target: Target, out: str) -> dict[str, Any]:
    """decisions.csv, its auto copy, review.csv, summary.json."""
    review = review_table(result.decisions, result.pairs, records, target.entity_prefix,
                          campaign.mapping.identifier.url)
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
    records = load_records(out)
    previous, previous_auto = load_previous(out)
    result = match(records, camp, tgt, previous, previous_auto)
    summary = write(result, records, camp, tgt, out)
    get_run_logger().info("reconcile %s: %s", camp.id, summary)
    stage = stage_dir(out, "reconcile")
    publish_summary(camp.id, "reconcile", summary,
                    files=[stage / "decisions.csv", stage / "review.csv", stage / "summary.json"])
    return summary
