"""The P131 lookup table (modeling/lookups.py) against the local services' base seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeling.campaign import load_campaign
from modeling.lookups import admin_unit_table
from sparql import client

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def test_admin_unit_table_by_code_is_cached_and_overridden(local_services, tmp_path: Path) -> None:
    campaign = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
    calls: list[str] = []

    def counting(name, target, **params):
        calls.append(name)
        return client.run(name, target, **params)

    table = admin_unit_table(campaign, local_services.target, tmp_path, query=counting)
    # The ten seeded municipalities, keyed by their P525 code with the leading zero kept.
    assert {"0180", "0380", "1480", "1280", "0980", "0580", "1281", "2480"} <= set(table)
    assert all(q.startswith("Q") for q in table.values())
    assert len(set(table.values())) == len(table)
    again = admin_unit_table(campaign, local_services.target, tmp_path, query=counting)
    assert again == table and calls == ["lookup_admin_units"]  # second call from the cache

    located = campaign.mapping.located_in.model_copy(update={"table": {"9999": "Q104"}})
    mapping = campaign.mapping.model_copy(update={"located_in": located})
    overridden = admin_unit_table(campaign.model_copy(update={"mapping": mapping}),
                                  local_services.target, tmp_path, query=counting)
    assert overridden["9999"] == "Q104" and overridden["0180"] == table["0180"]


def test_admin_unit_table_by_name(local_services, tmp_path: Path) -> None:
    campaign = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
    located = campaign.mapping.located_in.model_copy(update={"by": "name", "column": "municipality"})
    named = campaign.model_copy(update={"mapping": campaign.mapping.model_copy(
        update={"located_in": located})})
    by_code = admin_unit_table(campaign, local_services.target, None, query=client.run)
    by_name = admin_unit_table(named, local_services.target, None, query=client.run)
    assert by_name["Göteborg"] == by_name["goteborg"] == by_code["1480"]
