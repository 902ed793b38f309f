"""Where each stage writes: numbered folders under a run's output directory.

Stages hand off through named files (Kedro-style layers), so any stage can be re-run alone and
a person can edit ``02_reconcile/decisions.csv`` between stages.
"""

from __future__ import annotations

from pathlib import Path

STAGE_DIRS: dict[str, str] = {
    "ingest": "01_ingest",
    "reconcile": "02_reconcile",
    "plan": "03_plan",
    "upload": "04_upload",
    "lists": "05_lists",
    "report": "06_reports",
    "contest": "07_contest",
}

#: The named files each stage writes (the contracts between stages).
RECORDS = "01_ingest/records.parquet"
REJECTS = "01_ingest/rejects.csv"
INGEST_SUMMARY = "01_ingest/summary.json"
DECISIONS = "02_reconcile/decisions.csv"
RECONCILE_SUMMARY = "02_reconcile/summary.json"
PLANS = "03_plan/plans.parquet"  # the plan store: columns core.contracts.PLAN_SCHEMA
PLANS_JSONL = "03_plan/plans.jsonl"  # optional export, one plan per line (wlkit plan --jsonl)
PLAN_LOOKUPS = "03_plan/lookups.json"  # identifier and label+description hits on the target
PLAN_SUMMARY = "03_plan/summary.json"
PREFLIGHT = "03_plan/preflight.json"  # shape: modeling.preflight (module docstring)
LEDGER = "04_upload/ledger.sqlite"
UPLOAD_SUMMARY = "04_upload/summary.json"
DRY_RUN_HTML = "04_upload/dry_run.html"  # front page; detail pages in 04_upload/dry_run/ (reports.dry_run)
DRY_RUN_MD = "04_upload/dry_run.md"
LISTS_SUMMARY = "05_lists/summary.json"
LISTS_STATS = "05_lists/stats.csv"
CONTEST_UPLOADS = "07_contest/uploads.parquet"  # columns: core.contracts.UPLOADS_SCHEMA
CONTEST_USERS = "07_contest/users.parquet"  # core.contracts.USERS_SCHEMA
CONTEST_CATEGORY_FILES = "07_contest/category_files.parquet"  # CATEGORY_FILES_SCHEMA
CONTEST_FETCH_SUMMARY = "07_contest/fetch.json"
LISTS_ALL = "05_lists/all.csv"  # every monument in scope (the contest stage reads it)
CONTEST_SUMMARY = "07_contest/summary.json"


def stage_dir(out: str | Path, stage: str, *, create: bool = True) -> Path:
    """Return ``out/<NN_stage>``, creating it unless ``create`` is False."""
    path = Path(out) / STAGE_DIRS[stage]
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path
