"""Flow-test fixtures: every test under ``tests/flows`` runs against a throwaway Prefect API.

``prefect_harness`` (session, autouse) wraps the whole flow-test session in
:func:`prefect.testing.utilities.prefect_test_harness`: a temporary SQLite database and a local
API server on a free loopback port, so flow runs, artifacts, cache records and concurrency
limits never touch ``~/.prefect`` or another session's state. Flows then run exactly once each
(STYLE.md §2.2). Tests that need a *real* server + worker (``test_deployments.py``) start their
own in a subprocess with their own ``PREFECT_HOME``.
"""

from __future__ import annotations

import os

import pytest

# Before any Prefect import in this session: no telemetry, no UI, nothing sent anywhere.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_UI_ENABLED", "false")
os.environ.setdefault("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false")


@pytest.fixture(scope="session", autouse=True)
def prefect_harness():
    """Session-wide Prefect test harness (temporary database + loopback API server)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):  # 2 workers on a busy 2-core machine
        yield


@pytest.fixture
def in_tmp_cwd(tmp_path, monkeypatch):
    """Run the test with ``tmp_path`` as working directory (``.wlkit/`` lands there)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
