"""Coverage over time: at a date, which monuments are on Wikidata, in scope, and photographed.

A monument counts as *photographed before the contest* when it has an image (P18) that is not a
contest upload, or its Commons category (P373) holds a file that is not a contest upload. It is
*newly pictured* when it was not photographed before and a contest upload matched to it was
uploaded on or before the date. Items the campaign's own upload created after the date (its
``04_upload`` ledger) were not yet on Wikidata then.
"""

from __future__ import annotations

import pandas as pd

from modeling.columns import day_of, isin, look_up
from modeling.contest.rules import ContestRules

STATUS = ("photographed_before", "newly_pictured", "not_pictured")
COVERAGE_COLUMNS = [
    "region",
    "region_label",
    "on_wikidata",
    "in_scope",
    "photographed_before",
    "newly_pictured",
    "photographed",
    "not_pictured",
    "photographed_pct",
]


def monument_status(
    monuments: pd.DataFrame,
    uploads: pd.DataFrame,
    files: pd.DataFrame,
    category_files: pd.DataFrame,
    *,
    at: str | None = None,
    created: pd.Series | dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per monument with its coverage status at ``at``.

    Args:
        monuments: Monuments frame.
        uploads: Contest uploads (``title, uploaded_at``).
        files: Match result per file (``title, status, item``).
        category_files: Members of the monuments' P373 categories.
        at: ``YYYY-MM-DD``: count contest uploads up to the end of that day (None: all).
        created: ``item → creation day`` for items the campaign created (None: all existed).

    Returns:
        Monument columns plus ``on_wikidata, photographed_before, first_upload, uploads, status``.
    """
    contest_titles = uploads["title"]
    out = monuments.copy()
    image_title = "File:" + out["image"].fillna("").str.replace("_", " ")
    own_image = out["image"].notna() & ~isin(image_title, contest_titles)
    older = category_files[~isin(category_files["title"], contest_titles)]
    cats = older["category"].str.replace("_", " ").str.removeprefix("Category:")
    in_cat = (
        isin(out["commons_category"].fillna("").str.replace("_", " "), cats)
        & out["commons_category"].notna()
    )
    out["photographed_before"] = own_image | in_cat
    matched = files[files["status"] == "matched"][["title", "item"]].merge(
        pd.DataFrame({"title": uploads["title"], "day": day_of(uploads["uploaded_at"])}), on="title"
    )
    if at is not None:
        matched = matched[matched["day"].notna() & (matched["day"] <= at)]
    per_item = matched.groupby("item").agg(first_upload=("day", "min"), uploads=("title", "size"))
    out["first_upload"] = look_up(out["item"], per_item["first_upload"])
    out["uploads"] = look_up(out["item"], per_item["uploads"], 0).astype("int64")
    out["on_wikidata"] = True
    if created is not None and at is not None:
        made = look_up(out["item"], pd.Series(created, dtype="str"), "")  # "" sorts before any day
        out["on_wikidata"] = made <= at
    status = pd.Series("not_pictured", index=out.index)
    status[out["uploads"] > 0] = "newly_pictured"
    status[out["photographed_before"]] = "photographed_before"
    out["status"] = status
    return out


def coverage_by_region(status: pd.DataFrame) -> pd.DataFrame:
    """``coverage.csv``: per region, then a ``total`` row (region empty)."""
    frame = status.assign(
        region=status["region"].fillna(""),
        region_label=status["region_label"].fillna(""),
        before=status["status"].eq("photographed_before"),
        new=status["status"].eq("newly_pictured"),
        none=status["status"].eq("not_pictured"),
    )
    grouped = (
        frame.groupby(["region", "region_label"], sort=True)
        .agg(
            on_wikidata=("on_wikidata", "sum"),
            in_scope=("item", "size"),
            photographed_before=("before", "sum"),
            newly_pictured=("new", "sum"),
            not_pictured=("none", "sum"),
        )
        .reset_index()
    )
    total = grouped.drop(columns=["region", "region_label"]).sum().to_frame().T
    total.insert(0, "region_label", "total")
    total.insert(0, "region", "")
    table = pd.concat([grouped, total], ignore_index=True)
    table["photographed"] = table["photographed_before"] + table["newly_pictured"]
    table["photographed_pct"] = (
        (100 * table["photographed"] / table["in_scope"].where(table["in_scope"] > 0))
        .round(1)
        .fillna(0.0)
    )
    for col in COVERAGE_COLUMNS[2:-1]:
        table[col] = table[col].astype("int64")
    return table[COVERAGE_COLUMNS]


def coverage_curve(status: pd.DataFrame, rules: ContestRules) -> pd.DataFrame:
    """The campaign's curve over the contest days: cumulative newly pictured and photographed.

    Args:
        status: From :func:`monument_status` (computed without ``at``).
        rules: Contest days.

    Returns:
        ``date, newly_pictured, photographed, photographed_pct`` per contest day.
    """
    days = pd.Series(rules.days())
    new = status[status["status"] == "newly_pictured"]["first_upload"].value_counts()
    per_day = days.map(new).fillna(0).astype("int64")
    early = int((new[new.index < rules.start_iso]).sum())
    newly = per_day.cumsum() + early
    before = int(status["photographed_before"].sum())
    scope = max(len(status), 1)
    return pd.DataFrame(
        {
            "date": days,
            "newly_pictured": newly,
            "photographed": newly + before,
            "photographed_pct": (100 * (newly + before) / scope).round(1),
        }
    )
