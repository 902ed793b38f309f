"""Lifecycle of the local services: one detached process serving the Action API, SPARQL and Commons.

``start_services`` spawns ``python -m sandbox.serve`` (loopback only) with its data under
``data_dir`` (SQLite revision DB + on-disk pyoxigraph store), records the pid and ports in
``data_dir/services.json``, waits until its ports answer, and optionally seeds the base
entities. ``stop_services`` ends exactly that process (by its recorded pid).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from core.errors import ServiceError
from sandbox.admin_auth import SECRET_FILE, SECRET_HEADER, read_secret

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = Path(__file__).resolve().parent / "seed"
BASE_SEED = SEED_DIR / "base.jsonl"
STATE_FILE = "services.json"
LOG_FILE = "services.log"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServicesInfo:
    """Where a running services pair answers."""

    api_url: str
    sparql_url: str
    admin_url: str
    pid: int
    wikibase_port: int = 0
    sparql_port: int = 0
    data_dir: str = ""
    commons_api_url: str = ""
    commons_port: int = 0

    @property
    def admin_secret(self) -> str | None:
        """The admin secret of these services (``admin.secret`` in the data directory)."""
        return read_secret(self.data_dir) if self.data_dir else None

    @property
    def admin_headers(self) -> dict[str, str]:
        """Headers an ``/admin/*`` request to these services must send."""
        secret = self.admin_secret
        return {SECRET_HEADER: secret} if secret else {}

    @property
    def sparql_admin_url(self) -> str:
        """Admin base URL on the SPARQL port (``POST /admin/load`` Turtle/N-Triples)."""
        return f"http://{HOST}:{self.sparql_port}/admin"

    @property
    def entity_data_url(self) -> str:
        """Base of ``Special:EntityData`` (append ``Q1.json`` / ``Q1.ttl``)."""
        return f"http://{HOST}:{self.wikibase_port}/wiki/Special:EntityData/"


def free_port() -> int:
    """Return a currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _info(data_dir: Path, pid: int, wikibase_port: int, sparql_port: int,
          commons_port: int = 0) -> ServicesInfo:
    return ServicesInfo(
        commons_api_url=f"http://{HOST}:{commons_port}/w/api.php" if commons_port else "",
        commons_port=commons_port,
        api_url=f"http://{HOST}:{wikibase_port}/w/api.php",
        sparql_url=f"http://{HOST}:{sparql_port}/query",
        admin_url=f"http://{HOST}:{wikibase_port}/admin",
        pid=pid,
        wikibase_port=wikibase_port,
        sparql_port=sparql_port,
        data_dir=str(data_dir),
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child (ours, not yet reaped) counts as dead.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _log_tail(data_dir: Path, lines: int = 30) -> str:
    path = data_dir / LOG_FILE
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _read_state(data_dir: Path) -> dict[str, Any] | None:
    path = Path(data_dir) / STATE_FILE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def start_services(
    data_dir: str | Path,
    wikibase_port: int = 8181,
    sparql_port: int = 7878,
    seed: bool = True,
    timeout: float = 30.0,
    faults: dict[str, Any] | None = None,
    commons_port: int | None = None,
) -> ServicesInfo:
    """Start the local Action API + SPARQL services as one detached background process.

    Args:
        data_dir: Folder for the SQLite revision DB, the pyoxigraph store, the pid/ports file
            (``services.json``) and the log (``services.log``). Created if missing; reused data
            survives restarts.
        wikibase_port: Loopback port of the Action API (``/w/api.php``) and admin endpoints.
        sparql_port: Loopback port of the SPARQL endpoint (``/query``).
        seed: Load ``sandbox/seed/base.jsonl`` (idempotent: unchanged entities get no new revision).
        timeout: Seconds to wait for both ports to answer.
        faults: Optional faults to inject from the start (same JSON as ``POST /admin/faults``).
        commons_port: Loopback port of the local Commons API (``/w/api.php``); None = a free one.

    Returns:
        ServicesInfo with api_url, sparql_url, admin_url and pid.

    Raises:
        ServiceError: services already running for this data dir, a port in use, or the process
            did not answer in time (the message carries the log tail).
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    commons_port = commons_port or free_port()
    _check_startable(data_dir, (wikibase_port, sparql_port, commons_port))
    proc = _spawn(data_dir, ["--wikibase-port", str(wikibase_port), "--sparql-port",
                             str(sparql_port), "--commons-port", str(commons_port)], faults)
    info = _info(data_dir, proc.pid, wikibase_port, sparql_port, commons_port)
    (data_dir / STATE_FILE).write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
    _wait_until_up(proc, info, timeout)
    log.info("local services up: api %s, sparql %s (pid %d)", info.api_url, info.sparql_url,
             proc.pid)
    if seed:
        seed_files(info.api_url, [BASE_SEED], secret=info.admin_secret)
    return info


def _check_startable(data_dir: Path, ports: Iterable[int]) -> None:
    """Refuse to start over running services of ``data_dir`` or on a port something answers."""
    state = _read_state(data_dir)
    if state and _pid_alive(int(state["pid"])):
        raise ServiceError(
            f"services already running for {data_dir} (pid {state['pid']}); stop them first"
        )
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex((HOST, port)) == 0:
                raise ServiceError(f"port {port} on {HOST} should be free, but something answers")


def _spawn(data_dir: Path, port_args: list[str], faults: dict[str, Any] | None
           ) -> subprocess.Popen[bytes]:
    """Start ``python -m sandbox.serve`` detached, its output appended to the private log."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    if faults:
        env["WLKIT_SANDBOX_FAULTS"] = json.dumps(faults)
    cmd = [sys.executable, "-m", "sandbox.serve", "--data-dir", str(data_dir), *port_args]
    log_fd = os.open(data_dir / LOG_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with open(log_fd, "ab") as logfh:
        return subprocess.Popen(
            cmd, stdout=logfh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=str(PROJECT_ROOT), env=env, start_new_session=True,
        )


def _wait_until_up(proc: subprocess.Popen[bytes], info: ServicesInfo, timeout: float) -> None:
    """Wait until the Action API, SPARQL and Commons ports all answer, or fail with the log tail."""
    data_dir = Path(info.data_dir)
    deadline = time.monotonic() + timeout
    pings = (f"{info.api_url}?action=query&meta=siteinfo&format=json",
             f"{info.sparql_url}?query=ASK%7B%7D",
             f"{info.commons_api_url}?action=query&meta=siteinfo&format=json")
    while not all(_answers(url) for url in pings):
        if proc.poll() is not None:
            (data_dir / STATE_FILE).unlink(missing_ok=True)
            raise ServiceError(
                f"local services exited with status {proc.returncode} during start-up; "
                f"log tail:\n{_log_tail(data_dir)}"
            )
        if time.monotonic() > deadline:
            stop_services(data_dir)
            raise ServiceError(
                f"local services did not answer within {timeout:.0f} s on ports "
                f"{info.wikibase_port}/{info.sparql_port}/{info.commons_port}; "
                f"log tail:\n{_log_tail(data_dir)}"
            )
        time.sleep(0.05)


def stop_services(data_dir: str | Path, timeout: float = 10.0, *, pid: int | None = None) -> bool:
    """Stop the services process recorded in ``data_dir/services.json``.

    Sends SIGTERM to that pid only, waits, then SIGKILL if needed.

    Args:
        data_dir: The folder given to :func:`start_services`.
        timeout: Seconds to wait after SIGTERM.
        pid: Only stop when the recorded process is this one (what a caller started itself),
            so a late clean-up never stops services someone started since in the same folder.

    Returns:
        True if a running process was stopped, False if none was running.
    """
    data_dir = Path(data_dir).resolve()
    state = _read_state(data_dir)
    if not state or (pid is not None and int(state["pid"]) != pid):
        return False
    pid = int(state["pid"])
    was_running = _pid_alive(pid)
    if was_running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _pid_alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.05)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _reap(pid)
    (data_dir / STATE_FILE).unlink(missing_ok=True)
    log.info("local services in %s stopped (pid %d)", data_dir, pid)
    return was_running


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    except OSError:
        pass


def services_status(data_dir: str | Path) -> dict[str, Any]:
    """Describe the services of ``data_dir``.

    Args:
        data_dir: The folder given to :func:`start_services`.

    Returns:
        ``{"running": bool, "pid", "api_url", "sparql_url", "admin_url", "api_ok", "sparql_ok",
        "entities", "data_dir"}`` (``running`` False and no urls when nothing was started).
    """
    data_dir = Path(data_dir).resolve()
    state = _read_state(data_dir)
    if not state:
        return {"running": False, "data_dir": str(data_dir)}
    alive = _pid_alive(int(state["pid"]))
    status: dict[str, Any] = {**state, "running": alive, "data_dir": str(data_dir)}
    status["api_ok"] = alive and _answers(
        f"{state['api_url']}?action=query&meta=siteinfo&format=json"
    )
    status["sparql_ok"] = alive and _answers(f"{state['sparql_url']}?query=ASK%7B%7D")
    secret = read_secret(data_dir)
    status["admin_secret"] = secret
    status["admin_secret_file"] = str(data_dir / SECRET_FILE)
    if status["api_ok"]:
        req = urllib.request.Request(f"{state['admin_url']}/stats",
                                     headers={SECRET_HEADER: secret or ""})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                status.update(json.loads(resp.read()))
        except (urllib.error.URLError, OSError, ValueError):
            pass
    return status


def _entities_from_file(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    stripped = text.strip()
    if not stripped:
        return []
    try:
        doc = json.loads(stripped)
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        if "entities" in doc and isinstance(doc["entities"], dict):
            return list(doc["entities"].values())
        return [doc]
    if isinstance(doc, list):
        return doc
    entities = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            entities.append(json.loads(line))
        except ValueError as exc:
            raise ServiceError(f"{path}: row {lineno}: not valid JSON ({exc})") from exc
    return entities


def seed_files(api_url: str, paths: Iterable[str | Path], *, secret: str | None = None
               ) -> dict[str, Any]:
    """Load entity JSON files into a running sandbox, keeping their ids (``POST /admin/seed``).

    Each file holds one entity JSON object, a ``{"entities": {...}}`` document (wbgetentities /
    Special:EntityData shape), a JSON list, or JSON lines. Properties are loaded before items.

    Args:
        api_url: The sandbox's Action API URL (``http://127.0.0.1:PORT/w/api.php``).
        paths: Files to load.
        secret: The services' admin secret (``ServicesInfo.admin_secret``, or the
            ``admin_secret`` of ``services_status``).

    Returns:
        ``{"seeded": n, "created": n, "changed": n, "unchanged": n, "ids": [...]}``.

    Raises:
        ServiceError: unreadable file, or the server refused an entity (message names it).
    """
    entities: list[dict[str, Any]] = []
    for path in paths:
        entities.extend(_entities_from_file(Path(path)))
    admin = api_url.rsplit("/w/api.php", 1)[0] + "/admin/seed"
    body = json.dumps({"entities": entities}).encode("utf-8")
    result = post_admin(admin, body, "application/json", secret, what="seeding")
    if "error" in result:
        raise ServiceError(f"seeding failed: {result['error']}")
    return result


def post_admin(url: str, body: bytes, content_type: str, secret: str | None, *, what: str) -> dict[str, Any]:
    """POST ``body`` to an admin endpoint of the local services and return its JSON answer.

    Raises:
        ServiceError: the endpoint refused it (its message is quoted) or cannot be reached.
    """
    req = urllib.request.Request(url, data=body, method="POST")
    req.add_header("Content-Type", content_type)
    if secret:
        req.add_header(SECRET_HEADER, secret)
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            answer: dict[str, Any] = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        raise ServiceError(f"{what} {url} failed: {exc.read().decode(errors='replace')}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ServiceError(f"cannot reach {url}: {exc}") from exc
    return answer
