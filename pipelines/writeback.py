"""writeback_flow: accepted contest suggestions → P18/P373 on items, P180 on MediaInfo.

Builds one client per wiki from the target (items: its Wikibase API; MediaInfo: its Commons
API) and hands them to :func:`modeling.contest.writeback_files.run_writeback`.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task

from clients.wikibase import WikibaseClient
from core.settings import load_target
from modeling.campaign import load_campaign
from modeling.contest.writeback_files import run_writeback
from pipelines._options import LOCAL_TASK, STAGE_FLOW, publish_summary


@task(**LOCAL_TASK)
def writeback_task(campaign_id: str, out: str, target: str, dry_run: bool) -> dict[str, Any]:
    """Apply (or, with ``dry_run``, compare) the accepted suggestions; returns the summary."""
    tgt = load_target(target)
    commons = WikibaseClient(tgt.model_copy(update={"api_url": tgt.commons_api_url})) if tgt.commons_api_url else None
    return run_writeback(campaign_id, out, items=WikibaseClient(tgt), mediainfo=commons, dry_run=dry_run)


@flow(name="writeback", **STAGE_FLOW)
def writeback_flow(campaign: str, out: str, target: str = "local", dry_run: bool = False) -> dict[str, Any]:
    """Write the accepted rows of ``07_contest/suggestions_*.csv`` back, add-only and ledgered.

    Args:
        campaign: Path of the campaign YAML.
        out: Run directory.
        target: Target profile (Wikidata API for items, Commons API for MediaInfo).
        dry_run: Only compare with the live entities (``planned`` lists what would be added).

    Returns:
        The write-back summary (also ``07_contest/writeback.json``).
    """
    camp = load_campaign(campaign)
    result = writeback_task(camp.id, out, target, dry_run)
    rows = [{"wiki": k, **{f: v for f, v in (result[k] or {}).items() if not isinstance(v, list)}}
            for k in ("items", "mediainfo")]
    publish_summary(camp.id, "writeback", result, table=rows)
    return result
