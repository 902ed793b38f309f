"""Upload benchmark: 1,000 new items with 8 statements each against a fresh local sandbox.

Prints ``key=value`` figures (``python -m bench upload``):

* ``writes_per_item``, ``reads_per_item`` (API calls of the upload per item; new items read
  nothing), ``upload_items_per_s``;
* ``baseline_writes_per_item``: QuickStatements style — one edit per statement (FIELD-NOTES §4.3.9),
  MEASURED on a sample by sending the same items through ``wbeditentity`` one statement at a
  time and counting the server's recorded edits; ``writes_ratio`` = baseline / ours.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from clients.wikibase import WikibaseClient  # noqa: E402
from core.settings import Target  # noqa: E402
from modeling.campaign import load_campaign  # noqa: E402
from modeling.items import plan_items  # noqa: E402
from modeling.upload import UploadOptions  # noqa: E402
from pipelines.upload import upload_plans  # noqa: E402
from sandbox.services import free_port, start_services, stop_services  # noqa: E402

MUNICIPALITIES = [("0180", "Stockholm"), ("0380", "Uppsala"), ("1480", "Göteborg"), ("1280", "Malmö")]
TYPES = ["kyrka", "byggnad", "herrgård", "fyr", "väderkvarn", "bro"]


def _records(n: int, start: int = 0) -> list[dict]:
    out = []
    for i in range(start, start + n):
        code, muni = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        out.append({"source_id": f"2140000{i:07d}", "name": f"Byggnad {i} i {muni}", "municipality_code": code,
                    "municipality": muni, "type": TYPES[i % 6], "designation_type": "enskilt",
                    "designation_date": "1970-01-01", "address": f"Kyrkogatan {i}", "built": "1700",
                    "lat": 57.0 + (i % 100) * 0.01, "lon": 15.0 + (i % 70) * 0.01})
    return out


def _admin_edits(api_url: str, headers: dict[str, str]) -> int:
    import json
    import urllib.request

    url = api_url.rsplit("/w/api.php", 1)[0] + "/admin/edits"
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as resp:
        return int(json.loads(resp.read())["count"])


def _baseline(target: Target, plans: list, campaign, headers: dict[str, str]) -> float:
    """QuickStatements style: create with one statement, then one wbeditentity per statement."""
    client = WikibaseClient(target, sleep=lambda s: None)
    before = _admin_edits(target.api_url, headers)
    for plan in plans:
        data = copy.deepcopy(plan.data)
        statements = [st for sts in data.pop("claims").values() for st in sts]
        first = {**data, "claims": [statements[0]]}
        answer = client.edit(first, qid=None, summary="baseline", baserevid=None)
        qid = answer["entity"]["id"]
        for st in statements[1:]:
            client.edit({"claims": [st]}, qid=qid, summary="baseline", baserevid=None)
    return (_admin_edits(target.api_url, headers) - before) / len(plans)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--baseline-sample", type=int, default=25)
    args = parser.parse_args()
    campaign = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        info = start_services(Path(tmp) / "services", wikibase_port=free_port(), sparql_port=free_port())
        try:
            target = Target(name="bench", api_url=info.api_url, sparql_url=info.sparql_url,
                            user=os.environ.get("WLKIT_SANDBOX_USER", "Wlkit@sandbox"),
                            password=os.environ.get("WLKIT_SANDBOX_PASSWORD", "sandbox-bot-password"),
                            user_agent="wikiloves-kit-bench/0.1 (bench@example.org)")
            from modeling.lookups import admin_unit_table
            from sparql.client import run as sparql_run
            units = admin_unit_table(campaign, target, None, query=sparql_run)
            recs = _records(args.items)
            plans = plan_items(recs, {r["source_id"]: "new" for r in recs}, campaign, admin_units=units,
                               live_entities={}, today=date.today())
            statements = sum(len(sts) for sts in plans[0].data["claims"].values())
            print(f"statements_per_item={statements}")
            held = [p for p in plans if p.action != "create"]
            if held:
                print(f"held={len(held)} first={held[0].failed_checks}")
            started = time.monotonic()
            summary = upload_plans(plans, campaign, target, ledger_path=Path(tmp) / "ledger.sqlite",
                                   options=UploadOptions(sleep=lambda s: None), progress=False)
            elapsed = time.monotonic() - started
            n = summary.created
            print(f"items_created={n}")
            print(f"writes_per_item={summary.writes / n:.3f}")
            print(f"reads_per_item={summary.reads / n:.3f}")
            print(f"upload_items_per_s={n / elapsed:.1f}")
            sample = plan_items(_records(args.baseline_sample, start=900000), {}, campaign,
                                admin_units=units, live_entities={}, today=date.today())
            for p in sample:  # decisions not needed for the baseline: write the same data
                p.action = "create"
            base = _baseline(target, sample, campaign, info.admin_headers)
            print(f"baseline_writes_per_item={base:.1f}")
            print(f"writes_ratio={base / (summary.writes / n):.1f}")
        finally:
            stop_services(Path(tmp) / "services")


if __name__ == "__main__":
    main()
