"""Benchmark: reconcile 100k records against 100k existing items on the local store.

Run ``.venv/bin/python bench/bench_reconcile.py [--records 100000] [--baseline-sample 500]``.

Setup: a synthetic register spread over Sweden and the same number of items as WDQS-format
N-Triples (no wbeditentity: loading 100k items through the API would measure the API, not
reconciliation; each coordinate statement carries its ``ps:P625`` WKT literal, as on WDQS,
which the candidate query's ``wikibase:around`` searches). 90 % of the records have their
identifier on an item; the other 10 % have an item without identifier 5–40 m away under a name
variant (half of them) or nothing.

Default mode — the way the pipeline really runs: the project's local services
(``sandbox.services.start_services``, loopback, free ports, a temporary data dir) are started,
the items' N-Triples are loaded into the SPARQL store through ``POST {sparql_admin}/load`` (in
chunks; timed and printed separately as ``reconcile_load_seconds``), and the real
``reconcile_detailed`` runs through the real ``sparql.client.run`` over HTTP. Only the
reconciliation is timed. The services are stopped at the end, whatever happens.

``--in-process``: the former mode, for comparison — the same data bulk-loaded into an
in-process pyoxigraph store and the same ``.rq`` files rendered by ``sparql.render`` and run
there (the algorithm + the store, without HTTP or JSON; WDQS's ``wikibase:around`` rewritten and
answered from a spatial index as on the local endpoint). ``--sparql-url URL`` runs against an
endpoint that already holds the data (nothing is started or loaded).

Baseline: one SPARQL request per identifier — what a per-record lookup (NVR bot style, the
reconciliation service) does — through the same runner (HTTP by default). Timing 100k such
requests would take minutes, so ``--baseline-sample`` single-identifier requests are timed and
extrapolated to all records (said in the output, ``baseline_extrapolated=1``).

Prints ``key=value`` lines for ``python -m bench``: ``reconcile_records``,
``reconcile_seconds``, ``reconcile_records_per_s``, ``reconcile_requests``,
``baseline_records_per_s``, ``reconcile_ratio``, ``reconcile_target_seconds`` (100k in ≤ 30 s)
and, when data was loaded over HTTP, ``reconcile_load_seconds``.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import pyoxigraph as ox  # noqa: E402

from core.settings import Target  # noqa: E402
from modeling.campaign import load_campaign  # noqa: E402
from modeling.reconcile import reconcile_detailed  # noqa: E402
from sparql.render import render  # noqa: E402

WD = "http://www.wikidata.org/"
ENTITY = f"{WD}entity/"
WORDS = ["Kyrka", "Gården", "Kvarnen", "Bron", "Huset", "Skolan", "Tornet", "Magasinet",
         "Fyren", "Prästgården", "Stallet", "Smedjan", "Boden", "Villan", "Slottet"]
CLASSES = ["Q16970", "Q41176", "Q879050", "Q39715", "Q38720", "Q12280", "Q1497375"]
TARGET_SECONDS = 30
#: Bytes of N-Triples per ``/admin/load`` request (cut at line ends).
LOAD_CHUNK_BYTES = 256 * 1024 * 1024

QueryRunner = Callable[..., pd.DataFrame]


def make_data(n: int, seed: int = 7) -> tuple[gpd.GeoDataFrame, bytes]:
    """``n`` records and the N-Triples of ``n`` items (see the module docstring)."""
    rng = random.Random(seed)
    rows, nt = [], []
    iri = lambda q: f"<{ENTITY}{q}>"  # noqa: E731
    p = lambda kind, pid: f"<{WD}prop/{kind}{pid}>"  # noqa: E731
    wb = "http://wikiba.se/ontology#"
    dbl = "^^<http://www.w3.org/2001/XMLSchema#double>"
    wkt = "^^<http://www.opengis.net/ont/geosparql#wktLiteral>"
    for i in range(n):
        lat, lon = rng.uniform(55.4, 68.5), rng.uniform(11.5, 23.5)
        sid = f"213{i:011d}"
        name = f"{rng.choice(WORDS)} {i}"
        rng.choice(CLASSES)  # unused draw kept: it advances the seeded stream the data depends on
        rows.append((sid, name, "byggnad", lat, lon))
        q = f"Q{300_000_000 + i}"
        kind = "id" if i % 10 else ("geo" if i % 20 == 0 else "none")
        if kind == "none":  # an item elsewhere (keeps the item count equal to the record count)
            lat, lon, name = rng.uniform(55.4, 68.5), rng.uniform(11.5, 23.5), f"Annat {i}"
        ilat = lat + rng.uniform(5, 40) / 111_320 if kind == "geo" else lat
        label = name.replace("Kyrka", "kyrka") if kind == "geo" else name
        nt.append(f'{iri(q)} <{WD}prop/direct/P31> {iri("Q41176")} .')
        nt.append(f'{iri(q)} <http://www.w3.org/2000/01/rdf-schema#label> "{label}"@sv .')
        st, v = f"<{ENTITY}statement/{q}-c>", f"<{WD}value/{q}c>"
        nt.append(f"{iri(q)} {p('', 'P625')} {st} .")
        nt.append(f"{st} {p('statement/value/', 'P625')} {v} .")
        nt.append(f'{st} {p("statement/", "P625")} "Point({lon} {ilat})"{wkt} .')
        nt.append(f'{v} <{wb}geoLatitude> "{ilat}"{dbl} .')
        nt.append(f'{v} <{wb}geoLongitude> "{lon}"{dbl} .')
        if kind == "id":
            sti = f"<{ENTITY}statement/{q}-i>"
            nt.append(f"{iri(q)} {p('', 'P1260')} {sti} .")
            nt.append(f'{sti} {p("statement/", "P1260")} "raa/bbr/{sid}" .')
            nt.append(f"{sti} <{wb}rank> <{wb}NormalRank> .")
    df = pd.DataFrame(rows, columns=["source_id", "name", "type", "lat", "lon"])
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    return gdf, ("\n".join(nt) + "\n").encode()


def chunks(data: bytes, size: int = LOAD_CHUNK_BYTES) -> Iterator[bytes]:
    """``data`` in pieces of about ``size`` bytes, each ending at a line end (whole triples).

    >>> list(chunks(b"a .\\nb .\\nc .\\n", 5))
    [b'a .\\nb .\\n', b'c .\\n']
    """
    start = 0
    while start < len(data):
        end = data.find(b"\n", min(start + size, len(data)) - 1)
        end = len(data) if end < 0 else end + 1
        yield data[start:end]
        start = end


def load_ntriples(admin_url: str, data: bytes, chunk_bytes: int = LOAD_CHUNK_BYTES,
                  headers: dict[str, str] | None = None) -> int:
    """POST ``data`` (N-Triples) to ``{admin_url}/load`` in chunks; returns the requests made."""
    requests = 0
    for part in chunks(data, chunk_bytes):
        req = urllib.request.Request(f"{admin_url}/load", data=part, method="POST",
                                     headers={"Content-Type": "application/n-triples",
                                              **(headers or {})})
        with urllib.request.urlopen(req, timeout=300) as resp:
            resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{admin_url}/load answered HTTP {resp.status}")
        requests += 1
    return requests


def store_runner(store: ox.Store) -> QueryRunner:
    """Query runner over an in-process store: same rendering as ``sparql.client.run``.

    WDQS's services in the text (``wikibase:around``) run as on the local endpoint: rewritten
    by :mod:`sandbox.wdqs_services` and answered from a spatial index of the store.
    """
    from sandbox.spatial_index import SpatialIndex
    from sandbox.wdqs_functions import custom_functions
    from sandbox.wdqs_services import rewrite_query

    index, functions = SpatialIndex(store), custom_functions(store)

    def value(term: object) -> object:
        if isinstance(term, ox.NamedNode):
            return term.value[len(ENTITY):] if term.value.startswith(ENTITY) else term.value
        if isinstance(term, ox.Literal):
            return float(term.value) if term.datatype.value.endswith("#double") else term.value
        return None if term is None else str(term)

    def run(name: str, target: Target, *, cache_dir: Path | None = None, **params: object):
        text = rewrite_query(render(name, entity_base=target.entity_base, **params), {},
                             spatial=index)
        result = store.query(text, custom_functions=functions)
        names = [v.value for v in result.variables]
        return pd.DataFrame([[value(sol[n]) for n in names] for sol in result], columns=names)

    return run


def timed(query: QueryRunner, spent: dict[str, float]) -> QueryRunner:
    """``query`` adding the seconds each call takes (render + request + parsing) to ``spent``."""

    def run(name: str, target: Target, **params: object) -> pd.DataFrame:
        t0 = time.perf_counter()
        try:
            return query(name, target, **params)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0

    return run


def measure(records: gpd.GeoDataFrame, target: Target, query: QueryRunner,
            baseline_sample: int) -> dict[str, object]:
    """Time ``reconcile_detailed`` over ``query`` and the one-request-per-identifier baseline."""
    campaign = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
    spent: dict[str, float] = {}
    t0 = time.perf_counter()
    result = reconcile_detailed(records, campaign, target, query=timed(query, spent))
    elapsed = time.perf_counter() - t0
    dec = result.decisions

    sample = records.sample(min(baseline_sample, len(records)), random_state=1)
    prop = campaign.mapping.identifier.property
    for sid in sample["source_id"][:10]:  # warm-up, untimed
        query("reconcile_by_identifier", target, idprop=prop, values=[f"raa/bbr/{sid}"])
    t1 = time.perf_counter()
    for sid in sample["source_id"]:
        query("reconcile_by_identifier", target, idprop=prop, values=[f"raa/bbr/{sid}"])
    per_request = (time.perf_counter() - t1) / len(sample)
    return {
        "seconds": elapsed, "requests": result.requests,
        "by_id": int(dec["reason"].str.startswith("identifier").sum()),
        "by_geo": int(dec["reason"].str.startswith("geo").sum()),
        "review": int((dec["qid"] == "review").sum()),
        "sample": len(sample), "per_request": per_request, "spent": spent,
    }


def report(n: int, mode: str, m: dict[str, object], load_s: float | None) -> None:
    """Print the notes and the ``key=value`` figures."""
    elapsed, per_request = float(m["seconds"]), float(m["per_request"])
    rps, baseline_rps = n / elapsed, 1.0 / per_request
    requests = m["requests"]
    print(f"mode: {mode}; {n} records vs {n} items; requests by query: {requests}; "
          f"matched by id {m['by_id']}, by geo {m['by_geo']}, review {m['review']}")
    spent: dict[str, float] = m["spent"]  # type: ignore[assignment]
    print("reconcile time in the query runner (render + request + parse): "
          + ", ".join(f"{k} {v:.1f} s" for k, v in spent.items())
          + f"; the rest (matching, scoring, deciding) {elapsed - sum(spent.values()):.1f} s")
    print(f"baseline: {m['sample']} single-identifier requests timed, "
          f"{per_request * 1000:.2f} ms each, EXTRAPOLATED to {n} records: "
          f"{n * per_request:.0f} s (identifier lookup only, no geo pass)")
    figures = {
        "reconcile_mode": mode,
        "reconcile_records": n,
        "reconcile_seconds": f"{elapsed:.1f}",
        "reconcile_records_per_s": f"{rps:.0f}",
        "reconcile_requests": sum(requests.values()),  # type: ignore[union-attr]
        "baseline_records_per_s": f"{baseline_rps:.0f}",
        "baseline_extrapolated": 1,
        "baseline_sample": m["sample"],
        "reconcile_ratio": f"{rps / baseline_rps:.1f}",
        "reconcile_query_seconds": f"{sum(spent.values()):.1f}",
        "reconcile_target_seconds": TARGET_SECONDS,
    }
    if load_s is not None:
        figures["reconcile_load_seconds"] = f"{load_s:.1f}"
    for key, value in figures.items():
        print(f"{key}={value}")
    if elapsed > TARGET_SECONDS and n >= 100_000:
        print(f"WARNING: {n} records took {elapsed:.1f} s "
              f"(target {TARGET_SECONDS} s)")


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--baseline-sample", type=int, default=500)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--in-process", action="store_true",
                      help="in-process pyoxigraph store instead of the local services over HTTP")
    mode.add_argument("--sparql-url", default=None,
                      help="an endpoint that already holds the data (nothing started or loaded)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    records, triples = make_data(args.records)
    n_triples = triples.count(b"\n")
    print(f"data: {args.records} records, {n_triples} triples "
          f"({len(triples) / 1e6:.0f} MB) generated in {time.perf_counter() - t0:.1f} s")

    if args.in_process:
        store = ox.Store()
        t1 = time.perf_counter()
        store.bulk_load(triples, ox.RdfFormat.N_TRIPLES)
        print(f"in-process store bulk-loaded in {time.perf_counter() - t1:.1f} s")
        target = Target(name="bench", api_url="http://127.0.0.1:9/w/api.php",
                        sparql_url="http://127.0.0.1:9/query")
        report(args.records, "in-process",
               measure(records, target, store_runner(store), args.baseline_sample), None)
        return

    from sparql.client import run as http_run

    if args.sparql_url:
        target = Target(name="bench", api_url="http://127.0.0.1:9/w/api.php",
                        sparql_url=args.sparql_url, entity_base=WD.rstrip("/"))
        report(args.records, "http-external",
               measure(records, target, http_run, args.baseline_sample), None)
        return

    from sandbox.services import free_port, start_services, stop_services

    # The services run in their own session: a SIGTERM from ``python -m bench``'s time budget
    # must unwind through the ``finally`` below so they are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    with tempfile.TemporaryDirectory(prefix="wlkit-bench-reconcile-") as data_dir:
        wb_port = free_port()
        sparql_port = free_port()
        while sparql_port == wb_port:
            sparql_port = free_port()
        info = start_services(data_dir, wb_port, sparql_port, seed=False)
        try:
            t1 = time.perf_counter()
            loads = load_ntriples(info.sparql_admin_url, triples, headers=info.admin_headers)
            load_s = time.perf_counter() - t1
            print(f"loaded into {info.sparql_url} in {loads} "
                  f"POST /admin/load request(s), {load_s:.1f} s")
            del triples
            target = Target(name="bench", api_url=info.api_url, sparql_url=info.sparql_url,
                            entity_base=WD.rstrip("/"))
            report(args.records, "http-local-services",
                   measure(records, target, http_run, args.baseline_sample), load_s)
        finally:
            stop_services(data_dir, timeout=5)  # within the runner's 10 s SIGTERM grace


if __name__ == "__main__":
    main()
