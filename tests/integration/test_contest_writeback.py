"""Write-back against the local Wikibase and the local Commons with the real clients:
one edit per entity, add-only (an existing P18 is never replaced or doubled), re-run a no-op."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from pydantic import SecretStr

from clients.wikibase import WikibaseClient
from core.settings import Target
from modeling import datavalues as dv
from modeling.contest.writeback_files import WRITEBACK_SUMMARY, run_writeback
from sandbox.commons.loading import load_commons
from sandbox.services import free_port, start_services, stop_services

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "campaigns" / "data" / "wlm-se-bbr-sample" / "contest" / "commons.jsonl"
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def wikis(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("writeback-services")
    info = start_services(data_dir, wikibase_port=free_port(), sparql_port=free_port(), seed=True)
    try:
        load_commons(info.commons_api_url, [SAMPLE], secret=info.admin_secret)
        account = {"user": "Wlkit@sandbox", "password": SecretStr("sandbox-bot-password"),
                   "user_agent": "wikiloves-kit-tests/0.1 (tests@example.org)", "is_production": False}
        items = Target(name="local", api_url=info.api_url, sparql_url=info.sparql_url, **account)
        commons = Target(name="local-commons", api_url=info.commons_api_url, sparql_url=info.sparql_url, **account)
        yield info, items, commons
    finally:
        stop_services(data_dir)


def _file_ids(n: int) -> list[str]:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    files = [r for r in rows if r.get("kind") == "file" and not (r.get("statements") or {}).get("P180")]
    return [f"M{r['pageid']}" for r in files[:n]]


def _edits(info) -> int:
    req = urllib.request.Request(f"{info.admin_url}/edits", headers=info.admin_headers)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return int(json.loads(resp.read())["count"])


def test_writeback_adds_once_and_never_replaces(wikis, tmp_path):
    info, items_target, commons_target = wikis
    items, commons = WikibaseClient(items_target), WikibaseClient(commons_target)
    fresh = items.create({"labels": {"sv": {"language": "sv", "value": "Vreta kyrka"}}}, summary="test")["entity"]["id"]
    other = dv.statement(dv.snak("P18", "commonsMedia", dv.string("Someone else's photo.jpg")))
    taken = items.create({"labels": {"sv": {"language": "sv", "value": "Gamla bron"}}, "claims": [other]},
                         summary="test")["entity"]["id"]
    m1, m2 = _file_ids(2)
    dest = tmp_path / "07_contest"
    dest.mkdir()
    pd.DataFrame([(fresh, "P18", "Vreta kyrka 1.jpg", "yes"), (fresh, "P373", "Vreta kyrka", "yes"),
                  (taken, "P18", "Gamla bron 2026.jpg", "yes")],
                 columns=["entity", "property", "value", "accept"]).to_csv(dest / "suggestions_p18.csv", index=False)
    pd.DataFrame([(m1, "P180", fresh, "yes"), (m2, "P180", fresh, "")],
                 columns=["entity", "property", "value", "accept"]).to_csv(dest / "suggestions_p180.csv", index=False)
    before = _edits(info)
    first = run_writeback("wlm-test", tmp_path, items=items, mediainfo=commons, sleep=lambda s: None)
    assert first["items"]["written"] == 1 and first["items"]["statements_added"] == 2
    assert first["mediainfo"]["written"] == 1 and first["accepted"] == 4
    assert first["items"]["kept"] == 1  # the other item's image stays: reported, not replaced
    kept = json.loads((dest / WRITEBACK_SUMMARY).read_text())["items"]["kept"]
    assert kept == [{"entity": taken, "property": "P18", "value": "Gamla bron 2026.jpg",
                     "reason": "already has P18 = Someone else's photo.jpg"}]
    assert _edits(info) - before == 1  # one wbeditentity on the Wikibase (the file's edit is on Commons)
    live = items.get_entities([fresh, taken])
    assert [s["mainsnak"]["datavalue"]["value"] for s in live[fresh]["claims"]["P18"]] == ["Vreta kyrka 1.jpg"]
    assert [s["mainsnak"]["datavalue"]["value"] for s in live[taken]["claims"]["P18"]] == ["Someone else's photo.jpg"]
    media = commons.get_entities([m1, m2])
    depicts = (media[m1].get("statements") or media[m1].get("claims"))["P180"]
    assert [s["mainsnak"]["datavalue"]["value"]["id"] for s in depicts] == [fresh]
    assert "P180" not in (media[m2].get("statements") or media[m2].get("claims") or {})  # not accepted
    again = run_writeback("wlm-test", tmp_path, items=items, mediainfo=commons, sleep=lambda s: None)
    assert again["items"]["written"] == 0 and again["mediainfo"]["written"] == 0
    assert _edits(info) - before == 1
    assert json.loads((dest / WRITEBACK_SUMMARY).read_text())["items"]["skipped_done"] == 2
    assert again["items"]["kept"] == 0  # settled entities are not even read again
