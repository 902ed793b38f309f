"""Reconciliation, pass 2 input: the candidate items around the records.

The items of the campaign's classes (``reconcile.classes``) inside the records' bounding box are
fetched once per area (tiles of :data:`TILE_DEG` degrees when the records are spread out), never
per record (``sparql/reconcile_candidates.rq``), through a query runner the caller passes in,
and aggregated to one row per item.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from core.settings import Target
from modeling.campaign import Campaign
from modeling.reconcile_ids import QueryRunner, count_request

#: Candidate areas are split into tiles of this many degrees when the records are spread out.
TILE_DEG = 1.0
#: At most this many candidate areas (requests) per run; tiles grow until they fit.
MAX_AREAS = 8
#: Items that are never candidates: Wikimedia disambiguation page, Wikimedia list article.
P31_BLACKLIST = ("Q4167410", "Q13406463")


def candidate_areas(records: gpd.GeoDataFrame, distance_m: float, tile_deg: float = TILE_DEG,
                    max_areas: int = MAX_AREAS) -> list[tuple[float, float, float, float]]:
    """Bounding boxes (min_lon, min_lat, max_lon, max_lat) to fetch candidates for.

    One box around all records (grown by ``distance_m``) when they fit in ``tile_deg``; else one
    tight box per occupied tile, the tile size doubling until at most ``max_areas`` remain. Tiles
    skip the empty land between towns (fewer useless rows); the cap keeps requests few, since a
    box FILTER (no ``wikibase:box`` on Oxigraph/QLever) scans the class once per request.
    """
    if len(records) == 0:
        return []
    b = records.geometry.bounds
    pad_lat = distance_m / 111_320.0

    def box(part: pd.DataFrame) -> tuple[float, float, float, float]:
        lat = max(abs(part["miny"].min()), abs(part["maxy"].max()))
        pad_lon = distance_m / (111_320.0 * max(math.cos(math.radians(min(lat, 89.0))), 0.01))
        return (round(part["minx"].min() - pad_lon, 6), round(part["miny"].min() - pad_lat, 6),
                round(part["maxx"].max() + pad_lon, 6), round(part["maxy"].max() + pad_lat, 6))

    mx, my = (b["minx"] + b["maxx"]) / 2, (b["miny"] + b["maxy"]) / 2
    while True:
        if mx.max() - mx.min() <= tile_deg and my.max() - my.min() <= tile_deg:
            return [box(b)]
        keys = [(mx // tile_deg).astype(int), (my // tile_deg).astype(int)]
        groups = [part for _, part in b.groupby(keys, sort=True)]
        if len(groups) <= max_areas:
            return [box(part) for part in groups]
        tile_deg *= 2


def aggregate_candidates(rows: pd.DataFrame, languages: Sequence[str]) -> gpd.GeoDataFrame:
    """One row per candidate item from the raw query rows (vectorised: 100k items in ~1 s).

    Args:
        rows: query rows ``item, class, lat, lon, name, lang, kind, other`` (``kind`` is
            ``label`` or ``alias``; ``other`` an identifier value the item carries).
        languages: campaign languages, in label preference order.

    Returns:
        GeoDataFrame (EPSG:4326, points) indexed by QID with ``classes`` (frozenset),
        ``names`` (list of labels and aliases), ``label`` (display label), ``ids`` (frozenset).
    """
    cols = ["classes", "names", "label", "ids", "geometry"]
    if len(rows) == 0:
        return gpd.GeoDataFrame(columns=cols, geometry="geometry", crs="EPSG:4326")
    rows = rows.assign(item=rows["item"].astype(str),
                       lat=pd.to_numeric(rows["lat"], errors="coerce"),
                       lon=pd.to_numeric(rows["lon"], errors="coerce")).dropna(subset=["lat", "lon"])
    first = rows.groupby("item", sort=False)[["lat", "lon"]].first()
    empty: frozenset[str] = frozenset()

    def collect(col: str) -> dict[str, dict[str, None]]:
        out: dict[str, dict[str, None]] = {}
        part = rows[["item", col]].dropna()
        for item, v in zip(part["item"], part[col].astype(str), strict=True):
            out.setdefault(item, {})[v] = None  # ordered set
        return out

    def sets(col: str) -> pd.Series:
        return pd.Series({k: frozenset(v) for k, v in collect(col).items()}, dtype=object)

    named = rows[["item", "name", "lang", "kind"]].dropna(subset=["name"])
    names = pd.Series({k: list(v) for k, v in collect("name").items()}, dtype=object)
    labels = named[named["kind"] == "label"].assign(
        r=lambda d: d["lang"].map({lang: i for i, lang in enumerate(languages)}).fillna(len(languages)))
    label = labels.sort_values(["item", "r"]).drop_duplicates("item").set_index("item")["name"]
    frame = pd.DataFrame({
        "classes": sets("class").reindex(first.index),
        "names": names.reindex(first.index),
        "label": label.reindex(first.index).fillna(pd.Series(first.index, index=first.index)),
        "ids": sets("other").reindex(first.index),
    }, index=first.index)
    frame["classes"] = [c if isinstance(c, frozenset) else empty for c in frame["classes"]]
    frame["ids"] = [c if isinstance(c, frozenset) else empty for c in frame["ids"]]
    frame["names"] = [n if isinstance(n, list) else [] for n in frame["names"]]
    frame["label"] = frame["label"].astype(str)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(first["lon"], first["lat"]),
                            crs="EPSG:4326")[cols]



def fetch_candidates(records: gpd.GeoDataFrame, campaign: Campaign, target: Target,
                     run: QueryRunner, *, cache_dir: Path | None = None,
                     counter: dict[str, int] | None = None,
                     tile_deg: float = TILE_DEG) -> gpd.GeoDataFrame:
    """Candidate items of the campaign's classes around the records: one query per area."""
    rc = campaign.reconcile
    if not rc.classes or len(records) == 0:
        return aggregate_candidates(pd.DataFrame(), campaign.languages)
    frames = []
    for bbox in candidate_areas(records, rc.distance_m, tile_deg):
        frames.append(run("reconcile_candidates", target, cache_dir=cache_dir,
                          **_candidate_params(campaign, bbox)))
        count_request(counter, "reconcile_candidates")
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return aggregate_candidates(rows, campaign.languages)



def _candidate_params(campaign: Campaign, bbox: tuple[float, float, float, float]) -> dict[str, Any]:
    # The box goes in micro-degrees: render.py's typed helpers have integers, not decimals.
    e6 = [round(v * 1_000_000) for v in bbox]
    return {
        "classes": list(campaign.reconcile.classes),
        "blacklist": list(P31_BLACKLIST),
        "langs": list(campaign.languages),
        "idprop": campaign.register_mapping.identifier.property,
        "min_lon": e6[0], "min_lat": e6[1], "max_lon": e6[2], "max_lat": e6[3],
    }

