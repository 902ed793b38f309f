"""The wlkit CLI: user errors are one line with exit status 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipelines.cli import app

runner = CliRunner()


def test_missing_register_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope.csv"), "--out", str(tmp_path),
                                 "--id-column", "id", "--name-column", "name"])
    assert result.exit_code == 2
    assert "nope.csv" in result.output
    assert "Traceback" not in result.output


def test_broken_campaign_file_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Bad Id\nname: x\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "id" in result.output
    assert "Traceback" not in result.output


def test_report_without_campaign_or_all(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--all" in result.output


def test_services_seed_when_not_running(tmp_path: Path) -> None:
    f = tmp_path / "e.json"
    f.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["services", "seed", str(f), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 2
    assert "not running" in result.output
