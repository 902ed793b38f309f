"""Campaign lists from one query run: wikitext pages, CSV, GeoJSON, offline map, statistics.

The pure functions turn the rows of ``sparql/lists_campaign_items.rq`` plus labels into one
table (:func:`fold_items`, :func:`assemble`), split it per region (:func:`sections`) and render
every output (:func:`render_page`, :func:`csv_text`, :func:`geojson`, :func:`render_map`,
:func:`coverage`, :func:`render_stats`, :func:`plot_stats`). :func:`build_lists` is the one
function with I/O: it fetches through :mod:`sparql.client` / :mod:`sparql.labels` and writes
``05_lists/`` (FIELD-NOTES §1.1–1.3, §3 item 8).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import shutil
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pandas as pd

from modeling.campaign import Campaign
from core.errors import CampaignError
from core.layout import stage_dir
from core.settings import Target
from reports.environment import render_template
from reports.filters import csv_safe, upload_wizard_url

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAP_ASSETS = ("leaflet.js", "leaflet.css", "leaflet-LICENSE.txt")
COLOURS = {"with": "#2e7d32", "without": "#c62828"}
#: Above this many markers the map draws on a canvas instead of one SVG element per marker.
CANVAS_FROM = 5000
NO_REGION = "no-region"
URL_COLUMNS = frozenset({"upload_url", "wikidata_url"})
UPLOAD_TEXT = {"sv": "Ladda upp", "en": "Upload", "de": "Hochladen", "fr": "Téléverser",
               "nl": "Uploaden", "fi": "Lataa", "nb": "Last opp", "da": "Upload"}
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


def fold_items(rows: pd.DataFrame) -> pd.DataFrame:
    """Fold query rows (one per item × multi-valued column) into one row per item.

    Args:
        rows: Columns of ``lists_campaign_items.rq``.

    Returns:
        Columns ``item, id, lat, lon, image, commons_category, address, designations (list),
        designation, designation_start, regions (list)``, sorted by item.
    """
    acc: dict[str, dict[str, Any]] = {}
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
        if rec["id"] is None and isinstance(id_, str):
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


def upload_link(campaign: Campaign, row: dict[str, Any]) -> str:
    """The UploadWizard link of one list row (FIELD-NOTES §1.1).

    Args:
        campaign: Supplies ``lists.upload`` (campaign, id template, categories, language).
        row: A row of :func:`assemble` (id, item, label, lat, lon).

    Returns:
        The URL (every value percent-encoded).
    """
    up = campaign.lists.upload
    try:
        ident = up.id_template.format_map({"id": row.get("id") or "", "item": row["item"]})
    except (KeyError, ValueError) as exc:
        raise CampaignError(f"lists.upload.id_template should use only {{id}} and {{item}}, got "
                            f"{up.id_template!r} ({exc})") from None
    lang = up.description_language or campaign.languages[0]
    lat, lon = row.get("lat"), row.get("lon")
    return upload_wizard_url(
        campaign=up.campaign, id=ident, description=row.get("label") or None, lang=lang,
        categories=up.categories, lat=None if pd.isna(lat) else lat, lon=None if pd.isna(lon) else lon,
    )


def assemble(
    campaign: Campaign,
    items: pd.DataFrame,
    item_labels: pd.DataFrame,
    picked: pd.DataFrame,
    names: pd.DataFrame,
) -> pd.DataFrame:
    """Add labels, per-language label flags, names of designations and links to folded items.

    Args:
        campaign: The campaign (languages, upload settings).
        items: From :func:`fold_items`.
        item_labels: Raw labels of the items (``item, label, lang``; every fetched language).
        picked: One label per item after the fallback chain (``item, label, lang``).
        names: One label per region/designation entity (``item, label, lang``).

    Returns:
        ``items`` plus ``label, label_lang, has_label_<lang>…, designation_label,
        region_labels (list), upload_url, wikidata_url``.
    """
    table = items.copy()
    label_of = dict(zip(picked["item"], picked["label"], strict=True))
    lang_of = dict(zip(picked["item"], picked["lang"], strict=True))
    table["label"] = table["item"].map(label_of)
    table["label_lang"] = table["item"].map(lang_of)
    for lang in campaign.languages:
        have = set(item_labels.loc[item_labels["lang"] == lang, "item"])
        table[f"has_label_{lang}"] = table["item"].isin(have)
    name_of = dict(zip(names["item"], names["label"], strict=True))
    table["designation_label"] = [
        "; ".join(name_of.get(d, d) for d in ds) if ds else None for ds in table["designations"]]
    table["region_labels"] = [[name_of.get(r, r) for r in rs] for rs in table["regions"]]
    records = table[["item", "id", "label", "lat", "lon"]].to_dict("records")
    table["upload_url"] = [upload_link(campaign, r) for r in records]
    table["wikidata_url"] = "https://www.wikidata.org/wiki/" + table["item"]
    return table


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of the table as dicts with missing values as None (one conversion, reused by every
    output: per-region pandas work costs more than the queries at 100k items)."""
    return [{k: _none(v) for k, v in row.items()} for row in table.to_dict("records")]


@dataclass
class Section:
    """One region of the lists: its entity, name, slug and rows (dicts, see :func:`records`)."""

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


def sections(table: pd.DataFrame | list[dict[str, Any]], names: pd.DataFrame) -> list[Section]:
    """Split the table per direct region (an item in two regions is listed in both).

    Items without a region form a last section ``no-region``.

    Args:
        table: From :func:`assemble` (or its :func:`records`).
        names: Region labels (``item, label``).

    Returns:
        Sections sorted by region name, the region-less one last; rows carry ``region`` and
        ``region_label``.
    """
    rows = records(table) if isinstance(table, pd.DataFrame) else table
    name_of = dict(zip(names["item"], names["label"], strict=True))
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        for qid in row["regions"] or [None]:
            label = name_of.get(qid, qid) if qid else "No region"
            groups.setdefault(qid, []).append({**row, "region": qid, "region_label": label})
    out = []
    for qid, members in groups.items():
        label = name_of.get(qid, qid) if qid else "No region"
        out.append(Section(qid, label, slug(label, qid), sorted(members, key=_sort_key)))
    out.sort(key=lambda s: (s.qid is None, s.label.casefold(), s.qid or ""))
    return out


def _row_params(campaign: Campaign, columns: Sequence[str]) -> list[tuple[str, str]]:
    params = list(campaign.lists.row_params.items())
    allowed = set(columns) | {"region_label"}
    for param, column in params:
        if column not in allowed:
            raise CampaignError(f"lists.row_params.{param} should name a list column "
                                f"({', '.join(sorted(allowed))}), got {column!r}")
    return params


def render_page(campaign: Campaign, secs: Sequence[Section], generated_at: str) -> str:
    """Wikitext list page: a section per region with its count, rows via the campaign's row
    template (``{{BBR|bbr=…}}``) or the generic Wikidata-era table (FIELD-NOTES §1.2).

    Args:
        campaign: Row template, header template, row params, languages.
        secs: Sections to include.
        generated_at: Timestamp shown in a comment.

    Returns:
        The page text.
    """
    columns = list(secs[0].rows[0]) if secs and secs[0].rows else []
    lang = campaign.lists.upload.description_language or campaign.languages[0]
    return render_template(
        "wikitext/lists/page.wiki.j2",
        campaign_name=campaign.name,
        sections=[{"label": s.label, "qid": s.qid, "count": s.count, "rows": s.rows} for s in secs],
        row_template=campaign.lists.row_template,
        header_template=campaign.lists.header_template,
        row_params=_row_params(campaign, columns) if secs else [],
        url_columns=URL_COLUMNS,
        upload_text=UPLOAD_TEXT.get(lang, "Upload"),
        generated_at=generated_at,
    )


CSV_COLUMNS = ["item", "id", "label", "label_lang", "region", "region_label", "designation", "designation_label",
               "designation_start", "lat", "lon", "image", "commons_category", "address", "upload_url", "wikidata_url"]


def csv_text(rows: Sequence[dict[str, Any]], languages: Sequence[str]) -> str:
    """CSV (UTF-8, comma, RFC 4180 quoting) of list rows: fixed columns, lists joined with
    ``;``, every text cell formula-safe (:func:`reports.filters.csv_safe`).

    Args:
        rows: Section rows, or :func:`records` of the whole table (regions then joined).
        languages: Campaign languages (``has_label_<lang>`` columns).

    Returns:
        The CSV text.
    """
    cols = CSV_COLUMNS + [f"has_label_{lang}" for lang in languages]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        out = dict(row)
        if "region_label" not in out:
            out["region"] = ";".join(row["regions"])
            out["region_label"] = ";".join(row["region_labels"])
        out["designation"] = ";".join(row["designations"] or [])
        writer.writerow(["" if out[c] is None else csv_safe(out[c]) for c in cols])
    return buf.getvalue()


def geojson(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the rows with coordinates (one Point per item).

    Args:
        rows: Section rows or the whole table.

    Returns:
        The GeoJSON object (``json.dumps``-ready).
    """
    features = []
    seen: set[str] = set()
    for r in rows:
        if r["lat"] is None or r["item"] in seen:
            continue
        seen.add(r["item"])
        features.append({
            "type": "Feature", "id": r["item"],
            "geometry": {"type": "Point", "coordinates": [round(r["lon"], 7), round(r["lat"], 7)]},
            "properties": {
                "item": r["item"], "id": _none(r["id"]), "label": _none(r["label"]),
                "regions": r["regions"], "region_labels": r["region_labels"],
                "designation": _none(r["designation"]), "designation_start": _none(r["designation_start"]),
                "image": _none(r["image"]), "commons_category": _none(r["commons_category"]),
                "has_image": _none(r["image"]) is not None, "upload_url": r["upload_url"],
            },
        })
    return {"type": "FeatureCollection", "features": features}


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def render_map(campaign: Campaign, table: Sequence[dict[str, Any]], secs: Sequence[Section], generated_at: str) -> str:
    """Offline HTML map of every item with coordinates, markers coloured by has-photo.

    Args:
        campaign: Name and language.
        table: :func:`records` of the assembled table.
        secs: Sections (the region selector).
        generated_at: Timestamp shown on the page.

    Returns:
        HTML; needs ``leaflet.js``/``leaflet.css`` next to it (:func:`copy_map_assets`).
    """
    points = [{"item": r["item"], "id": r["id"], "label": r["label"], "regions": r["regions"],
               "lat": round(r["lat"], 6), "lon": round(r["lon"], 6), "has_image": r["image"] is not None,
               "upload_url": r["upload_url"]} for r in table if r["lat"] is not None]
    with_image = sum(p["has_image"] for p in points)
    return render_template(
        "html/map.html.j2", title=campaign.name, lang=campaign.languages[0], points=points,
        regions=[{"qid": s.qid, "label": s.label, "count": s.count} for s in secs],
        counts={"with_image": with_image, "without_image": len(points) - with_image,
                "without_coords": sum(r["lat"] is None for r in table)},
        prefer_canvas=len(points) > CANVAS_FROM, colours=COLOURS, generated_at=generated_at,
    )


def copy_map_assets(dest: Path) -> list[Path]:
    """Copy the vendored Leaflet files next to ``map.html``."""
    return [Path(shutil.copyfile(STATIC_DIR / name, dest / name)) for name in MAP_ASSETS]


def _counts(rows: Sequence[dict[str, Any]], languages: Sequence[str]) -> dict[str, Any]:
    return {
        "monuments": len(rows),
        "with_image": sum(r["image"] is not None for r in rows),
        "with_coords": sum(r["lat"] is not None for r in rows),
        "with_commons_category": sum(r["commons_category"] is not None for r in rows),
        "labelled": {lang: sum(bool(r[f"has_label_{lang}"]) for r in rows) for lang in languages},
    }


def coverage(table: Sequence[dict[str, Any]], secs: Sequence[Section], languages: Sequence[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Coverage per region and overall (distinct items), FIELD-NOTES §1.3.

    Returns:
        (rows, total): dicts with ``label, qid, slug, monuments, with_image, with_coords,
        with_commons_category, labelled {lang: n}``.
    """
    rows = [{"label": s.label, "qid": s.qid, "slug": s.slug, **_counts(s.rows, languages)} for s in secs]
    total = {"label": "Total", "qid": None, "slug": "total", **_counts(table, languages)}
    return rows, total


def stats_frame(rows: Sequence[dict[str, Any]], total: dict[str, Any], languages: Sequence[str]) -> pd.DataFrame:
    """Coverage as a flat table (counts and percentages) for ``stats.csv``."""
    out = []
    for r in [*rows, total]:
        n = r["monuments"]
        rec = {"region": r["qid"] or "", "region_label": r["label"], "monuments": n}
        for key in ("with_image", "with_coords", "with_commons_category"):
            rec[key], rec[f"{key}_pct"] = r[key], round(100 * r[key] / n, 1) if n else 0.0
        for lang in languages:
            rec[f"labelled_{lang}"] = r["labelled"][lang]
            rec[f"labelled_{lang}_pct"] = round(100 * r["labelled"][lang] / n, 1) if n else 0.0
        out.append(rec)
    return pd.DataFrame(out).map(csv_safe)


def render_stats(campaign: Campaign, rows: Sequence[dict[str, Any]], total: dict[str, Any], generated_at: str) -> str:
    """Wikitext coverage table, cells "n (x%)", a bold total row."""
    return render_template("wikitext/lists/stats.wiki.j2", campaign_name=campaign.name,
                           languages=campaign.languages, rows=list(rows), total=total,
                           locale=campaign.languages[0], generated_at=generated_at)


def plot_stats(rows: Sequence[dict[str, Any]], path: Path, title: str, top: int = 40) -> Path:
    """Horizontal bar chart (PNG): monuments per region, with / without a photo.

    Args:
        rows: Per-region coverage from :func:`coverage`.
        path: Output PNG path.
        title: Chart title.
        top: Regions shown (largest first).

    Returns:
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = sorted(rows, key=lambda r: -r["monuments"])[:top][::-1]
    labels = [r["label"] for r in shown]
    with_img = [r["with_image"] for r in shown]
    without = [r["monuments"] - r["with_image"] for r in shown]
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.28 * max(len(shown), 1)))
    ax.barh(labels, with_img, color=COLOURS["with"], label="with photo")
    ax.barh(labels, without, left=with_img, color=COLOURS["without"], label="without photo")
    ax.set_xlabel("monuments")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_lists(campaign: Campaign, table: pd.DataFrame, names: pd.DataFrame, out_dir: Path,
                generated_at: str | None = None) -> dict[str, Any]:
    """Write every ``05_lists/`` file from an assembled table.

    Args:
        campaign: The campaign.
        table: From :func:`assemble`.
        names: Labels of regions and designations.
        out_dir: The run's output directory (``05_lists/`` is created inside).
        generated_at: ISO timestamp (default: now, UTC).

    Returns:
        The summary written to ``summary.json``.
    """
    generated_at = generated_at or datetime.now(UTC).replace(microsecond=0).isoformat()
    dest = stage_dir(out_dir, "lists")
    langs = campaign.languages
    rows_all = records(table)
    secs = sections(rows_all, names)
    for s in secs:
        (dest / f"{s.slug}.wiki").write_text(render_page(campaign, [s], generated_at), encoding="utf-8")
        (dest / f"{s.slug}.csv").write_text(csv_text(s.rows, langs), encoding="utf-8")
        (dest / f"{s.slug}.geojson").write_text(json.dumps(geojson(s.rows), ensure_ascii=False, allow_nan=False), encoding="utf-8")
    (dest / "all.wiki").write_text(render_page(campaign, secs, generated_at), encoding="utf-8")
    (dest / "all.csv").write_text(csv_text(rows_all, langs), encoding="utf-8")
    (dest / "all.geojson").write_text(json.dumps(geojson(rows_all), ensure_ascii=False, allow_nan=False), encoding="utf-8")
    (dest / "map.html").write_text(render_map(campaign, rows_all, secs, generated_at), encoding="utf-8")
    copy_map_assets(dest)
    rows, total = coverage(rows_all, secs, langs)
    stats_frame(rows, total, langs).to_csv(dest / "stats.csv", index=False, lineterminator="\n")
    (dest / "stats.wiki").write_text(render_stats(campaign, rows, total, generated_at), encoding="utf-8")
    plot_stats(rows, dest / "stats.png", f"{campaign.name}: photo coverage")
    summary = {
        "campaign": campaign.id, "items": total["monuments"],
        "regions": sum(1 for s in secs if s.qid), "with_image": total["with_image"],
        "with_coords": total["with_coords"], "with_commons_category": total["with_commons_category"],
        "labelled": total["labelled"], "without_region": sum(s.count for s in secs if not s.qid),
        "region_files": [s.slug for s in secs], "generated_at": generated_at,
    }
    (dest / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("lists: %d items in %d regions written to %s", summary["items"], len(secs), dest)
    return {**summary, "stats": rows, "total": total}


#: Rows per page of the scope query (each page is one request, well inside WDQS's 60 s).
PAGE_SIZE = 50_000


def build_lists(campaign: Campaign, target: Target, out_dir: str | Path, region: str | None = None,
                cache_dir: Path | None = None) -> dict[str, Any]:
    """Fetch the campaign scope by SPARQL and write every list output to ``05_lists/``.

    Queries: ``lists_campaign_items`` (paged), ``lists_labels`` (items in the fallback chain,
    then any language for the rest; regions and designations) — no label service.

    Args:
        campaign: The campaign (scope: identifier property, designations; lists settings).
        target: SPARQL target.
        out_dir: The run's output directory.
        region: Optional QID: only items located in it (P131, transitively).
        cache_dir: Optional SPARQL result cache.

    Returns:
        Summary (also in ``05_lists/summary.json``) plus ``stats`` rows and ``total``.
    """
    from sparql.client import run
    from sparql.labels import MUL, fetch_labels, labels_with_fallback, pick_labels

    rows = run("lists_campaign_items", target, cache_dir=cache_dir, page_size=PAGE_SIZE,
               idprop=campaign.mapping.identifier.property,
               designations=campaign.lists.designations or None, region=region)
    items = fold_items(rows)
    chain = [*campaign.fallback_chain, *[lang for lang in campaign.languages if lang not in campaign.fallback_chain]]
    chain += [MUL] if MUL not in chain else []
    raw = fetch_labels(items["item"], chain, target, cache_dir=cache_dir)
    missing = sorted(set(items["item"]) - set(raw["item"]))
    if missing:
        raw = pd.concat([raw, fetch_labels(missing, [], target, cache_dir=cache_dir)], ignore_index=True)
    picked = pick_labels(raw, chain)
    entities = {q for qs in items["regions"] for q in qs} | {q for qs in items["designations"] for q in qs}
    names = labels_with_fallback(entities, chain, target, cache_dir=cache_dir)
    table = assemble(campaign, items, raw, picked, names)
    return write_lists(campaign, table, names, Path(out_dir))
