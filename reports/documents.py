"""Write the case-study documents of a run into ``06_reports/``.

:func:`render_report` measures one campaign run and writes its checklist and recommendations
(Markdown, HTML, wikitext) plus that campaign's progress row; :func:`render_all` does it for every
campaign of a folder and writes the progress page over all of them. These are the functions the
``report`` flow calls.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core import layout
from modeling.campaign import Campaign, load_campaign
from reports.checklist import build_checklist, checklist_counts, render_checklist
from reports.facts import PropertyCheck, collect_facts
from reports.progress import ProgressRow, build_progress, find_runs, render_progress
from reports.recommendations import build_recommendations, gap_metrics, render_recommendations

log = logging.getLogger(__name__)

ALL_FORMATS = ("md", "html", "wiki")
PROGRESS_FORMATS = ("wiki", "html")


@dataclass
class RenderedReport:
    """What :func:`render_report` wrote, and the figures a flow summary needs."""

    campaign_id: str
    paths: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    recommendations: int = 0
    checklist_markdown: str = ""
    progress: ProgressRow | None = None


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def render_report(
    out_dir: str | Path,
    campaign: Campaign | str | Path,
    fmt_list: Sequence[str] = ALL_FORMATS,
    lang: str = "en",
    *,
    campaign_file: str | Path | None = None,
    target: PropertyCheck | None = None,
    progress: bool = True,
) -> RenderedReport:
    """Measure a campaign run and write ``06_reports/{checklist,recommendations}.<fmt>``.

    Args:
        out_dir: The campaign's run directory.
        campaign: The campaign, or the path of its YAML file.
        fmt_list: Formats among ``md``, ``html``, ``wiki``.
        lang: Report language.
        campaign_file: The YAML path (evidence of YAML facts) when ``campaign`` is a model.
        target: Checks the identifier property on the target (the flow's Wikibase client).
        progress: Also write this campaign's ``progress.{wiki,html}``.

    Returns:
        The written paths and the checklist figures.
    """
    if not isinstance(campaign, Campaign):
        campaign_file = campaign_file or campaign
        campaign = load_campaign(campaign)
    out = Path(out_dir)
    facts = collect_facts(out, campaign, campaign_file=campaign_file, target=target)
    items = build_checklist(facts)
    recs = build_recommendations(facts, campaign)
    metrics = gap_metrics(facts)
    reports_dir = layout.stage_dir(out, "report")
    result = RenderedReport(campaign.id, counts=checklist_counts(items), recommendations=len(recs))
    for fmt in fmt_list:
        text = render_checklist(items, campaign, fmt, lang)
        if fmt == "md":
            result.checklist_markdown = text
        result.paths.append(_write(reports_dir / f"checklist.{fmt}", text))
        result.paths.append(_write(reports_dir / f"recommendations.{fmt}",
                                   render_recommendations(recs, campaign, fmt, lang, metrics)))
    if not result.checklist_markdown:
        result.checklist_markdown = render_checklist(items, campaign, "md", lang)
    result.progress = build_progress([(campaign, facts)])[0]
    if progress:
        for fmt in PROGRESS_FORMATS:
            result.paths.append(_write(reports_dir / f"progress.{fmt}",
                                       render_progress([result.progress], fmt, lang)))
    log.info("%s: checklist %s, %d recommendations", campaign.id, result.counts, len(recs))
    return result


def render_all(
    out_root: str | Path,
    campaigns_dir: str | Path,
    lang: str = "en",
    *,
    mapping: Mapping[str, str | Path] | None = None,
    target: PropertyCheck | None = None,
    fmt_list: Sequence[str] = ALL_FORMATS,
) -> tuple[list[RenderedReport], list[Path]]:
    """Write every campaign's reports and the progress page over all campaigns.

    Campaigns that were never run appear on the progress page as "not started"; their own
    reports are not written (there is no run directory to write into).

    Args:
        out_root: Folder with one run directory per campaign (``<out_root>/<campaign id>/``).
        campaigns_dir: Folder of campaign YAML files.
        lang: Report language.
        mapping: Optional ``campaign id → run directory``.
        target: Checks identifier properties on the target (the flow's Wikibase client).
        fmt_list: Formats of the per-campaign documents.

    Returns:
        The per-campaign results and the paths of ``<out_root>/06_reports/progress.{wiki,html}``.
    """
    runs = find_runs(campaigns_dir, out_root, mapping)
    results: list[RenderedReport] = []
    rows: list[ProgressRow] = []
    for run in runs:
        if run.run_dir is not None:
            res = render_report(run.run_dir, run.campaign, fmt_list, lang,
                                campaign_file=run.campaign_file, target=target, progress=False)
            results.append(res)
            assert res.progress is not None  # render_report always sets it
            rows.append(res.progress)
        else:
            facts = collect_facts(None, run.campaign, campaign_file=run.campaign_file, target=target)
            rows.append(build_progress([(run.campaign, facts)])[0])
    reports_dir = layout.stage_dir(out_root, "report")
    paths = [_write(reports_dir / f"progress.{fmt}", render_progress(rows, fmt, lang))
             for fmt in PROGRESS_FORMATS]
    return results, paths
