"""Shared builders for the item-plan/diff/check tests (realistic BBR / NVR records)."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

from modeling.campaign import Campaign, load_campaign

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 10, 1)
ADMIN = {"0180": "Q1754", "0380": "Q25286", "1480": "Q25287"}


def bbr() -> Campaign:
    return load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")


def nvr() -> Campaign:
    return load_campaign(ROOT / "campaigns" / "wle-se-reserves-sample.yaml")


def bbr_record(**over: Any) -> dict[str, Any]:
    rec = {
        "source_id": "21300000012345", "name": "Riddarhuset", "municipality_code": "0180",
        "municipality": "Stockholm", "type": "byggnad", "designation_type": "enskilt",
        "designation_date": "1965-04-02", "address": "Riddarhustorget 10", "built": "1641",
        "lat": 59.32489, "lon": 18.06763, "source_row": 2,
    }
    rec.update(over)
    return rec


def nvr_record(**over: Any) -> dict[str, Any]:
    rec = {
        "source_id": "2000123", "name": "Tyresta", "type": "Naturreservat",
        "municipality": "Haninge", "municipality_code": "0180", "iucn": "II", "wdpa": "12345",
        "decided": "1986-05-06", "lat": 59.17, "lon": 18.3, "area_m2": 1234567.8, "source_row": 1,
    }
    rec.update(over)
    return rec


def live_from(entity: dict[str, Any], qid: str, revid: int = 41) -> dict[str, Any]:
    """What wbgetentities would return after the server saved ``entity`` (ids, hashes)."""
    live = copy.deepcopy(entity)
    live.update({"id": qid, "lastrevid": revid, "type": "item"})
    n = 0
    for sts in live.get("claims", {}).values():
        for st in sts:
            n += 1
            st["id"] = f"{qid}$00000000-0000-0000-0000-{n:012d}"
            for i, ref in enumerate(st.get("references", [])):
                ref["hash"] = f"{n:04d}{i:036d}"
    return live
