"""Benchmark: reading a contest from a Commons API — batched (50 titles a request) vs one file a time.

Generates, seeded, ``--files`` contest uploads (ID template, tracker sort key, contest and
licence categories, templates, EXIF date, some P180) as local-Commons records, loads them into
fresh local services on loopback, and times:

* ``clients.commons_fetch.fetch_contest`` — ``generator=categorymembers`` with 50 titles per
  ``imageinfo|categories|templates|revisions|globalusage`` request, continuation followed, the
  MediaInfo entities by ``wbgetentities`` in batches of 50 (what ``wlkit contest`` does);
* the baseline a per-file script does: one ``query`` per title with the same props, plus one
  ``wbgetentities`` per file.

Both read the same files; the figures are requests and seconds, with the per-file rate scaled to
a whole WLM year (250,000 uploads) for both.

Run: ``.venv/bin/python -m bench.bench_contest_fetch [--files 2000]``.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from clients.commons import CommonsClient
from clients.commons_fetch import PROPS, fetch_contest
from sandbox.commons.loading import load_commons
from sandbox.services import free_port, start_services, stop_services

CATEGORY = "Images from Wiki Loves Monuments 2026 in Sweden"
TRACKER = "Cultural heritage monuments in Sweden with known IDs"
YEAR_UPLOADS = 250_000


def records(n: int, seed: int) -> list[dict]:
    """``n`` file records (and their uploaders) in the local Commons' load format."""
    rnd = random.Random(seed)
    users = [f"Fotograf {i}" for i in range(max(n // 20, 1))]
    out: list[dict] = [
        {"kind": "user", "name": u, "registration": "2015-01-01T00:00:00Z", "editcount": 10}
        for u in users
    ]
    for i in range(n):
        ident = f"raa/bbr/{21300000000000 + rnd.randrange(10**6)}"
        day = rnd.randint(1, 30)
        out.append(
            {
                "kind": "file",
                "title": f"File:WLM SE 2026 {i:06d}.jpg",
                "pageid": 20_000_000 + i,
                "uploader": rnd.choice(users),
                "timestamp": f"2026-09-{day:02d}T12:00:00Z",
                "width": 6000,
                "height": 4000,
                "size": 9_000_000,
                "mime": "image/jpeg",
                "sha1": f"{rnd.getrandbits(160):040x}",
                "exif_datetime": f"2026:09:{day:02d} 10:00:00",
                "categories": [["CC-BY-SA-4.0", ""], [TRACKER, ident], [CATEGORY, ""]],
                "templates": [
                    "Template:Information",
                    "Template:Monument Sweden",
                    "Template:Wiki Loves Monuments 2026",
                ],
                "globalusage": [],
                "statements": {},
                "wikitext": f"{{{{Information|description=x}}}}{{{{Monument Sweden|{ident}}}}}\n"
                "{{Wiki Loves Monuments 2026|se}}\n",
            }
        )
    return out


def baseline(client: CommonsClient, titles: list[str], pageids: list[int]) -> int:
    """One query and one wbgetentities per file; returns the pages read."""
    read = 0
    for title, pageid in zip(titles, pageids, strict=True):
        for part in client.query(
            {
                "titles": title,
                "prop": PROPS,
                "iiprop": "timestamp|user|size|sha1|mime|extmetadata",
                "clprop": "sortkey|hidden",
                "cllimit": "max",
                "tllimit": "max",
                "rvprop": "content",
                "rvslots": "main",
                "gulimit": "max",
            }
        ):
            read += len(part.get("pages", []))
        client.get_entities([f"M{pageid}"])
    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    recs = records(args.files, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "services"
        info = start_services(data, wikibase_port=free_port(), sparql_port=free_port(), seed=False)
        try:
            path = Path(tmp) / "contest.jsonl"
            path.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
            load_commons(info.commons_api_url, [path], secret=info.admin_secret)
            client = CommonsClient(
                info.commons_api_url, "wikiloves-kit-bench/0.1 (bench@example.org)"
            )
            t0 = time.perf_counter()
            summary = fetch_contest(client, CATEGORY, [], Path(tmp) / "07_contest")
            batched_s, batched_requests = time.perf_counter() - t0, client.requests
            files = [r for r in recs if r["kind"] == "file"]
            one = CommonsClient(info.commons_api_url, "wikiloves-kit-bench/0.1 (bench@example.org)")
            t0 = time.perf_counter()
            read = baseline(one, [f["title"] for f in files], [f["pageid"] for f in files])
            base_s, base_requests = time.perf_counter() - t0, one.requests
        finally:
            stop_services(data)
    scale = YEAR_UPLOADS / args.files
    print(f"contest_fetch_files={summary['uploads']}")
    print(f"contest_fetch_requests={batched_requests}")
    print(f"contest_fetch_seconds={batched_s:.1f}")
    print(f"baseline_fetch_requests={base_requests}")
    print(f"baseline_fetch_seconds={base_s:.1f}")
    print(f"contest_fetch_speedup_vs_baseline={base_s / batched_s:.1f}")
    print(f"contest_fetch_requests_per_year_250k={round(batched_requests * scale)}")
    print(f"baseline_fetch_requests_per_year_250k={round(base_requests * scale)}")
    print(
        f"note: local Commons on loopback, {args.files} files ({read} read one by one); "
        f"per-year figures scale the request counts to {YEAR_UPLOADS:,} uploads"
    )


if __name__ == "__main__":
    main()
