"""Contest statistics in the conventions of the Wiki Loves statistics tool.

* per day: uploads, distinct uploaders, *new* uploaders (accounts registered on or after the
  contest's first day; an account without a registration date is an old one, as MediaWiki
  reports none for accounts from before 2005) and cumulative totals (uploaders counted once,
  on their first upload day);
* per uploader: uploads, eligible uploads, monuments photographed, images in use on wikis;
* per region: monuments in scope, photographed in the contest, newly pictured, uploads.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from modeling.columns import day_of
from modeling.contest.rules import ContestRules

DAILY_COLUMNS = [
    "date",
    "uploads",
    "uploaders",
    "new_uploaders",
    "cumulative_uploads",
    "cumulative_uploaders",
    "cumulative_new_uploaders",
]
UPLOADER_COLUMNS = [
    "user",
    "uploads",
    "eligible",
    "monuments",
    "images_in_use",
    "registration",
    "new",
    "first_upload",
    "last_upload",
]
REGION_COLUMNS = [
    "region",
    "region_label",
    "monuments",
    "photographed_in_contest",
    "newly_pictured",
    "uploads",
    "uploaders",
]


def new_users(users: pd.DataFrame, rules: ContestRules) -> set[str]:
    """Accounts registered on or after the first contest day."""
    reg = day_of(users["registration"])
    return set(users["user"][reg.notna() & (reg >= rules.start_iso)])


def daily(uploads: pd.DataFrame, users: pd.DataFrame, rules: ContestRules) -> pd.DataFrame:
    """``daily.csv``: one row per contest day (and any other day with uploads).

    Args:
        uploads: Contest uploads (``uploader, uploaded_at``).
        users: ``user, registration``.
        rules: Contest days.

    Returns:
        :data:`DAILY_COLUMNS`.
    """
    frame = pd.DataFrame(
        {"user": uploads["uploader"].fillna(""), "date": day_of(uploads["uploaded_at"])}
    ).dropna()
    new = new_users(users, rules)
    frame["new"] = frame["user"].isin(new)
    days = sorted(set(rules.days()) | set(frame["date"]))
    per = frame.groupby("date").agg(uploads=("user", "size"), uploaders=("user", "nunique"))
    per["new_uploaders"] = frame[frame["new"]].groupby("date")["user"].nunique()
    firsts = frame.groupby("user").agg(first=("date", "min"), new=("new", "first"))
    per["first_seen"] = firsts.groupby("first").size()
    per["first_seen_new"] = firsts[firsts["new"]].groupby("first").size()
    table = per.reindex(days).fillna(0).astype("int64").rename_axis("date").reset_index()
    table["cumulative_uploads"] = table["uploads"].cumsum()
    table["cumulative_uploaders"] = table["first_seen"].cumsum()
    table["cumulative_new_uploaders"] = table["first_seen_new"].cumsum()
    return table[DAILY_COLUMNS]


def uploaders(
    uploads: pd.DataFrame,
    users: pd.DataFrame,
    files: pd.DataFrame,
    eligibility: pd.DataFrame,
    rules: ContestRules,
) -> pd.DataFrame:
    """``uploaders.csv``: one row per uploader, most uploads first."""
    frame = (
        uploads[["title", "uploader", "uploaded_at", "globalusage"]]
        .merge(files[["title", "status", "item"]], on="title")
        .merge(eligibility[["title", "eligible"]], on="title")
    )
    frame = frame.assign(user=frame["uploader"].fillna(""), in_use=frame["globalusage"] > 0)
    frame["matched_item"] = frame["item"].where(frame["status"] == "matched")
    table = (
        frame.groupby("user")
        .agg(
            uploads=("title", "size"),
            eligible=("eligible", "sum"),
            monuments=("matched_item", "nunique"),
            images_in_use=("in_use", "sum"),
            first_upload=("uploaded_at", "min"),
            last_upload=("uploaded_at", "max"),
        )
        .reset_index()
    )
    reg = users.drop_duplicates("user").set_index("user")["registration"]
    table["registration"] = table["user"].map(reg)
    table["new"] = table["user"].isin(new_users(users, rules))
    table = table.sort_values(["uploads", "user"], ascending=[False, True], ignore_index=True)
    for col in ("uploads", "eligible", "monuments", "images_in_use"):
        table[col] = table[col].astype("int64")
    return table[UPLOADER_COLUMNS]


def regions(status: pd.DataFrame, files: pd.DataFrame, uploads: pd.DataFrame) -> pd.DataFrame:
    """``regions.csv``: per region, most monuments photographed in the contest first."""
    matched = files[files["status"] == "matched"][["title", "item"]].merge(
        uploads[["title", "uploader"]], on="title"
    )
    matched = matched.merge(status[["item", "region"]], on="item")
    frame = status.assign(
        region=status["region"].fillna(""),
        region_label=status["region_label"].fillna(""),
        shot=status["uploads"] > 0,
        new=status["status"].eq("newly_pictured"),
    )
    table = (
        frame.groupby(["region", "region_label"])
        .agg(
            monuments=("item", "size"),
            photographed_in_contest=("shot", "sum"),
            newly_pictured=("new", "sum"),
        )
        .reset_index()
    )
    by_region = matched.assign(region=matched["region"].fillna("")).groupby("region")
    table["uploads"] = table["region"].map(by_region.size()).fillna(0)
    table["uploaders"] = table["region"].map(by_region["uploader"].nunique()).fillna(0)
    for col in REGION_COLUMNS[2:]:
        table[col] = table[col].astype("int64")
    table = table.sort_values(
        ["photographed_in_contest", "uploads", "region_label"],
        ascending=[False, False, True],
        ignore_index=True,
    )
    return table[REGION_COLUMNS]


def summary(
    uploads: pd.DataFrame,
    users: pd.DataFrame,
    files: pd.DataFrame,
    status: pd.DataFrame,
    eligibility: pd.DataFrame,
    rules: ContestRules,
) -> dict[str, Any]:
    """The headline figures (``summary.json``); small, JSON-ready."""
    n = len(uploads)
    contestants = set(uploads["uploader"].dropna())
    counts = files["status"].value_counts()
    no_id = int((files["ids"] == "").sum())  # carries no ID at all (template or tracker)
    return {
        "start": rules.start_iso,
        "end": rules.end_iso,
        "uploads": n,
        "uploaders": len(contestants),
        "new_uploaders": len(contestants & new_users(users, rules)),
        "images_in_use": int((uploads["globalusage"] > 0).sum()),
        "matched": int(counts.get("matched", 0)),
        "several_monuments": int(counts.get("several_monuments", 0)),
        "unknown_id": int(counts.get("unknown_id", 0)),
        "unmatched": int(counts.get("unmatched", 0)),
        "without_id": no_id,
        "without_id_pct": round(100 * no_id / n, 1) if n else 0.0,
        "monuments": len(status),
        "monuments_photographed": int((status["uploads"] > 0).sum()),
        "photographed_before": int(status["status"].eq("photographed_before").sum()),
        "newly_pictured": int(status["status"].eq("newly_pictured").sum()),
        "not_pictured": int(status["status"].eq("not_pictured").sum()),
        "eligible": int(eligibility["eligible"].sum()),
    }
