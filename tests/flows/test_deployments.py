"""prefect.yaml against a REAL Prefect server: deploy, run through a process worker, COMPLETED.

A `prefect server start` subprocess on a free loopback port with its own PREFECT_HOME and SQLite
database in tmp; the work pool is created, the deployments are registered with
`prefect deploy --all` from the project's prefect.yaml, the ingest deployment of the bundled sample
is triggered with `prefect deployment run`, and a `prefect worker start --run-once` process
worker executes it. Everything is stopped in teardown. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "wlkit-process"
DEPLOYMENT = "wlm-se-bbr-sample-ingest"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(home: Path, api_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PREFECT_CLI_PROMPT="false",
        PREFECT_SERVER_EPHEMERAL_ENABLED="false",
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_WORKER_PREFETCH_SECONDS="60",
        PREFECT_LOGGING_LEVEL="INFO",
        NO_PROXY="127.0.0.1,localhost",
        PWD=str(PROJECT),  # prefect.yaml: set_working_directory "{{ $PWD }}" at deploy time
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def _cli(args: list[str], env: dict[str, str], timeout: float = 60) -> str:
    proc = subprocess.run(
        [PREFECT, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"prefect {' '.join(args)} failed:\n{output[-4000:]}"
    return output


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture
def prefect_server(tmp_path):
    """A real `prefect server start` on a free loopback port; yields (api_url, home)."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=_env(home, None),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    api_url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"prefect server exited:\n{(tmp_path / 'server.log').read_text()[-3000:]}")
            try:
                if _get(f"{api_url}/health") is True:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"prefect server not healthy in 60 s:\n{(tmp_path / 'server.log').read_text()[-3000:]}")
            time.sleep(0.25)  # polling interval, not a timing assertion
        yield api_url, home
    finally:
        _stop(server)
        log.close()


@pytest.mark.timeout(150)
def test_ingest_deployment_runs_to_completed_on_a_process_worker(prefect_server, tmp_path):
    api_url, home = prefect_server
    env = _env(home, api_url)
    out = tmp_path / "run"

    _cli(["work-pool", "create", POOL, "--type", "process"], env)
    # Every deployment in prefect.yaml registers: each entrypoint imports and its parameters
    # match the flow's signature (enforced parameter schema).
    _cli(["deploy", "--all", "--no-prompt"], env, timeout=120)
    expected = {d["name"] for d in yaml.safe_load((PROJECT / "prefect.yaml").read_text())["deployments"]}

    # The deployment as registered: entrypoint, parameters from the definitions anchor, pool.
    deployments = _post(f"{api_url}/deployments/filter", {})
    assert {d["name"] for d in deployments} == expected
    weekly = [d for d in deployments if d["name"].endswith("-lists-weekly")]
    assert len(weekly) == 2
    for dep in weekly:
        (schedule,) = dep["schedules"]
        assert schedule["schedule"]["cron"] == "0 5 * * 1"
        assert schedule["schedule"]["timezone"] == "UTC"
    (dep,) = [d for d in deployments if d["name"] == DEPLOYMENT]
    assert dep["entrypoint"] == "pipelines/ingest.py:ingest_flow"
    assert dep["work_pool_name"] == POOL
    assert dep["parameters"] == {
        "campaign": "campaigns/wlm-se-bbr-sample.yaml",
        "out": "out/wlm-se-bbr-sample",
    }
    # "{{ $PWD }}" is resolved by `prefect deploy`: workers run the code in place.
    assert dep["pull_steps"] == [
        {
            "prefect.deployments.steps.set_working_directory": {"directory": str(PROJECT)},
        }
    ]
    flow = _get(f"{api_url}/flows/{dep['flow_id']}")

    started = _cli(
        ["deployment", "run", f"{flow['name']}/{DEPLOYMENT}", "--param", f"out={out}"], env
    )
    flow_run_id = re.search(r"UUID: ([0-9a-f-]{36})", started).group(1)

    worker_log = tmp_path / "worker.log"
    with worker_log.open("w") as log:
        worker = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", POOL, "--run-once", "--limit", "1",
             "--type", "process"],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            worker.wait(timeout=100)
        finally:
            _stop(worker)

    run = _get(f"{api_url}/flow_runs/{flow_run_id}")
    assert run["state"]["type"] == "COMPLETED", worker_log.read_text()[-4000:]
    assert run["parameters"]["out"] == str(out)
    # The flow really ran in the project directory and wrote the stage's files.
    records = pd.read_parquet(out / "01_ingest" / "records.parquet")
    summary = json.loads((out / "01_ingest" / "summary.json").read_text())
    assert summary["records_ok"] == len(records) > 0
    assert records["source_id"].is_unique


def _post(url: str, payload: dict) -> list[dict]:
    req = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())
