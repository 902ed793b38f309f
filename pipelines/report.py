"""report_flow: measured facts → checklist, recommendations, progress page → 06_reports/."""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from clients.wikibase import WikibaseClient
from core.settings import load_target
from pipelines._options import LOCAL_TASK, STAGE_FLOW, artifact_key
from reports.documents import RenderedReport, render_all, render_report

# Reports read stage files and write 06_reports/: never result-cached (a cache hit would skip
# the writes and show stale ticks).


def _client(target: str | None) -> WikibaseClient | None:
    """The client the reports check the identifier property with (None: no check)."""
    return WikibaseClient(load_target(target), max_retries=2) if target else None


@task(**LOCAL_TASK)
def render_report_task(campaign: str, out: str, lang: str, target: str | None) -> RenderedReport:
    """Measure one campaign run and write its checklist, recommendations and progress row."""
    return render_report(out, campaign, lang=lang, target=_client(target))


@task(**LOCAL_TASK)
def render_all_task(
    out: str, campaigns_dir: str, lang: str, target: str | None
) -> tuple[list[RenderedReport], list[Any]]:
    """Write every campaign's reports and the progress page over all campaigns."""
    return render_all(out, campaigns_dir, lang, target=_client(target))


def _summary(res: RenderedReport) -> dict[str, Any]:
    return {"campaign": res.campaign_id, **res.counts, "recommendations": res.recommendations,
            "stage": res.progress.stage if res.progress else None,
            "files": [str(p) for p in res.paths]}


@flow(name="report", **STAGE_FLOW)
def report_flow(
    campaign: str | None,
    out: str,
    all_campaigns: bool = False,
    campaigns_dir: str = "campaigns",
    lang: str = "en",
    target: str | None = None,
) -> dict[str, Any]:
    """Write the case-study reports of one campaign run, or of every campaign (``all_campaigns``).

    Args:
        campaign: Path of the campaign YAML (None with ``all_campaigns``).
        out: The campaign's run directory; with ``all_campaigns``, the folder of run directories.
        all_campaigns: Report on every ``campaigns_dir/*.yaml`` and write the progress page.
        campaigns_dir: Folder of campaign files (``all_campaigns``).
        lang: Report language (``en``, ``sv``).
        target: Target profile to check the identifier property against (optional).

    Returns:
        Checklist counts per campaign and the written files.
    """
    if all_campaigns:
        results, progress = render_all_task(out, campaigns_dir, lang, target)
    else:
        if campaign is None:
            raise ValueError("campaign should be a campaign YAML path unless all_campaigns is set")
        results, progress = [render_report_task(campaign, out, lang, target)], []
    for res in results:
        create_markdown_artifact(key=f"{res.campaign_id}-checklist",
                                 markdown=res.checklist_markdown,
                                 description=f"{res.campaign_id}: readiness checklist")
    if progress:
        create_markdown_artifact(key=artifact_key("progress"),
                                 markdown="\n".join(f"- `{p}`" for p in progress),
                                 description="progress page over all campaigns")
    campaigns = [_summary(r) for r in results]
    summary: dict[str, Any] = {"campaigns": campaigns, "progress": [str(p) for p in progress]}
    if len(campaigns) == 1:  # one campaign: its figures at the top level too (CLI summary)
        keys = ("campaign", "ticked", "not_ticked", "unknown", "recommendations")
        summary.update({k: campaigns[0][k] for k in keys})
    return summary
