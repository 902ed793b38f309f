"""Campaign lists: the offline HTML map (Leaflet vendored next to the page, no tile server).

Up to :data:`reports.lists_map_pages.SINGLE_MAP_MAX` monuments with coordinates, ``map.html`` is
one page with every marker (:func:`render_map`). Above, :func:`write_maps` writes ``map.html`` as
an overview (monuments counted per grid cell, a link per region) and one page per region (or per
part of a large region, each with its own overview) in ``map/``, so every page stays a few MB at
most at 10⁶ monuments and each monument is two clicks away (:mod:`reports.lists_map_pages`).
The pages load only ``<script src>`` files next to them, so they work from ``file://`` offline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modeling.campaign import Campaign
from reports.entity_links import EntityLinks
from reports.environment import render_template
from reports.lists_fold import Section, upload_id, upload_templates
from reports.lists_map_pages import (
    SINGLE_MAP_MAX,
    Grid,
    RegionMap,
    grid_step,
    located,
    plan_regions,
)
from reports.lists_render import CANVAS_FROM, COLOURS, copy_map_assets
from reports.outlines import outlines_for
from reports.region_outlines import regions_for

#: Above this many markers nearby markers are clustered (vendored Leaflet.markercluster).
CLUSTER_FROM = 1_000
#: Above this many cells an overview draws on a canvas (one SVG element per cell is slower to open).
CELLS_CANVAS_FROM = 2_000
#: Folder (next to ``map.html``) of the region pages of a multi-page map.
MAP_DIR = "map"
#: The country and region outlines shared by the pages of a multi-page map (in :data:`MAP_DIR`).
SHAPES_JS = "shapes.js"


def map_points(campaign: Campaign, table: Sequence[dict[str, Any]], region_index: dict[str, int]) -> list[list[Any]]:
    """The map's markers as compact rows ``[item, id, label, lat, lon, has_image, [region numbers]]``
    (+ the upload id when it is not the register id); coordinates rounded to 6 decimals (~0.1 m).
    The page rebuilds each upload link from :func:`reports.lists_fold.upload_templates`."""
    out = []
    plain_id = campaign.lists.upload.id_template == "{id}"  # the upload id is the register id
    for r in table:
        if r["lat"] is None:
            continue
        regions = [region_index[q] for q in r["regions"] if q in region_index] if region_index else []
        row = [r["item"], r["id"], r["label"], round(r["lat"], 6), round(r["lon"], 6), int(r["image"] is not None),
               regions]
        uid = (r["id"] or "") if plain_id else upload_id(campaign, r)
        if uid != r["id"]:
            row.append(uid)
        out.append(row)
    return out


def render_map(campaign: Campaign, table: Sequence[dict[str, Any]], secs: Sequence[Section], generated_at: str,
               links: EntityLinks | None = None, outlines: dict[str, Any] | None = None, *,
               page: dict[str, Any] | None = None) -> str:
    """Offline HTML map of every item with coordinates, markers coloured by has-photo.

    Args:
        campaign: Name and language.
        table: :func:`reports.lists_fold.records` of the assembled table.
        secs: Sections (the region selector).
        generated_at: Timestamp shown on the page.
        links: Entity links of the target wiki (default: Wikidata).
        outlines: GeoJSON of the country (``properties.main``) and its neighbours, drawn under the
            markers (:func:`reports.outlines.outlines_for`); None: a plain graticule only.
            The regions of ``campaign.country`` (:func:`reports.region_outlines.regions_for`) are
            drawn over it as thin lines, named on hover, when the kit ships them.
        page: For a page of a multi-page map: ``title``, ``up`` ({href, label}), ``assets`` (path
            prefix of the vendored files) and ``shapes`` (the shared outlines script, used
            instead of ``outlines``).

    Returns:
        HTML; needs the vendored files next to it (:func:`reports.lists_render.copy_map_assets`).
    """
    region_qids = [s.qid for s in secs if s.qid]
    points = map_points(campaign, table, {q: i for i, q in enumerate(region_qids)})
    with_image = sum(p[5] for p in points)
    return render_template(
        "html/map.html.j2", **{"title": campaign.name, **(page or {})}, lang=campaign.languages[0], points=points,
        regions=[{"qid": s.qid, "label": s.label, "count": s.count} for s in secs],
        counts={"with_image": with_image, "without_image": len(points) - with_image,
                "without_coords": sum(r["lat"] is None for r in table),
                "items": len({r["item"] for r in table})},
        prefer_canvas=len(points) > CANVAS_FROM, cluster=len(points) > CLUSTER_FROM, colours=COLOURS,
        generated_at=generated_at, outlines=outlines or {"type": "FeatureCollection", "features": []},
        region_outlines=regions_for(campaign.country.iso),
        entity_page_base=(links or EntityLinks()).page_base, region_qids=region_qids,
        upload=upload_templates(campaign),
    )


def write_maps(campaign: Campaign, table: Sequence[dict[str, Any]], secs: Sequence[Section], dest: Path,
               generated_at: str, links: EntityLinks | None = None, *,
               max_points: int = SINGLE_MAP_MAX) -> list[Path]:
    """Write the campaign map into ``dest`` (``05_lists/``) with the vendored files it loads.

    Up to ``max_points`` monuments with coordinates: ``map.html`` with every marker
    (:func:`render_map`). Above: ``map.html`` counts the monuments per grid cell and links to
    ``map/<region>.html``, one page per region with its markers — or, for a region above
    ``max_points``, an overview of its parts ``map/<region>-<i>.html`` (:mod:`reports.lists_map_pages`).
    The pages share ``map/shapes.js`` (country and region outlines). Pages of an earlier run
    in ``map/`` are removed first.

    Args:
        campaign: The campaign.
        table: :func:`reports.lists_fold.records` of the assembled table.
        secs: Its sections (regions).
        dest: The lists folder.
        generated_at: Timestamp shown on the pages.
        links: Entity links of the target wiki (default: Wikidata).
        max_points: Most markers on one page.

    Returns:
        The pages written, ``map.html`` first.
    """
    points = located(table)
    outlines = outlines_for([(r["lon"], r["lat"]) for r in points])
    copy_map_assets(dest)
    folder = dest / MAP_DIR
    for stale in [*folder.glob("*.html"), folder / SHAPES_JS]:
        stale.unlink(missing_ok=True)
    national = dest / "map.html"
    if len(points) <= max_points:
        national.write_text(render_map(campaign, table, secs, generated_at, links, outlines), encoding="utf-8")
        return [national]
    folder.mkdir(exist_ok=True)
    shapes = {"outlines": outlines, "regions": regions_for(campaign.country.iso)}
    (folder / SHAPES_JS).write_text(f"window.wlkShapes = {json.dumps(shapes, separators=(',', ':'))};\n",
                                    encoding="utf-8")
    regions = plan_regions(secs, max_points)
    written = [p for region in regions for p in _write_region(campaign, region, folder, generated_at, links)]
    grid = Grid(grid_step(points))
    for row in points:
        grid.add(row)
    parts = [part for region in regions for part in region.parts]
    for n, part in enumerate(parts):
        for row in part.rows:
            grid.link(row, n)
    entries = [_entry(f"{MAP_DIR}/{region.file}", region.section.label, [r for p in region.parts for r in p.rows],
                      len(region.parts)) for region in regions]
    national.write_text(_render_overview(
        campaign, campaign.name, table, grid.doc([(f"{MAP_DIR}/{p.file}", p.title) for p in parts]), entries,
        generated_at, page={"assets": "", "shapes": f"{MAP_DIR}/{SHAPES_JS}", "up": None,
                            "entries_heading": "Regions", "tiles": []}), encoding="utf-8")
    return [national, *written]


def _write_region(campaign: Campaign, region: RegionMap, folder: Path, generated_at: str,
                  links: EntityLinks | None) -> list[Path]:
    """A region's page(s) in the map folder: its markers, or its parts and their overview."""
    sec, national = region.section, {"href": "../map.html", "label": campaign.name}
    single = len(region.parts) == 1
    up = national if single else {"href": region.file, "label": sec.label}
    written = []
    for part in region.parts:
        page = {"title": f"{campaign.name}: {part.title}", "up": up, "assets": "../", "shapes": SHAPES_JS}
        path = folder / part.file
        path.write_text(render_map(campaign, sec.rows if single else part.rows, [], generated_at, links, page=page),
                        encoding="utf-8")
        written.append(path)
    if single:
        return written
    grid = Grid(grid_step(located(sec.rows)))
    for n, part in enumerate(region.parts):
        for row in part.rows:
            grid.add(row)
            grid.link(row, n)
    path = folder / region.file
    path.write_text(_render_overview(
        campaign, f"{campaign.name}: {sec.label}", sec.rows, grid.doc([(p.file, p.title) for p in region.parts]),
        [_entry(p.file, p.title, p.rows, 1) for p in region.parts], generated_at,
        page={"assets": "../", "shapes": SHAPES_JS, "up": national, "entries_heading": "Parts",
              "tiles": [p.bounds for p in region.parts]}), encoding="utf-8")
    return [path, *written]


def _entry(href: str, label: str, rows: Sequence[dict[str, Any]], parts: int) -> dict[str, Any]:
    return {"href": href, "label": label, "count": len(rows), "parts": parts,
            "with_image": sum(r["image"] is not None for r in rows)}


def _render_overview(campaign: Campaign, title: str, table: Sequence[dict[str, Any]], cells: dict[str, Any],
                     entries: list[dict[str, Any]], generated_at: str, page: dict[str, Any]) -> str:
    """An overview page (``html/map_overview.html.j2``): counts per cell and links to the pages."""
    with_image = sum(r["lat"] is not None and r["image"] is not None for r in table)
    with_coords = sum(r["lat"] is not None for r in table)
    return render_template(
        "html/map_overview.html.j2", title=title, lang=campaign.languages[0], colours=COLOURS,
        counts={"with_image": with_image, "without_image": with_coords - with_image,
                "without_coords": len(table) - with_coords, "items": len({r["item"] for r in table})},
        cells=cells, entries=entries, prefer_canvas=len(cells["cells"]) > CELLS_CANVAS_FROM,
        generated_at=generated_at, **page)
