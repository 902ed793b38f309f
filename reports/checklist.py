"""Readiness checklist: one row per step of the campaign process, ticked only from measured facts.

:func:`build_checklist` is pure: facts in, rows out. Each row is *ticked*, *not ticked* or
*unknown* and carries its evidence (a number, a file, a date). Nothing is ticked by default: a
row is ticked only when the fact it needs was measured and meets the bar (FIELD-NOTES §3 item 9).
:func:`render_checklist` renders the rows to Markdown, HTML or wikitext, with the resources of the
task force's inventory shown beside the step they help with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from modeling.campaign import Campaign
from reports.facts import Evidence, Facts
from reports.i18n import N_, LangShare, Ratio
from reports.inventory import load_resources, resources_by_step
from reports.rendering import render_document
from reports.steps import STEPS

TICKED, NOT_TICKED, UNKNOWN = "ticked", "not_ticked", "unknown"

#: Default bars; override per call with ``build_checklist(facts, thresholds={...})``.
THRESHOLDS: dict[str, float] = {
    "max_reject_rate": 0.05,  # share of register rows rejected at ingest
    "min_coordinates": 0.95,  # share of records with usable coordinates
    "min_labels": 0.95,  # share of item plans with a label, per campaign language
}


@dataclass(frozen=True)
class ChecklistItem:
    """One readiness step: its status and the evidence behind it.

    ``title`` and ``detail`` are English msgids; ``detail`` has ``{name}`` placeholders filled
    from ``params`` at render time (translated, numbers localised).
    """

    key: str
    title: str
    status: str
    detail: str
    params: dict[str, Any] = field(default_factory=dict)
    evidence: Evidence = field(default_factory=Evidence)


_Row = tuple[str, str, dict[str, Any], Evidence]


def _source(f: Facts, t: Mapping[str, float]) -> _Row:
    fact = f.get("source.exists")
    ev, n = fact.evidence, f.value("ingest.records")
    if fact.value or n:
        return TICKED, N_("Register file {file} found"), {"file": ev.file}, ev
    return NOT_TICKED, N_("Register file {file} not found"), {"file": ev.file}, ev


def _licence(f: Facts, t: Mapping[str, float]) -> _Row:
    lic, ev = f.value("licence"), f.get("licence").evidence
    if f.value("licence.open"):
        return TICKED, N_("Licence {licence}"), {"licence": lic}, ev
    return NOT_TICKED, N_("Licence {licence} does not allow upload to Wikidata"), {"licence": lic}, ev


def _owner(f: Facts, t: Mapping[str, float]) -> _Row:
    name, contact = f.value("publisher.name"), f.value("publisher.contact")
    ev = f.get("publisher.contact").evidence
    if name and contact:
        return TICKED, N_("{name}, contact {contact}"), {"name": name, "contact": contact}, ev
    if name:
        return NOT_TICKED, N_("{name}: no contact recorded"), {"name": name}, ev
    return NOT_TICKED, N_("No data owner recorded"), {}, ev


def _identifier(f: Facts, t: Mapping[str, float]) -> _Row:
    prop, verified = f.value("identifier.property"), f.value("identifier.verified")
    exists = f.get("identifier.exists")
    p = {"property": prop}
    if exists.known and not exists.value:
        return NOT_TICKED, N_("{property} does not exist on {target}"), \
            {**p, "target": exists.evidence.file}, exists.evidence
    if not verified:
        return NOT_TICKED, N_("{property} not yet verified on wikidata.org (identifier.verified)"), \
            p, f.get("identifier.verified").evidence
    if exists.known:
        return TICKED, N_("{property} verified and found on {target}"), \
            {**p, "target": exists.evidence.file}, exists.evidence
    return TICKED, N_("{property} verified (not checked against a target in this run)"), \
        p, f.get("identifier.verified").evidence


def _mapping(f: Facts, t: Mapping[str, float]) -> _Row:
    fact = f.get("mapping.reviewed")
    if fact.value:
        return TICKED, N_("Reviewed on {date}"), {"date": fact.value}, fact.evidence
    return NOT_TICKED, N_("No review date (report.mapping_reviewed)"), {}, fact.evidence


def _ingest(f: Facts, t: Mapping[str, float]) -> _Row:
    records, rejects = f.get("ingest.records"), f.get("ingest.rejects")
    if not records.known:
        return UNKNOWN, N_("No ingest output"), {}, records.evidence
    n_rej = rejects.value or 0
    total = records.value + n_rej
    p = {"records": records.value, "rejects": n_rej, "rate": Ratio(n_rej, total),
         "max": Ratio(t["max_reject_rate"], 1)}
    ev = rejects.evidence if rejects.known else records.evidence
    if records.value == 0:
        return NOT_TICKED, N_("No records ingested"), p, ev
    if not rejects.known:
        return UNKNOWN, N_("{records} records; rejects file missing"), p, ev
    if total and n_rej / total > t["max_reject_rate"]:
        return NOT_TICKED, N_("{records} records, {rejects} rejected ({rate}, above {max})"), p, ev
    return TICKED, N_("{records} records, {rejects} rejected ({rate})"), p, ev


def _reconcile(f: Facts, t: Mapping[str, float]) -> _Row:
    dec = f.get("reconcile.decisions")
    if not dec.known:
        return UNKNOWN, N_("No decisions file"), {}, dec.evidence
    p = {k: f.value(f"reconcile.{k}", 0) for k in ("matched", "new", "review")}
    p["decisions"] = dec.value
    status = TICKED if dec.value > 0 and p["review"] == 0 else NOT_TICKED
    return status, N_("{decisions} decisions: {matched} matched, {new} new, {review} to review"), \
        p, dec.evidence


def _dry_run(f: Facts, t: Mapping[str, float]) -> _Row:
    dry, reviewed = f.get("dry_run.file"), f.get("dry_run.reviewed")
    if not dry.known:
        return UNKNOWN, N_("No dry-run report"), {}, dry.evidence
    p = {"file": dry.evidence.file, "written": dry.evidence.date}
    if not reviewed.value:
        return NOT_TICKED, N_("{file} of {written} not reviewed (report.dry_run_reviewed)"), p, \
            dry.evidence
    p["date"] = reviewed.value
    if dry.evidence.date and reviewed.value < dry.evidence.date:
        return NOT_TICKED, N_("{file} of {written} is newer than the review of {date}"), p, \
            dry.evidence
    return TICKED, N_("{file} of {written} reviewed on {date}"), p, dry.evidence


def _upload(f: Facts, t: Mapping[str, float]) -> _Row:
    done = f.get("upload.done")
    if not done.known:
        return UNKNOWN, N_("No upload ledger"), {}, done.evidence
    failed = f.value("upload.failed", 0)
    missing = f.get("upload.missing")
    if missing.known:
        planned = missing.evidence.total or 0
        written = planned - len(missing.value)
    else:  # no plans file: the ledger alone
        planned = done.evidence.total or 0
        written = done.value
    p = {"done": written, "planned": planned, "failed": failed, "held": f.value("plan.held", 0)}
    ok = (planned > 0 or done.value > 0) and written >= planned and failed == 0
    detail = N_("{done} of {planned} planned writes done, {failed} failed")
    if p["held"]:
        detail = N_("{done} of {planned} planned writes done, {failed} failed, {held} held by checks")
    return (TICKED if ok else NOT_TICKED), detail, p, done.evidence


def _coordinates(f: Facts, t: Mapping[str, float]) -> _Row:
    fact = f.get("coordinates.with")
    if not fact.known:
        return UNKNOWN, N_("No records to measure"), {}, fact.evidence
    total = fact.evidence.total or 0
    p = {"with": fact.value, "total": total, "share": Ratio(fact.value, total)}
    ok = total > 0 and fact.value / total >= t["min_coordinates"]
    return (TICKED if ok else NOT_TICKED), N_("{with} of {total} with coordinates ({share})"), \
        p, fact.evidence


def _labels(f: Facts, t: Mapping[str, float]) -> _Row:
    fact = f.get("labels.with")
    langs = f.value("languages", [])
    if not fact.known:
        return UNKNOWN, N_("No item plans to measure"), {}, fact.evidence
    total = fact.evidence.total or 0
    shares = [LangShare(lang, fact.value.get(lang, 0), total) for lang in langs]
    ok = total > 0 and all(s.part / total >= t["min_labels"] for s in shares)
    return (TICKED if ok else NOT_TICKED), N_("Item plans with a label: {shares}"), \
        {"shares": shares}, fact.evidence


def _commons(f: Facts, t: Mapping[str, float]) -> _Row:
    fact = f.get("commons.campaign")
    if fact.value:
        return TICKED, N_("UploadWizard campaign {campaign}"), {"campaign": fact.value}, fact.evidence
    return NOT_TICKED, N_("No UploadWizard campaign (lists.upload.campaign)"), {}, fact.evidence


def _lists(f: Facts, t: Mapping[str, float]) -> _Row:
    fact = f.get("lists.generated")
    if not fact.known:
        return UNKNOWN, N_("No lists output"), {}, fact.evidence
    items, regions = f.value("lists.items"), f.value("lists.regions")
    if items is not None and items == 0:
        return NOT_TICKED, N_("Lists generated but empty"), {}, fact.evidence
    return TICKED, N_("{items} items in {regions} regions"), \
        {"items": items if items is not None else "?", "regions": regions if regions is not None else "?"}, \
        fact.evidence


def _statistics(f: Facts, t: Mapping[str, float]) -> _Row:
    published, stats = f.get("statistics.published"), f.get("stats.file")
    if published.value and stats.known:
        return TICKED, N_("Published at {where}; {file} of {date}"), \
            {"where": published.value, "file": stats.evidence.file, "date": stats.evidence.date}, \
            stats.evidence
    if published.value:
        return NOT_TICKED, N_("Marked published at {where} but no statistics file"), \
            {"where": published.value}, published.evidence
    if stats.known:
        return NOT_TICKED, N_("{file} exists but is not published (report.statistics_published)"), \
            {"file": stats.evidence.file}, stats.evidence
    return NOT_TICKED, N_("No statistics yet"), {}, published.evidence


_RULES: dict[str, Callable[[Facts, Mapping[str, float]], _Row]] = {
    "source": _source, "licence": _licence, "owner": _owner, "identifier": _identifier,
    "mapping": _mapping, "ingest": _ingest, "reconcile": _reconcile, "dry_run": _dry_run,
    "upload": _upload, "coordinates": _coordinates, "labels": _labels,
    "commons_campaign": _commons, "lists": _lists, "statistics": _statistics,
}


def build_checklist(facts: Facts, thresholds: Mapping[str, float] | None = None) -> list[ChecklistItem]:
    """Build the readiness checklist from measured facts (pure).

    Args:
        facts: Facts of one campaign run (:func:`reports.facts.collect_facts`).
        thresholds: Overrides of :data:`THRESHOLDS`.

    Returns:
        One item per step of :data:`STEPS`, in process order.
    """
    t = {**THRESHOLDS, **(thresholds or {})}
    items = []
    for key, title in STEPS.items():
        status, detail, params, evidence = _RULES[key](facts, t)
        items.append(ChecklistItem(key, title, status, detail, params, evidence))
    return items


def checklist_counts(items: list[ChecklistItem]) -> dict[str, int]:
    """Count items per status (``ticked``, ``not_ticked``, ``unknown``)."""
    counts = dict.fromkeys((TICKED, NOT_TICKED, UNKNOWN), 0)
    for item in items:
        counts[item.status] += 1
    return counts


def render_checklist(
    items: list[ChecklistItem],
    campaign: Campaign,
    fmt: str = "md",
    lang: str = "en",
    resources: list[Any] | None = None,
) -> str:
    """Render the checklist as Markdown (``md``), HTML (``html``) or wikitext (``wiki``).

    Args:
        items: Rows from :func:`build_checklist`.
        campaign: The campaign (name, id, languages).
        fmt: ``md``, ``html`` or ``wiki``.
        lang: Report language (``en``, ``sv`` …).
        resources: Inventory entries; default: ``data/resources.yaml`` filtered by the
            campaign languages plus English.

    Returns:
        The rendered document.
    """
    if resources is None:
        resources = load_resources()
    by_step = resources_by_step(resources, [*campaign.languages, "en"], campaign.report.heritage_type)
    counts = checklist_counts(items)
    context: dict[str, Any] = {"items": items, "resources": by_step, "counts": counts}
    if fmt == "html":
        from reports.report_charts import status_chart

        context["chart"] = status_chart(counts, lang)
    return render_document("checklist", fmt, lang, campaign, context)
