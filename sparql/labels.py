"""Labels for many entities with a language fallback chain applied in Python.

No ``SERVICE wikibase:label`` (Oxigraph and QLever don't have it; STYLE §2.6): labels are
fetched with ``sparql/lists_labels.rq`` (``rdfs:label`` + ``LANG``) in ``VALUES`` batches, then
each entity gets the first language of the chain that has a label. With ``any_language=True``
entities still unlabelled get any label they have (the lowest language code, for stable output),
fetched in a second, smaller round.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from core.settings import Target
from sparql.client import run_each

log = logging.getLogger(__name__)

#: Entities per VALUES batch (each request well under WDQS limits; a national list of 10⁶ items
#: makes 500 of them).
BATCH_SIZE = 2_000
#: Wikidata's "multiple languages" label code, tried after the campaign chain.
MUL = "mul"


def _batches(ids: Sequence[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


def fetch_labels(
    ids: Iterable[str],
    languages: Sequence[str],
    target: Target,
    *,
    cache_dir: Path | None = None,
    batch_size: int = BATCH_SIZE,
) -> pd.DataFrame:
    """Fetch every label of ``ids`` in ``languages`` (all languages when empty).

    Args:
        ids: Entity ids (duplicates and None ignored).
        languages: Language codes; empty = every language.
        target: SPARQL target.
        cache_dir: Optional query cache.
        batch_size: Entities per query.

    Returns:
        Columns ``item, label, lang``.
    """
    unique = sorted({i for i in ids if isinstance(i, str) and i})
    langs = list(languages) or None
    frames = list(run_each("lists_labels", target, [{"items": batch, "langs": langs}
                                                    for batch in _batches(unique, batch_size)], cache_dir=cache_dir))
    if not frames:
        return pd.DataFrame({"item": [], "label": [], "lang": []}, dtype="string")
    return pd.concat(frames, ignore_index=True)


def pick_labels(labels: pd.DataFrame, chain: Sequence[str], *, any_language: bool = True) -> pd.DataFrame:
    """Choose one label per entity: the first language of ``chain`` that has one.

    Args:
        labels: Columns ``item, label, lang`` (from :func:`fetch_labels`).
        chain: Preferred languages in order, e.g. ``["sv", "en", "mul"]``.
        any_language: Fall back to any remaining language (lowest code first).

    Returns:
        Columns ``item, label, lang`` with one row per labelled entity.

    >>> df = pd.DataFrame({"item": ["Q1", "Q1", "Q2"], "label": ["a", "b", "c"], "lang": ["en", "sv", "de"]})
    >>> pick_labels(df, ["sv", "en"]).to_dict("records")
    [{'item': 'Q1', 'label': 'b', 'lang': 'sv'}, {'item': 'Q2', 'label': 'c', 'lang': 'de'}]
    """
    if labels.empty:
        return labels[["item", "label", "lang"]].copy()
    rank = {lang: i for i, lang in enumerate(chain)}
    frame = labels[["item", "label", "lang"]].copy()
    frame["_rank"] = frame["lang"].map(lambda lang: rank.get(lang, len(rank)))
    if not any_language:
        frame = frame[frame["_rank"] < len(rank)]
    frame = frame.sort_values(["item", "_rank", "lang", "label"], kind="stable")
    return frame.drop_duplicates("item").drop(columns="_rank").reset_index(drop=True)


def labels_with_fallback(
    ids: Iterable[str],
    chain: Sequence[str],
    target: Target,
    *,
    cache_dir: Path | None = None,
    any_language: bool = True,
) -> pd.DataFrame:
    """Fetch and pick one label per entity: ``chain`` (+ ``mul``), then any language.

    Args:
        ids: Entity ids.
        chain: Campaign fallback chain, e.g. ``["sv", "en"]``.
        target: SPARQL target.
        cache_dir: Optional query cache.
        any_language: Ask once more, without a language filter, for entities still unlabelled.

    Returns:
        Columns ``item, label, lang``.
    """
    ids = sorted({i for i in ids if isinstance(i, str) and i})
    full_chain = [*chain, *([MUL] if MUL not in chain else [])]
    found = fetch_labels(ids, full_chain, target, cache_dir=cache_dir)
    if any_language:
        missing = sorted(set(ids) - set(found["item"]))
        if missing:
            log.info("%d entities have no label in %s; asking for any language", len(missing), full_chain)
            found = pd.concat([found, fetch_labels(missing, [], target, cache_dir=cache_dir)], ignore_index=True)
    return pick_labels(found, full_chain, any_language=any_language)

