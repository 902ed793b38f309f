"""Reconciliation, pass 2 scoring: each record against every candidate within reach.

A spatial index in a metric CRS pairs each record with every candidate within
``reconcile.distance_m``. Each pair is scored ``W_NAME · name + W_DIST · (1 − d / distance_m)``,
the name part being the best rapidfuzz similarity of the normalised record name against the
item's labels and aliases in the campaign languages; a candidate of another class than the
record's mapped P31 is multiplied by :data:`CLASS_MISMATCH_FACTOR`. Candidates that carry a
*different* register id are marked excluded (they are another record's item).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from modeling.campaign import Campaign

#: Weights of the name similarity and of the distance decay in a candidate's score.
W_NAME, W_DIST = 0.6, 0.4
#: Factor applied to a candidate whose P31 is not the record's mapped class.
CLASS_MISMATCH_FACTOR = 0.85

_SAINT = re.compile(r"(?<!\w)(s:t|s:ta|s:t\.|st\.|sankt|sankta|saint|sainte)(?!\w)", re.IGNORECASE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


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
    sim: np.ndarray = (np.asarray(sort, dtype=float) + np.asarray(tset, dtype=float)) / 200.0
    empty = np.array([not x or not y for x, y in zip(a, b, strict=True)])
    sim[empty] = 0.0
    return sim


def expected_class(records: pd.DataFrame, campaign: Campaign) -> pd.Series:
    """The P31 the mapping would give each record (``mapping.instance_of``), by ``source_id``."""
    vm = campaign.register_mapping.instance_of
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

    # Name: best similarity over the candidate's labels and aliases (explode pair × name). Only
    # the records in a pair are normalised (a national register has few near existing items).
    paired, back = np.unique(ri, return_inverse=True)
    rnames = np.array([normalise_name(n) for n in records["name"].to_numpy()[paired]], dtype=object)[back]
    pair_no = np.repeat(np.arange(len(ri)), [max(len(n), 1) for n in cand["names"]])
    cnames = [normalise_name(n) for names in cand["names"] for n in (names or [""])]
    sim = name_similarity(list(rnames[pair_no]), cnames)
    name_score = pd.Series(sim).groupby(pair_no).max().reindex(range(len(ri)), fill_value=0.0)

    exp = expected_class(records.iloc[paired], campaign).to_numpy()[back]
    class_ok = np.array([e is None or e in cls for e, cls in zip(exp, cand["classes"], strict=True)])
    score = W_NAME * name_score.to_numpy() + W_DIST * np.clip(1.0 - dist / dmax, 0.0, 1.0)
    score = np.where(class_ok, score, score * CLASS_MISMATCH_FACTOR)

    prop = campaign.register_mapping.identifier.property
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

