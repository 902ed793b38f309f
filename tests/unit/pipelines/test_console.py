"""The console: Prefect's run lines go to the run's log file, the terminal shows warnings, errors,
the stage lines and tables; a Ctrl-C ends with one line (issue 15 §8)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rich.console import Console

from pipelines.console import ConsoleFilter, StageProgress, run_dir, setup_console, stop_console

ROOT = Path(__file__).resolve().parents[3]


def _record(name: str, level: int, message: str, **extra: str) -> logging.LogRecord:
    record = logging.LogRecord(name, level, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return record


def test_the_terminal_gets_warnings_not_prefect_info_lines():
    quiet, loud = ConsoleFilter(), ConsoleFilter(verbose=True)
    begin = _record("prefect.flow_runs", logging.INFO, "Beginning flow run 'x' for flow 'plan'")
    notice = _record("prefect", logging.INFO, "Starting temporary server on http://127.0.0.1:8062")
    warn = _record("modeling.items", logging.WARNING, "P131 unresolved for 3 records")
    assert not quiet.filter(begin) and not quiet.filter(notice) and quiet.filter(warn)
    assert loud.filter(begin) and loud.filter(notice)
    crash = _record("prefect.flow_runs", logging.ERROR, "Crash detected! Execution was aborted by an interrupt signal.")
    assert not quiet.filter(crash) and not loud.filter(crash)


def test_run_lines_go_to_the_log_file_in_the_run_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")  # a record outside a run
    log = setup_console(tmp_path / "run", live=False)
    try:
        logging.getLogger("prefect.flow_runs").info("Beginning flow run 'amber-fox' for flow 'plan'",
                                                    extra={"flow_run_name": "amber-fox"})
        logging.getLogger("modeling.items").info("planned 12 items")
        terminal = [h for h in logging.getLogger().handlers if any(isinstance(f, ConsoleFilter) for f in h.filters)]
    finally:
        stop_console()
    text = log.read_text(encoding="utf-8")
    assert log == tmp_path / "run" / "wlkit.log"
    assert "prefect.flow_runs [amber-fox] - Beginning flow run" in text and "planned 12 items" in text
    assert terminal  # Prefect's console handler now drops INFO lines


def test_stage_lines_follow_the_flow_and_task_runs():
    progress = StageProgress(Console(file=open(os.devnull, "w"), force_terminal=True))  # noqa: SIM115
    run = {"flow_run_name": "amber-fox", "flow_name": "plan"}
    progress.emit(_record("prefect", logging.INFO, "Starting temporary server on http://127.0.0.1:8062"))
    (server,) = progress.progress.tasks
    assert "starting" in server.description and not server.finished
    progress.emit(_record("prefect.flow_runs", logging.INFO, "Beginning flow run", **run))
    assert server.finished
    progress.emit(_record("prefect.task_runs", logging.INFO, "Finished in state Completed()",
                          task_name="make_plans", **run))
    line = progress.progress.tasks[1]
    assert line.description.endswith("plan[/] · make_plans done (1 tasks)") and not line.finished
    progress.emit(_record("prefect.flow_runs", logging.INFO, "Finished in state Completed()", **run))
    assert line.finished and "completed" in line.description
    assert not progress.progress.live.is_started  # the terminal is free for the stage table
    progress.close()


def test_dash_v_shows_everything(tmp_path):
    from typer.testing import CliRunner

    from pipelines.cli import app

    result = CliRunner().invoke(app, ["-v", "report", "--out", str(tmp_path)])
    assert result.exit_code == 2  # the command's own user error, as before
    filters = [f for h in logging.getLogger().handlers for f in h.filters if isinstance(f, ConsoleFilter)]
    assert filters and all(f.verbose for f in filters)
    CliRunner().invoke(app, ["report", "--out", str(tmp_path)])
    assert not any(f.verbose for h in logging.getLogger().handlers for f in h.filters if isinstance(f, ConsoleFilter))


def test_run_directory_of_each_command(tmp_path):
    assert run_dir("plan", {"out": tmp_path}) == tmp_path
    assert run_dir("run", {"out": None, "campaign": ROOT / "campaigns/wlm-se-bbr-sample.yaml"}) == \
        Path("out/wlm-se-bbr-sample")
    assert run_dir("services_status_cmd", {"data_dir": tmp_path}) is None
    assert run_dir("init", {"out": tmp_path / "campaigns" / "wlm-ch-zh.yaml"}) is None  # a file, not a run


SCRIPT = textwrap.dedent('''
    import sys
    import typer
    from prefect import flow, task
    from pipelines.cli import _friendly, app

    @task
    def make_plans() -> None:
        raise KeyboardInterrupt  # what Ctrl-C raises in the main thread while a task runs

    @flow(name="plan")
    def plan_like() -> None:
        make_plans()

    @app.command("plan-like")
    @_friendly
    def plan_like_cmd(out: str = typer.Option(...)) -> None:
        plan_like()

    app(["plan-like", "--out", sys.argv[1]], prog_name="wlkit")
''')


@pytest.mark.slow
def test_ctrl_c_ends_with_one_line(tmp_path):
    env = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "run")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240, check=False)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 130, done.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("interrupted: wlkit plan-like stopped;"), done.stderr[-2000:]
    assert "Starting temporary server" not in done.stderr
    log = (tmp_path / "run" / "wlkit.log").read_text(encoding="utf-8")
    assert "Crash detected" in log and "Starting temporary server" in log  # kept, in the file


def test_in_memory_log_captures_keep_every_record(tmp_path):
    """Only terminal streams get the console filter: a capture in memory (a test runner's, a
    notebook's) still receives INFO records of the project after the CLI has set up the console."""
    import io

    capture = logging.StreamHandler(io.StringIO())
    root = logging.getLogger()
    root.addHandler(capture)
    try:
        setup_console(None, live=False)
        assert not any(isinstance(f, ConsoleFilter) for f in capture.filters)
    finally:
        stop_console()
        root.removeHandler(capture)
