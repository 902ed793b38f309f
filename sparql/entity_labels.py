"""Labels of items and properties with a language fallback chain (the dry-run report's labels).

Like :func:`sparql.labels.labels_with_fallback` but for any entity id (``Q…``, ``P…``): the ids go
into ``dryrun_labels.rq`` as IRIs built from the target's entity prefix, in batches of
:data:`BATCH_SIZE` (each request well inside WDQS's 60 s), then one label per entity is picked in
Python: the chain, then ``mul``, then any language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from core.settings import Target
from sparql.client import run
from sparql.labels import MUL, pick_labels

BATCH_SIZE = 500
_ID = re.compile(r"^[QPL][1-9]\d*$")


def _fetch(ids: Sequence[str], langs: Sequence[str], target: Target) -> pd.DataFrame:
    frames = [
        run("dryrun_labels", target, entities=[target.entity_prefix + i for i in ids[start:start + BATCH_SIZE]],
            langs=list(langs) or None)
        for start in range(0, len(ids), BATCH_SIZE)
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"item": [], "label": [], "lang": []})


def entity_labels(ids: Iterable[str], chain: Sequence[str], target: Target) -> dict[str, str]:
    """One label per entity id, in the first language of ``chain`` (+ ``mul``, then any) that has one.

    Args:
        ids: Item and property ids (anything else is ignored).
        chain: The campaign's label fallback chain, e.g. ``["sv", "en"]``.
        target: SPARQL target.

    Returns:
        ``{id: label}`` for the entities that have a label.
    """
    wanted = sorted({i for i in ids if isinstance(i, str) and _ID.match(i)})
    full = [*chain, *([MUL] if MUL not in chain else [])]
    found = _fetch(wanted, full, target)
    missing = sorted(set(wanted) - set(found["item"]))
    if missing:
        found = pd.concat([found, _fetch(missing, [], target)], ignore_index=True)
    if found.empty:
        return {}
    picked = pick_labels(found, full, any_language=True)
    return dict(zip(picked["item"], picked["label"], strict=True))
