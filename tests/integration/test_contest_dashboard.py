"""The contest dashboard in headless Chromium: one self-contained file, charts and coloured
coverage markers drawn, a screenshot taken, no console error, no external request.

Needs Debian's ``chromium`` (``make browser`` installs it); a missing browser is a failure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _browser import headless, map_dom_and_console

from modeling.contest.stage import run_contest
from reports.contest import STATUS_COLOURS, write_contest_reports

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory, contest_small) -> Path:
    out = tmp_path_factory.mktemp("contest")
    data = contest_small.build()
    data.monuments.loc[0, "label"] = "</script><b>x</b>"  # a hostile label must stay text
    contest_small.write_run(out, data)
    campaign = contest_small.campaign_stub(
        id_template="Monument Sweden",
        jurors=["Juror Jo"],
        tracker_category="Cultural heritage monuments in Sweden with known IDs",
    )
    campaign.name, campaign.languages = "Wiki Loves Monuments Sweden (test)", ["sv"]
    run_contest(campaign, out)
    return Path(
        write_contest_reports(campaign, out, generated_at="2026-10-01T00:00:00+00:00")["dashboard"]
    )


def test_dashboard_is_self_contained(dashboard: Path):
    text = dashboard.read_text(encoding="utf-8")
    assert not re.search(
        r"""<(?:script|link|img|iframe|source|object)\b[^>]*(?:src|href)\s*=""", text
    )
    assert "url(http" not in text and "@import" not in text
    assert "<b>x</b>" not in text


def test_dashboard_draws_charts_and_markers_without_console_errors(dashboard: Path, tmp_path: Path):
    dom, console = map_dom_and_console(dashboard, tmp_path / "p1", budget_ms=5000, timeout=120)
    assert console == []
    markers = re.findall(r"<path[^>]*class=\"[^\"]*wlk-marker[^\"]*\"[^>]*>", dom)
    assert len(markers) == 7
    counts = {s: sum(f"wlk-{s}" in m for m in markers) for s in STATUS_COLOURS}
    assert counts == {"photographed_before": 3, "newly_pictured": 3, "not_pictured": 1}
    assert all(STATUS_COLOURS["newly_pictured"] in m for m in markers if "wlk-newly_pictured" in m)
    assert len(re.findall(r"<rect ", dom)) == 31  # one bar per day (30 contest days + 1 October)
    assert "<b>x</b>" not in dom


def test_dashboard_screenshot(dashboard: Path, tmp_path: Path):
    shot = tmp_path / "dashboard.png"
    run = headless(
        dashboard,
        tmp_path / "p2",
        f"--screenshot={shot}",
        "--window-size=1200,1800",
        budget_ms=5000,
        dump_dom=False,
        timeout=120,
    )
    assert shot.exists(), run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
