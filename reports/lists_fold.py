"""Campaign lists, step 1: query rows → one table row per item → sections per region.

:func:`fold_items` folds the rows of ``sparql/lists_campaign_items.rq`` (one per item ×
multi-valued column) into one row per item, :func:`assemble` adds labels, designation and region
names and the links, :func:`sections` splits the rows per region (FIELD-NOTES §1.1–1.3).
Plain data in, plain data out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pandas as pd

from core.errors import CampaignError
from modeling.campaign import Campaign
from reports.entity_links import EntityLinks
from reports.filters import UploadWizardLinks, upload_wizard_url

NO_REGION = "no-region"
_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?Point\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$", re.IGNORECASE)
_FILEPATH = "/Special:FilePath/"


def parse_point(wkt: Any) -> tuple[float, float] | None:
    """``"Point(lon lat)"`` (WKT, optional CRS IRI) → ``(lat, lon)``, or None.

    >>> parse_point("Point(18.0686 59.3293)")
    (59.3293, 18.0686)
    """
    if not isinstance(wkt, str):
        return None
    m = _POINT.match(wkt)
    if not m:
        return None
    lon, lat = float(m.group(1)), float(m.group(2))
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def commons_file(value: Any) -> str | None:
    """Commons file name from a WDQS ``Special:FilePath`` IRI (or a bare name).

    >>> commons_file("http://commons.wikimedia.org/wiki/Special:FilePath/A%20b.jpg")
    'A b.jpg'
    """
    if not isinstance(value, str) or not value:
        return None
    if _FILEPATH in value:
        return unquote(value.split(_FILEPATH, 1)[1])
    return value


def format_time(value: Any) -> str | None:
    """Wikibase/xsd dateTime → ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (zero parts dropped).

    >>> format_time("+1990-00-00T00:00:00Z"), format_time("1998-10-20T00:00:00Z")
    ('1990', '1998-10-20')
    """
    if not isinstance(value, str) or not value:
        return None
    m = re.match(r"^([+-]?)(\d+)-(\d\d)-(\d\d)", value)
    if not m:
        return value
    sign, year, month, day = m.groups()
    year = ("-" if sign == "-" else "") + year.lstrip("0").rjust(4, "0")
    if month == "00":
        return year
    return f"{year}-{month}" if day == "00" else f"{year}-{month}-{day}"


def slug(label: str, qid: str | None) -> str:
    """File-name slug for a region: ASCII words + QID (unique even for equal names).

    >>> slug("Öbygd | kommun", "Q990002")
    'obygd-kommun-q990002'
    """
    if not qid:
        return NO_REGION
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60].strip("-")
    return f"{words}-{qid.lower()}" if words else qid.lower()


def _fold_into(acc: dict[str, dict[str, Any]], rows: pd.DataFrame) -> None:
    """Add one frame of scope rows to ``acc`` (item → what is known of it so far)."""
    cols = ["item", "id", "coord", "image", "commons_category", "address", "designation",
            "designation_start", "region"]
    data = {c: rows[c].tolist() if c in rows else [None] * len(rows) for c in cols}
    for item, id_, coord, image, cat, addr, desig, start, region in zip(*(data[c] for c in cols), strict=True):
        if not isinstance(item, str):
            continue
        rec = acc.get(item)
        if rec is None:
            rec = acc[item] = {"item": item, "id": None, "point": None, "image": None, "commons_category": None,
                               "address": None, "designations": [], "starts": [], "regions": []}
        if isinstance(id_, str) and (rec["id"] is None or id_ < rec["id"]):  # rows come in any order
            rec["id"] = id_
        point = parse_point(coord)
        if point and (rec["point"] is None or point < rec["point"]):
            rec["point"] = point
        file = commons_file(image)
        if file and (rec["image"] is None or file < rec["image"]):
            rec["image"] = file
        if isinstance(cat, str) and (rec["commons_category"] is None or cat < rec["commons_category"]):
            rec["commons_category"] = cat
        if isinstance(addr, str) and (rec["address"] is None or addr < rec["address"]):
            rec["address"] = addr
        if isinstance(desig, str) and desig not in rec["designations"]:
            rec["designations"].append(desig)
        if (start := format_time(start)) and start not in rec["starts"]:
            rec["starts"].append(start)
        if isinstance(region, str) and region not in rec["regions"]:
            rec["regions"].append(region)


def fold_items(rows: pd.DataFrame | Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Fold query rows (one per item × multi-valued column) into one row per item.

    Args:
        rows: Columns of ``lists_campaign_items.rq``: one frame, or parts of the scope folded as
            they come (an item may be in several parts, a row may repeat: the result is the same).

    Returns:
        Columns ``item, id, lat, lon, image, commons_category, address, designations (list),
        designation, designation_start, regions (list)``, sorted by item.
    """
    acc: dict[str, dict[str, Any]] = {}
    for part in [rows] if isinstance(rows, pd.DataFrame) else rows:
        _fold_into(acc, part)
    out = []
    for item in sorted(acc, key=lambda q: (len(q), q)):
        rec = acc[item]
        lat, lon = rec["point"] or (None, None)
        designations = sorted(rec["designations"])
        out.append({
            "item": item, "id": rec["id"], "lat": lat, "lon": lon, "image": rec["image"],
            "commons_category": rec["commons_category"], "address": rec["address"],
            "designations": designations, "designation": designations[0] if designations else None,
            "designation_start": min(rec["starts"]) if rec["starts"] else None,
            "regions": sorted(rec["regions"], key=lambda q: (len(q), q)),
        })
    frame = pd.DataFrame(out, columns=["item", "id", "lat", "lon", "image", "commons_category", "address",
                                       "designations", "designation", "designation_start", "regions"])
    frame["lat"] = frame["lat"].astype("float64")
    frame["lon"] = frame["lon"].astype("float64")
    return frame


class UploadLinks:
    """The UploadWizard link of each list row (FIELD-NOTES §1.1), for one campaign's
    ``lists.upload`` (campaign, id template, categories, language); every value percent-encoded."""

    def __init__(self, campaign: Campaign) -> None:
        up = campaign.lists.upload
        self.campaign = campaign
        self._links = UploadWizardLinks(up.campaign, up.description_language or campaign.languages[0], up.categories)

    def __call__(self, row: dict[str, Any]) -> str:
        """The link of ``row`` (a row of :func:`assemble`: id, item, label, lat, lon)."""
        return self._links.url(upload_id(self.campaign, row), row.get("label") or None, _none(row.get("lat")),
                               _none(row.get("lon")))


def upload_link(campaign: Campaign, row: dict[str, Any]) -> str:
    """The UploadWizard link of one list row (see :class:`UploadLinks`, which serves many)."""
    return UploadLinks(campaign)(row)


def upload_id(campaign: Campaign, row: dict[str, Any]) -> str:
    """The ``&id=`` of a row's upload link: ``lists.upload.id_template`` filled with its id and item.

    Raises:
        CampaignError: for a template using anything but ``{id}`` and ``{item}``.
    """
    template = campaign.lists.upload.id_template
    try:
        return template.format_map({"id": row.get("id") or "", "item": row["item"]})
    except (KeyError, ValueError) as exc:
        raise CampaignError(f"lists.upload.id_template should use only {{id}} and {{item}}, got "
                            f"{template!r} ({exc})") from None


def upload_templates(campaign: Campaign) -> dict[str, str]:
    """The campaign's upload link with tokens ``WLKTOKID`` / ``WLKTOKDESC`` for the id and label
    (``described``: a row with a label; ``plain``: without), completed in the map page."""
    up = campaign.lists.upload
    lang = up.description_language or campaign.languages[0]
    return {kind: upload_wizard_url(campaign=up.campaign, id="WLKTOKID", lang=lang, categories=up.categories,
                                    description="WLKTOKDESC" if kind == "described" else None)
            for kind in ("described", "plain")}


def assemble(
    campaign: Campaign,
    items: pd.DataFrame,
    item_labels: pd.DataFrame,
    picked: pd.DataFrame,
    names: pd.DataFrame,
    links: EntityLinks | None = None,
) -> pd.DataFrame:
    """Add labels, per-language label flags, names of designations and links to folded items.

    Args:
        campaign: The campaign (languages, upload settings).
        items: From :func:`fold_items`.
        item_labels: Raw labels of the items (``item, label, lang``; every fetched language).
        picked: One label per item after the fallback chain (``item, label, lang``).
        names: One label per region/designation entity (``item, label, lang``).
        links: How entity pages are linked on the target (default: Wikidata).

    Returns:
        ``items`` plus ``label, label_lang, has_label_<lang>…, designation_label,
        region_labels (list), upload_url, wikidata_url``.
    """
    # Columns are read as lists first: iterating a pyarrow-backed Series runs Python code per
    # value (10x slower than ``tolist``).
    table = items.copy()
    picked_items = picked["item"].tolist()
    label_of = dict(zip(picked_items, picked["label"].tolist(), strict=True))
    lang_of = dict(zip(picked_items, picked["lang"].tolist(), strict=True))
    table["label"] = table["item"].map(label_of)
    table["label_lang"] = table["item"].map(lang_of)
    items_list = table["item"].tolist()
    for lang in campaign.languages:
        have = set(item_labels.loc[item_labels["lang"] == lang, "item"].tolist())
        table[f"has_label_{lang}"] = [q in have for q in items_list]  # isin(set): 4x slower at 10⁶
    name_of = dict(zip(names["item"].tolist(), names["label"].tolist(), strict=True))
    table["designation_label"] = [
        "; ".join(name_of.get(d, d) for d in ds) if ds else None for ds in table["designations"].tolist()]
    table["region_labels"] = [[name_of.get(r, r) for r in rs] for rs in table["regions"].tolist()]
    link = UploadLinks(campaign)
    table["upload_url"] = [link(r) for r in records(table[["item", "id", "label", "lat", "lon"]])]
    entity = links or EntityLinks()
    table["wikidata_url"] = [entity.url(q) for q in items_list]
    return table


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of the table as dicts with missing values as None (one conversion, reused by every
    output: per-region pandas work costs more than the queries at 100k items)."""
    columns = [str(c) for c in table.columns]
    values = [table[c].to_numpy(dtype=object, na_value=None).tolist() for c in table.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


@dataclass
class Section:
    """One region of the lists: its entity, name, slug and rows (dicts of :func:`records`, shared
    with the whole table and other sections: the region of a row here is this section's)."""

    qid: str | None
    label: str
    slug: str
    rows: list[dict[str, Any]] = field(repr=False)

    @property
    def count(self) -> int:
        """Number of monuments in the region."""
        return len(self.rows)


def _sort_key(row: dict[str, Any]) -> tuple[Any, ...]:
    label = row.get("label")
    return (label is None, label.casefold() if isinstance(label, str) else "", row.get("id") or "")


def sections(table: pd.DataFrame | list[dict[str, Any]], names: pd.DataFrame,
             no_region: str = "No region") -> list[Section]:
    """Split the table per direct region (an item in two regions is listed in both).

    Items without a region form a last section ``no-region``.

    Args:
        table: From :func:`assemble` (or its :func:`records`).
        names: Region labels (``item, label``).
        no_region: Heading of the section of items without a region (in the list's language).

    Returns:
        Sections sorted by region name, the region-less one last. Their rows are the table's own
        dicts, not copies (10⁶ items): a section's region is its ``qid`` and ``label``.
    """
    rows = records(table) if isinstance(table, pd.DataFrame) else table
    name_of = dict(zip(names["item"], names["label"], strict=True))
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        for qid in row["regions"] or [None]:
            groups.setdefault(qid, []).append(row)
    out = []
    for qid, members in groups.items():
        label = name_of.get(qid, qid) if qid else no_region
        out.append(Section(qid, label, slug(label, qid), sorted(members, key=_sort_key)))
    out.sort(key=lambda s: (s.qid is None, s.label.casefold(), s.qid or ""))
    return out


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value
