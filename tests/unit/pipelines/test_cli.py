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


def _heartbeat_seen_by_a_command(tmp_path: Path) -> object:
    """Run a command through the CLI's wrapper (as every stage command is) and return the flow
    heartbeat interval its flows would run with."""
    import typer
    from prefect.settings import get_current_settings

    from pipelines import cli

    seen: list[object] = []
    probe = typer.Typer()

    @probe.command()
    @cli._friendly
    def stage(out: Path = typer.Option(tmp_path)) -> None:
        seen.append(get_current_settings().flows.heartbeat_frequency)

    result = runner.invoke(probe, ["--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return seen[0]


def test_flows_run_without_heartbeats_unless_the_user_sets_them(tmp_path: Path, monkeypatch) -> None:
    # Prefect's heartbeat thread sleeps in 1 s steps and every flow waits for it at its end.
    monkeypatch.delenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", raising=False)
    assert _heartbeat_seen_by_a_command(tmp_path) is None
    monkeypatch.setenv("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", "60")  # the user's choice wins
    assert _heartbeat_seen_by_a_command(tmp_path) is not None
