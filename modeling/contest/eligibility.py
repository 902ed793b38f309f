"""Eligibility before the jury: every reason a file cannot be judged, and the jury export.

Reasons (a file may have several; ``eligibility.csv`` lists them all, ``;``-separated):

* ``uploaded_outside_window`` — uploaded before the first or after the last contest day (UTC);
* ``exif_date_outside_window`` — the camera date (EXIF DateTimeOriginal) is outside the window
  (only when the rules ask for it; a file without an EXIF date is not refused for that);
* ``below_min_resolution`` — width × height under the minimum (2 MP unless configured);
* ``file_type`` — a MIME type the contest does not accept;
* ``no_id`` — no monument ID in the file (template or tracker category);
* ``unknown_id`` — an ID that is not a monument in scope;
* ``several_monuments`` — the ID template, depicts or categories name two or more monuments;
* ``duplicate`` — the same SHA-1 as an earlier upload (the earliest is kept);
* ``by_juror`` / ``by_organiser`` — uploaded by a member of the jury or the organising team.
"""

from __future__ import annotations

import pandas as pd

from modeling.columns import day_of, look_up
from modeling.contest.rules import ContestRules

REASONS = (
    "uploaded_outside_window",
    "exif_date_outside_window",
    "below_min_resolution",
    "file_type",
    "no_id",
    "unknown_id",
    "several_monuments",
    "duplicate",
    "by_juror",
    "by_organiser",
)
#: Columns of the jury export (the form jury tools such as Montage import).
JURY_COLUMNS = ["file", "uploader", "monument_id", "item", "region"]


ELIGIBILITY_COLUMNS = ["title", "uploader", "uploaded_at", "eligible", "reasons", "duplicate_of", "monument_id",
                       "item", "region"]


def _outside(day: pd.Series, rules: ContestRules) -> pd.Series:
    return (day < rules.start_iso) | (day > rules.end_iso)


def _file_flags(frame: pd.DataFrame, rules: ContestRules) -> dict[str, pd.Series]:
    """Dates, resolution and file type."""
    day, exif = day_of(frame["uploaded_at"]), day_of(frame["exif_datetime"])
    pixels = (pd.to_numeric(frame["width"], errors="coerce").fillna(0)
              * pd.to_numeric(frame["height"], errors="coerce").fillna(0))
    return {
        "uploaded_outside_window": day.isna() | _outside(day, rules),
        "exif_date_outside_window": (exif.notna() & _outside(exif, rules)) if rules.exif_window
        else pd.Series(False, index=frame.index),
        "below_min_resolution": pixels < rules.min_megapixels * 1_000_000,
        "file_type": ~frame["mime"].fillna("").str.lower().isin([t.lower() for t in rules.file_types]),
    }


def _duplicate_of(frame: pd.DataFrame) -> pd.Series:
    """The earliest upload with the same SHA-1 (None for the earliest itself)."""
    order = frame.assign(_day=frame["uploaded_at"].fillna("~")).sort_values(["_day", "title"])
    first = order.dropna(subset=["sha1"]).groupby("sha1", sort=False)["title"].first()
    dup = frame["sha1"].map(first)
    return dup.where(dup != frame["title"], None)


def check_eligibility(uploads: pd.DataFrame, files: pd.DataFrame, rules: ContestRules,
                      regions: pd.Series | None = None) -> pd.DataFrame:
    """Every reason per file, column-wise.

    Args:
        uploads: The contest uploads (normalised).
        files: :attr:`~modeling.contest.match.MatchResult.files` (status, item, monument ID).
        rules: The contest rules.
        regions: Optional ``item → region QID`` map for the region column.

    Returns:
        :data:`ELIGIBILITY_COLUMNS`, in upload order.
    """
    frame = uploads[["title", "uploader", "uploaded_at", "exif_datetime", "width", "height", "mime", "sha1"]]
    frame = frame.merge(files[["title", "status", "item", "monument_id"]], on="title", how="left")
    frame["duplicate_of"] = _duplicate_of(frame)
    flags = {
        **_file_flags(frame, rules),
        "no_id": frame["status"].eq("unmatched") | (frame["status"].eq("matched") & ~_has_id(files, frame)),
        "unknown_id": frame["status"].eq("unknown_id"),
        "several_monuments": frame["status"].eq("several_monuments"),
        "duplicate": frame["duplicate_of"].notna(),
        "by_juror": frame["uploader"].isin(rules.jurors),
        "by_organiser": frame["uploader"].isin(rules.organisers),
    }
    reasons = pd.Series("", index=frame.index)
    for name in REASONS:
        reasons = reasons.where(~flags[name], reasons + ";" + name)
    frame["reasons"] = reasons.str.lstrip(";")
    frame["eligible"] = frame["reasons"] == ""
    frame["region"] = look_up(frame["item"], regions) if regions is not None else None
    return frame[ELIGIBILITY_COLUMNS]


def _has_id(files: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    """Whether the file carries its monument's ID (a match by depicts or category alone has none)."""
    if frame.empty:
        return pd.Series(False, index=frame.index, dtype=bool)
    channels = frame["title"].map(files.set_index("title")["channels"]).fillna("")
    return (";" + channels + ";").str.contains(";id;", regex=False)


def reason_counts(eligibility: pd.DataFrame) -> dict[str, int]:
    """Files per reason (every reason of :data:`REASONS`, zero included), plus ``eligible``."""
    exploded = eligibility["reasons"].str.split(";").explode()
    counts = exploded[exploded != ""].value_counts()
    out = {name: int(counts.get(name, 0)) for name in REASONS}
    return {"eligible": int(eligibility["eligible"].sum()), **out}


def jury_export(eligibility: pd.DataFrame) -> pd.DataFrame:
    """The eligible files in the jury tool's import form (file name without ``File:``)."""
    ok = eligibility[eligibility["eligible"]]
    return pd.DataFrame(
        {
            "file": ok["title"].str.removeprefix("File:"),
            "uploader": ok["uploader"],
            "monument_id": ok["monument_id"],
            "item": ok["item"],
            "region": ok["region"],
        }
    )[JURY_COLUMNS].sort_values("file", ignore_index=True)
