"""Reconciliation: register records → existing Wikidata items, or ``new``, or ``review``.

Two passes (FIELD-NOTES §1.4, §4.3 item 4), one module per seam:

1. **Identifier match**, batched (:mod:`modeling.reconcile_ids`): the campaign's identifier
   values are looked up ``reconcile.batch_size`` at a time with one ``VALUES`` query; an id on
   two items, or one item carrying the ids of two records, goes to ``review``.
2. **Geo + name** for the rest: the candidate items of the campaign's classes near the
   records are fetched in batches of record centers (:mod:`modeling.reconcile_candidates`),
   each record is scored against every candidate within ``reconcile.distance_m``
   (:mod:`modeling.reconcile_scoring`) and the scores become a QID, ``review`` or ``new``
   (:mod:`modeling.reconcile_decide`).

Modeling does no I/O of its own: the queries go through the runner the caller passes in
(``(name, target, *, cache_dir, **params) -> DataFrame``; the flow hands it
:func:`sparql.client.run`). Everything else is pure pandas/geopandas. The public names of the
four seam modules are re-exported here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from core.errors import ReconcileError
from core.settings import Target
from modeling.campaign import Campaign
from modeling.columns import isin
from modeling.decisions import DECISION_COLUMNS, merge_human_decisions
from modeling.reconcile_candidates import (
    P31_BLACKLIST,
    aggregate_candidates,
    candidate_batches,
    candidate_centers,
    fetch_candidates,
)
from modeling.reconcile_decide import CLOSE_CALL_MARGIN, MAX_LISTED, decide, resolve_shared_qids
from modeling.reconcile_ids import (
    QueryRunner,
    fetch_identifier_hits,
    identifier_values,
    match_identifiers,
)
from modeling.reconcile_scoring import (
    CLASS_MISMATCH_FACTOR,
    W_DIST,
    W_NAME,
    expected_class,
    name_similarity,
    normalise_name,
    score_pairs,
)

__all__ = [
    "CLASS_MISMATCH_FACTOR", "CLOSE_CALL_MARGIN", "MAX_LISTED", "P31_BLACKLIST",
    "W_DIST", "W_NAME", "QueryRunner", "ReconcileResult", "aggregate_candidates",
    "candidate_batches", "candidate_centers", "decide", "expected_class", "fetch_candidates",
    "fetch_identifier_hits",
    "identifier_values", "match_identifiers", "name_similarity", "normalise_name", "reconcile",
    "reconcile_detailed", "score_pairs",
]

log = logging.getLogger(__name__)


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


def _check_records(records: gpd.GeoDataFrame) -> pd.Series:
    """The records' ``source_id`` values as strings, after checking the records contract."""
    for col in ("source_id", "name", "geometry"):
        if col not in records.columns:
            raise ReconcileError(f"records should have a {col!r} column, got {list(records.columns)}")
    sids = records["source_id"].astype(str)
    if sids.duplicated().any():
        raise ReconcileError(f"records should have unique source_id values, got duplicates "
                             f"{sorted(set(sids[sids.duplicated()]))[:5]}")
    return sids


def _in_record_order(id_dec: pd.DataFrame, geo_dec: pd.DataFrame, sids: pd.Series) -> pd.DataFrame:
    """Both passes' decisions in one frame, in the records' order."""
    parts = [d for d in (id_dec, geo_dec) if len(d)]
    decisions = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=DECISION_COLUMNS)
    order = {s: i for i, s in enumerate(sids)}
    decisions = decisions.sort_values("source_id", key=lambda s: s.map(order)).reset_index(drop=True)
    return decisions.astype({"score": "float64"}) if len(decisions) else decisions


def reconcile_detailed(records: gpd.GeoDataFrame, campaign: Campaign, target: Target, *,
                       query: QueryRunner,
                       previous: pd.DataFrame | None = None,
                       previous_auto: pd.DataFrame | None = None,
                       cache_dir: str | Path | None = None) -> ReconcileResult:
    """Reconcile records and keep the working data (pairs, hits, candidates, request counts).

    Args:
        records: the ingested records (``source_id``, ``name``, ``geometry`` in EPSG:4326 …).
        campaign: the campaign (identifier mapping, ``reconcile`` thresholds, languages).
        target: where to query (its ``sparql_url``).
        query: the query runner (the flow passes :func:`sparql.client.run`).
        previous: decisions of an earlier run (possibly edited by a person); human rows win.
        previous_auto: what the earlier run wrote before the person edited it, to detect
            edits on rows still marked ``auto`` (see :func:`~modeling.decisions.merge_human_decisions`).
        cache_dir: query cache directory, handed to the runner.

    Raises:
        ReconcileError: on records without ``source_id``/``name``/``geometry`` or duplicate ids.
    """
    sids = _check_records(records)
    cache = Path(cache_dir) if cache_dir else None
    counter: dict[str, int] = {}

    values = identifier_values(records, campaign)
    hits = fetch_identifier_hits(list(values), campaign, target, query, cache_dir=cache,
                                 counter=counter)
    id_dec = match_identifiers(values, hits, campaign.register_mapping.identifier.property)
    rest = records[~isin(sids, id_dec["source_id"])]
    log.info("identifier match: %d of %d records in %d requests", len(id_dec), len(records),
             counter.get("reconcile_by_identifier", 0))

    candidates = fetch_candidates(rest, campaign, target, query, cache_dir=cache, counter=counter)
    pairs = score_pairs(rest, candidates, campaign, id_values=values)
    geo_dec = resolve_shared_qids(id_dec, decide(pairs, rest["source_id"].astype(str), campaign))
    log.info("geo match: %d candidates, %d pairs for %d records", len(candidates), len(pairs),
             len(rest))

    decisions = _in_record_order(id_dec, geo_dec, sids)
    if previous is not None:
        decisions = merge_human_decisions(decisions, previous, previous_auto=previous_auto)
    return ReconcileResult(decisions, pairs, hits, candidates, counter)


def reconcile(records: gpd.GeoDataFrame, campaign: Campaign, target: Target, *,
              query: QueryRunner, previous: pd.DataFrame | None = None,
              cache_dir: str | Path | None = None) -> pd.DataFrame:
    """Decide, for every record, an existing item (QID), ``new`` or ``review``.

    See the module docstring for the two passes and the scoring. Pure besides the SPARQL
    queries, made through ``query``.

    Args:
        records: the ingested records.
        campaign: the campaign.
        target: where to query.
        query: the query runner (the flow passes :func:`sparql.client.run`).
        previous: decisions of an earlier run; rows a person decided are kept.
        cache_dir: query cache directory.

    Returns:
        Decisions with columns ``source_id, qid, score, reason, candidates, decided_by``.
    """
    return reconcile_detailed(records, campaign, target, query=query, previous=previous,
                              cache_dir=cache_dir).decisions
