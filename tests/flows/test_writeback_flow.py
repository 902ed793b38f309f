"""writeback_flow under the session harness on local services: the target's two APIs (Wikibase for
items, Commons for MediaInfo) from the profile, a dry run that writes nothing, then the writes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from pydantic import SecretStr

from clients.wikibase import WikibaseClient
from core.settings import Target
from sandbox.commons.loading import load_commons
from sandbox.services import free_port, start_services, stop_services

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "campaigns" / "data" / "wlm-se-bbr-sample" / "contest" / "commons.jsonl"


@pytest.fixture
def local_profile(tmp_path, monkeypatch):
    """Local services whose ports the ``local`` profile follows (as `make demo` sets them)."""
    data = tmp_path / "services"
    info = start_services(data, wikibase_port=free_port(), sparql_port=free_port(), seed=True)
    try:
        load_commons(info.commons_api_url, [SAMPLE], secret=info.admin_secret)
        for key, port in (("WIKIBASE", info.api_url), ("SPARQL", info.sparql_url), ("COMMONS", info.commons_api_url)):
            monkeypatch.setenv(f"WLKIT_{key}_PORT", port.split(":")[2].split("/")[0])
        yield info
    finally:
        stop_services(data)


def test_writeback_flow_dry_run_then_write(local_profile, tmp_path):
    from pipelines.writeback import writeback_flow

    info = local_profile
    target = Target(name="local", api_url=info.api_url, sparql_url=info.sparql_url, user="Wlkit@sandbox",
                    password=SecretStr("sandbox-bot-password"), user_agent="wikiloves-kit-tests/0.1",
                    is_production=False)
    qid = WikibaseClient(target).create({"labels": {"sv": {"language": "sv", "value": "Vreta kyrka"}}},
                                        summary="test")["entity"]["id"]
    files = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    plain = [r for r in files if r.get("kind") == "file" and "P180" not in (r.get("statements") or {})]
    mid = f"M{plain[0]['pageid']}"
    dest = tmp_path / "run" / "07_contest"
    dest.mkdir(parents=True)
    pd.DataFrame([(qid, "P18", "Vreta kyrka 1.jpg", "yes")], columns=["entity", "property", "value", "accept"]) \
        .to_csv(dest / "suggestions_p18.csv", index=False)
    pd.DataFrame([(mid, "P180", qid, "ja")], columns=["entity", "property", "value", "accept"]) \
        .to_csv(dest / "suggestions_p180.csv", index=False)
    campaign = str(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
    dry = writeback_flow(campaign=campaign, out=str(tmp_path / "run"), target="local", dry_run=True)
    assert dry["items"]["planned"] == 1 and dry["mediainfo"]["planned"] == 1 and dry["items"]["written"] == 0
    assert not (dest / "writeback.sqlite").exists()  # a dry run keeps no ledger
    done = writeback_flow(campaign=campaign, out=str(tmp_path / "run"), target="local")
    assert (done["items"]["written"], done["mediainfo"]["written"]) == (1, 1)
    assert "P18" in WikibaseClient(target).get_entities([qid])[qid]["claims"]
