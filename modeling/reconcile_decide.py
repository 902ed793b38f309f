"""Reconciliation, pass 2 decisions: scored pairs → a QID, ``review`` or ``new`` per record.

``score ≥ accept_score`` and no runner-up within :data:`CLOSE_CALL_MARGIN` → the QID;
``review_score ≤ score`` → ``review``; else ``new``. A QID picked for two records (or already
matched by id) sends the geo pick to ``review``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from modeling.campaign import Campaign
from modeling.decisions import DECISION_COLUMNS, NEW, REVIEW, qid_key
from modeling.reconcile_ids import and_list

#: Two candidates whose scores differ by less than this are a close call → review.
CLOSE_CALL_MARGIN = 0.1
#: How many candidates the ``candidates`` column lists.
MAX_LISTED = 5


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


def resolve_shared_qids(id_dec: pd.DataFrame, geo_dec: pd.DataFrame) -> pd.DataFrame:
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
        geo_dec.at[idx, "reason"] = f"{qid} is also the match of {and_list(others)}"
    return geo_dec

