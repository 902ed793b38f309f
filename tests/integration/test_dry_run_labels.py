"""The dry-run flow tasks label every id from the target's SPARQL endpoint (campaign fallback
chain) and render the report with those labels; without an answering endpoint the report still
renders, with bare ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from _upload_support import new_mill_plans
from prefect.logging import disable_run_logger

from core.settings import Target
from modeling.campaign import load_campaign
from modeling.dryrun import write_dry_run
from pipelines.dryrun import fetch_dry_run_labels, render_dry_run_report

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def _dry_run(out: Path, target: Target):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    plans = new_mill_plans(3)
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
