"""Progress page over all campaigns: stage reached, counts, last run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import mwparserfromhell
import pytest

from core.errors import CampaignError
from reports.documents import render_all
from reports.facts import collect_facts
from reports.progress import build_progress, find_runs, render_progress

ROOT = Path(__file__).resolve().parents[3]
CAMPAIGNS = ROOT / "campaigns"


def test_find_runs_pairs_campaigns_with_run_dirs(tmp_path, stage_runs):
    stage_runs.copy("wlm", tmp_path / "wlm-se-bbr-sample")
    runs = {r.campaign.id: r for r in find_runs(CAMPAIGNS, tmp_path)}
    assert {"wlm-se-bbr-sample", "wle-se-reserves-sample"} <= set(runs)
    assert runs["wlm-se-bbr-sample"].run_dir == tmp_path / "wlm-se-bbr-sample"
    assert runs["wle-se-reserves-sample"].run_dir is None
    other = tmp_path / "elsewhere"
    mapped = {r.campaign.id: r for r in find_runs(CAMPAIGNS, tmp_path, {"wle-se-reserves-sample": other})}
    assert mapped["wle-se-reserves-sample"].run_dir == other


def test_find_runs_without_campaigns_fails_clearly(tmp_path):
    with pytest.raises(CampaignError, match="no campaign"):
        find_runs(tmp_path, tmp_path)


def test_stage_reached_and_counts(stage_runs, wlm, wle):
    rows = build_progress([(wlm, collect_facts(stage_runs.wlm, wlm)),
                           (wle, collect_facts(stage_runs.wle_partial, wle)),
                           (wlm, collect_facts(None, wlm))])
    assert (rows[0].stage, rows[0].stages_done) == ("lists", 5)
    assert rows[0].counts["records"] == stage_runs.inputs.records
    assert rows[0].counts["uploaded"] == stage_runs.inputs.planned
    assert rows[0].last_run == date.today()
    assert (rows[1].stage, rows[1].stages_done) == ("reconcile", 2)  # the WLE run: ingest + reconcile
    assert rows[1].counts["uploaded"] is None
    assert rows[2].stage is None and rows[2].stage_title == "not started"


def test_progress_page_over_all_campaigns(tmp_path, stage_runs):
    stage_runs.copy("wlm", tmp_path / "wlm-se-bbr-sample")
    results, paths = render_all(tmp_path, CAMPAIGNS, "en")
    assert [r.campaign_id for r in results] == ["wlm-se-bbr-sample"]
    assert sorted(p.name for p in paths) == ["progress.html", "progress.wiki"]
    wiki = (tmp_path / "06_reports" / "progress.wiki").read_text(encoding="utf-8")
    table = mwparserfromhell.parse(wiki).filter_tags(matches=lambda n: n.tag == "table")[0]
    rows = [t for t in table.contents.filter_tags(recursive=False) if t.tag == "tr"]
    assert len(rows) == len(list(CAMPAIGNS.glob("*.yaml")))
    assert "not started" in wiki and "lists (5/5)" in wiki
    assert (tmp_path / "wlm-se-bbr-sample" / "06_reports" / "checklist.html").is_file()
    html = (tmp_path / "06_reports" / "progress.html").read_text(encoding="utf-8")
    assert 'data-campaign="wle-se-reserves-sample"' in html and "data:image/png;base64," in html


def test_progress_in_swedish(stage_runs, wlm):
    rows = build_progress([(wlm, collect_facts(stage_runs.wlm, wlm))])
    sv = render_progress(rows, "wiki", "sv")
    assert "Kampanjernas framsteg" in sv and "listor (5/5)" in sv
    assert "Campaign progress" not in sv
