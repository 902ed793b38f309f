"""Campaign lists: the offline HTML map (Leaflet vendored next to the page, no tile server)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modeling.campaign import Campaign
from reports.entity_links import EntityLinks
from reports.environment import render_template
from reports.lists_fold import Section
from reports.lists_render import CANVAS_FROM, COLOURS

#: Above this many markers nearby markers are clustered (vendored Leaflet.markercluster).
CLUSTER_FROM = 1_000


def map_points(table: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The map's markers: items with coordinates (rounded to 6 decimals, about 0.1 m)."""
    return [{"item": r["item"], "id": r["id"], "label": r["label"], "regions": r["regions"],
             "lat": round(r["lat"], 6), "lon": round(r["lon"], 6), "has_image": r["image"] is not None,
             "upload_url": r["upload_url"]} for r in table if r["lat"] is not None]


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

    Returns:
        HTML; needs the vendored files next to it (:func:`reports.lists_render.copy_map_assets`).
    """
    points = map_points(table)
    with_image = sum(p["has_image"] for p in points)
    return render_template(
        "html/map.html.j2", title=campaign.name, lang=campaign.languages[0], points=points,
        regions=[{"qid": s.qid, "label": s.label, "count": s.count} for s in secs],
        counts={"with_image": with_image, "without_image": len(points) - with_image,
                "without_coords": sum(r["lat"] is None for r in table),
                "items": len({r["item"] for r in table})},
        prefer_canvas=len(points) > CANVAS_FROM, cluster=len(points) > CLUSTER_FROM, colours=COLOURS,
        generated_at=generated_at, outlines=outlines or {"type": "FeatureCollection", "features": []},
        entity_page_base=(links or EntityLinks()).page_base,
    )
