"""Suggestions a person reviews before anything is written back (``suggestions_*.csv``).

* **P18** (image) for monuments without one: the best *eligible* contest photo matched to the
  monument. The rule, in order: the photo used on the most wiki pages (globalusage), then the
  largest pixel count, then the earliest upload, then the file name.
* **P373** (Commons category) for monuments without one: a category (other than the contest's
  own tracking categories) that holds at least :data:`MIN_CATEGORY_FILES` contest files matched
  to this monument and no contest file of another monument.
* **P180** (depicts) on files that carry the monument's ID (template or tracker category) but
  no depicts statement at all: the file's MediaInfo gets ``P180 = the monument's item``.

Every file has an empty ``accept`` column: write ``yes`` (or ``y``, ``x``, ``1``, ``true``)
where the suggestion is right; ``wlkit writeback`` applies only those rows.
"""

from __future__ import annotations

import pandas as pd

from modeling.columns import isin
from modeling.contest.rules import ContestRules

#: Contest files a category needs before it is suggested as a monument's P373.
MIN_CATEGORY_FILES = 2
SUGGESTION_COLUMNS = [
    "entity",
    "property",
    "value",
    "monument_id",
    "item",
    "label",
    "file",
    "reason",
    "accept",
]
#: Category name prefixes that are contest/maintenance tracking, never a monument's category.
TRACKING_PREFIXES = (
    "Images from Wiki Loves",
    "Uploaded via Campaign",
    "Media needing categories",
    "Uploaded with UploadWizard",
    "Files with no machine-readable",
)


def suggest_p18(
    monuments: pd.DataFrame, uploads: pd.DataFrame, eligibility: pd.DataFrame
) -> pd.DataFrame:
    """The best eligible photo for every monument without an image (rule in the module docstring)."""
    want = monuments[monuments["image"].isna()][["item", "id", "label"]]
    ok = eligibility[eligibility["eligible"] & eligibility["item"].notna()][["title", "item"]]
    cand = ok.merge(
        uploads[["title", "globalusage", "width", "height", "uploaded_at"]], on="title"
    ).merge(want, on="item")
    cand = cand.assign(pixels=cand["width"].fillna(0) * cand["height"].fillna(0))
    cand = cand.sort_values(
        ["item", "globalusage", "pixels", "uploaded_at", "title"],
        ascending=[True, False, False, True, True],
    )
    best = cand.drop_duplicates("item")
    reason = (
        "best eligible contest photo (used on "
        + best["globalusage"].astype(str)
        + " pages, "
        + (best["pixels"] / 1e6).round(1).astype(str)
        + " MP)"
    )
    return _frame(
        best["item"], "P18", best["title"].str.removeprefix("File:"), best, reason, best["title"]
    )


def suggest_p373(
    monuments: pd.DataFrame, uploads: pd.DataFrame, files: pd.DataFrame, rules: ContestRules
) -> pd.DataFrame:
    """A Commons category for monuments without P373 (rule in the module docstring)."""
    matched = files[files["status"] == "matched"][["title", "item"]]
    cats = (
        matched.merge(uploads[["title", "categories"]], on="title").explode("categories").dropna()
    )
    cats = cats.assign(
        category=cats["categories"].str.removeprefix("Category:").str.replace("_", " ")
    )
    skip = cats["category"].str.startswith(TRACKING_PREFIXES)
    if rules.tracker_category:
        skip |= cats["category"] == rules.tracker_category
    skip |= isin(cats["category"], monuments["commons_category"].dropna().str.replace("_", " "))
    cats = cats[~skip]
    per = cats.groupby(["category", "item"]).size().reset_index(name="files")
    owners = per.groupby("category")["item"].nunique()
    per = per[per["category"].map(owners).eq(1) & (per["files"] >= MIN_CATEGORY_FILES)]
    want = monuments[monuments["commons_category"].isna()][["item", "id", "label"]]
    best = per.merge(want, on="item").sort_values(
        ["item", "files", "category"], ascending=[True, False, True]
    )
    best = best.drop_duplicates("item")
    reason = (
        "holds "
        + best["files"].astype(str)
        + " contest photos of this monument and none of another"
    )
    return _frame(
        best["item"], "P373", best["category"], best, reason, pd.Series(None, index=best.index)
    )


def suggest_p180(
    monuments: pd.DataFrame, uploads: pd.DataFrame, files: pd.DataFrame
) -> pd.DataFrame:
    """P180 on files that carry their monument's ID but no depicts statement."""
    ided = files[
        (files["status"] == "matched")
        & (";" + files["channels"] + ";").str.contains(";id;", regex=False)
    ]
    frame = ided[["title", "item"]].merge(uploads[["title", "mediainfo_id", "depicts"]], on="title")
    frame = frame[frame["depicts"].str.len() == 0]
    frame = frame.merge(monuments[["item", "id", "label"]].drop_duplicates("item"), on="item")
    return _frame(
        frame["mediainfo_id"],
        "P180",
        frame["item"],
        frame,
        pd.Series("the file carries the monument's ID but no depicts", index=frame.index),
        frame["title"],
    )


def _frame(
    entity: pd.Series,
    prop: str,
    value: pd.Series,
    rows: pd.DataFrame,
    reason: pd.Series,
    file: pd.Series,
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "entity": entity.to_numpy(),
            "property": prop,
            "value": value.to_numpy(),
            "monument_id": rows["id"].to_numpy(),
            "item": rows["item"].to_numpy(),
            "label": rows["label"].to_numpy(),
            "file": file.to_numpy(),
            "reason": reason.to_numpy(),
            "accept": "",
        },
        columns=SUGGESTION_COLUMNS,
    )
    return out.sort_values(["entity", "value"], ignore_index=True)


ACCEPT_WORDS = frozenset({"yes", "y", "x", "1", "true", "ja", "oui", "sí", "si"})


def accepted(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows a person accepted (``accept`` is yes/y/x/1/true, any case)."""
    flag = frame["accept"].fillna("").astype(str).str.strip().str.lower().isin(ACCEPT_WORDS)
    return frame[flag]
