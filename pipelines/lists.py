"""lists_flow: campaign SPARQL → regional lists, map, upload links, statistics → 05_lists/."""

from __future__ import annotations

from typing import Any

from prefect import flow, task

from core.layout import stage_dir
from core.settings import load_target
from modeling.campaign import Campaign, load_campaign
from pipelines._options import LOCAL_TASK, STAGE_FLOW, publish_summary
from pipelines.lists_build import build_lists


@task(**LOCAL_TASK)
def load_campaign_task(path: str) -> Campaign:
    """Read and validate the campaign YAML."""
    return load_campaign(path)


# build_lists writes files, so its task is never result-cached (a cache hit would skip the
# writes); the SPARQL client retries throttling itself. Lists must show today's Wikidata, so
# no on-disk SPARQL cache either.
@task(**LOCAL_TASK)
def build_lists_task(campaign: Campaign, target: str, out: str, region: str | None) -> dict[str, Any]:
    """Query the campaign scope and write every list output."""
    return build_lists(campaign, load_target(target), out, region=region)


@flow(name="lists", **STAGE_FLOW)
def lists_flow(campaign: str, out: str, target: str = "local", region: str | None = None) -> dict[str, Any]:
    """Build the campaign lists (wikitext, CSV, GeoJSON, offline map, statistics) in ``05_lists/``.

    Args:
        campaign: Path of the campaign YAML.
        out: Run directory.
        target: Target profile name (``local``, ``wikidata``…).
        region: Optional QID: only items located in it.

    Returns:
        The lists summary (items, regions, coverage totals, generated_at).
    """
    camp = load_campaign_task(campaign)
    result = build_lists_task(camp, target, out, region)
    summary = {k: v for k, v in result.items() if k not in ("stats", "total", "region_files")}
    dest = stage_dir(out, "lists", create=False)
    publish_summary(camp.id, "lists", summary, table=[_stat_row(r) for r in result["stats"]],
                    files=[dest / n for n in ("all.wiki", "map.html", "stats.wiki", "stats.csv", "stats.png")])
    return summary


def _stat_row(row: dict[str, Any]) -> dict[str, Any]:
    labelled = {f"labelled_{k}": v for k, v in row["labelled"].items()}
    return {k: v for k, v in row.items() if k != "labelled"} | labelled
