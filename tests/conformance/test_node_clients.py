"""Unmodified wikibase-edit and wikibase-cli (pinned in tests/conformance/node, installed by
``make test``) drive the sandbox through the whole bot scenario (issue 16)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NODE_DIR = Path(__file__).resolve().parent / "node"
USER, PASSWORD = "Wlkit@sandbox", "sandbox-bot-password"


def _run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    assert node, "Node.js is missing: `make test` installs it (make node-clients)"
    assert (NODE_DIR / "node_modules" / "wikibase-edit").is_dir(), \
        "the Node clients are not installed: run `make node-clients`"
    return subprocess.run([node, str(NODE_DIR / script), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=240)


def _assert_all_steps(run: subprocess.CompletedProcess[str]) -> None:
    summary = re.search(r"^(\d+)/(\d+) steps$", run.stdout, re.M)
    assert summary, run.stdout + run.stderr[-3000:]
    assert summary[1] == summary[2], run.stdout + run.stderr[-3000:]
    assert run.returncode == 0


def test_wikibase_edit_scenario(bot_services, tmp_path):
    _assert_all_steps(_run("wikibase_edit_scenario.mjs", bot_services.api_url, USER, PASSWORD,
                           cwd=tmp_path))


def test_wikibase_cli_scenario(bot_services, tmp_path):
    _assert_all_steps(_run("wikibase_cli_scenario.mjs", bot_services.api_url, USER, PASSWORD,
                           str(tmp_path / "home"), cwd=tmp_path))
