"""Shared helpers for the upload integration tests (real local sandbox services)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from clients.wikibase import WikibaseClient
from core.settings import Target
from modeling.campaign import Campaign, load_campaign
from modeling.items import Plan, plan_items
from modeling.lookups import admin_unit_table
from modeling.upload import UploadOptions, UploadSummary
from pipelines.upload import upload_plans
from sparql.client import run as sparql_run

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 10, 1)
MUNICIPALITIES = [("0180", "Stockholm"), ("0380", "Uppsala"), ("1480", "Göteborg"),
                  ("1280", "Malmö"), ("0980", "Gotland"), ("0580", "Linköping")]
TYPES = ["kyrka", "byggnad", "herrgård", "fyr", "väderkvarn", "bro"]
NAMES = ["Kyrka", "Gård", "Herrgård", "Fyr", "Kvarn", "Bro"]


def campaign() -> Campaign:
    return load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")


def records(n: int, start: int = 0) -> list[dict[str, Any]]:
    """``n`` BBR-like records spread over the seeded municipalities."""
    out = []
    for i in range(start, start + n):
        code, muni = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        out.append({
            "source_id": f"2130000{i:07d}", "name": f"{NAMES[i % 6]} nr {i} i {muni}",
            "municipality_code": code, "municipality": muni, "type": TYPES[i % 6],
            "designation_type": "enskilt", "designation_date": f"19{60 + i % 40}-05-0{1 + i % 9}",
            "address": f"Storgatan {i + 1}", "built": str(1600 + i % 300),
            "lat": 57.5 + (i % 50) * 0.05, "lon": 14.0 + (i % 40) * 0.1, "source_row": i + 2,
        })
    return out


def new_mill_plans(n: int, name: Callable[[int], str] = lambda i: f"Kvarn {i}") -> list[Plan]:
    """Plans of ``n`` new windmills in Stockholm (Q990001), named by ``name(i)``, no lookups."""
    recs = [{"source_id": f"2130000{i:07d}", "name": name(i), "municipality_code": "0180",
             "municipality": "Stockholm", "type": "väderkvarn", "designation_type": "enskilt",
             "designation_date": "1990-05-01", "address": f"Kvarnbacken {i}", "built": "1780",
             "lat": 59.3, "lon": 18.0, "source_row": i + 2} for i in range(n)]
    return plan_items(recs, {r["source_id"]: "new" for r in recs}, campaign(),
                      admin_units={"0180": "Q990001", "Stockholm": "Q990001"}, live_entities={}, today=TODAY)


def admin_units(target: Target, tmp: Path) -> dict[str, str]:
    return admin_unit_table(campaign(), target, tmp / "cache", query=sparql_run)


def plans_for(target: Target, recs: list[dict[str, Any]], units: dict[str, str],
              decisions: dict[str, str] | None = None, **kw: Any) -> list[Plan]:
    """Plans through the real lookups: live entities for decided QIDs, ≤ 50 per read."""
    decisions = decisions or {r["source_id"]: "new" for r in recs}
    qids = sorted({q for q in decisions.values() if q.startswith("Q")})
    live = WikibaseClient(target).get_entities(qids) if qids else {}
    return plan_items(recs, decisions, campaign(), admin_units=units, live_entities=live,
                      today=TODAY, **kw)


def items_per_identifier(target: Target, recs: list[dict[str, Any]]) -> dict[str, list[str]]:
    client = WikibaseClient(target)
    return {r["source_id"]: client.find_by_identifier("P1260", f"raa/bbr/{r['source_id']}") for r in recs}


def write_counts(services: Any) -> dict[str, int]:
    """Recorded wbeditentity calls per entity id (new items under their new id)."""
    counts: dict[str, int] = {}
    for qid in services.edits().get("ids", []):
        counts[qid] = counts.get(qid, 0) + 1
    return counts


def run_upload(target: Target, plans: list[Plan], ledger: Path, *, camp: Campaign | None = None,
               backoff: float = 5.0, **options: Any) -> UploadSummary:
    """Upload through the flow's entry point with test options (no real sleeps by default)."""
    options.setdefault("sleep", lambda s: None)
    return upload_plans(plans, camp or campaign(), target, ledger_path=ledger, backoff=backoff,
                        options=UploadOptions(**options))
