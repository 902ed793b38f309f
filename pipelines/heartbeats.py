"""How the ``wlkit`` CLI runs its flows: without Prefect's flow-run heartbeats.

Prefect's heartbeat thread sleeps in one-second steps and every flow (and subflow) waits for it
as it ends: half a second to a second each, up to 7 s for the seven flows of ``wlkit run``.
Heartbeats only feed an automation that marks silent runs as crashed; a ``wlkit`` run ends with
its process, and deployments run by a worker (``prefect.yaml``) keep Prefect's default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.settings import temporary_settings

#: The user's own setting of the heartbeat interval, which always wins.
ENV_VAR = "PREFECT_FLOWS_HEARTBEAT_FREQUENCY"


@contextmanager
def without_flow_heartbeats() -> Iterator[None]:
    """Run the flows started in this block without heartbeats, unless :data:`ENV_VAR` is set."""
    if ENV_VAR in os.environ:
        yield
        return
    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield
