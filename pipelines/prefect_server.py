"""A long-running Prefect API started with the local services (``wlkit services up``).

Without it every ``wlkit`` command starts Prefect's temporary server first (8 s on an idle
machine, and on a loaded one it can time out). ``wlkit services up`` starts ``prefect server
start`` on a free loopback port next to the local Wikibase and SPARQL services, with its own
database in ``<data dir>/prefect/``; the CLI then points every command at it
(``PREFECT_API_URL``), so runs start at once and the Prefect UI of that server
(``wlkit services status`` prints its URL) shows every run. ``wlkit services down`` stops it.
When it is not running (or ``PREFECT_API_URL`` is set already) nothing changes: the temporary
server still works.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from core.errors import ServiceError

STATE_FILE = "prefect-server.json"
LOG_FILE = "prefect-server.log"
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _state(data_dir: Path) -> dict[str, Any] | None:
    path = data_dir / STATE_FILE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as resp:
            return resp.status == 200
    except OSError:
        return False


def server_status(data_dir: str | Path) -> dict[str, Any]:
    """``{"running": bool, "api_url", "ui_url", "pid"}`` of the server started from ``data_dir``."""
    state = _state(Path(data_dir))
    if not state or not _alive(int(state["pid"])):
        return {"running": False}
    return {"running": _healthy(state["api_url"]), **state}


def running_api_url(data_dir: str | Path) -> str | None:
    """The API URL when the server of ``data_dir`` runs and answers, else None."""
    status = server_status(data_dir)
    return status["api_url"] if status.get("running") else None


def start_server(data_dir: str | Path, port: int | None = None, timeout: float = 180.0) -> dict[str, Any]:
    """Start ``prefect server start`` in the background (idempotent when it already runs).

    Args:
        data_dir: The services' data directory (the server's database goes in ``prefect/``).
        port: Loopback port (default: a free one).
        timeout: Seconds to wait for ``/api/health``.

    Returns:
        The status (``api_url``, ``ui_url``, ``pid``).

    Raises:
        ServiceError: the server exited or did not answer in time (names the log file).
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    status = server_status(data_dir)
    if status.get("running"):
        return status
    port = port or _free_port()
    env = dict(os.environ, PREFECT_HOME=str(data_dir / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PREFECT_UI_ENABLED="true")
    env.pop("PREFECT_API_URL", None)
    log = data_dir / LOG_FILE
    with log.open("ab") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)],
            stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True)
    api_url = f"http://{HOST}:{port}/api"
    state = {"pid": proc.pid, "api_url": api_url, "ui_url": f"http://{HOST}:{port}"}
    (data_dir / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    deadline = time.monotonic() + timeout
    while not _healthy(api_url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(data_dir)
            raise ServiceError(f"the Prefect server did not start (see {log})")
        time.sleep(0.5)
    return {"running": True, **state}


def stop_server(data_dir: str | Path, timeout: float = 15.0) -> bool:
    """Stop the server started from ``data_dir`` (its whole process group); False if none ran."""
    data_dir = Path(data_dir).resolve()
    state = _state(data_dir)
    (data_dir / STATE_FILE).unlink(missing_ok=True)
    if not state or not _alive(int(state["pid"])):
        return False
    pid = int(state["pid"])
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    return True
