"""A killed upload, restarted, ends with exactly one item per identifier and nothing missing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from _upload_support import ROOT, admin_units, campaign, items_per_identifier, plans_for, records

from modeling.items import read_plans, write_plans
from modeling.ledger import Ledger
from modeling.upload import CRASH_AFTER_WRITES_ENV, upload

pytestmark = pytest.mark.integration

RUNNER = """
import sys
from modeling.campaign import load_campaign
from modeling.items import read_plans
from core.settings import load_target
from modeling.upload import upload
campaign = load_campaign(sys.argv[1])
s = upload(read_plans(sys.argv[2]), campaign, load_target("local"), ledger_path=sys.argv[3],
           batch="crashy", sleep=lambda s: None, progress=False)
print(s.created)
"""


def _spawn(svc, plans_path, ledger, extra_env=None):
    env = {**os.environ, "WLKIT_API_URL": svc.api_url, "WLKIT_SPARQL_URL": svc.sparql_url,
           **(extra_env or {})}
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml"),
         str(plans_path), str(ledger)], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _prepare(svc, tmp_path, n):
    recs = records(n, start=200)
    plans = plans_for(svc.target, recs, admin_units(svc.target, tmp_path))
    path = tmp_path / "plans.jsonl"
    write_plans(plans, path)
    return recs, path, tmp_path / "04_upload" / "ledger.sqlite"


def _finish_and_check(svc, recs, path, ledger):
    summary = upload(read_plans(path), campaign(), svc.target, ledger_path=ledger, sleep=lambda s: None)
    assert summary.failed == 0, summary.failures
    found = items_per_identifier(svc.target, recs)
    assert all(len(q) == 1 for q in found.values()), found  # exactly one item per identifier
    with Ledger(ledger) as led:
        rows = led.rows(campaign().id)
    assert len(rows) == len(recs) and {r.status for r in rows} == {"done"}
    assert {r.source_id: r.qid for r in rows} == {sid: q[0] for sid, q in found.items()}
    return summary


def test_crash_between_the_api_answer_and_the_ledger_write(services_factory, tmp_path):
    svc = services_factory()
    recs, path, ledger = _prepare(svc, tmp_path, 8)
    proc = _spawn(svc, path, ledger, {CRASH_AFTER_WRITES_ENV: "3"})
    assert proc.wait(timeout=120) == 9, proc.stderr.read().decode()[-2000:]
    assert svc.edits()["saved"] == 3
    with Ledger(ledger) as led:
        third = led.get(campaign().id, recs[2]["source_id"])
    assert (third.status, third.intent, third.qid) == ("pending", "create", None)  # the window
    summary = _finish_and_check(svc, recs, path, ledger)
    assert summary.recovered == 1  # found by its identifier, not created again
    assert (summary.created, summary.unchanged) == (5, 0)
    assert svc.edits()["saved"] == 8  # no second write for the recovered item


def test_sigkill_mid_upload_then_restart(services_factory, tmp_path):
    svc = services_factory()
    recs, path, ledger = _prepare(svc, tmp_path, 30)
    svc.faults(slow={"count": 1000, "delay_ms": 60, "on": "write"})
    proc = _spawn(svc, path, ledger)
    deadline = time.monotonic() + 60
    while svc.edits()["saved"] < 6:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    done_before = svc.edits()["saved"]
    assert 6 <= done_before < 30
    svc.faults(slow=None)
    _finish_and_check(svc, recs, path, ledger)
    assert svc.edits()["saved"] == 30  # every record uploaded exactly once
