"""Match contest uploads to monuments through three channels, recording which one matched.

1. ``id``: the ID template in the file's wikitext (``{{Monument Sweden|21300000012345}}``) or the
   sort key under which the file sits in the tracker category "… with known IDs";
2. ``depicts``: a P180 (depicts) statement of the file's MediaInfo naming the monument's item;
3. ``category``: membership of the monument's own Commons category (its P373).

Each upload gets one status: ``matched`` (exactly one monument), ``several_monuments`` (the
channels name two or more), ``unknown_id`` (an ID that is not a monument in scope and no other
match) or ``unmatched`` (nothing at all). Everything but ``matched`` goes to ``review.csv``.
All work is column-wise (explode + merge), so 250,000 uploads against 10⁶ monuments take seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from modeling.columns import arrow, join_per_group, positions
from modeling.contest.rules import ContestRules, format_ids

#: Channel names, in the order they are reported.
CHANNELS = ("id", "depicts", "category")
STATUSES = ("matched", "several_monuments", "unknown_id", "unmatched")


@dataclass
class MatchResult:
    """The outcome of :func:`match_uploads`.

    Attributes:
        files: One row per upload: ``title, status, item, monument_id, channels, items, ids,
            unknown_ids`` (``item``/``monument_id`` only when exactly one monument matched).
        pairs: One row per (upload, monument): ``title, item, channels``.
    """

    files: pd.DataFrame
    pairs: pd.DataFrame


def template_regex(name: str) -> str:
    """A regex for the first positional (or ``1=``) parameter of ``{{name|…}}``.

    MediaWiki treats the first letter of a template name case-insensitively and spaces and
    underscores alike.

    >>> import re
    >>> re.findall(template_regex("Monument Sweden"), "{{monument_Sweden| 213 }}{{Monument Sweden|1=9}}")
    ['213', '9']
    """
    first, rest = name[0], name[1:]
    head = (
        f"[{re.escape(first.upper())}{re.escape(first.lower())}]"
        if first.isalpha()
        else re.escape(first)
    )
    body = "".join("[ _]" if ch in " _" else re.escape(ch) for ch in rest)
    return (
        r"\{\{\s*(?:[Tt]emplate:\s*)?" + head + body + r"\s*\|\s*(?:1\s*=\s*)?([^|}]*?)\s*(?=[|}])"
    )


def _template_ids(uploads: pd.DataFrame, name: str) -> pd.DataFrame:
    """``row, key`` from the ID template: Arrow regex for the usual one template per file, the
    (rare) files with several templates through pandas."""
    pattern = template_regex(name)
    arrow_pattern = pattern.replace("(?=[|}])", "[|}]").replace("([^|}]*?)", "(?P<key>[^|}]*?)")
    text = arrow(uploads["wikitext"].fillna(""))
    count = pc.count_substring_regex(text, arrow_pattern).to_numpy(zero_copy_only=False)
    single = count == 1
    keys = pc.struct_field(pc.extract_regex(text.filter(pa.array(single)), arrow_pattern), "key")
    parts = [
        pd.DataFrame({"row": np.flatnonzero(single), "key": keys.to_numpy(zero_copy_only=False)})
    ]
    multi = uploads[count > 1]
    if len(multi):
        found = multi["wikitext"].str.extractall(pattern)
        parts.append(
            pd.DataFrame(
                {"row": found.index.get_level_values(0).to_numpy(), "key": found[0].to_numpy()}
            )
        )
    return pd.concat(parts, ignore_index=True)


def _tracker_ids(uploads: pd.DataFrame, category: str) -> pd.DataFrame:
    """``row, key`` from the sort keys under which the files sit in the tracker category."""
    keys = uploads["category_sortkeys"].explode().dropna()
    prefix = f"Category:{category}|".replace("_", " ")
    text = arrow(keys)
    mask = pc.starts_with(pc.replace_substring(text, "_", " "), prefix).to_numpy(
        zero_copy_only=False
    )
    key = pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(text.filter(pa.array(mask)), len(prefix)))
    return pd.DataFrame(
        {"row": keys.index.to_numpy()[mask], "key": key.to_numpy(zero_copy_only=False)}
    )


def _ids_from_files(uploads: pd.DataFrame, rules: ContestRules) -> pd.DataFrame:
    """``row, key`` for every ID the files carry (template parameter or tracker sort key)."""
    parts = [pd.DataFrame({"row": pd.Series(dtype="int64"), "key": pd.Series(dtype=str)})]
    if rules.id_template:
        parts.append(_template_ids(uploads, rules.id_template))
    if rules.tracker_category:
        parts.append(_tracker_ids(uploads, rules.tracker_category))
    ids = pd.concat(parts, ignore_index=True).astype({"row": "int64", "key": "str"})
    ids = ids[ids["key"].fillna("").str.len() > 0]
    return ids.drop_duplicates(ignore_index=True)


def _normal_category(values: pd.Series) -> pd.Series:
    return values.str.replace("_", " ").str.removeprefix("Category:")


def _pairs(
    uploads: pd.DataFrame,
    monuments: pd.DataFrame,
    ids: pd.DataFrame,
    keys: pd.Series,
    category_files: pd.DataFrame,
) -> pd.DataFrame:
    """Every (upload row, monument row, channel bit) the three channels produce."""
    parts = [pd.DataFrame({"row": ids["row"].to_numpy(), "mon": ids["mon"].to_numpy(), "bit": 1})]
    dep = uploads["depicts"].explode().dropna()
    parts.append(
        pd.DataFrame(
            {"row": dep.index.to_numpy(), "mon": positions(dep, monuments["item"]), "bit": 2}
        )
    )
    cats = _normal_category(monuments["commons_category"].fillna(""))
    in_cat = uploads["categories"].explode().dropna()
    parts.append(
        pd.DataFrame(
            {
                "row": in_cat.index.to_numpy(),
                "mon": positions(_normal_category(in_cat), cats),
                "bit": 4,
            }
        )
    )
    if len(category_files):
        rows = positions(category_files["title"], uploads["title"])
        mons = positions(_normal_category(category_files["category"]), cats)
        parts.append(pd.DataFrame({"row": rows, "mon": mons, "bit": 4}))
    pairs = pd.concat(parts, ignore_index=True)
    pairs = pairs[(pairs["row"] >= 0) & (pairs["mon"] >= 0)].drop_duplicates()
    return pairs.groupby(["row", "mon"], sort=True)["bit"].sum().reset_index()


#: Channel bit mask → channel names in :data:`CHANNELS` order.
_CHANNEL_NAMES = {
    m: ";".join(c for i, c in enumerate(CHANNELS) if m & (1 << i))
    for m in range(1, 1 << len(CHANNELS))
}


FILE_COLUMNS = ["title", "status", "item", "monument_id", "channels", "items", "ids", "unknown_ids", "n_monuments"]


def _per_row(values: np.ndarray, rows: pd.Series, n: int) -> pd.Series:
    """``values`` placed at upload rows ``rows`` (one value per row), missing elsewhere."""
    return pd.Series(values, index=rows.to_numpy(), dtype="str").reindex(range(n))


def _files(uploads: pd.DataFrame, monuments: pd.DataFrame, ids: pd.DataFrame, grouped: pd.DataFrame) -> pd.DataFrame:
    """One row per upload (:data:`FILE_COLUMNS`) from the (row, monument, channel bits) pairs."""
    size = len(uploads)
    mon_items, mon_ids = monuments["item"].to_numpy(), monuments["id"].to_numpy()
    n = np.bincount(grouped["row"], minlength=size)
    files = pd.DataFrame({"title": uploads["title"].to_numpy(), "n_monuments": n.astype("int64")})
    multi, one = grouped[n[grouped["row"]] > 1], grouped[n[grouped["row"]] == 1]
    files["items"] = join_per_group(pd.Series(mon_items[multi["mon"]]), multi["row"]).reindex(files.index).fillna("")
    files["item"] = _per_row(mon_items[one["mon"]], one["row"], size)
    files.loc[n == 1, "items"] = files.loc[n == 1, "item"]
    files["monument_id"] = _per_row(mon_ids[one["mon"]], one["row"], size)
    files["channels"] = _per_row(one["bit"].map(_CHANNEL_NAMES).to_numpy(), one["row"], size).fillna("")
    files["ids"] = join_per_group(ids["key"], ids["row"]).reindex(files.index).fillna("")
    unknown = ids[ids["mon"] < 0]
    files["unknown_ids"] = join_per_group(unknown["key"], unknown["row"]).reindex(files.index).fillna("")
    files["status"] = "unmatched"
    files.loc[files["unknown_ids"] != "", "status"] = "unknown_id"
    files.loc[files["n_monuments"] > 1, "status"] = "several_monuments"
    files.loc[files["n_monuments"] == 1, "status"] = "matched"
    return files[FILE_COLUMNS]


def match_uploads(uploads: pd.DataFrame, monuments: pd.DataFrame, rules: ContestRules,
                  category_files: pd.DataFrame | None = None) -> MatchResult:
    """Assign every upload to the monuments its ID, depicts and categories name.

    Args:
        uploads: ``07_contest/uploads.parquet`` (normalised: list cells never null, RangeIndex).
        monuments: Monuments frame (``item, id, commons_category`` used).
        rules: Contest rules (ID template, tracker category, ID format).
        category_files: Members of the monuments' P373 categories (``category, title``).

    Returns:
        The :class:`MatchResult`.
    """
    if category_files is None:
        category_files = pd.DataFrame({"category": pd.Series(dtype=str), "title": pd.Series(dtype=str)})
    monuments = monuments.reset_index(drop=True)
    keys = format_ids(monuments, rules.id_format)
    ids = _ids_from_files(uploads, rules)
    ids["mon"] = positions(ids["key"], keys)
    grouped = _pairs(uploads, monuments, ids, keys, category_files)
    pairs = pd.DataFrame({
        "title": uploads["title"].to_numpy()[grouped["row"]], "item": monuments["item"].to_numpy()[grouped["mon"]],
        "channels": grouped["bit"].map(_CHANNEL_NAMES).to_numpy(),
    })
    return MatchResult(files=_files(uploads, monuments, ids, grouped), pairs=pairs)


def review_rows(files: pd.DataFrame, uploads: pd.DataFrame) -> pd.DataFrame:
    """The uploads a person must look at, with the reason in words (``review.csv``).

    Args:
        files: :attr:`MatchResult.files`.
        uploads: The uploads (uploader, upload time).

    Returns:
        ``title, reason, ids, items, uploader, uploaded_at``, ordered by title.
    """
    todo = files[files["status"] != "matched"].merge(
        uploads[["title", "uploader", "uploaded_at"]], on="title"
    )
    reason = pd.Series("no ID, no depicts (P180) and in no monument's category", index=todo.index)
    several = todo["status"] == "several_monuments"
    reason[several] = "matched to several monuments: " + todo["items"][several].str.replace(
        ";", ", "
    )
    unknown = todo["status"] == "unknown_id"
    reason[unknown] = "unknown ID: " + todo["unknown_ids"][unknown].str.replace(";", ", ")
    todo = todo.assign(reason=reason)
    return todo[
        ["title", "status", "reason", "ids", "items", "uploader", "uploaded_at"]
    ].sort_values("title", ignore_index=True)
