"""A quiet, informative console for ``wlkit``: stage progress on screen, Prefect's logs in a file.

:func:`setup_console` is called once per command (by the CLI's error wrapper):

* every log record at INFO and above — Prefect's flow and task run lines, the temporary-server
  notice, the project's own loggers — goes to ``<run directory>/wlkit.log`` (secrets redacted);
* the terminal shows only warnings and errors from the logs (``-v`` shows everything), the stage
  tables the CLI prints, and, on a terminal, one live line per stage flow with a spinner, the last
  finished task and the elapsed time (:class:`StageProgress`);
* the records Prefect writes while a Ctrl-C unwinds a run (crash reports with tracebacks) never
  reach the terminal: the CLI prints one line instead (:func:`interrupted`).
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

try:  # typer ≥ 0.20 runs on its own vendored click: its context stack is the live one
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer on the real click
    # the same function from the real click (the vendored one is typed identically)
    from click import get_current_context  # type: ignore[no-redef]

from core.errors import WlkitError
from core.logs import PROJECT_LOGGERS, RedactSecrets
from modeling.campaign import load_campaign

LOG_NAME = "wlkit.log"
#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130
_FILE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s%(run)s - %(message)s"
_INTERRUPT_MARKS = ("KeyboardInterrupt", "TerminationSignal", "Execution was interrupted", "interrupt signal")


def _is_interrupt(record: logging.LogRecord) -> bool:
    exc = record.exc_info[1] if record.exc_info else None
    if isinstance(exc, KeyboardInterrupt) or type(exc).__name__ == "TerminationSignal":
        return True
    return any(mark in record.getMessage() for mark in _INTERRUPT_MARKS)


class ConsoleFilter(logging.Filter):
    """Let through to the terminal only warnings and errors (everything with ``verbose``), and never
    the crash reports of an interrupted run."""

    def __init__(self, verbose: bool = False) -> None:
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        if _is_interrupt(record):
            return False
        return self.verbose or record.levelno >= logging.WARNING


class _RunFormatter(logging.Formatter):
    """Adds `` [flow run › task run]`` to the records of Prefect's run loggers."""

    def format(self, record: logging.LogRecord) -> str:
        names = [getattr(record, key, None) for key in ("flow_run_name", "task_run_name")]
        record.run = " [" + " › ".join(n for n in names if n) + "]" if any(names) else ""
        return super().format(record)


class StageProgress(logging.Handler):
    """One live terminal line per stage flow: spinner, stage, last finished task, elapsed time.

    Fed by Prefect's loggers (attached to ``prefect``, so run records arrive by propagation): a
    flow run's first record opens its line, each finished task updates it, the flow's final state
    closes it; the temporary-server notice shows a line until the first flow starts.
    """

    def __init__(self, console: Console) -> None:
        super().__init__(logging.INFO)
        self.progress = Progress(SpinnerColumn(finished_text="[green]✓"), TextColumn("{task.description}"),
                                 TimeElapsedColumn(), console=console, transient=False,
                                 redirect_stdout=False, redirect_stderr=False)
        self._lines: dict[str, TaskID] = {}
        self._tasks: dict[str, int] = {}

    def _server_line(self, record: logging.LogRecord) -> None:
        """A line while Prefect's temporary API starts (it takes seconds before any flow runs)."""
        if record.getMessage().startswith("Starting temporary server") and "server" not in self._lines:
            self._start()
            self._lines["server"] = self.progress.add_task("Prefect's temporary API starting", total=1)

    def _start(self) -> None:
        if not self.progress.live.is_started:
            self.progress.start()

    def emit(self, record: logging.LogRecord) -> None:
        """Update the line of the record's flow run."""
        run = getattr(record, "flow_run_name", None)
        flow = getattr(record, "flow_name", None) or run
        if not run:
            self._server_line(record)
            return
        if "server" in self._lines and not self.progress.tasks[self._lines["server"]].finished:
            self.progress.update(self._lines["server"], description="Prefect's temporary API ready", completed=1)
        if run not in self._lines:
            self._start()
            self._lines[run] = self.progress.add_task(f"[bold]{flow}[/]", total=1)
            self._tasks[run] = 0
        line, message = self._lines[run], record.getMessage()
        task = getattr(record, "task_name", None)
        if task and message.startswith("Finished in state"):
            self._tasks[run] += 1
            self.progress.update(line, description=f"[bold]{flow}[/] · {task} done ({self._tasks[run]} tasks)")
        elif not task and message.startswith("Finished in state"):
            state = message.removeprefix("Finished in state ").split("(")[0]
            self.progress.update(line, description=f"[bold]{flow}[/] · {state.lower()}", completed=1)
            if self.progress.finished:  # the outermost flow is done: free the terminal for the tables
                self.progress.stop()

    def close(self) -> None:
        """Stop the live display (leaves the finished lines on screen)."""
        if self.progress.live.is_started:
            self.progress.stop()
        super().close()


class RunLogFile(logging.FileHandler):
    """The run's ``wlkit.log`` (a class of its own so a later command replaces it, never doubles it)."""


def _terminal_handlers() -> list[logging.Handler]:
    """Handlers that write to a terminal stream (not files, and not in-memory captures such as a
    test runner's log capture, which must keep every record)."""
    names = ["", "uvicorn", "fastapi", "prefect._internal"]
    return [h for n in names for h in logging.getLogger(n).handlers
            if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler)
            and not isinstance(getattr(h, "stream", None), io.StringIO)]


def verbose_flag() -> bool:
    """Whether ``wlkit -v`` was given (the root command's ``--verbose`` option)."""
    ctx = get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("verbose"))


def command_path(default: str = "wlkit") -> str:
    """The command being run, as typed (``wlkit plan``, ``wlkit services up``)."""
    ctx = get_current_context(silent=True)
    return ctx.command_path if ctx else default


def run_dir(command: str, params: Mapping[str, Any]) -> Path | None:
    """The run directory of a command from its parameters: ``--out``; for ``wlkit run`` without
    it, ``out/<campaign id>``; None for commands without one (``services …``) or whose ``--out``
    is a file (``wlkit init``)."""
    out = params.get("out")
    if out is not None:
        path = Path(out)
        # ``wlkit init --out campaigns/x.yaml`` names a file, not a run directory
        return None if path.suffix and not path.is_dir() else path
    if command == "run" and params.get("campaign"):
        try:
            return Path("out") / load_campaign(params["campaign"]).id
        except WlkitError:
            return None  # the command itself reports the campaign error
    return None


def setup_console(run_dir: str | Path | None, *, verbose: bool = False, live: bool | None = None) -> Path | None:
    """Route logs: everything to ``<run_dir>/wlkit.log``, warnings/errors (all with ``verbose``) to the terminal.

    Args:
        run_dir: The command's run directory (None: no log file).
        verbose: Show every log record on the terminal too (``wlkit -v``).
        live: Show the live stage lines (default: when stderr is a terminal and not ``verbose``).

    Returns:
        The log file, or None.
    """
    import prefect.main  # noqa: F401 - Prefect configures its logging when this is imported

    for handler in _terminal_handlers():
        handler.filters = [f for f in handler.filters if not isinstance(f, ConsoleFilter)]
        handler.addFilter(ConsoleFilter(verbose))
    for name in PROJECT_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    stop_console()
    root = logging.getLogger()
    path = None
    if run_dir is not None:
        path = Path(run_dir) / LOG_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RunLogFile(path, encoding="utf-8")
        handler.setLevel(logging.INFO)
        handler.setFormatter(_RunFormatter(_FILE_FORMAT))
        handler.addFilter(RedactSecrets())
        root.addHandler(handler)
    console = Console(stderr=True)
    if live if live is not None else (console.is_terminal and not verbose):
        logging.getLogger("prefect").addHandler(StageProgress(console))
    return path


def print_summary(title: str, summary: Any) -> None:
    """Print a stage summary as a two-column table (nested counts inline, lists shortened)."""
    def cell(value: Any) -> str:
        if isinstance(value, dict):
            if len(value) <= 6 and all(not isinstance(v, (dict, list)) for v in value.values()):
                return ", ".join(f"{k}: {v}" for k, v in value.items()) or "–"
            return f"{len(value)} entries"
        if isinstance(value, list):
            return f"{len(value)} entries" if len(value) > 3 else ", ".join(map(str, value)) or "–"
        return "–" if value is None else str(value)

    rows = summary.items() if isinstance(summary, dict) else [("result", summary)]
    nested = {k: v for k, v in rows if isinstance(v, dict) and any(isinstance(x, dict) for x in v.values())}
    table = Table(title=title, title_justify="left", show_header=False, box=None, pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for key, value in (summary.items() if isinstance(summary, dict) else rows):
        if key not in nested:
            table.add_row(f"[bold]{key}[/]", cell(value))
    Console().print(table)
    for key, value in nested.items():  # e.g. the stages of `wlkit run`
        print_summary(f"{title} · {key}", value)


def _ours() -> list[tuple[logging.Logger, logging.Handler]]:
    loggers = [logging.getLogger(n) for n in ("", "prefect")]
    return [(lg, h) for lg in loggers for h in lg.handlers if isinstance(h, RunLogFile | StageProgress)]


def stop_console() -> None:
    """End the live stage lines and close the log file (before the CLI prints its tables)."""
    for logger, handler in _ours():
        logger.removeHandler(handler)
        handler.close()


def _stop_temporary_servers() -> None:
    """Terminate Prefect's temporary API server, which an exit without shutdown hooks would orphan
    (when the signal reached this process only, not its whole process group)."""
    server = sys.modules.get("prefect.server.api.server")
    for instance in list(getattr(getattr(server, "SubprocessASGIServer", None), "_instances", {}).values()):
        process = getattr(instance, "server_process", None)
        if process is not None and process.poll() is None:
            process.terminate()


def interrupted(command: str, log: Path | None) -> None:
    """Print the one line a Ctrl-C ends with, and exit at once with status 130.

    Prefect's shutdown hooks are skipped: its temporary API may be gone with the same Ctrl-C, and
    waiting for it is what used to print tracebacks.
    """
    _stop_temporary_servers()
    where = f"; log: {log}" if log else ""
    sys.stderr.write(f"\ninterrupted: {command} stopped; run it again to redo this stage "
                     f"(earlier stages' files are kept){where}\n")
    sys.stderr.flush()
    os._exit(INTERRUPTED)
