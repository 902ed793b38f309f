"""The query side of the campaign lists: fetch the scope and labels, then write ``05_lists/``.

:func:`build_lists` runs the campaign's scope query (:func:`modeling.scope.scope_query`; a register
campaign's in item batches, see :func:`_scope_rows`)
and the label queries through :mod:`sparql.client` / :mod:`sparql.labels`, and hands the rows to the pure renderers of
:mod:`reports.lists` (which never call an API).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

import sparql.client
import sparql.labels
from core.settings import Target
from modeling.campaign import Campaign
from modeling.scope import ScopeQuery, scope_query
from reports.entity_links import EntityLinks
from reports.lists import assemble, fold_items, write_lists

#: Rows per page of a paged query (each page is one request, well inside WDQS's 60 s; every
#: page evaluates the whole query again, so pages are large: 10⁵ rows take one request).
PAGE_SIZE = 150_000
#: Items per request when a register campaign's scope is read in VALUES batches.
ITEM_BATCH = 2_000


def build_lists(campaign: Campaign, target: Target, out_dir: str | Path, region: str | None = None,
                cache_dir: Path | None = None) -> dict[str, Any]:
    """Fetch the campaign scope by SPARQL and write every list output to ``05_lists/``.

    Queries: the scope (:func:`_scope_rows`), ``lists_labels`` (items in the fallback chain,
    then any language for the rest; regions and designations) — no label service. Entity links
    point at the target's own wiki (:meth:`EntityLinks.for_target`).

    Args:
        campaign: The campaign (scope: identifier property, designations; lists settings).
        target: SPARQL target.
        out_dir: The run's output directory.
        region: Optional QID: only items located in it (P131, transitively).
        cache_dir: Optional SPARQL result cache.

    Returns:
        Summary (also in ``05_lists/summary.json``) plus ``stats`` rows and ``total``.
    """
    items = fold_items(_scope_rows(scope_query(campaign, region), target, cache_dir))
    chain = [*campaign.fallback_chain, *[lang for lang in campaign.languages if lang not in campaign.fallback_chain]]
    chain += [sparql.labels.MUL] if sparql.labels.MUL not in chain else []
    raw = sparql.labels.fetch_labels(items["item"], chain, target, cache_dir=cache_dir)
    missing = sorted(set(items["item"]) - set(raw["item"]))
    if missing:
        raw = pd.concat([raw, sparql.labels.fetch_labels(missing, [], target, cache_dir=cache_dir)], ignore_index=True)
    picked = sparql.labels.pick_labels(raw, chain)
    entities = {q for qs in items["regions"] for q in qs} | {q for qs in items["designations"] for q in qs}
    names = sparql.labels.labels_with_fallback(entities, chain, target, cache_dir=cache_dir)
    links = EntityLinks.for_target(target)
    table = assemble(campaign, items, raw, picked, names, links)
    return write_lists(campaign, table, names, Path(out_dir), links=links)


def _scope_rows(scope: ScopeQuery, target: Target, cache_dir: Path | None) -> pd.DataFrame:
    """The scope query's rows.

    A register campaign's whole country (``lists_campaign_items`` without a region) is read in
    two steps so that no request evaluates the whole scope: the keys (every item with the
    identifier property, paged) and then the scope's rows for :data:`ITEM_BATCH` of them at a
    time. A single query paged by ``LIMIT``/``OFFSET`` evaluated the whole scope once per page
    (10⁶ monuments: 7 pages, each longer than WDQS's 60 s). Other scopes are paged.
    """
    if scope.path is not None:  # the campaign's own .rq (ends with ORDER BY ?item)
        return sparql.client.run_query(scope.path.read_text(encoding="utf-8"), target,
                                       cache_dir=cache_dir, page_size=PAGE_SIZE, label=scope.label)
    assert scope.name is not None  # a ScopeQuery without a path names a sparql/ file
    if scope.name != "lists_campaign_items" or scope.params.get("region"):
        return sparql.client.run(scope.name, target, cache_dir=cache_dir, page_size=PAGE_SIZE,
                                 **scope.params)
    keys = sparql.client.run("lists_campaign_keys", target, cache_dir=cache_dir, page_size=PAGE_SIZE,
                             idprop=scope.params["idprop"])["item"].tolist()
    params = {k: v for k, v in scope.params.items() if k != "region"}
    frames = [sparql.client.run(scope.name, target, cache_dir=cache_dir, items=keys[i:i + ITEM_BATCH],
                                **params) for i in range(0, len(keys), ITEM_BATCH)]
    if not frames:  # nothing carries the identifier: the scope's (empty) columns
        return sparql.client.run(scope.name, target, cache_dir=cache_dir, **params)
    return pd.concat(frames, ignore_index=True)
