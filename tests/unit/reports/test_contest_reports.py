"""Contest facts on the progress page and in the recommendations, from a run's 07_contest/."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeling.contest.stage import run_contest
from reports.facts import collect_facts
from reports.progress import build_progress, render_progress
from reports.recommendations import build_recommendations, gap_metrics


@pytest.fixture
def contest_run(tmp_path, contest_small, wlm) -> Path:
    run = tmp_path / wlm.id
    contest_small.write_run(run, contest_small.build())
    tracker = "Cultural heritage monuments in Sweden with known IDs"
    stub = contest_small.campaign_stub(id_template="Monument Sweden", jurors=["Juror Jo"], tracker_category=tracker)
    run_contest(stub, run)
    return run


def test_contest_facts_and_gap_metrics(contest_run, wlm):
    facts = collect_facts(contest_run, wlm)
    assert facts.value("contest.uploads") == 13 and facts.value("contest.newly_pictured") == 3
    assert facts.get("contest.newly_pictured").evidence.total == 7
    metrics = gap_metrics(facts)
    assert (metrics["contest_without_id"].count, metrics["contest_without_id"].total) == (3, 13)
    assert (metrics["contest_ineligible"].count, metrics["contest_not_pictured"].count) == (11, 1)


def test_recommendations_state_the_contest_numbers(contest_run, wlm):
    recs = {r.id: r for r in build_recommendations(collect_facts(contest_run, wlm), wlm)}
    text = recs["contest-without-id"].text("en")
    assert text.startswith("3 of 13 contest uploads (23.1%) carry no monument ID")
    assert "pre-fill the ID template" in text
    assert recs["contest-ineligible"].text("sv").startswith("11 av 13 tävlingsbilder")
    assert "contest-not-pictured" not in recs  # 1 of 7 is under the 20% threshold


def test_progress_page_shows_contest_uploads_and_newly_pictured(contest_run, wlm):
    [row] = build_progress([(wlm, collect_facts(contest_run, wlm))])
    assert (row.counts["contest_uploads"], row.counts["newly_pictured"]) == (13, 3)
    wiki = render_progress([row], "wiki")
    assert "Newly pictured" in wiki and "Contest uploads" in wiki
    md = render_progress([row], "md")
    header, rule = md.splitlines()[2:4]
    assert header.count("|") == rule.count("|")
