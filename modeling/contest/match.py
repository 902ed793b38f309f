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

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from modeling.contest.columns import arrow, isin, join_per_group
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
    """``title, key`` from the ID template: Arrow regex for the usual one template per file, the
    (rare) files with several templates through pandas."""
    pattern = template_regex(name)
    arrow_pattern = pattern.replace("(?=[|}])", "[|}]").replace("([^|}]*?)", "(?P<key>[^|}]*?)")
    text = arrow(uploads["wikitext"].fillna(""))
    count = pc.count_substring_regex(text, arrow_pattern).to_numpy(zero_copy_only=False)
    single = count == 1
    keys = pc.struct_field(pc.extract_regex(text.filter(pa.array(single)), arrow_pattern), "key")
    parts = [
        pd.DataFrame(
            {
                "title": uploads["title"].to_numpy()[single],
                "key": keys.to_numpy(zero_copy_only=False),
            }
        )
    ]
    multi = uploads[count > 1]
    if len(multi):
        found = multi["wikitext"].str.extractall(pattern)
        rows = found.index.get_level_values(0)
        parts.append(
            pd.DataFrame({"title": multi.loc[rows, "title"].to_numpy(), "key": found[0].to_numpy()})
        )
    return pd.concat(parts, ignore_index=True)


def _tracker_ids(uploads: pd.DataFrame, category: str) -> pd.DataFrame:
    """``title, key`` from the sort keys under which the files sit in the tracker category."""
    keys = uploads[["title", "category_sortkeys"]].explode("category_sortkeys").dropna()
    prefix = f"Category:{category}|".replace("_", " ")
    text = arrow(keys["category_sortkeys"])
    mask = pc.starts_with(pc.replace_substring(text, "_", " "), prefix).to_numpy(
        zero_copy_only=False
    )
    key = pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(text.filter(pa.array(mask)), len(prefix)))
    return pd.DataFrame(
        {"title": keys["title"].to_numpy()[mask], "key": key.to_numpy(zero_copy_only=False)}
    )


def _ids_from_files(uploads: pd.DataFrame, rules: ContestRules) -> pd.DataFrame:
    """``title, key`` for every ID the files carry (template parameter or tracker sort key)."""
    parts = [pd.DataFrame({"title": pd.Series(dtype=str), "key": pd.Series(dtype=str)})]
    if rules.id_template:
        parts.append(_template_ids(uploads, rules.id_template))
    if rules.tracker_category:
        parts.append(_tracker_ids(uploads, rules.tracker_category))
    ids = pd.concat(parts, ignore_index=True).astype({"title": "str", "key": "str"})
    ids = ids[ids["key"].fillna("").str.len() > 0]
    return ids.drop_duplicates(ignore_index=True)


def _pairs(
    uploads: pd.DataFrame,
    monuments: pd.DataFrame,
    ids: pd.DataFrame,
    keys: pd.Series,
    category_files: pd.DataFrame,
) -> pd.DataFrame:
    """Every (title, item, channel) the three channels produce."""
    by_key = pd.DataFrame({"key": keys.to_numpy(), "item": monuments["item"].to_numpy()})
    by_key = by_key[by_key["key"] != ""]
    id_pairs = ids.merge(by_key, on="key")[["title", "item"]].assign(channel="id")
    dep = uploads[["title", "depicts"]].explode("depicts").dropna()
    dep = dep.rename(columns={"depicts": "item"}).merge(monuments[["item"]], on="item")
    cats = monuments[["item", "commons_category"]].dropna()
    cats = cats.assign(category=cats["commons_category"].str.replace("_", " "))[
        ["item", "category"]
    ]
    in_cat = uploads[["title", "categories"]].explode("categories").dropna()
    in_cat = pd.DataFrame(
        {
            "title": in_cat["title"].to_numpy(),
            "category": in_cat["categories"]
            .str.replace("_", " ")
            .str.removeprefix("Category:")
            .to_numpy(),
        }
    )
    members = category_files[isin(category_files["title"], uploads["title"])][["category", "title"]]
    members = members.assign(
        category=members["category"].str.replace("_", " ").str.removeprefix("Category:")
    )
    cat_pairs = pd.concat([in_cat, members], ignore_index=True).merge(cats, on="category")
    return pd.concat(
        [
            id_pairs,
            dep.assign(channel="depicts"),
            cat_pairs[["title", "item"]].assign(channel="category"),
        ],
        ignore_index=True,
    ).drop_duplicates(ignore_index=True)


def _channels(pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per (title, item) with its channels in :data:`CHANNELS` order, as a bit mask
    summed per group (no Python call per group)."""
    bits = pairs["channel"].map({c: 1 << i for i, c in enumerate(CHANNELS)}).astype("int64")
    grouped = (
        pairs.assign(bits=bits).groupby(["title", "item"], sort=True)["bits"].sum().reset_index()
    )
    names = {
        m: ";".join(c for i, c in enumerate(CHANNELS) if m & (1 << i))
        for m in range(1, 1 << len(CHANNELS))
    }
    return grouped.assign(channels=grouped["bits"].map(names))[["title", "item", "channels"]]


def match_uploads(
    uploads: pd.DataFrame,
    monuments: pd.DataFrame,
    rules: ContestRules,
    category_files: pd.DataFrame | None = None,
) -> MatchResult:
    """Assign every upload to the monuments its ID, depicts and categories name.

    Args:
        uploads: ``07_contest/uploads.parquet`` (normalised: list cells never null).
        monuments: Monuments frame (``item, id, commons_category`` used).
        rules: Contest rules (ID template, tracker category, ID format).
        category_files: Members of the monuments' P373 categories (``category, title``).

    Returns:
        The :class:`MatchResult`.
    """
    if category_files is None:
        category_files = pd.DataFrame(
            {"category": pd.Series(dtype=str), "title": pd.Series(dtype=str)}
        )
    keys = format_ids(monuments, rules.id_format)
    ids = _ids_from_files(uploads, rules)
    pairs = _pairs(uploads, monuments, ids, keys, category_files)
    grouped = _channels(pairs)
    unknown = ids[~isin(ids["key"], keys[keys != ""])]
    files = pd.DataFrame({"title": uploads["title"]})
    n_items = grouped.groupby("title").size()
    files["n_monuments"] = files["title"].map(n_items).fillna(0).astype("int64")
    files["items"] = (
        files["title"].map(join_per_group(grouped["item"], grouped["title"])).fillna("")
    )
    files["ids"] = files["title"].map(join_per_group(ids["key"], ids["title"])).fillna("")
    files["unknown_ids"] = (
        files["title"].map(join_per_group(unknown["key"], unknown["title"])).fillna("")
    )
    single = grouped[grouped["title"].map(n_items) == 1].set_index("title")
    files["item"] = files["title"].map(single["item"])
    files["channels"] = files["title"].map(single["channels"]).fillna("")
    files["monument_id"] = files["item"].map(
        monuments.drop_duplicates("item").set_index("item")["id"]
    )
    files["status"] = "unmatched"
    files.loc[files["unknown_ids"] != "", "status"] = "unknown_id"
    files.loc[files["n_monuments"] > 1, "status"] = "several_monuments"
    files.loc[files["n_monuments"] == 1, "status"] = "matched"
    cols = [
        "title",
        "status",
        "item",
        "monument_id",
        "channels",
        "items",
        "ids",
        "unknown_ids",
        "n_monuments",
    ]
    return MatchResult(files=files[cols], pairs=grouped)


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
