"""The long-running Prefect API of `wlkit services up`: started, used by the CLI, shown, stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from pipelines.prefect_server import running_api_url, server_status, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]


def _flow_runs(api_url: str) -> list[dict]:
    req = urllib.request.Request(f"{api_url}/flow_runs/filter", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def test_cli_runs_on_the_server_of_services_up_and_down_stops_it(tmp_path):
    data_dir = tmp_path / ".wlkit"
    status = start_server(data_dir)
    try:
        assert status["running"] and status["api_url"].startswith("http://127.0.0.1:")
        assert start_server(data_dir)["pid"] == status["pid"]  # idempotent: one server per dir
        assert running_api_url(data_dir) == status["api_url"]
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env["PYTHONPATH"] = str(ROOT)
        # a CLI command started where .wlkit is runs its flow on that server (no temporary one)
        code = ("from pipelines.cli import app; import sys; "
                "sys.argv=['wlkit','services','status','--data-dir','.wlkit']; app()")
        out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, text=True,
                             capture_output=True, timeout=300, check=True).stdout
        assert json.loads(out)["prefect"]["api_url"] == status["api_url"]
        flow_code = ("import os; from pipelines import cli; cli._main(verbose=False); "
                     "from prefect import flow; print(os.environ['PREFECT_API_URL']); "
                     "flow(name='wlkit-probe')(lambda: 1)()")
        out = subprocess.run([sys.executable, "-c", flow_code], cwd=tmp_path, env=env, text=True,
                             capture_output=True, timeout=300, check=True).stdout
        assert out.splitlines()[0] == status["api_url"]
        assert any(r["state_type"] == "COMPLETED" for r in _flow_runs(status["api_url"]))
    finally:
        assert stop_server(data_dir)
    assert server_status(data_dir) == {"running": False}
    assert running_api_url(data_dir) is None
