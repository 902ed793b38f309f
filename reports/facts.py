"""Measured facts about one campaign run: what its stage files say, with the evidence.

A *fact* is a value read from a run's output directory (``01_ingest/`` … ``05_lists/``) or from
the campaign YAML, together with its evidence: the number it rests on, the file it was read from
and that file's date. A file that does not exist gives an *unknown* fact (``value is None``), so
a checklist built from facts can never tick anything by default (FIELD-NOTES §3 item 9).

:func:`collect_facts` is the only function here that touches the file system (and, when a
target is given, the Action API to check that the identifier property exists).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from core import layout
from core.contracts import (
    COORDINATE_REASONS,
    IngestSummary,
    ListsSummary,
    PlanSummary,
    read_summary,
)
from core.errors import WlkitError
from modeling.campaign import Campaign
from modeling.plan_store import iter_rows
from reports.fact_model import Evidence, Fact, Facts  # noqa: F401 - the facts' types, re-exported
from reports.fact_model import csv_rows as _csv_rows
from reports.fact_model import mdate as _mdate
from reports.fact_model import read_json as _json
from reports.fact_model import rel as _rel

log = logging.getLogger(__name__)

#: Ledger statuses that count as written (the uploader's confirmed states) and as failed.
DONE_STATUSES = frozenset({"done", "confirmed", "created", "updated", "unchanged", "noop", "skipped"})
FAILED_STATUSES = frozenset({"failed", "error", "refused"})
DRY_RUN_FILES = (layout.DRY_RUN_MD, layout.DRY_RUN_HTML)


# --- collectors per stage ------------------------------------------------------------------------


def _campaign_facts(facts: Facts, campaign: Campaign, yaml_path: str | None) -> None:
    ymd = _mdate(Path(yaml_path)) if yaml_path and Path(yaml_path).is_file() else None
    if campaign.source is not None:  # a campaign without a register has no source file
        src = campaign.source_path
        facts.add("source.exists", src.is_file(), file=str(campaign.source.path),
                  date=_mdate(src) if src.is_file() else None)
    facts.add("licence", campaign.licence, file=yaml_path, date=ymd)
    facts.add("licence.open", campaign.may_upload, file=yaml_path, date=ymd)
    pub = campaign.publisher
    facts.add("publisher.name", pub.name or False, file=yaml_path, date=pub.release_date)
    facts.add("publisher.contact", pub.contact or False, file=yaml_path, date=ymd)
    facts.add("identifier.property", campaign.identifier_property or False, file=yaml_path, date=ymd)
    if campaign.mapping is not None:
        facts.add("identifier.verified", campaign.mapping.identifier.verified, file=yaml_path, date=ymd)
    facts.add("mapping.reviewed", campaign.report.mapping_reviewed or False, file=yaml_path,
              date=campaign.report.mapping_reviewed)
    facts.add("dry_run.reviewed", campaign.report.dry_run_reviewed or False, file=yaml_path,
              date=campaign.report.dry_run_reviewed)
    facts.add("commons.campaign", campaign.lists.upload.campaign or False, file=yaml_path, date=ymd)
    facts.add("statistics.published", campaign.report.statistics_published or False,
              file=yaml_path, date=ymd)
    facts.add("languages", list(campaign.languages), file=yaml_path, date=ymd)


def _ingest_facts(facts: Facts, run: Path, campaign: Campaign) -> None:
    summary = read_summary(run, layout.INGEST_SUMMARY, IngestSummary)
    records_path = run / layout.RECORDS
    n_records: int | None = None
    coords_with: int | None = None
    if records_path.is_file():
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(records_path)
        n_records = pf.metadata.num_rows
        names = set(pf.schema_arrow.names)
        if {"lat", "lon"} <= names:
            table = pf.read(columns=["lat", "lon"])
            lat, lon = table.column("lat"), table.column("lon")
            coords_with = sum(
                1 for a, b in zip(lat.to_pylist(), lon.to_pylist(), strict=True)
                if a is not None and b is not None and a == a and b == b
            )
        file, when = layout.RECORDS, _mdate(records_path)
    elif summary is not None:
        n_records = summary.records_ok
        file, when = layout.INGEST_SUMMARY, _mdate(run / layout.INGEST_SUMMARY)
    if n_records is not None:
        facts.add("ingest.records", n_records, number=n_records, file=_rel(run, file), date=when)
    rejects = _csv_rows(run / layout.REJECTS)
    if rejects is not None:
        _reject_facts(facts, run, rejects, n_records, coords_with)
    elif coords_with is not None and n_records is not None:
        facts.add("coordinates.with", coords_with, number=coords_with, total=n_records,
                  file=_rel(run, layout.RECORDS), date=_mdate(records_path))


def _reject_facts(facts: Facts, run: Path, rejects: list[dict[str, str]], n_records: int | None,
                  coords_with: int | None) -> None:
    """Rejects per *row* (``rejects.csv`` has one line per row, field and reason; a row rejected
    for two reasons counts once in total and once under each reason), and coordinate coverage
    over the records plus the rows rejected for a coordinate reason
    (:data:`core.contracts.COORDINATE_REASONS`, ``outside_country`` included)."""
    by_reason: dict[str, set[str]] = {}
    for i, r in enumerate(rejects):
        row = (r.get("source_row") or "").strip() or f"line {i + 2}"
        by_reason.setdefault((r.get("reason") or "?").strip(), set()).add(row)
    rows = set().union(*by_reason.values()) if by_reason else set()
    when = _mdate(run / layout.REJECTS)
    ev = {"file": _rel(run, layout.REJECTS), "date": when}
    facts.add("ingest.rejects", len(rows), number=len(rows), total=(n_records or 0) + len(rows), **ev)
    facts.add("ingest.rejects_by_reason", {k: len(v) for k, v in sorted(by_reason.items())},
              number=len(rows), **ev)
    coord_rows = set().union(*(v for k, v in by_reason.items() if k in COORDINATE_REASONS))
    if coords_with is not None and n_records is not None:
        facts.add("coordinates.with", coords_with, number=coords_with,
                  total=n_records + len(coord_rows), file=_rel(run, layout.RECORDS),
                  date=_mdate(run / layout.RECORDS))


def _reconcile_facts(facts: Facts, run: Path) -> None:
    rows = _csv_rows(run / layout.DECISIONS)
    if rows is None:
        return
    counts: Counter[str] = Counter()
    for r in rows:
        qid = (r.get("qid") or "").strip()
        counts["new" if qid == "new" else "review" if qid in ("review", "") else "matched"] += 1
        if (r.get("decided_by") or "").strip() == "human":
            counts["human"] += 1
    when = _mdate(run / layout.DECISIONS)
    ev = {"file": _rel(run, layout.DECISIONS), "date": when, "total": len(rows)}
    facts.add("reconcile.decisions", len(rows), number=len(rows), **ev)
    for key in ("matched", "new", "review", "human"):
        facts.add(f"reconcile.{key}", counts[key], number=counts[key], **ev)


def _plan_facts(facts: Facts, run: Path, languages: list[str]) -> None:
    """Plan facts from the plan store's scalar columns (no JSON decoding), counted the way the
    plan summary counts them: ``labelled`` = items with a label in that language after the edit
    (the live item's own label or the one the plan adds)."""
    path = run / layout.PLANS
    if not path.is_file():
        summary = read_summary(run, layout.PLAN_SUMMARY, PlanSummary)
        if summary is not None:
            facts.add("plan.items", summary.plans, number=summary.plans,
                      file=_rel(run, layout.PLAN_SUMMARY), date=_mdate(run / layout.PLAN_SUMMARY))
        return
    n = 0
    with_label: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    to_write: set[str] = set()
    for rows in iter_rows(path, ["source_id", "action", "labelled"]):
        for row in rows:
            n += 1
            actions[row["action"]] += 1
            if row["action"] in ("create", "update"):
                to_write.add(str(row["source_id"]))
            with_label.update(lang for lang in (row["labelled"] or "").split(",") if lang)
    ev = {"file": _rel(run, layout.PLANS), "date": _mdate(path), "total": n}
    facts.add("plan.items", n, number=n, **ev)
    facts.add("plan.actions", dict(actions), number=n, **ev)
    facts.add("plan.to_write", sorted(to_write), number=len(to_write), **ev)
    facts.add("plan.held", actions["held"], number=actions["held"], **ev)
    facts.add("labels.with", {lang: with_label[lang] for lang in languages}, number=n, **ev)


def _ledger_facts(facts: Facts, run: Path) -> None:
    path = run / layout.LEDGER
    for rel in DRY_RUN_FILES:
        if (run / rel).is_file():
            facts.add("dry_run.file", rel, file=_rel(run, rel), date=_mdate(run / rel))
            break
    if not path.is_file():
        return
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        tables.sort(key=lambda t: t != "ledger")  # the current-state table, not its history
        table = next((t for t in tables if {"source_id", "status"} <= {
            c[1] for c in con.execute(f'PRAGMA table_info("{t}")')}), None)
        if table is None:
            log.warning("%s: no ledger table with source_id and status; upload facts unknown", path)
            return
        statuses = Counter(
            {str(s).lower(): n for s, n in con.execute(
                f'SELECT status, COUNT(DISTINCT source_id) FROM "{table}" GROUP BY status')})
        done_ids = {str(r[0]) for r in con.execute(
            f'SELECT source_id, status FROM "{table}"') if str(r[1]).lower() in DONE_STATUSES}
        last = con.execute(f'SELECT MAX("at") FROM "{table}"').fetchone()[0] if "at" in {
            c[1] for c in con.execute(f'PRAGMA table_info("{table}")')} else None
    finally:
        con.close()
    done = sum(n for s, n in statuses.items() if s in DONE_STATUSES)
    failed = sum(n for s, n in statuses.items() if s in FAILED_STATUSES)
    total = sum(statuses.values())
    when = _mdate(path)
    if last:
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(str(last).replace("Z", "+00:00")).date()
    ev = {"file": _rel(run, layout.LEDGER), "date": when, "total": total}
    facts.add("upload.statuses", dict(statuses), number=total, **ev)
    facts.add("upload.done", done, number=done, **ev)
    facts.add("upload.failed", failed, number=failed, **ev)
    facts.add("upload.pending", total - done - failed, number=total - done - failed, **ev)
    planned = facts.get("plan.to_write")
    if planned.known:
        missing = sorted(set(planned.value) - done_ids)
        facts.add("upload.missing", missing, number=len(missing), **{**ev, "total": len(planned.value)})


_STAT_KEYS = {
    "image": ("with_image", "image", "with image", "pictured"),
    "commons_category": ("with_commons_category", "with_commonscat", "commons_category", "commonscat"),
    "admin": ("with_p131", "with_region", "with_admin", "p131"),
    "coordinates": ("with_coords", "with_coordinates", "coordinates"),
}


def _int_cell(value: Any) -> int | None:
    text = str(value or "").split("(")[0].strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        return int(float(text))
    except ValueError:
        return None


def _lists_facts(facts: Facts, run: Path) -> None:
    summary_path = run / layout.LISTS_SUMMARY
    summary = read_summary(run, layout.LISTS_SUMMARY, ListsSummary)
    if summary is not None:
        ev = {"file": _rel(run, layout.LISTS_SUMMARY), "date": _mdate(summary_path)}
        facts.add("lists.generated", True, number=summary.items, **ev)
        facts.add("lists.items", summary.items, number=summary.items, **ev)
        if summary.regions is not None:
            facts.add("lists.regions", summary.regions, number=summary.regions, **ev)
    stats_path = run / layout.LISTS_STATS
    rows = _csv_rows(stats_path)
    if not rows:
        return
    facts.add("stats.file", layout.LISTS_STATS, file=_rel(run, layout.LISTS_STATS),
              date=_mdate(stats_path))
    lower = [{k.strip().lower(): v for k, v in r.items() if k} for r in rows]
    region_col = next((c for c in ("region_label", "region", "municipality", "area") if c in lower[0]), None)
    total_row = next((r for r in lower if region_col and str(r.get(region_col, "")).strip().lower()
                      in ("total", "totalt", "all", "σ", "sum")), None)
    count_col = next((c for c in ("monuments", "items", "objects", "total", "count", "n") if c in lower[0]), None)
    if count_col is None:
        return

    def col_sum(col: str) -> int:
        if total_row is not None:
            return _int_cell(total_row.get(col)) or 0
        return sum(_int_cell(r.get(col)) or 0 for r in lower)

    total = col_sum(count_col)
    ev = {"file": _rel(run, layout.LISTS_STATS), "date": _mdate(stats_path), "total": total}
    facts.add("stats.items", total, number=total, **ev)
    for name, candidates in _STAT_KEYS.items():
        col = next((c for c in candidates if c in lower[0]), None)
        if col is not None:
            n = col_sum(col)
            facts.add(f"stats.with_{name}", n, number=n, **ev)
    label_cols = {c.split("_")[-1]: c for c in lower[0]
                  if c.startswith(("labelled_", "label_", "with_label_")) and not c.endswith("_pct")}
    if label_cols:
        facts.add("stats.labels", {lang: col_sum(c) for lang, c in label_cols.items()}, number=total, **ev)


def _contest_facts(facts: Facts, run: Path) -> None:
    """Contest facts from ``07_contest/summary.json`` (uploads, newly pictured, without ID)."""
    path = run / layout.CONTEST_SUMMARY
    summary = _json(path)
    if summary is None:
        return
    ev = {"file": _rel(run, layout.CONTEST_SUMMARY), "date": _mdate(path)}
    uploads, monuments = int(summary.get("uploads", 0)), int(summary.get("monuments", 0))
    facts.add("contest.uploads", uploads, number=uploads, **ev)
    for key, total in (("newly_pictured", monuments), ("not_pictured", monuments), ("without_id", uploads),
                       ("eligible", uploads)):
        n = int(summary.get(key, 0))
        facts.add(f"contest.{key}", n, number=n, total=total, **ev)


def _run_date(run: Path) -> date | None:
    dates = [_mdate(p) for p in run.glob("0[1-5]_*/*") if p.is_file()]
    return max(dates) if dates else None


class PropertyCheck(Protocol):
    """Looks properties up on a target (the flow passes :class:`clients.wikibase.WikibaseClient`)."""

    @property
    def api_url(self) -> str:
        """The Action API asked (named as the fact's evidence)."""

    def property_exists(self, prop: str) -> bool:
        """Whether ``prop`` exists on the target and is a property."""


def collect_facts(
    run_dir: str | Path | None,
    campaign: Campaign,
    *,
    campaign_file: str | Path | None = None,
    target: PropertyCheck | None = None,
) -> Facts:
    """Measure every fact of one campaign run.

    Args:
        run_dir: The campaign's run directory (holding ``01_ingest/`` …), or None when the
            campaign was never run (then only YAML facts are known).
        campaign: The loaded campaign.
        campaign_file: Path of the YAML file (named as evidence for YAML facts).
        target: When given, the identifier property is looked up through it (the flow passes
            the Wikibase client; nothing here calls an API itself).

    Returns:
        The facts; a missing file leaves its facts unknown.
    """
    run = Path(run_dir) if run_dir is not None else None
    facts = Facts(campaign.id, run)
    yaml_path = str(campaign_file) if campaign_file else None
    _campaign_facts(facts, campaign, yaml_path)
    prop = campaign.identifier_property
    if target is not None and prop:
        try:
            exists = target.property_exists(prop)
            facts.add("identifier.exists", exists, file=target.api_url, date=date.today())
        except WlkitError as exc:  # the API could not answer: the fact stays unknown
            log.warning("could not check %s on %s: %s", prop, target.api_url, exc)
    if run is None or not run.is_dir():
        return facts
    _ingest_facts(facts, run, campaign)
    _reconcile_facts(facts, run)
    _plan_facts(facts, run, list(campaign.languages))
    _ledger_facts(facts, run)
    _lists_facts(facts, run)
    _contest_facts(facts, run)
    last = _run_date(run)
    if last is not None:
        facts.add("run.last", last, file=str(run), date=last)
    return facts
