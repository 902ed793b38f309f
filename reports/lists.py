"""Campaign lists from one query run: wikitext pages, CSV, GeoJSON, offline map, statistics.

The work is split along its seams: :mod:`reports.lists_fold` (query rows → one row per item →
sections per region), :mod:`reports.lists_render` (wikitext pages split below the wiki's size
limit, CSV, GeoJSON), :mod:`reports.lists_map` (the offline map) and :mod:`reports.lists_stats`
(coverage). :func:`write_lists` writes ``05_lists/`` from an assembled table; the query side is
:func:`pipelines.lists_build.build_lists` (FIELD-NOTES §1.1–1.3, §3 item 8). Nothing here calls an API.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from core.layout import stage_dir
from modeling.campaign import Campaign
from reports.entity_links import EntityLinks
from reports.i18n import gettext
from reports.lists_files import CSV_COLUMNS, ListFiles, write_csv, write_geojson
from reports.lists_fold import (
    NO_REGION,
    Section,
    assemble,
    commons_file,
    fold_items,
    format_time,
    parse_point,
    records,
    sections,
    slug,
    upload_link,
)
from reports.lists_map import render_map, write_maps
from reports.lists_render import (
    CANVAS_FROM,
    COLOURS,
    MAP_ASSETS,
    MAX_PAGE_BYTES,
    STATIC_DIR,
    URL_COLUMNS,
    WikiPages,
    WikiRenderer,
    copy_map_assets,
    list_language,
    render_page,
    section_chunks,
)
from reports.lists_stats import coverage, plot_stats, render_stats, stats_frame

__all__ = [
    "CANVAS_FROM", "COLOURS", "CSV_COLUMNS", "MAP_ASSETS", "MAX_PAGE_BYTES", "NO_REGION",
    "STATIC_DIR", "URL_COLUMNS", "EntityLinks", "Section", "WikiPages", "assemble", "commons_file",
    "copy_map_assets", "coverage", "fold_items", "format_time", "parse_point",
    "plot_stats", "records", "render_map", "render_page", "render_stats", "section_chunks", "sections",
    "slug", "stats_frame", "upload_link", "write_csv", "write_geojson", "write_lists",
]

log = logging.getLogger(__name__)

def write_lists(campaign: Campaign, table: pd.DataFrame, names: pd.DataFrame, out_dir: Path,
                generated_at: str | None = None, *, links: EntityLinks | None = None,
                max_page_bytes: int = MAX_PAGE_BYTES) -> dict[str, Any]:
    """Write every ``05_lists/`` file from an assembled table.

    Args:
        campaign: The campaign.
        table: From :func:`assemble`.
        names: Labels of regions and designations.
        out_dir: The run's output directory (``05_lists/`` is created inside).
        generated_at: ISO timestamp (default: now, UTC).
        links: Entity links of the target wiki (default: Wikidata's ``d:`` interwiki).
        max_page_bytes: Largest wikitext page; bigger lists are written as parts plus an index.

    Returns:
        The summary written to ``summary.json``.
    """
    generated_at = generated_at or datetime.now(UTC).replace(microsecond=0).isoformat()
    links = links or EntityLinks()
    dest = stage_dir(out_dir, "lists")
    langs = campaign.languages
    rows_all = records(table)
    secs = sections(rows_all, names, gettext("No region", list_language(campaign)))
    wiki = WikiRenderer(campaign, links, generated_at)
    split: dict[str, int] = {}
    every = WikiPages(wiki, dest, "all", max_page_bytes)
    with ListFiles(dest, langs) as data:
        for s in secs:  # each region's text is rendered once, for its own page and for all.wiki
            own = WikiPages(wiki, dest, s.slug, max_page_bytes)
            for chunk in section_chunks(wiki, s, own.limit):
                own.add(*chunk)
                every.add(*chunk)
            files = own.close()
            split.update({s.slug: len(files) - 1} if len(files) > 1 else {})
            data.section(s)  # <slug>.csv/.geojson, and the all.* lines of monuments met first here
    files = every.close()
    split.update({"all": len(files) - 1} if len(files) > 1 else {})
    write_maps(campaign, rows_all, secs, dest, generated_at, links)
    rows, total = coverage(rows_all, secs, langs)
    stats_frame(rows, total, langs).to_csv(dest / "stats.csv", index=False, lineterminator="\n")
    (dest / "stats.wiki").write_text(render_stats(campaign, rows, total, generated_at, links), encoding="utf-8")
    plot_stats(rows, dest / "stats.png", f"{campaign.name}: photo coverage")
    summary = {
        "campaign": campaign.id, "items": total["monuments"],
        "regions": sum(1 for s in secs if s.qid), "with_image": total["with_image"],
        "with_coords": total["with_coords"], "with_commons_category": total["with_commons_category"],
        "labelled": total["labelled"], "without_region": sum(s.count for s in secs if not s.qid),
        "region_files": [s.slug for s in secs], "split_pages": split, "generated_at": generated_at,
    }
    (dest / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("lists: %d items in %d regions written to %s", summary["items"], len(secs), dest)
    return {**summary, "stats": rows, "total": total}
