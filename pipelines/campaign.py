"""campaign_flow: the whole campaign as subflows — ingest → reconcile → plan → upload → lists → report.

This is what ``wlkit run`` and ``make demo`` execute. Each stage is its own flow in
``pipelines/<stage>.py`` writing into ``<out>/NN_<stage>/``, so any stage can also be re-run alone.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from modeling.campaign import load_campaign
from modeling.licence import licence_refusal
from pipelines.ingest import ingest_flow
from pipelines.lists import lists_flow
from pipelines.plan import plan_flow
from pipelines.preflight import preflight_blocker
from pipelines.reconcile import reconcile_flow
from pipelines.report import report_flow
from pipelines.upload import upload_flow


@flow(name="campaign", log_prints=False)
def campaign_flow(
    campaign: str,
    out: str,
    target: str = "local",
    dry_run: bool = False,
    lang: str = "en",
    refresh: bool = False,
) -> dict[str, Any]:
    """Run every stage of one campaign into ``out`` and return each stage's summary.

    Args:
        campaign: Path of the campaign YAML file.
        out: The campaign's run directory (stage folders are created inside).
        target: Target profile (``local``, ``testwikidata``, ``wikidata`` or custom).
        dry_run: Write the upload diff report instead of editing.
        lang: Language of the reports.
        refresh: Look cached lookups (admin units) up again in the plan stage.
    """
    summary: dict[str, Any] = {}
    if not load_campaign(campaign).has_register:  # scope: its monuments are already on the target
        skipped = {"skipped": "no register in the campaign (no source:); its scope: selects the "
                              "monuments on the target"}
        summary.update(dict.fromkeys(("ingest", "reconcile", "plan", "upload"), skipped))
        summary["lists"] = lists_flow(campaign=campaign, out=out, target=target)
        summary["report"] = report_flow(campaign=campaign, out=out, lang=lang, target=target)
        return summary
    summary["ingest"] = ingest_flow(campaign=campaign, out=out)
    summary["reconcile"] = reconcile_flow(campaign=campaign, out=out, target=target)
    summary["plan"] = plan_flow(campaign=campaign, out=out, target=target, refresh=refresh)
    # only the upload honours the licence gate and the preflight: lists and reports still run
    refusal = None if dry_run else (licence_refusal(load_campaign(campaign))
                                    or preflight_blocker(out))
    if refusal is None:
        summary["upload"] = upload_flow(campaign=campaign, out=out, target=target, dry_run=dry_run)
    else:
        summary["upload"] = {"skipped": refusal}
    summary["lists"] = lists_flow(campaign=campaign, out=out, target=target)
    summary["report"] = report_flow(campaign=campaign, out=out, lang=lang, target=target)
    return summary
