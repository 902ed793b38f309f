"""Benchmark: reconcile 100k records against 100k existing items on a local store.

Run ``.venv/bin/python bench/bench_reconcile.py [--records 100000] [--baseline-sample 500]``.

Setup: a synthetic register spread over Sweden and the same number of items written straight
into an in-process pyoxigraph store as WDQS-format N-Triples (no wbeditentity: loading 100k
items through the API would measure the API, not reconciliation). 90 % of the records have
their identifier on an item; the other 10 % have an item without identifier 5–40 m away under a
name variant (half of them) or nothing. The queries are the project's real ``.rq`` files,
rendered by ``sparql.render`` and run in-process, so the figure is the algorithm + the store
without HTTP (pass ``--sparql-url`` to run against a live endpoint through ``sparql.client``
instead, with the data loaded there).

Baseline: one SPARQL request per identifier — what a per-record lookup (NVR bot style, the
reconciliation service) does. Timing 100k such requests would take minutes, so a sample of
``--baseline-sample`` single-identifier requests is timed and extrapolated (said in the output).

Prints ``reconcile_records_per_s=… baseline_records_per_s=… ratio=…`` (target: 100k in ≤ 30 s).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import pyoxigraph as ox  # noqa: E402

from modeling.campaign import load_campaign  # noqa: E402
from modeling.reconcile import reconcile_detailed  # noqa: E402
from modeling.settings import Target  # noqa: E402
from sparql.render import render  # noqa: E402

WD = "http://www.wikidata.org/"
ENTITY = f"{WD}entity/"
WORDS = ["Kyrka", "Gården", "Kvarnen", "Bron", "Huset", "Skolan", "Tornet", "Magasinet",
         "Fyren", "Prästgården", "Stallet", "Smedjan", "Boden", "Villan", "Slottet"]
CLASSES = ["Q16970", "Q41176", "Q879050", "Q39715", "Q38720", "Q12280", "Q1497375"]


def make_data(n: int, seed: int = 7) -> tuple[gpd.GeoDataFrame, bytes]:
    """``n`` records and the N-Triples of ``n`` items (see the module docstring)."""
    rng = random.Random(seed)
    rows, nt = [], []
    iri = lambda q: f"<{ENTITY}{q}>"  # noqa: E731
    p = lambda kind, pid: f"<{WD}prop/{kind}{pid}>"  # noqa: E731
    wb = "http://wikiba.se/ontology#"
    dbl = "^^<http://www.w3.org/2001/XMLSchema#double>"
    for i in range(n):
        lat, lon = rng.uniform(55.4, 68.5), rng.uniform(11.5, 23.5)
        sid = f"213{i:011d}"
        name = f"{rng.choice(WORDS)} {i}"
        cls = rng.choice(CLASSES)
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


def store_runner(store: ox.Store, counter: list[int]):
    """Query runner over the in-process store: same rendering as ``sparql.client.run``."""

    def value(term: object) -> object:
        if isinstance(term, ox.NamedNode):
            return term.value[len(ENTITY):] if term.value.startswith(ENTITY) else term.value
        if isinstance(term, ox.Literal):
            return float(term.value) if term.datatype.value.endswith("#double") else term.value
        return None if term is None else str(term)

    def run(name: str, target: Target, *, cache_dir: Path | None = None, **params: object):
        counter[0] += 1
        result = store.query(render(name, entity_base=target.entity_base, **params))
        names = [v.value for v in result.variables]
        return pd.DataFrame([[value(sol[n]) for n in names] for sol in result], columns=names)

    return run


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--baseline-sample", type=int, default=500)
    ap.add_argument("--sparql-url", default=None, help="live endpoint (data loaded there)")
    args = ap.parse_args()

    campaign = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
    t0 = time.perf_counter()
    records, triples = make_data(args.records)
    target = Target(name="bench", api_url="http://127.0.0.1:9/w/api.php",
                    sparql_url=args.sparql_url or "http://127.0.0.1:9/query")
    counter = [0]
    if args.sparql_url:
        from sparql.client import run as http_run

        def query(name: str, tgt: Target, **params: object) -> pd.DataFrame:
            counter[0] += 1
            return http_run(name, tgt, **params)
    else:
        store = ox.Store()
        store.bulk_load(triples, ox.RdfFormat.N_TRIPLES)
        query = store_runner(store, counter)
    setup = time.perf_counter() - t0

    t1 = time.perf_counter()
    result = reconcile_detailed(records, campaign, target, query=query)
    elapsed = time.perf_counter() - t1
    dec = result.decisions
    by_id = int(dec["reason"].str.startswith("identifier").sum())
    by_geo = int(dec["reason"].str.startswith("geo").sum())

    sample = records.sample(min(args.baseline_sample, len(records)), random_state=1)
    t2 = time.perf_counter()
    for sid in sample["source_id"]:
        query("reconcile_by_identifier", target, idprop="P1260", values=[f"raa/bbr/{sid}"])
    per_request = (time.perf_counter() - t2) / len(sample)
    baseline_rps = 1.0 / per_request
    rps = len(records) / elapsed
    print(f"setup_s={setup:.1f} records={len(records)} items={args.records} "  # noqa: T201
          f"reconcile_s={elapsed:.1f} requests={result.requests} matched_by_id={by_id} "
          f"matched_by_geo={by_geo} review={int((dec['qid'] == 'review').sum())}")
    print(f"baseline: {len(sample)} single-identifier requests timed, "  # noqa: T201
          f"{per_request * 1000:.2f} ms each, extrapolated to {len(records)} records: "
          f"{len(records) * per_request:.0f} s (identifier lookup only, no geo pass)")
    print(f"reconcile_records_per_s={rps:.0f} baseline_records_per_s={baseline_rps:.0f} "  # noqa: T201
          f"ratio={rps / baseline_rps:.1f}")
    if elapsed > 30 and len(records) >= 100_000:
        print(f"WARNING: {len(records)} records took {elapsed:.1f} s (target 30 s)")  # noqa: T201


if __name__ == "__main__":
    main()
