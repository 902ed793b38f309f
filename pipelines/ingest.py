"""Ingest flow: campaign or file → read → validate → ``01_ingest/`` (records, rejects, summary)."""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from modeling.ingest import ingest, resolve_source


@task(name="ingest-register")
def ingest_task(campaign: str | None, source: str | None, out: str,
                overrides: dict[str, str] | None) -> dict[str, Any]:
    """Resolve the source and run :func:`modeling.ingest.ingest`; return its summary."""
    spec, base_dir, bbox = resolve_source(campaign, source, overrides)
    return ingest(spec, base_dir=base_dir, country_bbox=bbox, out_dir=out).summary


def _markdown(summary: dict[str, Any]) -> str:
    lines = [f"# Ingest of `{summary['file']}`", "",
             f"{summary['records_ok']} records ok of {summary['records_read']} read "
             f"({summary['format']}, {summary['encoding'] or 'n/a'}, CRS {summary['crs_in']}); "
             f"{summary['rejects']} rejected.", "", "| reason | rows |", "|---|---|"]
    lines += [f"| {reason} | {count} |" for reason, count in summary["rejects_by_reason"].items()]
    return "\n".join(lines) + "\n"


@flow(name="ingest")
def ingest_flow(campaign: str | None = None, source: str | None = None, out: str = "out",
                overrides: dict[str, str] | None = None) -> dict[str, Any]:
    """Ingest a register into ``<out>/01_ingest`` and publish the counts by reject reason."""
    summary = ingest_task(campaign, source, out, overrides)
    create_markdown_artifact(key="ingest-summary", markdown=_markdown(summary),
                             description="Records read, kept and rejected by reason")
    return summary
