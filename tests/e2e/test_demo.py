"""The demo end to end, as ``make demo`` runs it: ``wlkit demo`` in its own process.

On the WLM sample: local services started (and stopped by the test), staging items seeded, dry
run, upload, lists from the local query service, reports and the progress page. Then, against
the same services, ``wlkit plan`` + ``wlkit upload`` again must make no edit. Each command runs
as a subprocess, like a user's shell, so no Prefect or WBI state is shared with other tests.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import mwparserfromhell
import pytest

from core.layout import LEDGER
from pipelines.demo import CAMPAIGNS_DIR
from sandbox.services import services_status, stop_services

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WLM = CAMPAIGNS_DIR / "wlm-se-bbr-sample.yaml"


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _wlkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True,
        timeout=600, env={**os.environ, **(env or {})}, check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


def test_demo_runs_the_whole_pipeline_and_a_rerun_makes_no_edit(tmp_path: Path) -> None:
    out, data = tmp_path / "demo", tmp_path / "services"
    try:
        demo = _wlkit("demo", "--out", str(out), "--data-dir", str(data), "--keep-services",
                      "--campaign", str(WLM))
        assert demo.stdout.strip().splitlines()[-1] == str(out)
        assert "42 items already on the staging Wikibase" in demo.stdout
        run = out / "wlm-se-bbr-sample"
        for name in ("01_ingest/records.parquet", "01_ingest/rejects.csv", "02_reconcile/decisions.csv",
                     "03_plan/plans.parquet", "04_upload/dry_run.html", "04_upload/ledger.sqlite",
                     "05_lists/map.html", "05_lists/all.geojson", "05_lists/stats.png",
                     "06_reports/checklist.html", "06_reports/recommendations.wiki"):
            assert (run / name).stat().st_size > 0, name
        assert (out / "06_reports" / "progress.wiki").exists()
        dashboard = run / "07_contest" / "dashboard.html"
        assert f"contest dashboard → {dashboard}" in demo.stdout and dashboard.stat().st_size > 0
        assert _json(run / "07_contest/summary.json")["uploads"] == 240  # the bundled sample contest

        ingest = _json(run / "01_ingest/summary.json")
        assert ingest["records_ok"] == 329 and ingest["rejects"] == 8
        reconcile = _json(run / "02_reconcile/summary.json")
        assert reconcile["matched_by_id"] >= 20 and reconcile["matched_by_geo"] >= 5
        upload = _json(run / "04_upload/summary.json")
        assert upload["failed"] == 0 and upload["created"] > 250 and upload["updated"] > 20
        assert upload["writes"] == upload["created"] + upload["updated"]  # one edit per item

        # The lists come from the local query service after the upload: exactly the uploaded items.
        with sqlite3.connect(run / LEDGER) as db:
            done = {q for (q,) in db.execute("SELECT qid FROM ledger WHERE status = 'done'")}
        with (run / "05_lists/all.csv").open(encoding="utf-8") as f:
            listed = {row["item"] for row in csv.DictReader(f)}
        assert listed == done
        assert _json(run / "05_lists/summary.json")["items"] == len(done)

        page = mwparserfromhell.parse((run / "06_reports/checklist.wiki").read_text("utf-8"))
        assert "Records ingested" in page.strip_code()

        # A second run over the same register changes nothing on the wiki.
        status = services_status(data)
        env = {"WLKIT_WIKIBASE_PORT": str(status["wikibase_port"]),
               "WLKIT_SPARQL_PORT": str(status["sparql_port"])}
        _wlkit("plan", str(WLM), "--out", str(run), env=env)
        _wlkit("upload", str(WLM), "--out", str(run), env=env)
        again = _json(run / "04_upload/summary.json")
        assert again["writes"] == 0
        assert again["created"] == 0 and again["updated"] == 0
        assert again["unchanged"] == len(done)
    finally:
        stop_services(data)
