"""Reconciliation, pass 1: the register's identifier values on Wikidata items.

The campaign's identifier values (``mapping.identifier.value`` applied to each record) are
looked up ``reconcile.batch_size`` (≥ 100) at a time with one ``VALUES`` query
(``sparql/reconcile_by_identifier.rq``), through a query runner the caller passes in. Deprecated
statements count as a match. An identifier found on two items, or one item carrying the ids of
two records, goes to ``review`` ("id on Q1 and Q2") — never written.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.errors import ReconcileError
from core.settings import Target
from core.threads import map_in_order
from modeling.campaign import Campaign
from modeling.columns import isin
from modeling.decisions import DECISION_COLUMNS, REVIEW, qid_key

#: ``(name, target, *, cache_dir, **params) -> DataFrame``, e.g. :func:`sparql.client.run`.
QueryRunner = Callable[..., pd.DataFrame]


def identifier_values(records: pd.DataFrame, campaign: Campaign) -> pd.Series:
    """The identifier value each record should carry on Wikidata, indexed by ``source_id``.

    Applies ``mapping.identifier.value`` (e.g. ``"raa/bbr/{source_id}"``) to each record.

    Raises:
        ReconcileError: the template names a column the records do not have.
    """
    template = campaign.register_mapping.identifier.value
    cols = [c for c in records.columns if c != "geometry"]
    named = _named_fields(template)
    if named is not None and named <= set(cols):
        cols = [c for c in cols if c in named]  # only the columns the template uses (10⁵ rows: 4× faster)
    try:
        values = [template.format(**{c: ("" if pd.isna(v) else v) for c, v in zip(cols, row, strict=True)})
                  for row in records[cols].itertuples(index=False, name=None)]
    except KeyError as exc:
        raise ReconcileError(
            f"mapping.identifier.value {template!r} names column {exc.args[0]!r}, "
            f"which the records do not have (columns: {', '.join(cols)})"
        ) from None
    return pd.Series(values, index=records["source_id"].astype(str).to_numpy(), dtype=object)


def _named_fields(template: str) -> set[str] | None:
    """The record columns ``template`` names, or None when it has positional fields."""
    names: set[str] = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is None:
            continue
        name = re.split(r"[.\[]", field, maxsplit=1)[0]
        if not name or name.isdigit():
            return None
        names.add(name)
    return names


def _is_deprecated(rank: object) -> bool:
    return isinstance(rank, str) and rank.endswith("DeprecatedRank")


def and_list(items: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
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
    hits = hits[isin(hits["value"], by_value.index)] if len(hits) else hits
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
        rows.append(_row(by_value[value], REVIEW, 1.0, f"id on {and_list(qids)}",
                         ";".join(f"{q}:1.00" for q in qids)))
    shared = pairs[(items_per_value == 1) & (sids_per_item > 1)]
    for qid, grp in shared.groupby("item", sort=False):
        sids = sorted(set(grp["sid"]))
        for sid in sids:
            others = [x for x in sids if x != sid]
            rows.append(_row(sid, REVIEW, 1.0,
                             f"{qid} carries the {prop} ids of {and_list([sid, *others])}", f"{qid}:1.00"))
    extra = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    return pd.concat([d for d in (out, extra) if len(d)], ignore_index=True)[DECISION_COLUMNS]


def _row(sid: str, qid: str, score: float | None, reason: str, candidates: str) -> dict[str, Any]:
    return {"source_id": sid, "qid": qid, "score": score, "reason": reason,
            "candidates": candidates, "decided_by": "auto"}


#: Requests of one batched lookup in flight at once: the endpoint evaluates one batch while this
#: process renders the next and converts the last answer (WDQS allows 5 parallel queries per
#: client; 2 is polite).
IN_FLIGHT = 2


def fetch_identifier_hits(values: Sequence[str], campaign: Campaign, target: Target,
                          run: QueryRunner, *, cache_dir: Path | None = None,
                          counter: dict[str, int] | None = None,
                          batch_size: int | None = None, in_flight: int = IN_FLIGHT) -> pd.DataFrame:
    """Items carrying any of ``values`` for the identifier property, ``batch_size`` per request
    (the campaign's ``reconcile.batch_size`` unless given), ``in_flight`` requests at a time.

    Returns:
        Rows ``item, value, rank`` (every rank, so deprecated statements match too).
    """
    size = batch_size or campaign.reconcile.batch_size
    prop = campaign.register_mapping.identifier.property
    unique = list(dict.fromkeys(values))
    frames = run_batches(run, "reconcile_by_identifier", target,
                         [_id_params(prop, unique[start:start + size])
                          for start in range(0, len(unique), size)],
                         cache_dir=cache_dir, counter=counter, in_flight=in_flight)
    cols = ["item", "value", "rank"]
    if not frames:
        return pd.DataFrame(columns=cols)
    hits = pd.concat(frames, ignore_index=True)
    return hits.reindex(columns=cols).astype({"item": str, "value": str})


def count_request(counter: dict[str, int] | None, name: str) -> None:
    if counter is not None:
        counter[name] = counter.get(name, 0) + 1


def run_batches(run: QueryRunner, name: str, target: Target, batches: Sequence[dict[str, Any]], *,
                cache_dir: Path | None = None, counter: dict[str, int] | None = None,
                in_flight: int = IN_FLIGHT) -> list[pd.DataFrame]:
    """``run(name, target, **params)`` for every parameter set, ``in_flight`` at a time.

    Returns:
        One frame per batch, in the order of ``batches`` (so results are as if run one by one).
    """
    def one(params: dict[str, Any]) -> pd.DataFrame:
        return run(name, target, cache_dir=cache_dir, **params)

    frames = map_in_order(one, batches, in_flight, f"sparql-{name}")
    for _ in frames:
        count_request(counter, name)
    return frames


def _id_params(prop: str, values: Sequence[str]) -> dict[str, Any]:
    return {"idprop": prop, "values": list(values)}

