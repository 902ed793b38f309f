"""The query side of the campaign lists: fetch the scope and labels, then write ``05_lists/``.

:func:`build_lists` runs the campaign's scope query (:func:`modeling.scope.scope_query`; paged,
or for a large country region by region, see :func:`_scope_rows`) and the label queries through
:mod:`sparql.client` / :mod:`sparql.labels`, and hands the rows to the pure renderers of
:mod:`reports.lists` (which never call an API).
"""

from __future__ import annotations

from collections.abc import Iterator
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

#: Rows per page of a paged query, and the most items a single region is read with unpaged
#: (each request well inside WDQS's 60 s; every page evaluates the whole query again).
PAGE_SIZE = 150_000
#: Items per request of a register campaign's scope: up to this many, one unsorted request;
#: above, region by region. Smaller groups keep both requests in flight busy to the end (10⁵
#: monuments in 8 regions: 50,000 made groups of 37,600, 37,300 and 25,100 items, the last one
#: alone on the endpoint; 25,000 makes 8 even requests: 5.6 s → 4.8 s).
PART_ROWS = 25_000
#: Regions per request at most (one ``VALUES`` row each).
PART_REGIONS = 500


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
    items = fold_items(_scope_parts(scope_query(campaign, region), target, cache_dir))
    chain = [*campaign.fallback_chain, *[lang for lang in campaign.languages if lang not in campaign.fallback_chain]]
    chain += [sparql.labels.MUL] if sparql.labels.MUL not in chain else []
    item_ids = items["item"].tolist()  # a list: iterating a pyarrow-backed column is 10x slower
    raw = sparql.labels.fetch_labels(item_ids, chain, target, cache_dir=cache_dir)
    missing = sorted(set(item_ids) - set(raw["item"].tolist()))
    if missing:
        raw = pd.concat([raw, sparql.labels.fetch_labels(missing, [], target, cache_dir=cache_dir)], ignore_index=True)
    picked = sparql.labels.pick_labels(raw, chain)
    entities = {q for qs in items["regions"] for q in qs} | {q for qs in items["designations"] for q in qs}
    names = sparql.labels.labels_with_fallback(entities, chain, target, cache_dir=cache_dir)
    links = EntityLinks.for_target(target)
    table = assemble(campaign, items, raw, picked, names, links)
    return write_lists(campaign, table, names, Path(out_dir), links=links)


def _scope_parts(scope: ScopeQuery, target: Target, cache_dir: Path | None) -> Iterator[pd.DataFrame]:
    """The scope query's rows, part by part: read whole, or for a large register campaign region
    by region, each part handed over as it comes in (the lists fold it while the endpoint
    evaluates the next ones).

    Every ``LIMIT``/``OFFSET`` page evaluates (and sorts) the whole scope again on the endpoint
    (10⁶ monuments: 7 evaluations, each past WDQS's 60 s), and sorting for the pages costs
    Oxigraph as much as finding the rows. So a register campaign counts its items per region
    first (direct P131, ``lists_campaign_regions``): up to :data:`PART_ROWS` items the scope is
    one unsorted request; above, groups of regions of at most :data:`PART_ROWS` items each, plus
    the items without a region, two requests at a time (:func:`sparql.client.run_each`). A single
    region (or the region-less rest) larger than that is one request of its own, and only above
    :data:`PAGE_SIZE` items is it paged. An item in two regions comes in two parts (the fold
    keeps it once).
    """
    if scope.path is not None:  # the campaign's own .rq (ends with ORDER BY ?item)
        yield sparql.client.run_query(scope.path.read_text(encoding="utf-8"), target,
                                      cache_dir=cache_dir, page_size=PAGE_SIZE, label=scope.label)
        return
    assert scope.name is not None  # a ScopeQuery without a path names a sparql/ file
    if scope.name != "lists_campaign_items" or scope.params.get("region"):
        yield sparql.client.run(scope.name, target, cache_dir=cache_dir, page_size=PAGE_SIZE, **scope.params)
        return
    counts = sparql.client.run("lists_campaign_regions", target, cache_dir=cache_dir, idprop=scope.params["idprop"])
    params = {k: v for k, v in scope.params.items() if k != "region"}
    if int(counts["items"].sum()) <= PART_ROWS:
        yield sparql.client.run(scope.name, target, cache_dir=cache_dir, unordered=1, **params)
        return
    located = counts[counts["region"].notna()]
    parts: list[tuple[dict[str, Any], int]] = [
        ({"parts": group}, size) for group, size in _region_groups(located["region"], located["items"])]
    if len(located) < len(counts):  # the unbound group: items without P131
        parts.append(({"unlocated": 1}, int(counts.loc[counts["region"].isna(), "items"].sum())))
    yield from sparql.client.run_each(scope.name, target, [{**params, **part, "unordered": 1}
                                                            for part, size in parts if size <= PAGE_SIZE],
                                       cache_dir=cache_dir)
    for part, size in parts:
        if size > PAGE_SIZE:
            yield sparql.client.run(scope.name, target, cache_dir=cache_dir, page_size=PAGE_SIZE, **params, **part)


def _region_groups(regions: pd.Series, sizes: pd.Series) -> list[tuple[list[str], int]]:
    """Regions in groups of at most :data:`PART_ROWS` items and :data:`PART_REGIONS` regions,
    with their item counts (a larger region is a group of its own)."""
    groups: list[tuple[list[str], int]] = []
    group: list[str] = []
    total = 0
    for region, size in zip(regions.tolist(), sizes.tolist(), strict=True):
        if group and (total + int(size) > PART_ROWS or len(group) >= PART_REGIONS):
            groups.append((group, total))
            group, total = [], 0
        group.append(str(region))
        total += int(size)
    return [*groups, (group, total)] if group else groups
