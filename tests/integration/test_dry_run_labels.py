"""The dry-run flow tasks label every id from the target's SPARQL endpoint (campaign fallback
chain) and render the report with those labels; without an answering endpoint the report still
renders, with bare ids."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from prefect.logging import disable_run_logger

from core.settings import Target
from modeling.campaign import load_campaign
from modeling.dryrun import write_dry_run
from modeling.items import plan_items
from pipelines.dryrun import fetch_dry_run_labels, render_dry_run_report

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def _dry_run(out: Path, target: Target):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    recs = [{"source_id": f"2130000000000{i}", "name": f"Kvarn {i}", "municipality_code": "0180",
             "municipality": "Stockholm", "type": "väderkvarn", "designation_type": "enskilt",
             "designation_date": "1990-05-01", "address": f"Kvarnbacken {i}", "built": "1780",
             "lat": 59.3, "lon": 18.0, "source_row": i + 2} for i in range(3)]
    plans = plan_items(recs, {r["source_id"]: "new" for r in recs}, campaign,
                       admin_units={"0180": "Q990001", "Stockholm": "Q990001"}, live_entities={},
                       today=date(2026, 10, 1))
    write_dry_run(plans, campaign, target, "b1", out / "04_upload")
    return campaign


def test_labels_come_from_the_target_in_the_campaign_language(fixture_rdf_target, tmp_path):
    campaign = _dry_run(tmp_path, fixture_rdf_target)
    with disable_run_logger():
        assert fetch_dry_run_labels.fn(str(tmp_path), campaign, fixture_rdf_target) >= 1
        _html, md = render_dry_run_report.fn(str(tmp_path), fixture_rdf_target)
    page = (tmp_path / "04_upload/dry_run/page-0001.html").read_text(encoding="utf-8")
    assert "Testkommun A <a" in page  # sv before en (label_fallback: [sv, en])
    assert r"Testkommun A \(Q990001\)" in Path(md).read_text(encoding="utf-8")


def test_without_an_endpoint_the_report_has_bare_ids(tmp_path):
    dead = Target(name="offline", api_url="http://127.0.0.1:9/w/api.php", sparql_url="http://127.0.0.1:9/query")
    campaign = _dry_run(tmp_path, dead)
    with disable_run_logger():
        assert fetch_dry_run_labels.fn(str(tmp_path), campaign, dead) == 0
        render_dry_run_report.fn(str(tmp_path), dead)
    page = (tmp_path / "04_upload/dry_run/page-0001.html").read_text(encoding="utf-8")
    assert '<a class="id" href="http://127.0.0.1:9/wiki/Special:EntityPage/Q990001">Q990001</a>' in page
