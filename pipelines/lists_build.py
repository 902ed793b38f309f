"""The query side of the campaign lists: fetch the scope and labels, then write ``05_lists/``.

:func:`build_lists` runs the campaign's scope query (:func:`modeling.scope.scope_query`, paged)
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
from modeling.scope import scope_query
from reports.entity_links import EntityLinks
from reports.lists import assemble, fold_items, write_lists

#: Rows per page of the scope query (each page is one request, well inside WDQS's 60 s; every
#: page evaluates the whole query again, so pages are large: 10⁵ monuments take one request).
PAGE_SIZE = 150_000


def build_lists(campaign: Campaign, target: Target, out_dir: str | Path, region: str | None = None,
                cache_dir: Path | None = None) -> dict[str, Any]:
    """Fetch the campaign scope by SPARQL and write every list output to ``05_lists/``.

    Queries: ``lists_campaign_items`` (paged), ``lists_labels`` (items in the fallback chain,
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
    scope = scope_query(campaign, region)  # the register's identifier, or the campaign's scope:
    if scope.path is not None:  # the campaign's own .rq (ends with ORDER BY ?item)
        rows = sparql.client.run_query(scope.path.read_text(encoding="utf-8"), target,
                                       cache_dir=cache_dir, page_size=PAGE_SIZE, label=scope.label)
    else:
        assert scope.name is not None  # a ScopeQuery without a path names a sparql/ file
        rows = sparql.client.run(scope.name, target, cache_dir=cache_dir, page_size=PAGE_SIZE,
                                 **scope.params)
    items = fold_items(rows)
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
