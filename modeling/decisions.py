"""``02_reconcile/decisions.csv``: the round trip between the reconciler and a person.

Columns ``source_id,qid,score,reason,candidates,decided_by``: ``qid`` is a QID, ``new`` or
``review``; ``candidates`` lists the scored candidates (``Q1:0.91;Q2:0.62``); ``decided_by`` is
``auto`` or ``human``. A person edits the file (sets a QID or ``new`` on a ``review`` row, and
``decided_by=human``) and re-runs: human rows win. An edited ``qid`` on a row still marked
``auto`` counts as human too: the reconciler keeps a copy of what it wrote
(``decisions.auto.csv``) and compares. Edited files are validated; errors name the file, the
row (header = row 1) and the field.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import ReconcileError
from core.layout import DECISIONS, RECONCILE_SUMMARY

log = logging.getLogger(__name__)

DECISION_COLUMNS = ["source_id", "qid", "score", "reason", "candidates", "decided_by"]
NEW, REVIEW = "new", "review"
AUTO, HUMAN = "auto", "human"
#: File name of the decisions a person edits, inside ``02_reconcile/``.
DECISIONS_FILE = Path(DECISIONS).name
#: Copy of what the reconciler itself wrote, next to decisions.csv (detects edited auto rows).
AUTO_COPY = "decisions.auto.csv"

_QID = re.compile(r"^Q[1-9]\d*$")
_CANDIDATE = re.compile(r"^Q[1-9]\d*:\d+(\.\d+)?$")


def qid_key(qid: str) -> int:
    """Numeric sort key of a QID (``Q9`` before ``Q10``)."""
    return int(qid[1:]) if _QID.match(qid) else -1


def _fail(path: Path | str, row: int, field: str, message: str) -> ReconcileError:
    return ReconcileError(f"{path}, row {row}, field {field!r}: {message}")


def validate_decisions(df: pd.DataFrame, path: Path | str = DECISIONS_FILE) -> pd.DataFrame:
    """Check and normalise a decisions table (as a person may have edited it).

    Args:
        df: the table, all columns as strings (empty cells as ``""``).
        path: file name for the error messages.

    Returns:
        The table with stripped strings, ``qid`` in canonical case (``q42`` → ``Q42``,
        ``NEW`` → ``new``) and ``score`` as float (NaN when empty).

    Raises:
        ReconcileError: naming the file, row and field of the first bad value.
    """
    missing = [c for c in DECISION_COLUMNS if c not in df.columns]
    if missing:
        raise ReconcileError(f"{path}: should have the columns {','.join(DECISION_COLUMNS)}, "
                             f"missing {','.join(missing)}")
    fast = _valid_columns(df)
    if fast is not None:  # every row valid: the same table, checked column by column
        return pd.DataFrame(fast, columns=DECISION_COLUMNS).astype({"score": "float64"})
    out: dict[str, list[Any]] = {c: [] for c in DECISION_COLUMNS}
    seen: dict[str, int] = {}
    for n, rec in enumerate(df[DECISION_COLUMNS].itertuples(index=False), start=2):
        sid, qid, score, reason, cands, by = (("" if pd.isna(v) else str(v).strip()) for v in rec)
        if not sid:
            raise _fail(path, n, "source_id", "should not be empty")
        if sid in seen:
            raise _fail(path, n, "source_id", f"should be unique, got {sid!r} again (row {seen[sid]})")
        seen[sid] = n
        low = qid.lower()
        if low in (NEW, REVIEW):
            qid = low
        elif _QID.match(qid.upper()):
            qid = qid.upper()
        else:
            raise _fail(path, n, "qid", f"should be a QID like Q42, 'new' or 'review', got {qid!r}")
        by = by.lower() or AUTO
        if by not in (AUTO, HUMAN):
            raise _fail(path, n, "decided_by", f"should be 'auto' or 'human', got {by!r}")
        try:
            value = float(score) if score else float("nan")
        except ValueError:
            raise _fail(path, n, "score", f"should be a number or empty, got {score!r}") from None
        if cands and not all(_CANDIDATE.match(c) for c in cands.split(";") if c):
            raise _fail(path, n, "candidates", f"should look like 'Q1:0.91;Q2:0.62', got {cands!r}")
        for col, v in zip(DECISION_COLUMNS, (sid, qid, value, reason, cands, by), strict=True):
            out[col].append(v)
    return pd.DataFrame(out, columns=DECISION_COLUMNS).astype({"score": "float64"})


def _valid_columns(df: pd.DataFrame) -> dict[str, list[Any]] | None:
    """The normalised columns of :func:`validate_decisions` when every row is valid, else None
    (the row-by-row check then names the first bad value). Vectorised: 10⁵ rows in a fraction of
    the 2 s the row loop takes, which the plan stage spends before any planning."""
    text = {c: df[c].fillna("").astype(str).str.strip() for c in DECISION_COLUMNS}
    sid, qid, by = text["source_id"], text["qid"], text["decided_by"].str.lower()
    if (sid == "").any() or sid.duplicated().any():
        return None
    low, up = qid.str.lower(), qid.str.upper()
    keyword = low.isin([NEW, REVIEW])
    if not (keyword | up.str.match(_QID.pattern)).all():
        return None
    by = by.where(by != "", AUTO)
    if not by.isin([AUTO, HUMAN]).all():
        return None
    try:
        score = [float(v) if v else float("nan") for v in text["score"].tolist()]
    except ValueError:
        return None
    cands = text["candidates"].tolist()
    if not all(all(_CANDIDATE.match(c) for c in v.split(";") if c) for v in cands if v):
        return None
    return {"source_id": sid.tolist(), "qid": low.where(keyword, up).tolist(), "score": score,
            "reason": text["reason"].tolist(), "candidates": cands, "decided_by": by.tolist()}


def read_decisions(path: str | Path) -> pd.DataFrame:
    """Read and validate a decisions CSV (UTF-8, with or without BOM, as spreadsheets save it).

    Raises:
        ReconcileError: missing file, missing columns, or a bad value (file, row, field).
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise ReconcileError(f"{path}: decisions file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReconcileError(f"{path}: not a readable CSV: {exc}") from None
    return validate_decisions(df, path)


def write_decisions(df: pd.DataFrame, path: str | Path) -> Path:
    """Write decisions as CSV (UTF-8, scores with 3 decimals, empty cells for no score)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = df.reindex(columns=DECISION_COLUMNS).copy()
    out["score"] = [f"{s:.3f}" if pd.notna(s) else "" for s in pd.to_numeric(out["score"])]
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def merge_human_decisions(new: pd.DataFrame, previous: pd.DataFrame, *,
                          previous_auto: pd.DataFrame | None = None) -> pd.DataFrame:
    """Keep what a person decided in ``previous`` over the fresh automatic ``new`` decisions.

    A previous row is human when ``decided_by == "human"``, or when its ``qid`` differs from
    the value the reconciler wrote for it (``previous_auto``); such rows are kept whole, with
    ``decided_by`` set to ``human``. Human rows for records that no longer exist are dropped
    (and logged).

    Args:
        new: this run's decisions (all ``auto``).
        previous: the decisions file as the person left it.
        previous_auto: the file as the reconciler wrote it last time (optional).

    Returns:
        ``new`` with human rows replaced, in ``new``'s order.
    """
    if len(previous) == 0:
        return new
    human = previous["decided_by"].astype(str).eq(HUMAN)
    if previous_auto is not None and len(previous_auto):
        auto_qid = previous_auto.set_index("source_id")["qid"]
        was = previous["source_id"].map(auto_qid)
        human |= was.notna() & was.ne(previous["qid"])
    kept = previous[human].assign(decided_by=HUMAN).set_index("source_id")
    gone = sorted(set(kept.index.tolist()) - set(new["source_id"].tolist()))
    if gone:
        log.warning("%d human decisions refer to records no longer in the register: %s",
                    len(gone), ", ".join(gone[:10]))
    out = new.set_index("source_id")
    common = kept.index.intersection(out.index)
    out.loc[common, DECISION_COLUMNS[1:]] = kept.loc[common, DECISION_COLUMNS[1:]]
    return out.reset_index()[DECISION_COLUMNS]


def summarise(decisions: pd.DataFrame) -> dict[str, int]:
    """Counts for ``02_reconcile/summary.json``.

    Returns:
        ``records, matched_by_id, matched_by_geo, new, review, human`` (human rows are counted
        in ``human`` only).
    """
    auto = decisions[decisions["decided_by"] != HUMAN]
    is_qid = auto["qid"].str.match(_QID.pattern)
    by_id = is_qid & auto["reason"].str.startswith("identifier")
    return {
        "records": len(decisions),
        "matched_by_id": int(by_id.sum()),
        "matched_by_geo": int((is_qid & ~by_id).sum()),
        "new": int((auto["qid"] == NEW).sum()),
        "review": int((auto["qid"] == REVIEW).sum()),
        "human": int((decisions["decided_by"] == HUMAN).sum()),
    }


def review_table(decisions: pd.DataFrame, pairs: pd.DataFrame, records: pd.DataFrame,
                 entity_prefix: str, record_url: str | None = None) -> pd.DataFrame:
    """``02_reconcile/review.csv``: one row per (review record, candidate) for a person.

    Columns ``source_id, name, reason, candidate, candidate_label, distance_m, name_score,
    score, candidate_link, record_link``. Review rows from the identifier pass (an id on two
    items) list those items with empty distances.
    """
    cols = ["source_id", "name", "reason", "candidate", "candidate_label", "distance_m",
            "name_score", "score", "candidate_link", "record_link"]
    todo = decisions[(decisions["qid"] == REVIEW) & (decisions["decided_by"] != HUMAN)]
    names = records.assign(source_id=records["source_id"].astype(str)).set_index("source_id")["name"]
    by_sid = dict(list(pairs.groupby("source_id"))) if len(pairs) else {}  # GroupBy has a .keys
    rows = []
    for d in todo.itertuples(index=False):
        link = record_url.format(source_id=d.source_id) if record_url else ""
        base = {"source_id": d.source_id, "name": names.get(d.source_id, ""), "reason": d.reason,
                "record_link": link}
        listed = [c.split(":")[0] for c in str(d.candidates).split(";") if c]
        grp = by_sid.get(d.source_id)
        for qid in listed or [""]:
            info = grp[grp["qid"] == qid].iloc[0] if grp is not None and (grp["qid"] == qid).any() \
                else None
            rows.append({**base, "candidate": qid,
                         "candidate_label": "" if info is None else info["label"],
                         "distance_m": None if info is None else info["distance_m"],
                         "name_score": None if info is None else info["name_score"],
                         "score": None if info is None else info["score"],
                         "candidate_link": f"{entity_prefix}{qid}" if qid else ""})
    return pd.DataFrame(rows, columns=cols)


def write_outputs(decisions: pd.DataFrame, review: pd.DataFrame, stage: str | Path,
                  extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write ``decisions.csv``, its auto copy, ``review.csv`` and ``summary.json`` into ``stage``.

    The auto copy (:data:`AUTO_COPY`) is what the next run compares a person's edits against.

    Returns:
        The summary (counts from :func:`summarise` plus ``extra``, e.g. request counts).
    """
    stage = Path(stage)
    write_decisions(decisions, stage / DECISIONS_FILE)
    write_decisions(decisions, stage / AUTO_COPY)
    review.to_csv(stage / "review.csv", index=False, encoding="utf-8", lineterminator="\n")
    summary: dict[str, Any] = {**summarise(decisions), **(extra or {})}
    (stage / Path(RECONCILE_SUMMARY).name).write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return summary


def read_previous(stage: str | Path) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The decisions file a person may have edited, and the auto copy, if present in ``stage``.

    Raises:
        ReconcileError: an edited file with a bad value (file, row, field).
    """
    stage = Path(stage)
    prev = stage / DECISIONS_FILE
    auto = stage / AUTO_COPY
    return (read_decisions(prev) if prev.is_file() else None,
            read_decisions(auto) if auto.is_file() else None)
