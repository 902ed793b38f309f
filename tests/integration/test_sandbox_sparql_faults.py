"""Transport faults on the SPARQL port, survived by the project's SPARQL client."""

from __future__ import annotations

import pytest

from sparql import client

pytestmark = pytest.mark.integration

ASK = "SELECT (COUNT(*) AS ?n) WHERE { ?item wdt:P31 ?class }"


@pytest.mark.parametrize(
    "fault",
    [{"http_503": {"count": 2, "retry_after": 3, "on": "sparql"}},
     {"http_429": {"count": 1, "retry_after": 7, "on": "sparql"}},
     {"drop": {"count": 1, "on": "sparql"}}],
    ids=["503", "429", "drop"],
)
def test_sparql_faults_are_retried_with_retry_after(services_factory, monkeypatch, fault) -> None:
    services = services_factory(seed=True)
    waits: list[float] = []
    monkeypatch.setattr(client, "_sleep", waits.append)
    services.faults(**fault)
    frame = client.run_query(ASK, services.target)
    assert int(frame["n"].iloc[0]) > 0  # the seeded items, once the faults are spent
    (kind, conf), = fault.items()
    assert len(waits) == conf["count"]
    if "retry_after" in conf:
        assert waits == [float(conf["retry_after"])] * conf["count"]
    assert services.admin("faults").get(kind, {}).get("count", 0) == 0
