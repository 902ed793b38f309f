"""contest_flow runs once under the session harness: every 07_contest file, the summary artifact."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _campaign(tmp_path: Path) -> Path:
    raw = yaml.safe_load((ROOT / "campaigns" / "wlm-se-bbr-sample.yaml").read_text(encoding="utf-8"))
    raw["contest"] = {"id_template": "Monument Sweden", "jurors": ["Juror Jo"],
                      "tracker_category": "Cultural heritage monuments in Sweden with known IDs"}
    raw["source"]["path"] = str(ROOT / "campaigns" / "data" / "wlm-se-bbr-sample" / "bbr_sample.csv")
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_contest_flow_writes_the_stage_and_dashboard(tmp_path, contest_small):
    from pipelines.contest import contest_flow

    run = tmp_path / "run"
    contest_small.write_run(run, contest_small.build())
    summary = contest_flow(campaign=str(_campaign(tmp_path)), out=str(run), at="2026-09-03", fetch=False)
    got = (summary["uploads"], summary["matched"], summary["newly_pictured"], summary["at"])
    assert got == (13, 10, 3, "2026-09-03")
    assert summary["coverage_at"]["photographed"] == 4  # Q102–Q104 before the contest + Q101 by 3 September
    assert Path(summary["dashboard"]).name == "dashboard.html" and Path(summary["dashboard"]).exists()
    assert json.loads((run / "07_contest" / "summary.json").read_text())["campaign"] == "wlm-se-bbr-sample"


def test_cli_contest_without_lists_is_one_line_and_exit_2(tmp_path):
    from typer.testing import CliRunner

    from pipelines.cli import app

    result = CliRunner().invoke(app, ["contest", str(_campaign(tmp_path)), "--out", str(tmp_path / "run"),
                                      "--no-fetch"])
    assert result.exit_code == 2, result.output
    assert "05_lists/all.csv" in result.output and "wlkit lists" in result.output
    assert "Traceback" not in result.output
