"""Campaign lists: the offline HTML map (Leaflet vendored next to the page, no tile server)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modeling.campaign import Campaign
from reports.entity_links import EntityLinks
from reports.environment import render_template
from reports.lists_fold import Section, upload_id, upload_templates
from reports.lists_render import CANVAS_FROM, COLOURS
from reports.region_outlines import regions_for

#: Above this many markers nearby markers are clustered (vendored Leaflet.markercluster).
CLUSTER_FROM = 1_000


def map_points(campaign: Campaign, table: Sequence[dict[str, Any]], region_index: dict[str, int]) -> list[list[Any]]:
    """The map's markers as compact rows ``[item, id, label, lat, lon, has_image, [region numbers]]``
    (+ the upload id when it is not the register id); coordinates rounded to 6 decimals (~0.1 m).
    The page rebuilds each upload link from :func:`reports.lists_fold.upload_templates`."""
    out = []
    for r in table:
        if r["lat"] is None:
            continue
        row = [r["item"], r["id"], r["label"], round(r["lat"], 6), round(r["lon"], 6), int(r["image"] is not None),
               [region_index[q] for q in r["regions"] if q in region_index]]
        uid = upload_id(campaign, r)
        if uid != r["id"]:
            row.append(uid)
        out.append(row)
    return out


def render_map(campaign: Campaign, table: Sequence[dict[str, Any]], secs: Sequence[Section], generated_at: str,
               links: EntityLinks | None = None, outlines: dict[str, Any] | None = None) -> str:
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

    Returns:
        HTML; needs the vendored files next to it (:func:`reports.lists_render.copy_map_assets`).
    """
    region_qids = [s.qid for s in secs if s.qid]
    points = map_points(campaign, table, {q: i for i, q in enumerate(region_qids)})
    with_image = sum(p[5] for p in points)
    return render_template(
        "html/map.html.j2", title=campaign.name, lang=campaign.languages[0], points=points,
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
