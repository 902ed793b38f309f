"""Reconciliation: register records → existing Wikidata items, or ``new``, or ``review``.

Two passes (FIELD-NOTES §1.4, §4.3 item 4):

1. **Identifier match**, batched: the campaign's identifier values (``mapping.identifier.value``
   applied to each record) are looked up ``reconcile.batch_size`` (≥ 100) at a time with one
   ``VALUES`` query (``sparql/reconcile_by_identifier.rq``). Deprecated statements count as a
   match. An identifier found on two items, or one item carrying the ids of two records, goes
   to ``review`` ("id on Q1 and Q2") — never written.
2. **Geo + name** for the rest: the items of the campaign's classes (``reconcile.classes``) inside
   the records' bounding box are fetched once per area (tiles of :data:`TILE_DEG` degrees when
   the records are spread out), never per record (``sparql/reconcile_candidates.rq``). A spatial
   index in a metric CRS pairs each record with every candidate within ``reconcile.distance_m``.
   Each pair is scored ``W_NAME · name + W_DIST · (1 − d / distance_m)``, the name part being the
   best rapidfuzz similarity of the normalised record name against the item's labels and aliases
   in the campaign languages; a candidate of another class than the record's mapped P31 is
   multiplied by :data:`CLASS_MISMATCH_FACTOR`. Candidates that carry a *different* register id
   are excluded (they are another record's item). Then: ``score ≥ accept_score`` and no runner-up
   within :data:`CLOSE_CALL_MARGIN` → the QID; ``review_score ≤ score`` → ``review``; else ``new``.
   A QID picked for two records (or already matched by id) sends the geo pick to ``review``.

Queries go through one runner ``(name, target, *, cache_dir, **params) -> DataFrame``
(:func:`sparql.client.run` by default); everything else here is pure pandas/geopandas.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from core.errors import ReconcileError
from core.settings import Target
from modeling.campaign import Campaign
from modeling.decisions import DECISION_COLUMNS, NEW, REVIEW, merge_human_decisions, qid_key

log = logging.getLogger(__name__)

#: Weights of the name similarity and of the distance decay in a candidate's score.
W_NAME, W_DIST = 0.6, 0.4
#: Two candidates whose scores differ by less than this are a close call → review.
CLOSE_CALL_MARGIN = 0.1
#: Factor applied to a candidate whose P31 is not the record's mapped class.
CLASS_MISMATCH_FACTOR = 0.85
#: Candidate areas are split into tiles of this many degrees when the records are spread out.
TILE_DEG = 1.0
#: At most this many candidate areas (requests) per run; tiles grow until they fit.
MAX_AREAS = 8
#: Items that are never candidates: Wikimedia disambiguation page, Wikimedia list article.
P31_BLACKLIST = ("Q4167410", "Q13406463")
#: How many candidates the ``candidates`` column lists.
MAX_LISTED = 5

QueryRunner = Callable[..., pd.DataFrame]

_SAINT = re.compile(r"(?<!\w)(s:t|s:ta|s:t\.|st\.|sankt|sankta|saint|sainte)(?!\w)", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass
class ReconcileResult:
    """Everything one reconciliation run produced.

    Attributes:
        decisions: one row per record, columns :data:`~modeling.decisions.DECISION_COLUMNS`.
        pairs: every scored (record, candidate) pair within ``distance_m``: ``source_id, qid,
            label, distance_m, name_score, score, excluded`` (``excluded`` = why it can't match).
        id_hits: raw identifier hits ``item, value, rank``.
        candidates: the candidate items fetched, one row per QID.
        requests: number of SPARQL requests made, per query name.
    """

    decisions: pd.DataFrame
    pairs: pd.DataFrame
    id_hits: pd.DataFrame
    candidates: pd.DataFrame
    requests: dict[str, int] = field(default_factory=dict)


# --- names ------------------------------------------------------------------------------------


def normalise_name(name: object) -> str:
    """Normalise a name for fuzzy comparison.

    Lower case, diacritics removed (as the Wikidata reconciliation service does with unidecode),
    saint prefixes dropped ("S:ta Klara kyrka" → "klara kyrka"), punctuation → spaces.

    >>> normalise_name("S:ta Klara kyrka")
    'klara kyrka'
    >>> normalise_name("  Östra  Ryd's kyrka ")
    'ostra ryd s kyrka'
    """
    if name is None or (isinstance(name, float) and math.isnan(name)) or name is pd.NA:
        return ""
    text = _SAINT.sub(" ", str(name))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def name_similarity(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Element-wise similarity (0–1) of two equally long sequences of *normalised* names.

    Mean of rapidfuzz ``token_sort_ratio`` (order-insensitive, penalises extra words) and
    ``token_set_ratio`` (tolerates extra words such as a prefix); empty names score 0.
    """
    if len(a) == 0:
        return np.zeros(0)
    sort = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=1)
    tset = process.cpdist(a, b, scorer=fuzz.token_set_ratio, workers=1)
    sim = (np.asarray(sort, dtype=float) + np.asarray(tset, dtype=float)) / 200.0
    empty = np.array([not x or not y for x, y in zip(a, b, strict=True)])
    sim[empty] = 0.0
    return sim


# --- identifiers -------------------------------------------------------------------------------


def identifier_values(records: pd.DataFrame, campaign: Campaign) -> pd.Series:
    """The identifier value each record should carry on Wikidata, indexed by ``source_id``.

    Applies ``mapping.identifier.value`` (e.g. ``"raa/bbr/{source_id}"``) to each record.

    Raises:
        ReconcileError: the template names a column the records do not have.
    """
    template = campaign.mapping.identifier.value
    cols = [c for c in records.columns if c != "geometry"]
    try:
        values = [template.format(**{c: ("" if pd.isna(v) else v) for c, v in zip(cols, row, strict=True)})
                  for row in records[cols].itertuples(index=False, name=None)]
    except KeyError as exc:
        raise ReconcileError(
            f"mapping.identifier.value {template!r} names column {exc.args[0]!r}, "
            f"which the records do not have (columns: {', '.join(cols)})"
        ) from None
    return pd.Series(values, index=records["source_id"].astype(str).to_numpy(), dtype=object)


def _is_deprecated(rank: object) -> bool:
    return isinstance(rank, str) and rank.endswith("DeprecatedRank")


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def match_identifiers(values: pd.Series, hits: pd.DataFrame, prop: str) -> pd.DataFrame:
    """Decisions for the records whose identifier value is on an item.

    Args:
        values: identifier value per ``source_id`` (from :func:`identifier_values`).
        hits: query rows ``item`` (QID), ``value``, ``rank`` (any rank, deprecated included).
        prop: the identifier property, for the reasons.

    Returns:
        Decisions (only for records with a hit): the QID with score 1.0, or ``review`` when the
        value is on several items ("id on Q1 and Q2") or one item carries the values of several
        records.
    """
    by_value = pd.Series(values.index.to_numpy(), index=values.to_numpy())
    by_value = by_value[~by_value.index.duplicated()]
    hits = hits[hits["value"].isin(by_value.index)] if len(hits) else hits
    if len(hits) == 0:
        return pd.DataFrame(columns=DECISION_COLUMNS)
    hits = hits.assign(sid=hits["value"].map(by_value),
                       dep=[_is_deprecated(r) for r in hits["rank"]])
    pairs = hits.groupby(["value", "item"], sort=False).agg(sid=("sid", "first"), dep=("dep", "all"))
    pairs = pairs.reset_index()
    items_per_value = pairs.groupby("value")["item"].transform("size")
    sids_per_item = pairs.groupby("item")["sid"].transform("nunique")
    simple = pairs[(items_per_value == 1) & (sids_per_item == 1)]
    reason = ("identifier: " + prop + " " + simple["value"] + " on " + simple["item"]
              + np.where(simple["dep"], " (deprecated statement)", ""))
    out = pd.DataFrame({"source_id": simple["sid"].to_numpy(), "qid": simple["item"].to_numpy(),
                        "score": 1.0, "reason": reason.to_numpy(),
                        "candidates": (simple["item"] + ":1.00").to_numpy(), "decided_by": "auto"})
    rows: list[dict[str, Any]] = []
    multi = pairs[items_per_value > 1]
    for value, grp in multi.groupby("value", sort=False):
        qids = sorted(set(grp["item"]), key=qid_key)
        rows.append(_row(by_value[value], REVIEW, 1.0, f"id on {_and(qids)}",
                         ";".join(f"{q}:1.00" for q in qids)))
    shared = pairs[(items_per_value == 1) & (sids_per_item > 1)]
    for qid, grp in shared.groupby("item", sort=False):
        sids = sorted(set(grp["sid"]))
        for sid in sids:
            others = [x for x in sids if x != sid]
            rows.append(_row(sid, REVIEW, 1.0,
                             f"{qid} carries the {prop} ids of {_and([sid, *others])}", f"{qid}:1.00"))
    extra = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    return pd.concat([d for d in (out, extra) if len(d)], ignore_index=True)[DECISION_COLUMNS]


def _row(sid: str, qid: str, score: float | None, reason: str, candidates: str) -> dict[str, Any]:
    return {"source_id": sid, "qid": qid, "score": score, "reason": reason,
            "candidates": candidates, "decided_by": "auto"}


# --- candidates --------------------------------------------------------------------------------


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


def expected_class(records: pd.DataFrame, campaign: Campaign) -> pd.Series:
    """The P31 the mapping would give each record (``mapping.instance_of``), by ``source_id``."""
    vm = campaign.mapping.instance_of
    lower = {k.casefold(): v for k, v in vm.map.items()}
    if vm.column and vm.column in records.columns:
        raw = records[vm.column].astype(object)
        cls = [lower.get(str(v).strip().casefold(), vm.default) if not pd.isna(v) else vm.default
               for v in raw]
    else:
        cls = [vm.default] * len(records)
    return pd.Series(cls, index=records["source_id"].astype(str).to_numpy(), dtype=object)


def score_pairs(records: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, campaign: Campaign,
                id_values: pd.Series | None = None) -> pd.DataFrame:
    """Every (record, candidate) pair within ``reconcile.distance_m``, scored.

    Distances are measured in a metric CRS (the records' UTM zone) with a spatial index
    (``sindex.query(predicate="dwithin")``); for polygons the distance is 0 inside.

    Returns:
        Columns ``source_id, qid, label, distance_m, name_score, score, class_ok, excluded``;
        ``excluded`` is empty or the reason the candidate cannot be this record's item.
    """
    cols = ["source_id", "qid", "label", "distance_m", "name_score", "score", "class_ok",
            "excluded"]
    dmax = campaign.reconcile.distance_m
    if len(records) == 0 or len(candidates) == 0:
        return pd.DataFrame(columns=cols)
    crs = records.geometry.estimate_utm_crs()
    rgeom = records.geometry.to_crs(crs).reset_index(drop=True)
    cgeom = candidates.geometry.to_crs(crs).reset_index(drop=True)
    ri, ci = cgeom.sindex.query(rgeom, predicate="dwithin", distance=dmax)
    if len(ri) == 0:
        return pd.DataFrame(columns=cols)
    dist = shapely.distance(rgeom.values[ri], cgeom.values[ci])
    sids = records["source_id"].astype(str).to_numpy()[ri]
    cand = candidates.iloc[ci]
    qids = cand.index.astype(str).to_numpy()

    # Name: best similarity over the candidate's labels and aliases (explode pair × name).
    rnames = np.array([normalise_name(n) for n in records["name"]], dtype=object)[ri]
    pair_no = np.repeat(np.arange(len(ri)), [max(len(n), 1) for n in cand["names"]])
    cnames = [normalise_name(n) for names in cand["names"] for n in (names or [""])]
    sim = name_similarity(list(rnames[pair_no]), cnames)
    name_score = pd.Series(sim).groupby(pair_no).max().reindex(range(len(ri)), fill_value=0.0)

    exp = expected_class(records, campaign).to_numpy()[ri]
    class_ok = np.array([e is None or e in cls for e, cls in zip(exp, cand["classes"], strict=True)])
    score = W_NAME * name_score.to_numpy() + W_DIST * np.clip(1.0 - dist / dmax, 0.0, 1.0)
    score = np.where(class_ok, score, score * CLASS_MISMATCH_FACTOR)

    prop = campaign.mapping.identifier.property
    own = id_values.reindex(sids).to_numpy() if id_values is not None else [None] * len(ri)
    excluded = [
        f"{q} carries {prop} {', '.join(sorted(ids))}" if ids and own_v not in ids else ""
        for q, ids, own_v in zip(qids, cand["ids"], own, strict=True)
    ]
    return pd.DataFrame({
        "source_id": sids, "qid": qids, "label": cand["label"].to_numpy(),
        "distance_m": np.round(dist, 1), "name_score": np.round(name_score.to_numpy(), 3),
        "score": np.round(score, 3), "class_ok": class_ok, "excluded": excluded,
    })


def decide(pairs: pd.DataFrame, source_ids: Iterable[str], campaign: Campaign) -> pd.DataFrame:
    """Turn scored pairs into one decision per record (QID, ``review`` or ``new``).

    Args:
        pairs: output of :func:`score_pairs`.
        source_ids: every record to decide (records without any pair become ``new``).
        campaign: thresholds ``reconcile.accept_score``/``review_score``/``distance_m``.
    """
    rc = campaign.reconcile
    sids = pd.Index(list(source_ids), dtype=object)
    out = pd.DataFrame({"source_id": sids, "qid": NEW, "score": np.nan,
                        "reason": f"no candidate within {rc.distance_m:g} m", "candidates": "",
                        "decided_by": "auto"}, index=sids)
    if len(pairs) == 0:
        return out.reset_index(drop=True)[DECISION_COLUMNS]
    excluded = pairs[pairs["excluded"] != ""]
    if len(excluded):
        why = excluded.groupby("source_id")["excluded"].agg(lambda s: "; ".join(s.iloc[:MAX_LISTED]))
        out.loc[why.index, "reason"] = "candidates carry another id: " + why
    valid = pairs[pairs["excluded"] == ""]
    if len(valid) == 0:
        return out.reset_index(drop=True)[DECISION_COLUMNS]
    valid = valid.assign(_k=valid["qid"].map(qid_key)).sort_values(
        ["source_id", "score", "distance_m", "_k"], ascending=[True, False, True, True])  # ties → lower QID
    g = valid.groupby("source_id", sort=False)
    top = g.head(1).set_index("source_id")
    second = g.nth(1).set_index("source_id")
    listed = g.head(MAX_LISTED)
    cands = (listed["qid"] + ":" + listed["score"].map("{:.2f}".format)).groupby(
        listed["source_id"], sort=False).agg(";".join)
    s = top["score"].astype(float)
    s2 = second["score"].reindex(top.index).astype(float)
    q2 = second["qid"].reindex(top.index)
    close = s2.notna() & (s - s2 < CLOSE_CALL_MARGIN)
    accept = (s >= rc.accept_score) & ~close
    review = ~accept & (s >= rc.review_score)
    geo_why = ("geo+name: " + top["distance_m"].map("{:g}".format) + " m, name "
               + top["name_score"].map("{:.2f}".format)
               + np.where(top["class_ok"].astype(bool), "", ", other class"))
    close_why = ("close call " + top["qid"] + " " + s.map("{:.2f}".format) + " vs "
                 + q2.fillna("") + " " + s2.map("{:.2f}".format))
    low_why = ("best candidate " + top["qid"] + " " + s.map("{:.2f}".format) + " below ")
    reason = np.select([accept, review & close, review], [geo_why, close_why,
                       low_why + f"accept {rc.accept_score:.2f}"],
                       low_why + f"review {rc.review_score:.2f}")
    qid = np.select([accept, review], [top["qid"], REVIEW], NEW)
    out.loc[top.index, "qid"] = qid
    out.loc[top.index, "score"] = s.to_numpy()
    out.loc[top.index, "reason"] = reason
    out.loc[top.index, "candidates"] = cands.reindex(top.index).to_numpy()
    return out.reset_index(drop=True)[DECISION_COLUMNS]


def _resolve_shared_qids(id_dec: pd.DataFrame, geo_dec: pd.DataFrame) -> pd.DataFrame:
    """Geo picks of a QID also picked for another record (by id or geo) → review."""
    picked = geo_dec[~geo_dec["qid"].isin([NEW, REVIEW])]
    taken = set(id_dec["qid"])
    counts = picked["qid"].value_counts()
    clash = picked["qid"].isin(taken) | picked["qid"].map(counts).gt(1)
    if not clash.any():
        return geo_dec
    geo_dec = geo_dec.copy()
    for idx in picked.index[clash.to_numpy()]:
        qid = geo_dec.at[idx, "qid"]
        others = sorted(set(picked.loc[picked["qid"] == qid, "source_id"])
                        | set(id_dec.loc[id_dec["qid"] == qid, "source_id"])
                        - {geo_dec.at[idx, "source_id"]})
        geo_dec.at[idx, "qid"] = REVIEW
        geo_dec.at[idx, "reason"] = f"{qid} is also the match of {_and(others)}"
    return geo_dec


# --- queries -----------------------------------------------------------------------------------


def _default_runner() -> QueryRunner:
    from sparql.client import run  # SPARQL over HTTP; imported late so pure tests need no client

    return run


def fetch_identifier_hits(values: Sequence[str], campaign: Campaign, target: Target,
                          run: QueryRunner, *, cache_dir: Path | None = None,
                          counter: dict[str, int] | None = None) -> pd.DataFrame:
    """Items carrying any of ``values`` for the identifier property, ``batch_size`` per request.

    Returns:
        Rows ``item, value, rank`` (every rank, so deprecated statements match too).
    """
    size = campaign.reconcile.batch_size
    prop = campaign.mapping.identifier.property
    frames = []
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), size):
        batch = unique[start:start + size]
        frames.append(run("reconcile_by_identifier", target, cache_dir=cache_dir,
                          **_id_params(prop, batch)))
        _count(counter, "reconcile_by_identifier")
    cols = ["item", "value", "rank"]
    if not frames:
        return pd.DataFrame(columns=cols)
    hits = pd.concat(frames, ignore_index=True)
    return hits.reindex(columns=cols).astype({"item": str, "value": str})


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
        _count(counter, "reconcile_candidates")
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return aggregate_candidates(rows, campaign.languages)


def _count(counter: dict[str, int] | None, name: str) -> None:
    if counter is not None:
        counter[name] = counter.get(name, 0) + 1


def _id_params(prop: str, values: Sequence[str]) -> dict[str, Any]:
    return {"idprop": prop, "values": list(values)}


def _candidate_params(campaign: Campaign, bbox: tuple[float, float, float, float]) -> dict[str, Any]:
    # The box goes in micro-degrees: render.py's typed helpers have integers, not decimals.
    e6 = [round(v * 1_000_000) for v in bbox]
    return {
        "classes": list(campaign.reconcile.classes),
        "blacklist": list(P31_BLACKLIST),
        "langs": list(campaign.languages),
        "idprop": campaign.mapping.identifier.property,
        "min_lon": e6[0], "min_lat": e6[1], "max_lon": e6[2], "max_lat": e6[3],
    }


# --- the whole pass ----------------------------------------------------------------------------


def reconcile_detailed(records: gpd.GeoDataFrame, campaign: Campaign, target: Target, *,
                       previous: pd.DataFrame | None = None,
                       previous_auto: pd.DataFrame | None = None,
                       cache_dir: str | Path | None = None,
                       query: QueryRunner | None = None) -> ReconcileResult:
    """Reconcile records and keep the working data (pairs, hits, candidates, request counts).

    Args:
        records: the ingested records (``source_id``, ``name``, ``geometry`` in EPSG:4326 …).
        campaign: the campaign (identifier mapping, ``reconcile`` thresholds, languages).
        target: where to query (its ``sparql_url``).
        previous: decisions of an earlier run (possibly edited by a person); human rows win.
        previous_auto: what the earlier run wrote before the person edited it, to detect
            edits on rows still marked ``auto`` (see :func:`~modeling.decisions.merge_human_decisions`).
        cache_dir: query cache directory, handed to the runner.
        query: the query runner (default :func:`sparql.client.run`).

    Raises:
        ReconcileError: on records without ``source_id``/``name``/``geometry`` or duplicate ids.
    """
    for col in ("source_id", "name", "geometry"):
        if col not in records.columns:
            raise ReconcileError(f"records should have a {col!r} column, got {list(records.columns)}")
    sids = records["source_id"].astype(str)
    if sids.duplicated().any():
        raise ReconcileError(f"records should have unique source_id values, got duplicates "
                             f"{sorted(set(sids[sids.duplicated()]))[:5]}")
    run = query or _default_runner()
    cache = Path(cache_dir) if cache_dir else None
    counter: dict[str, int] = {}

    values = identifier_values(records, campaign)
    hits = fetch_identifier_hits(list(values), campaign, target, run, cache_dir=cache,
                                 counter=counter)
    id_dec = match_identifiers(values, hits, campaign.mapping.identifier.property)
    rest = records[~sids.isin(set(id_dec["source_id"]))]
    log.info("identifier match: %d of %d records in %d requests", len(id_dec), len(records),
             counter.get("reconcile_by_identifier", 0))

    candidates = fetch_candidates(rest, campaign, target, run, cache_dir=cache, counter=counter)
    pairs = score_pairs(rest, candidates, campaign, id_values=values)
    geo_dec = _resolve_shared_qids(id_dec, decide(pairs, rest["source_id"].astype(str), campaign))
    log.info("geo match: %d candidates, %d pairs for %d records", len(candidates), len(pairs),
             len(rest))

    decisions = pd.concat([d for d in (id_dec, geo_dec) if len(d)], ignore_index=True) \
        if len(id_dec) or len(geo_dec) else pd.DataFrame(columns=DECISION_COLUMNS)
    order = {s: i for i, s in enumerate(sids)}
    decisions = decisions.sort_values("source_id", key=lambda s: s.map(order)).reset_index(drop=True)
    decisions = decisions.astype({"score": "float64"}) if len(decisions) else decisions
    if previous is not None:
        decisions = merge_human_decisions(decisions, previous, previous_auto=previous_auto)
    return ReconcileResult(decisions, pairs, hits, candidates, counter)


def reconcile(records: gpd.GeoDataFrame, campaign: Campaign, target: Target, *,
              previous: pd.DataFrame | None = None, cache_dir: str | Path | None = None,
              query: QueryRunner | None = None) -> pd.DataFrame:
    """Decide, for every record, an existing item (QID), ``new`` or ``review``.

    See the module docstring for the two passes and the scoring. Pure besides the SPARQL
    queries (made through ``query``, default :func:`sparql.client.run`).

    Args:
        records: the ingested records.
        campaign: the campaign.
        target: where to query.
        previous: decisions of an earlier run; rows a person decided are kept.
        cache_dir: query cache directory.
        query: the query runner.

    Returns:
        Decisions with columns ``source_id, qid, score, reason, candidates, decided_by``.
    """
    return reconcile_detailed(records, campaign, target, previous=previous, cache_dir=cache_dir,
                              query=query).decisions
