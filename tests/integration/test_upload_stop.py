"""Ctrl-C / SIGTERM during an upload: out within 5 s with one resume line, then a resume finishes
with no duplicate. The run is a forked child wired like ``wlkit upload`` (stop handlers around
the upload; the flow calls ``stopping.finished()`` when the upload stopped)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path

import pytest
import requests
import wikibaseintegrator.wbi_helpers as wbi_helpers
from _crash_support import saved_creates, strip_descriptions, wait_until
from _upload_support import admin_units, campaign, plans_for, records, run_upload

from modeling.items import Plan
from modeling.ledger import Ledger
from modeling.upload import UploadOptions
from pipelines import stopping
from pipelines.upload import upload_plans

pytestmark = pytest.mark.integration

RESUME = "wlkit upload campaign.yaml --out run --target local"


def _child(target, plans: list[Plan], ledger: Path, log: Path) -> None:
    wbi_helpers.default_session = requests.Session()
    sys.stderr = log.open("w", encoding="utf-8", buffering=1)  # what the user's terminal would show
    os.dup2(sys.stderr.fileno(), 2)
    with stopping.graceful(RESUME):
        summary = upload_plans(plans, campaign(), target, ledger_path=ledger,
                               options=UploadOptions(should_stop=stopping.requested, commit_grace=4.0))
        if summary.stopped:
            stopping.finished()
            time.sleep(30)  # the stop watcher ends the process
    sys.exit(0)


def _run_and_interrupt(svc, tmp_path, signals):
    plans = strip_descriptions(plans_for(svc.target, records(20, start=600), admin_units(svc.target, tmp_path)))
    ledger, log = tmp_path / "ledger.sqlite", tmp_path / "stderr.txt"
    svc.faults(delayed_commit={"count": 100000, "delay_ms": 400})
    proc = multiprocessing.get_context("fork").Process(target=_child, args=(svc.target, plans, ledger, log))
    proc.start()
    wait_until(lambda: len(saved_creates(svc)) >= 3, proc)
    started = time.monotonic()
    for sig in signals:
        os.kill(proc.pid, sig)
        time.sleep(0.05)
    proc.join(10)
    return plans, ledger, log.read_text(encoding="utf-8"), proc.exitcode, time.monotonic() - started


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_stop_exits_within_5_s_then_resume_finishes_without_duplicate(services_factory, tmp_path, sig):
    svc = services_factory()
    plans, ledger, err, code, took = _run_and_interrupt(svc, tmp_path, [sig])
    assert code == stopping.STOP_STATUS and took <= 5.0
    assert "Traceback" not in err and err.count("Resume with") == 1 and RESUME in err
    with Ledger(ledger) as led:
        counts = led.counts(campaign().id)
    assert counts.get("failed", 0) == 0 and counts.get("pending", 0) == 0  # the write in flight finished
    assert 3 <= len(saved_creates(svc)) < len(plans)
    svc.faults(delayed_commit=None)
    summary = run_upload(svc.target, plans, ledger, commit_grace=4.0)
    assert summary.failed == 0
    assert len(saved_creates(svc)) == len(plans)  # one create per record, none twice


def test_second_ctrl_c_exits_at_once_and_the_ledger_stays_recoverable(services_factory, tmp_path):
    svc = services_factory()
    plans, ledger, err, code, took = _run_and_interrupt(svc, tmp_path, [signal.SIGINT, signal.SIGINT])
    assert code == stopping.STOP_STATUS and took <= 1.0
    assert "Traceback" not in err and "Resume with" in err
    svc.faults(delayed_commit=None)
    summary = run_upload(svc.target, plans, ledger, commit_grace=4.0, sleep=time.sleep)
    assert summary.failed == 0
    assert len(saved_creates(svc)) == len(plans)
