"""Reconciliation running while items are being edited never sees an existing item as absent.

The query service swaps an item's triples in one transaction, so a SPARQL read during an edit
sees the item's old or new version, never none (issue 12: 30 % of reads saw nothing before).
"""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from _upload_support import admin_units, campaign, plans_for, records, run_upload

from clients.wikibase import WikibaseClient
from modeling.reconcile import fetch_identifier_hits, match_identifiers
from sparql.client import run as sparql_run

pytestmark = pytest.mark.integration


def test_reconcile_during_edits_finds_every_existing_item(services_factory, tmp_path):
    svc = services_factory()
    recs = records(6, start=700)
    plans = plans_for(svc.target, recs, admin_units(svc.target, tmp_path))
    run_upload(svc.target, plans, tmp_path / "ledger.sqlite")
    values = {p.source_id: p.identifier for p in plans}
    expected = {p.source_id: q for p, q in zip(plans, _qids(svc, values), strict=True)}
    camp = campaign()
    series = pd.Series(list(values.values()), index=list(values.keys()), dtype=object)
    done = threading.Event()
    misses: list[dict[str, str]] = []
    reads = 0

    def reconcile_loop() -> None:
        nonlocal reads
        while not done.is_set():
            hits = fetch_identifier_hits(list(values.values()), camp, svc.target, sparql_run)
            found = dict(zip(*match_identifiers(series, hits, camp.mapping.identifier.property)[
                ["source_id", "qid"]].to_numpy().T, strict=True))
            reads += 1
            if found != expected:
                misses.append(found)

    reader = threading.Thread(target=reconcile_loop)
    reader.start()
    client = WikibaseClient(svc.target, sleep=lambda s: None)
    try:
        for n in range(25):  # 150 edits: aliases change on every item, every round
            for qid in expected.values():
                client.edit({"aliases": {"en": [{"language": "en", "value": f"alias {n}"}]}}, qid=qid,
                            summary="concurrent edit", baserevid=None)
    finally:
        done.set()
        reader.join(60)
    assert reads >= 5  # the reads really overlapped the edits
    assert misses == []  # not one read saw an existing item as absent


def _qids(svc, values):
    client = WikibaseClient(svc.target)
    return [client.find_by_identifier(campaign().mapping.identifier.property, v)[0] for v in values.values()]
