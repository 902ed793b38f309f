"""Benchmark: campaign lists for a seeded 100k-item country (target: <= 60 s).

Generates a WDQS-format (munged) graph — 290 municipalities, N monuments with P1260, an in-force
P1435 statement (5% delisted with P582), P625, P18, P373, P131 and sv/en labels at realistic
shares — loads it into a pyoxigraph store served on a loopback HTTP endpoint, and runs
``pipelines.lists_build.build_lists`` for all regions through the real SPARQL client.

Baseline (printed as ``baseline_seconds_100k``): what a per-region tool does — one scope query
per municipality with labels by "label service emulation" (``OPTIONAL { ?item rdfs:label ?l
FILTER(LANG(?l)="sv") }`` per chain language, which is what WDQS's label service rewrites to),
i.e. 290 queries. The baseline only *fetches* (no files are written), so the comparison
favours it.

Map at national scale (printed as ``map_*_1m``): ``reports.lists_map.write_maps`` for
1,000,000 generated monuments (the same shares and region spread as above, built directly as the
rows the lists hand to the map, no SPARQL): generation time, the size of ``map.html`` (an
overview of counts per grid cell) and of the largest page, and the time headless Chromium takes
to open the overview and the largest region page (in-page time to drawn, from navigation start;
and the browser's wall time above that of an empty page). Baseline: the old single page with
every marker (``render_map`` of all points), its size and render time.

Run: ``.venv/bin/python bench/bench_lists.py [--items 100000] [--seed 7] [--map-points 1000000]
[--only-map] [--old-open]`` (``--old-open`` also opens the old single page, up to 5 minutes).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = """@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wds: <http://www.wikidata.org/entity/statement/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix p: <http://www.wikidata.org/prop/> .
@prefix ps: <http://www.wikidata.org/prop/statement/> .
@prefix pq: <http://www.wikidata.org/prop/qualifier/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
DESIGNATIONS = ["Q24284072", "Q24284071", "Q24284073"]


def generate(n_items: int, seed: int, n_regions: int = 290) -> str:
    """Seeded WDQS-format Turtle for ``n_items`` monuments in ``n_regions`` municipalities."""
    rnd = random.Random(seed)
    out = [PREFIXES]
    regions = [f"Q{8_000_000 + r}" for r in range(n_regions)]
    for r, q in enumerate(regions):
        out.append(f'wd:{q} rdfs:label "Kommun {r}"@sv, "Municipality {r}"@en ; wdt:P31 wd:Q127448 .\n')
    for i in range(n_items):
        q = f"Q{9_000_000 + i}"
        lines = [f'wd:{q} wdt:P1260 "raa/bbr/{21300000000000 + i}"']
        if rnd.random() < 0.95:
            lines.append(f'rdfs:label "Byggnad {i}"@sv')
        if rnd.random() < 0.4:
            lines.append(f'rdfs:label "Building {i}"@en')
        region = regions[min(int(rnd.paretovariate(1.2)) - 1, n_regions - 1)
                         if rnd.random() < 0.3 else rnd.randrange(n_regions)]
        lines.append(f"wdt:P131 wd:{region}")
        if rnd.random() < 0.9:
            lines.append(f'wdt:P625 "Point({rnd.uniform(11, 24):.5f} {rnd.uniform(55.3, 69):.5f})"^^geo:wktLiteral')
        if rnd.random() < 0.6:
            lines.append(f"wdt:P18 <http://commons.wikimedia.org/wiki/Special:FilePath/Bild%20{i}.jpg>")
        if rnd.random() < 0.3:
            lines.append(f'wdt:P373 "Byggnad {i}"')
        lines.append(f"p:P1435 wds:{q}-d")
        out.append(" ;\n  ".join(lines) + " .\n")
        ended = ' ; pq:P582 "2001-01-01T00:00:00Z"^^xsd:dateTime' if rnd.random() < 0.05 else ""
        out.append(f'wds:{q}-d ps:P1435 wd:{rnd.choice(DESIGNATIONS)} ; '
                   f'pq:P580 "{rnd.randint(1930, 2020)}-01-01T00:00:00Z"^^xsd:dateTime{ended} .\n')
    return "".join(out)


def serve(store: ox.Store) -> ThreadingHTTPServer:
    """A loopback SPARQL endpoint (GET/POST form) answering SPARQL JSON from ``store``."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, query: str) -> None:
            body = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["query"][0])

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            self._answer(urllib.parse.parse_qs(raw)["query"][0])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


BASELINE = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?item ?id ?coord ?image ?cat ?itemLabel_sv ?itemLabel_en WHERE {
  ?item wdt:P131 wd:%s ; wdt:P1260 ?id ; p:P1435 ?st . ?st ps:P1435 ?d .
  VALUES ?d { wd:Q24284072 wd:Q24284071 wd:Q24284073 } FILTER NOT EXISTS { ?st pq:P582 ?end }
  OPTIONAL { ?item wdt:P625 ?coord } OPTIONAL { ?item wdt:P18 ?image } OPTIONAL { ?item wdt:P373 ?cat }
  OPTIONAL { ?item rdfs:label ?itemLabel_sv FILTER(LANG(?itemLabel_sv) = "sv") }
  OPTIONAL { ?item rdfs:label ?itemLabel_en FILTER(LANG(?itemLabel_en) = "en") }
}"""


def map_rows(n_items: int, seed: int, n_regions: int = 290) -> tuple[list[dict[str, Any]], Any]:
    """``n_items`` monuments as the rows the lists hand to the map (``reports.lists_fold.records``),
    with :func:`generate`'s shares (90% located, 60% photographed, pareto-heavy regions), and the
    region names."""
    import pandas as pd

    rnd = random.Random(seed)
    rows = []
    for i in range(n_items):
        region = (min(int(rnd.paretovariate(1.2)) - 1, n_regions - 1) if rnd.random() < 0.3
                  else rnd.randrange(n_regions))
        located = rnd.random() < 0.9
        rows.append({"item": f"Q{9_000_000 + i}", "id": f"raa/bbr/{21300000000000 + i}",
                     "label": f"Byggnad {i}" if rnd.random() < 0.95 else None,
                     "lat": round(rnd.uniform(55.3, 69), 5) if located else None,
                     "lon": round(rnd.uniform(11, 24), 5) if located else None,
                     "image": f"Bild {i}.jpg" if rnd.random() < 0.6 else None,
                     "regions": [f"Q{8_000_000 + region}"]})
    names = pd.DataFrame({"item": [f"Q{8_000_000 + r}" for r in range(n_regions)],
                          "label": [f"Kommun {r}" for r in range(n_regions)], "lang": ["sv"] * n_regions})
    return rows, names


def open_page(page: Path, profile: Path, timeout: float = 300) -> tuple[float | None, float]:
    """Open ``page`` in headless Chromium: (in-page ms from navigation start to drawn, or None
    when it never finished; wall seconds of the browser run)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium is not installed: run `make browser`")
    t0 = time.perf_counter()
    try:
        run = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             "--window-size=1280,800", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - t0
    wall = time.perf_counter() - t0
    drawn = re.search(r'data-wlk-drawn="(\d+)"', run.stdout[:5000])
    return (float(drawn.group(1)) if drawn else None), wall


def bench_map(points: int, seed: int, old_open: bool) -> None:
    """Write the national-scale map, and the old single page, and print their figures."""
    from modeling.campaign import load_campaign
    from reports.lists_fold import sections
    from reports.lists_map import render_map, write_maps
    from reports.outlines import outlines_for

    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    rows, names = map_rows(points, seed)
    secs = sections(rows, names)
    label = f"{points // 1000}k" if points < 1_000_000 else f"{points // 1_000_000}m"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0, c0 = time.perf_counter(), time.process_time()
        pages = write_maps(campaign, rows, secs, out, "2026-01-01T00:00:00+00:00")
        new_s, new_cpu = time.perf_counter() - t0, time.process_time() - c0
        sizes = {p: p.stat().st_size for p in pages}
        biggest = max(pages[1:] or pages, key=lambda p: sizes[p])
        blank = out / "blank.html"
        blank.write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
        _, blank_wall = open_page(blank, out / "p0")
        national_ms, national_wall = open_page(pages[0], out / "p1")
        region_ms, region_wall = open_page(biggest, out / "p2")
        t0, c0 = time.perf_counter(), time.process_time()
        located = [(r["lon"], r["lat"]) for r in rows if r["lat"] is not None]
        old = render_map(campaign, rows, secs, "2026-01-01T00:00:00+00:00", None, outlines_for(located))
        old_s, old_cpu = time.perf_counter() - t0, time.process_time() - c0
        old_bytes = len(old.encode("utf-8"))
        if old_open:
            (out / "old.html").write_text(old, encoding="utf-8")
            old_ms, old_wall = open_page(out / "old.html", out / "p3")
        del old
    print(f"map_points_{label}={len(located)}")
    print(f"map_pages_{label}={len(pages)}")
    print(f"map_seconds_{label}={new_s:.1f}")
    print(f"map_cpu_seconds_{label}={new_cpu:.1f}")
    print(f"map_national_bytes_{label}={sizes[pages[0]]}")
    print(f"map_largest_page_bytes_{label}={sizes[biggest]}")
    print(f"map_all_pages_bytes_{label}={sum(sizes.values())}")
    print(f"map_national_open_ms_{label}={national_ms}")
    print(f"map_national_open_wall_s_{label}={national_wall - blank_wall:.2f}")
    print(f"map_largest_page_open_ms_{label}={region_ms}")
    print(f"map_largest_page_open_wall_s_{label}={region_wall - blank_wall:.2f}")
    print(f"baseline_map_bytes_{label}={old_bytes}")
    print(f"baseline_map_seconds_{label}={old_s:.1f}")
    print(f"baseline_map_cpu_seconds_{label}={old_cpu:.1f}")
    if old_open:
        print(f"baseline_map_open_ms_{label}={old_ms}")
        print(f"baseline_map_open_wall_s_{label}={old_wall - blank_wall:.1f}")
    print(f"note: map = write_maps (overview map.html + {len(pages) - 1} pages in map/, largest {biggest.name}); "
          f"open = headless Chromium, in-page ms from navigation start to drawn, wall = browser run "
          f"minus an empty page's ({blank_wall:.2f} s); baseline = the old single page with every marker; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    """Generate, load, serve, time build_lists and the baseline, print the figures."""
    from core.settings import Target
    from modeling.campaign import load_campaign
    from pipelines.lists_build import build_lists
    from sparql.client import run_query

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--map-points", type=int, default=1_000_000)
    parser.add_argument("--only-map", action="store_true", help="only the map figures")
    parser.add_argument("--old-open", action="store_true", help="also open the old single-page map")
    args = parser.parse_args()
    if args.only_map:
        bench_map(args.map_points, args.seed, args.old_open)
        return
    started = time.perf_counter()
    ttl = generate(args.items, args.seed)
    store = ox.Store()
    store.bulk_load(ttl.encode(), ox.RdfFormat.TURTLE)
    load_s = time.perf_counter() - started
    server = serve(store)
    target = Target(name="bench", api_url="http://127.0.0.1:9/w/api.php",
                    sparql_url=f"http://127.0.0.1:{server.server_port}/query",
                    user_agent="wikiloves-kit-bench/0.1 (bench@example.org)")
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        summary = build_lists(campaign, target, out)
        lists_s = time.perf_counter() - t0
        files = len(list((Path(out) / "05_lists").iterdir()))
    t0 = time.perf_counter()
    rows = sum(len(run_query(BASELINE % f"Q{8_000_000 + r}", target)) for r in range(290))
    baseline_s = time.perf_counter() - t0
    server.shutdown()
    label = f"{args.items // 1000}k"
    print(f"lists_items_in_scope={summary['items']}")
    print(f"lists_regions={summary['regions']}")
    print(f"lists_files={files}")
    print(f"lists_generate_load_seconds={load_s:.1f}")
    print(f"lists_seconds_{label}={lists_s:.1f}")
    print(f"baseline_seconds_{label}={baseline_s:.1f}")
    print(f"lists_speedup_vs_baseline={baseline_s / lists_s:.1f}")
    print(f"note: lists = build_lists for all regions, every output written (target <= 60 s); "
          f"baseline = 290 per-region queries with label-service emulation, fetch only ({rows} rows)")
    bench_map(args.map_points, args.seed, args.old_open)

if __name__ == "__main__":
    main()
