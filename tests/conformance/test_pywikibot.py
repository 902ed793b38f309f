"""An unmodified pywikibot drives the sandbox through the whole bot scenario (issue 16)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HERE = Path(__file__).resolve().parent


def _setup_module():
    spec = importlib.util.spec_from_file_location("pywikibot_setup", HERE / "pywikibot_setup.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def loopback_only_env(**extra: str) -> dict[str, str]:
    """The environment for a client subprocess: any non-loopback request goes to a dead
    loopback proxy port, so nothing can leave the machine even if a client tries."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
               NO_PROXY="127.0.0.1,localhost", **extra)
    return env


def test_pywikibot_scenario(bot_services, tmp_path):
    config = _setup_module().write_config(tmp_path / "pywikibot", bot_services.api_url,
                                          "Wlkit@sandbox", "sandbox-bot-password")
    run = subprocess.run([sys.executable, str(HERE / "pywikibot_scenario.py")],
                         env=loopback_only_env(PYWIKIBOT_DIR=str(config)), cwd=tmp_path,
                         capture_output=True, text=True, timeout=240)
    summary = re.search(r"^(\d+)/(\d+) steps$", run.stdout, re.M)
    assert summary, run.stdout + run.stderr[-3000:]
    assert summary[1] == summary[2], run.stdout + run.stderr[-3000:]
    assert run.returncode == 0
