"""The resource inventory is pushed to a Wikibase through the project's upload path (local services)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import requests

from clients.wikibase import WikibaseClient
from modeling.campaign import load_campaign
from pipelines.inventory import push_inventory_to_wikibase
from reports.checklist import build_checklist
from reports.facts import collect_facts
from reports.inventory import load_catalogue

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def _entity(eid: str, label: str, datatype: str | None = None) -> dict:
    ent = {"id": eid, "type": "property" if datatype else "item",
           "labels": {"en": {"language": "en", "value": label}}, "descriptions": {}, "aliases": {},
           "claims": {}}
    if datatype:
        ent["datatype"] = datatype
    return ent


@pytest.fixture(scope="module")
def seeded(local_services, tmp_path_factory):
    """Seed the properties and items the inventory uses (absent from the base seed)."""
    from sandbox.services import seed_files

    catalogue = load_catalogue()
    wb = catalogue.wikibase
    entities = [_entity(wb.url_property, "full work available at URL", "url"),
                _entity(wb.language_property, "language of work or name", "wikibase-item"),
                _entity(wb.subject_property, "main subject", "wikibase-item")]
    entities += [_entity(q, f"language {code}") for code, q in wb.languages.items()]
    entities += [_entity(t.qid, t.label) for t in catalogue.topics.values() if t.qid]
    path = tmp_path_factory.mktemp("inventory-seed") / "inventory.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in entities), encoding="utf-8")
    seed_files(local_services.api_url, [path], secret=local_services.info.admin_secret)
    return catalogue


def _get(api_url: str, ids: list[str]) -> dict:
    resp = requests.post(api_url, data={"action": "wbgetentities", "ids": "|".join(ids), "format": "json"},
                         timeout=30)
    resp.raise_for_status()
    return resp.json()["entities"]


def test_push_creates_one_item_per_resource_and_resumes(local_services, seeded, tmp_path):
    local_services.reset()
    ledger = tmp_path / "inventory.sqlite"
    created = push_inventory_to_wikibase(seeded, local_services.target, ledger_path=ledger)
    assert len(created) == len(seeded.resources)
    assert local_services.edits()["count"] == len(seeded.resources)  # one wbeditentity per item
    first = seeded.resources[0]
    ent = _get(local_services.api_url, [created[first.url]])[created[first.url]]
    assert ent["labels"][first.language]["value"] == first.title
    url_claim = ent["claims"][seeded.wikibase.url_property][0]["mainsnak"]["datavalue"]["value"]
    assert url_claim == first.url
    lang_claim = ent["claims"][seeded.wikibase.language_property][0]["mainsnak"]["datavalue"]["value"]["id"]
    assert lang_claim == seeded.wikibase.languages[first.language]
    # a re-run writes nothing: the ledger knows every resource
    again = push_inventory_to_wikibase(seeded, local_services.target, ledger_path=ledger)
    assert again == created
    assert local_services.edits()["count"] == len(seeded.resources)


def test_identifier_property_is_checked_on_the_target(local_services):
    campaign = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
    campaign.mapping.identifier.verified = True
    facts = collect_facts(None, campaign, target=WikibaseClient(local_services.target))
    assert facts.value("identifier.exists") is True
    item = {i.key: i for i in build_checklist(facts)}["identifier"]
    assert item.status == "ticked" and item.evidence.date == date.today()
    campaign.mapping.identifier.property = "P999999"
    facts = collect_facts(None, campaign, target=WikibaseClient(local_services.target))
    assert facts.value("identifier.exists") is False
    assert {i.key: i for i in build_checklist(facts)}["identifier"].status == "not_ticked"
