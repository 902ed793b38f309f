"""Progress over all campaigns: stage reached, counts and last run, one row per campaign.

:func:`find_runs` pairs every ``campaigns/*.yaml`` with its run directory (``<out>/<campaign id>/``,
or a given mapping); :func:`build_progress` is pure (facts in, rows out); :func:`render_progress`
renders the page as wikitext or HTML (Markdown too).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from core import layout
from core.errors import CampaignError
from modeling.campaign import Campaign, load_campaign
from reports.checklist import TICKED, build_checklist
from reports.facts import Facts
from reports.i18n import N_

log = logging.getLogger(__name__)

#: Stages in order, with the fact that proves each was reached.
STAGES: dict[str, tuple[str, str]] = {
    "ingest": (N_("ingested"), "ingest.records"),
    "reconcile": (N_("reconciled"), "reconcile.decisions"),
    "plan": (N_("planned"), "plan.items"),
    "upload": (N_("uploaded"), "upload.done"),
    "lists": (N_("lists"), "lists.generated"),
}


@dataclass(frozen=True)
class CampaignRun:
    """A campaign file and its run directory (None when it was never run)."""

    campaign: Campaign
    campaign_file: Path
    run_dir: Path | None


@dataclass(frozen=True)
class ProgressRow:
    """One campaign on the progress page."""

    campaign_id: str
    name: str
    kind: str
    year: int | None
    stage: str | None
    stage_title: str
    stages_done: int
    counts: dict[str, int | None] = field(default_factory=dict)
    ticked: int = 0
    steps: int = 0
    last_run: date | None = None


def _is_run_of(path: Path, campaign_id: str) -> bool:
    import json

    summary = path / layout.INGEST_SUMMARY
    if not summary.is_file():
        return False
    try:
        return json.loads(summary.read_text(encoding="utf-8")).get("campaign") == campaign_id
    except ValueError:
        return False


def find_runs(
    campaigns_dir: str | Path,
    out_root: str | Path,
    mapping: Mapping[str, str | Path] | None = None,
) -> list[CampaignRun]:
    """Pair every campaign YAML with its run directory.

    The run directory is ``mapping[campaign id]`` when given, else ``<out_root>/<campaign id>``,
    else ``out_root`` itself when its ingest summary names the campaign.

    Args:
        campaigns_dir: Folder of ``*.yaml`` campaign files.
        out_root: Folder holding one run directory per campaign.
        mapping: Optional ``campaign id → run directory``.

    Returns:
        One entry per campaign file, sorted by campaign id.

    Raises:
        CampaignError: when a campaign file is invalid (names the file and key).
    """
    out = Path(out_root)
    runs = []
    for path in sorted(Path(campaigns_dir).glob("*.yaml")):
        campaign = load_campaign(path)
        run: Path | None
        if mapping and campaign.id in mapping:
            run = Path(mapping[campaign.id])
        elif (out / campaign.id).is_dir():
            run = out / campaign.id
        elif _is_run_of(out, campaign.id):
            run = out
        else:
            run = None
        runs.append(CampaignRun(campaign, path, run))
    if not runs:
        raise CampaignError(f"{campaigns_dir}: no campaign *.yaml files found")
    return sorted(runs, key=lambda r: r.campaign.id)


def build_progress(entries: Iterable[tuple[Campaign, Facts]]) -> list[ProgressRow]:
    """One progress row per campaign (pure).

    Args:
        entries: ``(campaign, facts)`` pairs (facts from :func:`reports.facts.collect_facts`).

    Returns:
        Rows in the given order.
    """
    rows = []
    for campaign, facts in entries:
        reached = [s for s, (_t, key) in STAGES.items() if facts.get(key).known]
        stage = reached[-1] if reached else None
        counts: dict[str, int | None] = {
            "records": facts.value("ingest.records"),
            "rejects": facts.value("ingest.rejects"),
            "matched": facts.value("reconcile.matched"),
            "new": facts.value("reconcile.new"),
            "review": facts.value("reconcile.review"),
            "plans": facts.value("plan.items"),
            "uploaded": facts.value("upload.done"),
            "failed": facts.value("upload.failed"),
            "list_items": facts.value("lists.items"),
            "contest_uploads": facts.value("contest.uploads"),
            "newly_pictured": facts.value("contest.newly_pictured"),
        }
        items = build_checklist(facts)
        rows.append(ProgressRow(
            campaign_id=campaign.id, name=campaign.name, kind=campaign.kind, year=campaign.year,
            stage=stage, stage_title=STAGES[stage][0] if stage else N_("not started"),
            stages_done=len(reached), counts=counts,
            ticked=sum(1 for i in items if i.status == TICKED), steps=len(items),
            last_run=facts.value("run.last"),
        ))
    return rows


def render_progress(rows: list[ProgressRow], fmt: str = "wiki", lang: str = "en") -> str:
    """Render the progress page over all campaigns.

    Args:
        rows: From :func:`build_progress`.
        fmt: ``wiki``, ``html`` or ``md``.
        lang: Report language.

    Returns:
        The rendered page.
    """
    from reports.rendering import render_document

    context: dict[str, Any] = {"rows": rows, "n_stages": len(STAGES), "chart": None}
    if fmt == "html" and rows:
        from reports.i18n import gettext
        from reports.report_charts import share_chart

        context["chart"] = share_chart(
            [r.campaign_id for r in rows], [r.stages_done / len(STAGES) for r in rows],
            gettext("Stages done", lang))
    return render_document("progress", fmt, lang, None, context)
