"""Crash-loop benchmark: an upload killed at 20 random points ends with no duplicate item.

Against a fresh local sandbox with delayed commits (writes commit 250 ms late, after the client
may be dead) and a 30 s search-index lag armed, 40 items without descriptions (so Wikibase's
label+description rule cannot refuse a second copy) are uploaded by runs that are SIGKILLed at
seeded random moments, then one run finishes. Prints (``python -m bench crashloop``):

* ``kills`` — runs killed; ``creates_sent`` — item creations the server saved;
* ``duplicates_after_crashes`` — items beyond one per identifier (must be 0);
* ``failed_rows`` — ledger rows left ``failed`` (must be 0); ``crashloop_s`` — wall time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import wikibaseintegrator.wbi_helpers as wbi_helpers  # noqa: E402

from clients.wikibase import WikibaseClient  # noqa: E402
from core.settings import Target  # noqa: E402
from modeling.campaign import Campaign, load_campaign  # noqa: E402
from modeling.items import Plan, plan_items  # noqa: E402
from modeling.ledger import Ledger  # noqa: E402
from modeling.lookups import admin_unit_table  # noqa: E402
from modeling.upload import UploadOptions, upload  # noqa: E402
from sandbox.services import free_port, start_services, stop_services  # noqa: E402
from sparql.client import run as sparql_run  # noqa: E402

GRACE_S = 4.0
FAULTS = {"delayed_commit": {"count": 1_000_000, "delay_ms": 250}, "search_lag": {"seconds": 30}}


def _records(n: int) -> list[dict[str, Any]]:
    munis = [("0180", "Stockholm"), ("0380", "Uppsala"), ("1480", "Göteborg"), ("1280", "Malmö")]
    return [{"source_id": f"2150000{i:07d}", "name": f"Kvarn {i} i {munis[i % 4][1]}",
             "municipality_code": munis[i % 4][0], "municipality": munis[i % 4][1], "type": "väderkvarn",
             "designation_type": "enskilt", "designation_date": "1970-01-01", "address": f"Backen {i}",
             "built": "1800", "lat": 57.0 + i * 0.01, "lon": 15.0 + i * 0.01} for i in range(n)]


def _admin(api_url: str, headers: dict[str, str], name: str, payload: Any = None) -> Any:
    url = api_url.rsplit("/w/api.php", 1)[0] + f"/admin/{name}"
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={**headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def _creates(api_url: str, headers: dict[str, str]) -> int:
    edits = _admin(api_url, headers, "edits")["edits"]
    return sum(1 for e in edits if e["ok"] and e.get("new") == "item")


def _run(target: Target, plans: list[Plan], campaign: Campaign, ledger: Path) -> None:
    wbi_helpers.default_session = requests.Session()
    client = WikibaseClient(target, backoff=0.05)
    upload(plans, campaign, client, ledger_path=ledger, options=UploadOptions(commit_grace=GRACE_S))
    os._exit(0)


def _kill_loop(target: Target, plans: list[Plan], campaign: Campaign, ledger: Path,
               headers: dict[str, str], kills: int, seed: int) -> int:
    rng, done = random.Random(seed), 0
    fork = multiprocessing.get_context("fork")
    for _ in range(kills):
        before = _creates(target.api_url, headers)
        if before >= len(plans):
            break
        proc = fork.Process(target=_run, args=(target, plans, campaign, ledger), daemon=True)
        proc.start()
        goal, deadline = min(before + rng.choice([0, 1, 2]), len(plans)), time.monotonic() + 60
        while proc.is_alive() and _creates(target.api_url, headers) < goal and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.35))
        if proc.is_alive():
            os.kill(proc.pid, signal.SIGKILL)
            done += 1
        proc.join(10)
    return done


def main() -> None:
    """Run the crash loop and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    campaign = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        info = start_services(Path(tmp) / "services", wikibase_port=free_port(), sparql_port=free_port())
        try:
            target = Target(name="bench", api_url=info.api_url, sparql_url=info.sparql_url,
                            user=os.environ.get("WLKIT_SANDBOX_USER", "Wlkit@sandbox"),
                            password=os.environ.get("WLKIT_SANDBOX_PASSWORD", "sandbox-bot-password"),
                            user_agent="wikiloves-kit-bench/0.1 (bench@example.org)")
            recs = _records(args.items)
            units = admin_unit_table(campaign, target, None, query=sparql_run)
            plans = plan_items(recs, {r["source_id"]: "new" for r in recs}, campaign,
                               admin_units=units, live_entities={}, today=date.today())
            for p in plans:  # no descriptions: only the ledger and the recovery prevent duplicates
                p.data.pop("descriptions", None)
                p.desired.pop("descriptions", None)
            ledger = Path(tmp) / "ledger.sqlite"
            _admin(info.api_url, info.admin_headers, "faults", FAULTS)
            kills = _kill_loop(target, plans, campaign, ledger, info.admin_headers, args.kills, args.seed)
            upload(plans, campaign, WikibaseClient(target), ledger_path=ledger,
                   options=UploadOptions(commit_grace=GRACE_S), progress=False)
            _admin(info.api_url, info.admin_headers, "faults", {"search_lag": None, "delayed_commit": None})
            client = WikibaseClient(target)
            prop = campaign.mapping.identifier.property
            per_id = [len(client.find_by_identifier(prop, p.identifier or "")) for p in plans]
            with Ledger(ledger) as led:
                failed = led.counts(campaign.id).get("failed", 0)
            print(f"kills={kills}")
            print(f"creates_sent={_creates(info.api_url, info.admin_headers)}")
            print(f"items_missing={sum(1 for n in per_id if n == 0)}")
            print(f"duplicates_after_crashes={sum(n - 1 for n in per_id if n > 1)}")
            print(f"failed_rows={failed}")
            print(f"crashloop_s={time.monotonic() - started:.1f}")
        finally:
            stop_services(Path(tmp) / "services")


if __name__ == "__main__":
    main()
