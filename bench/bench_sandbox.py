"""Benchmark the sandbox: wbeditentity/s and wbgetentities entities/s (prints key=value lines).

Run: ``.venv/bin/python bench/bench_sandbox.py [--edits 300] [--threads 4]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modeling import datavalues as dv
from sandbox.services import free_port, start_services, stop_services


def _login(api: str) -> tuple[requests.Session, str]:
    s = requests.Session()
    tok = s.post(api, data={"action": "query", "meta": "tokens", "type": "login",
                            "format": "json"}).json()["query"]["tokens"]["logintoken"]
    r = s.post(api, data={"action": "login", "lgname": "Wlkit@sandbox",
                          "lgpassword": "sandbox-bot-password", "lgtoken": tok,
                          "format": "json"}).json()
    assert r["login"]["result"] == "Success", r
    csrf = s.get(api, params={"action": "query", "meta": "tokens",
                              "format": "json"}).json()["query"]["tokens"]["csrftoken"]
    return s, csrf


def _item(n: int) -> dict:
    """A new item as the upload builds it (:mod:`modeling.datavalues`)."""
    source = dv.reference([dv.snak("P248", "wikibase-item", dv.item("Q20244383"))])
    return {
        "labels": {"sv": {"language": "sv", "value": f"Benchbyggnad {n}"}},
        "descriptions": {"sv": {"language": "sv", "value": f"byggnadsminne nr {n}"}},
        "claims": [
            dv.statement(dv.snak("P31", "wikibase-item", dv.item("Q41176"))),
            dv.statement(dv.snak("P1260", "external-id", dv.string(f"raa/bbr/{21300000000000 + n}")),
                         references=[source]),
            dv.statement(dv.snak("P625", "globe-coordinate", dv.globecoordinate(59 + n / 1e4, 18.0, 0.0001))),
        ],
    }


def main() -> int:
    """Start a fresh sandbox, time edits and reads, print key=value lines."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="wlkit-bench-")
    info = start_services(data_dir, free_port(), free_port(), seed=True)
    try:
        api = info.api_url
        sessions = [_login(api) for _ in range(args.threads)]

        def edit(n: int) -> str:
            s, csrf = sessions[n % len(sessions)]
            r = s.post(api, data={"action": "wbeditentity", "new": "item", "format": "json",
                                  "data": json.dumps(_item(n)), "token": csrf, "bot": "",
                                  "assert": "bot", "maxlag": "5"}).json()
            return r["entity"]["id"]

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            ids = list(pool.map(edit, range(args.edits)))
        edit_s = time.perf_counter() - t0
        chunks = [ids[i:i + 50] for i in range(0, len(ids), 50)] * 4

        def get(chunk: list[str]) -> int:
            s, _ = sessions[hash(chunk[0]) % len(sessions)]
            r = s.post(api, data={"action": "wbgetentities", "ids": "|".join(chunk),
                                  "format": "json", "maxlag": "5"}).json()
            return len(r["entities"])

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            got = sum(pool.map(get, chunks))
        get_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        r = requests.get(info.sparql_url, params={
            "query": "SELECT (COUNT(*) AS ?n) { ?i wdt:P31 wd:Q41176 ; wdt:P1260 ?id }"})
        sparql_s = time.perf_counter() - t0
        n = int(r.json()["results"]["bindings"][0]["n"]["value"])
        print(f"sandbox_edits={args.edits}")
        print(f"sandbox_edits_per_s={args.edits / edit_s:.1f}")
        print(f"sandbox_getentities_entities_per_s={got / get_s:.1f}")
        print(f"sandbox_sparql_count_items={n}")
        print(f"sandbox_sparql_count_ms={sparql_s * 1000:.1f}")
    finally:
        stop_services(data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
