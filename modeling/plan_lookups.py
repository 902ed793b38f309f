"""The plan stage's lookups against the target, batched and written to one small file.

Two SPARQL lookups serve the pre-upload checks: which items already hold each record's
identifier value (``reconcile_by_identifier``, ``reconcile.batch_size`` values per request) and
which items already use a planned label + description (``plan_label_collisions``, 200 labels
per request). Both stream the records in chunks and keep only the *hits*, so the result stays
small however large the register: it is written to ``03_plan/lookups.json`` and the planning
task reads it from there (a path between tasks, never the tables themselves).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from core.settings import Target
from modeling.campaign import Campaign
from modeling.checks import fetch_collisions
from modeling.entity_builder import fill
from modeling.planning import TermKey, planned_terms, record_chunks
from modeling.reconcile_ids import QueryRunner, fetch_identifier_hits

LOOKUP_CHUNK = 50_000
#: Identifier values, or labels, per lookup request (each one index lookup; far below WDQS's
#: 60 s for 1,000).
LOOKUP_BATCH = 1_000


def _identifier_values(records_path: Path, campaign: Campaign) -> Iterator[str]:
    template = campaign.register_mapping.identifier.value
    for records in record_chunks(records_path, LOOKUP_CHUNK):
        for record in records:
            value = fill(template, record, what="mapping.identifier.value")
            if value:
                yield value


def lookup(records_path: str | Path, campaign: Campaign, target: Target, run: QueryRunner,
           out_file: str | Path, batch_size: int = LOOKUP_BATCH) -> dict[str, Any]:
    """Run both lookups over the records and write the hits to ``out_file``.

    Args:
        records_path: ``01_ingest/records.parquet``.
        campaign: The campaign.
        target: The target whose SPARQL endpoint is asked.
        run: The query runner (:func:`sparql.client.run`).
        out_file: Where the hits go (``03_plan/lookups.json``).
        batch_size: Identifier values, or labels, per request.

    Returns:
        A small summary: values and terms looked up, hits, requests.
    """
    id_requests: dict[str, int] = {}
    term_requests: dict[str, int] = {}
    values = list(dict.fromkeys(_identifier_values(Path(records_path), campaign)))
    terms: list[TermKey] = []
    for records in record_chunks(records_path, LOOKUP_CHUNK):
        terms.extend(planned_terms(records, campaign))
    terms = list(dict.fromkeys(terms))
    # The two lookups are independent: side by side, the endpoint answers one while this process
    # decodes the other's results (two parallel requests are within WDQS's etiquette).
    with ThreadPoolExecutor(2) as pool:
        id_hits = pool.submit(fetch_identifier_hits, values, campaign, target, run, counter=id_requests,
                              batch_size=batch_size, in_flight=1)  # 2 requests in flight in all
        found = pool.submit(fetch_collisions, terms, target, run=_counting(run, term_requests),
                            batch_size=batch_size)
        hits, collisions = id_hits.result(), found.result()
    requests = {**id_requests, **term_requests}
    existing: dict[str, list[str]] = {}
    for item, value in zip(hits["item"].tolist(), hits["value"].tolist(), strict=True):
        existing.setdefault(value, []).append(item)
    data = {"existing_ids": existing,
            "collisions": [[*key, qid] for key, qid in sorted(collisions.items())]}
    Path(out_file).parent.mkdir(parents=True, exist_ok=True)
    Path(out_file).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return {"identifier_values": len(values), "identifier_hits": len(existing),
            "terms": len(terms), "collisions": len(collisions), "requests": requests}


def _counting(run: QueryRunner, counter: dict[str, int]) -> QueryRunner:
    def counted(name: str, *args: Any, **kwargs: Any) -> pd.DataFrame:
        counter[name] = counter.get(name, 0) + 1
        return run(name, *args, **kwargs)

    return counted


def read_lookups(path: str | Path) -> tuple[dict[str, set[str]], dict[TermKey, str]]:
    """``(existing_ids, collisions)`` as :func:`modeling.planning.plan_to_store` takes them."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    existing = {value: set(items) for value, items in data["existing_ids"].items()}
    collisions = {(lang, label, desc): qid for lang, label, desc, qid in data["collisions"]}
    return existing, collisions
