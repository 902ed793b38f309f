"""contest_flow: Commons uploads + the monument list → matches, statistics, coverage,
eligibility, suggestions, dashboard → 07_contest/.

Tasks pass paths and small summaries only: every table stays on disk in ``07_contest/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task

from core.layout import CONTEST_UPLOADS
from modeling.campaign import load_campaign
from modeling.contest.stage import run_contest
from pipelines._options import LOCAL_TASK, STAGE_FLOW, publish_summary
from pipelines.contest_fetch import fetch_contest_task
from reports.contest import write_contest_reports

#: The contest files linked from the flow run page.
LINKED = ("dashboard.html", "stats.wiki", "daily.csv", "regions.csv", "coverage.csv", "eligibility.csv",
          "jury.csv", "review.csv", "suggestions_p18.csv", "suggestions_p373.csv", "suggestions_p180.csv")


@task(**LOCAL_TASK)
def contest_task(campaign: str, out: str, at: str | None) -> dict[str, Any]:
    """Match, count, check and suggest from the files on disk; returns the summary."""
    return run_contest(load_campaign(campaign), out, at=at)


@task(**LOCAL_TASK)
def contest_reports_task(campaign: str, out: str) -> dict[str, str]:
    """Render the dashboard and the wikitext statistics page; returns their paths."""
    return write_contest_reports(load_campaign(campaign), out)


@flow(name="contest", **STAGE_FLOW)
def contest_flow(campaign: str, out: str, target: str = "local", at: str | None = None,
                 fetch: bool = True) -> dict[str, Any]:
    """Run the contest stage of one campaign into ``07_contest/``.

    Reads ``05_lists/all.csv`` (run ``wlkit lists`` first) and the Commons fetch's
    ``07_contest/uploads.parquet``, ``users.parquet`` and ``category_files.parquet``.

    Args:
        campaign: Path of the campaign YAML.
        out: Run directory.
        target: Target profile (its Commons API is where the uploads come from).
        at: ``YYYY-MM-DD``: coverage as it stood at the end of that day (default: the last contest day).
        fetch: Read the uploads from the target's Commons first (False: use the files already there).

    Returns:
        The contest summary plus the dashboard path.
    """
    if fetch:  # the Commons side first: 07_contest/uploads|users|category_files.parquet
        fetch_contest_task(campaign, out, target)
    summary = contest_task(campaign, out, at)
    pages = contest_reports_task(campaign, out)
    dest = Path(out) / Path(CONTEST_UPLOADS).parent
    table = [{"figure": k, "value": v} for k, v in summary.items() if not isinstance(v, dict)]
    publish_summary(summary["campaign"], "contest", summary, table=table, files=[dest / n for n in LINKED])
    return {**summary, "dashboard": pages["dashboard"], "target": target}
