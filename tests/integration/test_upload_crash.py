"""A killed upload, restarted, ends with exactly one item per identifier and nothing missing.

The search index lags 30 s and writes may commit after their client died: recovery must come
from the account's own contributions, not from search. Items carry no description, so
Wikibase's label+description uniqueness cannot hide a duplicate.
"""

from __future__ import annotations

import random
import time

import pytest
from _crash_support import (
    kill,
    saved_creates,
    set_identifiers,
    start_run,
    strip_descriptions,
    wait_until,
)
from _upload_support import admin_units, campaign, plans_for, records, run_upload

from clients.wikibase import WikibaseClient
from modeling.items import write_plans
from modeling.ledger import Ledger

pytestmark = pytest.mark.integration

#: Seconds after which a write can no longer be committed (the sandbox's delayed commits are shorter).
GRACE = 4.0  # > the 250 ms delayed commit even on a loaded machine (absence before it proves nothing)
LAGGING = {"delayed_commit": {"count": 100000, "delay_ms": 250}, "search_lag": {"seconds": 30}}


def _prepare(svc, tmp_path, n, *, identifiers=None, start=200):
    recs = records(n, start=start)
    plans = strip_descriptions(plans_for(svc.target, recs, admin_units(svc.target, tmp_path)))
    if identifiers:
        set_identifiers(plans, campaign().mapping.identifier.property, identifiers)
    path = tmp_path / "plans.jsonl"
    write_plans(plans, path)
    return plans, path, tmp_path / "04_upload" / "ledger.sqlite"


def _finish_and_check(svc, plans, path, ledger):
    """Resume to the end, then: one item per identifier, no failed row, ledger QIDs hold them."""
    summary = run_upload(svc.target, plans, ledger, commit_grace=GRACE, sleep=time.sleep)
    assert summary.failed == 0, summary.failures
    svc.faults(search_lag=None, delayed_commit=None)  # let search catch up for the check
    prop = campaign().mapping.identifier.property
    client_found = {p.source_id: svc_find(svc, prop, p.identifier) for p in plans}
    assert all(len(q) == 1 for q in client_found.values()), client_found
    assert len(saved_creates(svc)) == len(plans)  # not one create more than records
    with Ledger(ledger) as led:
        rows = led.rows(campaign().id)
    assert len(rows) == len(plans) and {r.status for r in rows} == {"done"}
    assert {r.source_id: r.qid for r in rows} == {sid: q[0] for sid, q in client_found.items()}
    return summary


def svc_find(svc, prop, value):
    return WikibaseClient(svc.target).find_by_identifier(prop, value)


def test_crash_between_the_api_answer_and_the_ledger_write(services_factory, tmp_path):
    svc = services_factory()
    plans, path, ledger = _prepare(svc, tmp_path, 8)
    svc.faults(search_lag={"seconds": 30})
    proc = start_run(svc.target, path, ledger, grace=GRACE, crash_after=3)
    proc.join(60)
    assert proc.exitcode == 9
    assert svc.edits()["saved"] == 3
    with Ledger(ledger) as led:
        third = led.get(campaign().id, plans[2].source_id)
    assert (third.status, third.intent, third.qid) == ("pending", "create", None)  # the window
    assert third.token and third.token.startswith("wlkit-")
    summary = _finish_and_check(svc, plans, path, ledger)
    assert summary.recovered == 1  # found in the account's contributions, not created again
    assert (summary.created, summary.unchanged) == (5, 0)


def test_sigkill_mid_upload_then_restart(services_factory, tmp_path):
    """The formerly flaky test (``make crash-loop`` runs it 50 times)."""
    svc = services_factory()
    plans, path, ledger = _prepare(svc, tmp_path, 30)
    svc.faults(**LAGGING)
    proc = start_run(svc.target, path, ledger, grace=GRACE)
    wait_until(lambda: svc.edits()["saved"] >= 6, proc)
    time.sleep(0.1)  # land inside the next (delayed) write
    kill(proc)
    assert 6 <= svc.edits()["saved"] < 30
    _finish_and_check(svc, plans, path, ledger)


def _kill_at_random_points(svc, path, ledger, n_plans, kills, seed):
    rng = random.Random(seed)
    for _ in range(kills):
        saved = len(saved_creates(svc))
        if saved >= n_plans:
            break
        proc = start_run(svc.target, path, ledger, grace=GRACE)
        more = rng.choice([0, 1, 1, 2])
        goal = min(saved + more, n_plans)
        wait_until(lambda p=proc, g=goal: len(saved_creates(svc)) >= g or not p.is_alive(), proc)
        time.sleep(rng.uniform(0.0, 0.35))  # anywhere: recovery, in flight, answer → ledger
        kill(proc)


def test_sigkill_at_20_random_points_without_descriptions(services_factory, tmp_path):
    svc = services_factory()
    plans, path, ledger = _prepare(svc, tmp_path, 24, start=300)
    svc.faults(**LAGGING)
    _kill_at_random_points(svc, path, ledger, len(plans), kills=20, seed=12)
    _finish_and_check(svc, plans, path, ledger)


def test_identifiers_with_spaces_quotes_and_non_ascii_survive_kills(services_factory, tmp_path):
    values = ["Objekt 5559", 'Kvarn "Ödegården"', "O'Brien / 0042", "Åby  kyrka\\1", "00017",
              "Здание 5", "a/b c", "Fyr nr 9 ä"]
    svc = services_factory()
    plans, path, ledger = _prepare(svc, tmp_path, len(values), identifiers=values, start=400)
    svc.faults(**LAGGING)
    _kill_at_random_points(svc, path, ledger, len(plans), kills=6, seed=7)
    _finish_and_check(svc, plans, path, ledger)  # the identifier search finds each of them
