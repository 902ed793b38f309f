"""``start_services`` refuses what it cannot start and reports a process that dies at start-up."""

from __future__ import annotations

import socket

import pytest

from core.errors import ServiceError
from sandbox.services import HOST, STATE_FILE, free_port, services_status, start_services

pytestmark = pytest.mark.integration


def test_port_in_use_is_refused_before_spawning(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind((HOST, 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(ServiceError, match=rf"port {port} .* should be free"):
            start_services(tmp_path / "svc", wikibase_port=free_port(), sparql_port=port,
                           seed=False)
    assert not (tmp_path / "svc" / STATE_FILE).exists()
    assert services_status(tmp_path / "svc")["running"] is False


def test_process_dying_at_start_up_is_reported_with_its_log(tmp_path):
    with pytest.raises(ServiceError, match=r"exited with status .* during start-up") as err:
        start_services(tmp_path / "svc", wikibase_port=free_port(), sparql_port=free_port(),
                       seed=False, faults={"no_such_fault": 1})
    assert "no_such_fault" in str(err.value)  # the log tail names the cause
    assert not (tmp_path / "svc" / STATE_FILE).exists()
