"""The contest stage end to end on files: read ``05_lists`` + the fetch, write ``07_contest/``.

Files written (all UTF-8; CSVs comma-separated):

==========================  ===============================================================
``matches.parquet``         per upload: status, monument, channels (see :mod:`.match`)
``review.csv``              uploads a person must look at, with the reason
``daily.csv``               per day: uploads, uploaders, new uploaders, cumulative totals
``uploaders.csv``           per uploader
``regions.csv``             per region: monuments photographed, newly pictured, uploads
``coverage.csv``            per region at ``--at``: on Wikidata, in scope, photographed …
``curve.csv``               the campaign's coverage curve over the contest days
``monuments.parquet``       per monument: status, first contest upload (the dashboard map)
``eligibility.csv``         per upload: eligible, every reason
``jury.csv``                the eligible files, in the form a jury tool imports
``suggestions_p18.csv``,    P18 / P373 / P180 suggestions with an ``accept`` column
``suggestions_p373.csv``,
``suggestions_p180.csv``
``summary.json``            headline figures
==========================  ===============================================================

A re-run keeps the ``accept`` marks a person already made in the suggestion files.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import InputError
from core.layout import LEDGER, stage_dir
from modeling.contest import stats
from modeling.contest.coverage import coverage_by_region, coverage_curve, monument_status
from modeling.contest.eligibility import check_eligibility, jury_export, reason_counts
from modeling.contest.frames import read_category_files, read_monuments, read_uploads, read_users
from modeling.contest.match import match_uploads, review_rows
from modeling.contest.rules import rules_from_campaign
from modeling.contest.suggestions import suggest_p18, suggest_p180, suggest_p373
from modeling.ledger import Ledger

log = logging.getLogger(__name__)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SUGGESTION_FILES = {
    "P18": "suggestions_p18.csv",
    "P373": "suggestions_p373.csv",
    "P180": "suggestions_p180.csv",
}


def created_days(out: str | Path, campaign_id: str) -> dict[str, str]:
    """``QID → day`` of the items this campaign's upload created (its ledger), if it has one."""
    path = Path(out) / LEDGER
    if not path.exists():
        return {}
    with Ledger(path) as ledger:
        return {
            r.qid: r.at[:10]
            for r in ledger.rows(campaign_id)
            if r.qid and r.status == "done" and r.intent == "create"
        }


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def keep_accepts(new: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Carry the ``accept`` marks of an earlier (edited) suggestions file over to ``new``."""
    if not path.exists():
        return new
    old = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not {"entity", "property", "value", "accept"} <= set(old.columns):
        return new
    marks = old[old["accept"].str.strip() != ""].drop_duplicates(["entity", "property", "value"])
    merged = new.drop(columns="accept").merge(
        marks[["entity", "property", "value", "accept"]],
        on=["entity", "property", "value"],
        how="left",
    )
    merged["accept"] = merged["accept"].fillna("")
    return merged[new.columns]


#: Columns of ``monuments.parquet`` (the dashboard map).
MONUMENT_STATUS_COLUMNS = ["item", "id", "label", "region", "region_label", "lat", "lon", "status",
                           "first_upload", "uploads"]


def _suggest(monuments: pd.DataFrame, uploads: pd.DataFrame, files: pd.DataFrame, elig: pd.DataFrame,
             rules: Any, dest: Path) -> dict[str, int]:
    """Write the three suggestion files (keeping a person's accept marks); rows per property."""
    suggestions = {
        "P18": suggest_p18(monuments, uploads, elig),
        "P373": suggest_p373(monuments, uploads, files, rules),
        "P180": suggest_p180(monuments, uploads, files),
    }
    for prop, frame in suggestions.items():
        path = dest / SUGGESTION_FILES[prop]
        _csv(keep_accepts(frame, path), path)
    return {p: len(f) for p, f in suggestions.items()}


def _coverage_at(coverage: pd.DataFrame) -> dict[str, Any]:
    total = coverage.iloc[-1]
    return {"on_wikidata": int(total["on_wikidata"]), "photographed": int(total["photographed"]),
            "photographed_pct": float(total["photographed_pct"])}


def run_contest(campaign: Any, out: str | Path, *, at: str | None = None) -> dict[str, Any]:
    """Match, count, check and suggest; write every ``07_contest/`` file.

    Args:
        campaign: The loaded campaign (its ``contest:`` rules).
        out: The run directory (reads ``05_lists/all.csv`` and the Commons fetch's files).
        at: ``YYYY-MM-DD`` for ``coverage.csv`` (default: the contest's last day).

    Returns:
        The summary (also ``summary.json``): small, JSON-ready.
    """
    if at is not None and not _DAY.fullmatch(at):
        raise InputError(f"--at should be a day like 2026-09-15, got {at!r}")
    rules, dest = rules_from_campaign(campaign), stage_dir(out, "contest")
    monuments, uploads = read_monuments(out), read_uploads(out)
    users, category_files = read_users(out), read_category_files(out)
    files = match_uploads(uploads, monuments, rules, category_files).files
    files.to_parquet(dest / "matches.parquet", index=False)
    _csv(review_rows(files, uploads), dest / "review.csv")
    elig = check_eligibility(uploads, files, rules, monuments.drop_duplicates("item").set_index("item")["region"])
    _csv(elig, dest / "eligibility.csv")
    _csv(jury_export(elig), dest / "jury.csv")
    status = monument_status(monuments, uploads, files, category_files)
    status[MONUMENT_STATUS_COLUMNS].to_parquet(dest / "monuments.parquet", index=False)
    at = at or rules.end_iso
    coverage = coverage_by_region(monument_status(monuments, uploads, files, category_files, at=at,
                                                  created=created_days(out, campaign.id)))
    _csv(coverage, dest / "coverage.csv")
    _csv(coverage_curve(status, rules), dest / "curve.csv")
    _csv(stats.daily(uploads, users, rules), dest / "daily.csv")
    _csv(stats.uploaders(uploads, users, files, elig, rules), dest / "uploaders.csv")
    _csv(stats.regions(status, files, uploads), dest / "regions.csv")
    summary = {
        "campaign": campaign.id, **stats.summary(uploads, users, files, status, elig, rules), "at": at,
        "coverage_at": _coverage_at(coverage), "eligibility": reason_counts(elig),
        "suggestions": _suggest(monuments, uploads, files, elig, rules, dest),
        "review": int((files["status"] != "matched").sum()),
    }
    (dest / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("contest %s: %d uploads, %d matched, %d newly pictured", campaign.id, summary["uploads"],
             summary["matched"], summary["newly_pictured"])
    return summary
