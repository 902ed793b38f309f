"""ingest_flow: campaign or file → read → validate → ``01_ingest/`` (records, rejects, summary).

Thin wiring only: the logic is :func:`modeling.ingest.ingest` (reading in
:mod:`modeling.sources`, checks in :mod:`modeling.validate`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from core.layout import INGEST_SUMMARY, RECORDS, REJECTS
from modeling.ingest import country_label, ingest, reject_table, resolve_source, run_label
from pipelines._options import LOCAL_TASK, STAGE_FLOW, publish_summary


@task(**LOCAL_TASK)
def ingest_register(campaign: str | None, source: str | None, out: str,
                    overrides: dict[str, str | bool] | None) -> dict[str, Any]:
    """Resolve the source (campaign + flags) and run :func:`modeling.ingest.ingest`."""
    spec, base_dir, bbox = resolve_source(campaign, source, overrides)
    return ingest(spec, base_dir=base_dir, country_bbox=bbox, out_dir=out,
                  country=country_label(campaign)).summary


@flow(name="ingest", **STAGE_FLOW)
def ingest_flow(campaign: str | None = None, source: str | None = None, out: str = "out",
                overrides: dict[str, str | bool] | None = None) -> dict[str, Any]:
    """Ingest a register into ``<out>/01_ingest``.

    Args:
        campaign: campaign YAML path (its ``source:`` section), optional.
        source: register file; replaces the campaign's ``source.path`` or stands alone.
        out: run directory.
        overrides: CLI flags (``crs``, ``encoding``, ``id_column`` …) overriding the campaign.

    Returns:
        The summary written to ``01_ingest/summary.json`` (counts by reject reason included).
    """
    summary = ingest_register(campaign, source, out, overrides)
    label = run_label(campaign, source)
    get_run_logger().info("ingest %s: %d ok, %d rejected", label, summary["records_ok"],
                          summary["rejects"])
    publish_summary(label, "ingest", summary, table=reject_table(summary),
                    files=[Path(out) / name for name in (RECORDS, REJECTS, INGEST_SUMMARY)])
    return summary
