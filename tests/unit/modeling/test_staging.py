"""What `wlkit staging prepare` creates for a campaign (offline part; the seeding is in e2e)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _upload_fixtures import bbr

from core.errors import InputError
from modeling.preflight import campaign_refs
from modeling.staging import read_admin_units, staging_entities, unit_id


def test_only_what_the_target_lacks_with_the_right_datatypes() -> None:
    camp = bbr()
    refs = campaign_refs(camp)
    present = {"P31", "P17", "Q34"}
    entities = staging_entities(camp, present)
    by_id = {e["id"]: e for e in entities}
    assert present.isdisjoint(by_id)
    assert set(by_id) == set(refs) - present
    assert by_id["P1260"]["datatype"] == "external-id"  # the identifier
    assert by_id["P1435"]["datatype"] == "wikibase-item"
    assert by_id["P625"]["datatype"] == "globe-coordinate"
    assert by_id["P813"]["datatype"] == "time"
    assert by_id["Q20244383"]["labels"]["en"]["value"] == "stated in Q20244383 (staging)"
    types = [e["type"] for e in entities]
    assert types == sorted(types, reverse=True)  # properties before items


def test_admin_units_from_a_file_with_stable_ids(tmp_path: Path) -> None:
    path = tmp_path / "kommuner.csv"
    path.write_text("kod;namn;lat;lon\n0180;Stockholm;59.33;18.07\n2583;Haparanda;65.83;24.13\n",
                    encoding="utf-8")
    units = read_admin_units(path)
    assert units["code"].tolist() == ["0180", "2583"]  # codes stay text
    first = staging_entities(bbr(), set(), units)
    again = staging_entities(bbr(), set(), read_admin_units(path))
    assert [e["id"] for e in first] == [e["id"] for e in again]
    hap = next(e for e in first if e["labels"].get("sv", {}).get("value") == "Haparanda")
    assert hap["id"] == "Q910002583"
    assert hap["claims"]["P525"][0]["mainsnak"]["datavalue"]["value"] == "2583"
    assert hap["claims"]["P31"][0]["mainsnak"]["datavalue"]["value"]["id"] == "Q127448"
    assert hap["claims"]["P625"][0]["mainsnak"]["datavalue"]["value"]["latitude"] == 65.83


def test_non_numeric_codes_get_distinct_ids() -> None:
    taken: set[str] = set()
    ids = {unit_id(code, taken) for code in ("2A004", "2B033", "75056")}
    assert len(ids) == 3 and "Q910075056" in ids


def test_duplicate_codes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("code,name\n351,Bern\n351,Bern again\n", encoding="utf-8")
    with pytest.raises(InputError, match="codes should be unique, got 351"):
        read_admin_units(path)
