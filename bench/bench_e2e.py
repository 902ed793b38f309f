"""Benchmark: a national register through the real CLI, end to end, at growing sizes.

For each size (``WLKIT_BENCH_SIZES``, default ``10000,100000``; add ``1000000`` for the full
issue-11 run) it generates a BBR-format register (:mod:`bench.e2e_data`), starts fresh local
services on free loopback ports, bulk-loads 10% of the records as existing items (reported, not
counted), then runs ``wlkit`` stage by stage as a new user would — ``ingest``, ``reconcile``,
``plan``, ``upload --dry-run``, ``lists``, ``report`` — and a second ``plan`` over unchanged
inputs (the no-op re-run). Up to 100,000 records ``wlkit run --dry-run`` (every stage in one
command, one process start-up; its lists from what the target holds before an upload) is timed
first, on its own run folder (``run_dry_run_s``). ``lists`` and ``report`` then query a store preloaded with every item
the plans describe, as after a real upload (WDQS-format RDF bulk-loaded into Oxigraph and served
on loopback; ``preload_s`` is reported, not counted). Each command runs in its own process, against one long-running
Prefect server started first (as ``wlkit services up`` does); the peak resident memory of its
whole process tree is sampled every 50 ms. ``python -m bench`` gives this module its own budget
(``WLKIT_BENCH_E2E_BUDGET``, default 3600 s).

``WLKIT_BENCH_EXISTING`` sets the share of existing items (default 0.1, at every size). The local
services create them through their bulk seed (``POST /admin/seed``, 20,000 entities a request:
one SQLite transaction and one Oxigraph bulk load per 10,000 items, :mod:`sandbox.seed_bulk`).
``existing`` and ``seed_existing_s`` are printed per size.

The baseline, measured in the same run, is today's-before approach for the plan stage (the
records frame and the list of plans passed through Prefect task parameters and results) at
``WLKIT_BENCH_BASELINE`` records (default 10,000; ``0`` skips it).

Figures (``key=value``, tabulated by ``python -m bench``)::

    e2e_<n>_<stage>_s, e2e_<n>_records_per_s, e2e_<n>_peak_rss_mb, e2e_<n>_noop_plan_s,
    e2e_exponent_<a>_<b>, baseline_plan_<n>_s, plan_<n>_vs_baseline

Run: ``.venv/bin/python -m bench.bench_e2e`` (or ``make bench``).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import psutil
import pyoxigraph as ox

from bench.bench_lists import serve
from bench.e2e_data import FIRST_QID, PROJECT, generate_run, write_target_ntriples
from pipelines.prefect_server import start_server, stop_server
from sandbox.services import ServicesInfo, free_port, seed_files, start_services, stop_services

STAGES = ("ingest", "reconcile", "plan", "dry_run", "lists", "report")
TARGETS = {"1000000": 600.0, "100000": 60.0}
#: Sizes up to which ``wlkit run --dry-run`` (every stage in one command, lists from what the
#: target holds before the upload) is timed too.
RUN_ALL_UP_TO = 100_000


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_measured(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, int]:
    """Run ``cmd``; return (seconds, peak RSS in bytes of its process tree).

    Raises:
        RuntimeError: the command failed (the message carries the log tail).
    """
    start = time.perf_counter()
    with log.open("ab") as fh:
        fh.write(f"$ {' '.join(cmd)}\n".encode())
        fh.flush()
        popen = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    proc, peak, done = psutil.Process(popen.pid), 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, _tree_rss(proc))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = popen.wait()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
        raise RuntimeError(f"{' '.join(cmd[3:5])} exited {code}:\n" + "\n".join(tail))
    return seconds, peak


def preload_target(store: Path, work: Path, first_qid: int) -> tuple[ThreadingHTTPServer, int]:
    """A SPARQL endpoint holding every item the plans describe, as after a real upload.

    The items are written as WDQS-format N-Triples and bulk-loaded into an on-disk Oxigraph
    store served on loopback (the local services' edit path would take hours at 10⁶ items).

    Returns:
        The running endpoint (``shutdown()`` it) and the number of items loaded.
    """
    work.mkdir(parents=True, exist_ok=True)
    nt = work / "preload.nt"
    items = write_target_ntriples(store, first_qid, nt)
    graph = ox.Store(str(work / "preload-store"))
    graph.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    nt.unlink()
    return serve(graph), items


def seed_existing(info: ServicesInfo, seed: Path, work: Path, per_request: int = 20_000) -> None:
    """Bulk-load the existing items, ``per_request`` entities per admin request."""
    lines = seed.read_text(encoding="utf-8").splitlines()
    for start in range(0, len(lines), per_request):
        part = work / f"{seed.stem}-{start}.jsonl"
        part.write_text("\n".join(lines[start:start + per_request]) + "\n", encoding="utf-8")
        seed_files(info.api_url, [part], secret=info.admin_secret)
        part.unlink()


def _stage_commands(campaign: Path, out: Path) -> dict[str, list[str]]:
    c, o = str(campaign), str(out)
    return {"ingest": ["ingest", "--campaign", c, "--out", o],
            "reconcile": ["reconcile", c, "--out", o],
            "plan": ["plan", c, "--out", o],
            "dry_run": ["upload", c, "--out", o, "--dry-run"],
            "lists": ["lists", c, "--out", o],
            "report": ["report", c, "--out", o]}


def bench_size(n: int, work: Path, env: dict[str, str]) -> dict[str, float]:
    """Generate, serve, seed and run every stage for one register size; return its figures."""
    share = float(os.environ.get("WLKIT_BENCH_EXISTING", "0.1"))
    gen = generate_run(work / f"register-{n}", n, existing_share=share)
    data_dir = work / f"services-{n}"
    info = start_services(data_dir, wikibase_port=free_port(), sparql_port=free_port())
    figures: dict[str, float] = {}
    try:
        started = time.perf_counter()
        seed_existing(info, gen.seed, work)
        figures["seed_existing_s"] = time.perf_counter() - started
        figures["existing"] = gen.existing
        env = dict(env, WLKIT_API_URL=info.api_url, WLKIT_SPARQL_URL=info.sparql_url)
        out, log = work / f"run-{n}", work / f"run-{n}.log"
        cli = [sys.executable, "-m", "pipelines.cli"]
        if n <= RUN_ALL_UP_TO:  # first, as a user would start: every stage in one command
            figures["run_dry_run_s"], _ = run_measured(
                [*cli, "run", str(gen.campaign), "--out", str(work / f"run-all-{n}"), "--dry-run"], env, log)
            print(f"  {n:>9,} {'run --dry-run':<10} {figures['run_dry_run_s']:8.1f} s", flush=True)
        peak, endpoint = 0, None
        for stage, args in _stage_commands(gen.campaign, out).items():
            if stage == "lists":  # after the dry run: the no-op re-run, then every item on the target
                figures["noop_plan_s"], _ = run_measured(cli + _stage_commands(gen.campaign, out)["plan"],
                                                         env, log)
                started = time.perf_counter()
                endpoint, figures["preloaded_items"] = preload_target(out / "03_plan" / "plans.parquet",
                                                                      work / f"preload-{n}", FIRST_QID + n)
                figures["preload_s"] = time.perf_counter() - started
                env = dict(env, WLKIT_SPARQL_URL=f"http://127.0.0.1:{endpoint.server_port}/query")
            try:
                seconds, rss = run_measured(cli + args, env, log)
            except RuntimeError as exc:  # reported, and the later stages still run
                print(f"  {n:>9,} {stage:<10} FAILED: {str(exc).splitlines()[-1]}", flush=True)
                figures[f"{stage}_failed"] = 1.0
                continue
            figures[f"{stage}_s"], peak = seconds, max(peak, rss)
            print(f"  {n:>9,} {stage:<10} {seconds:8.1f} s  {rss / 2**20:8.0f} MB", flush=True)
        if endpoint is not None:
            endpoint.shutdown()
        figures["total_s"] = sum(figures.get(f"{s}_s", 0.0) for s in STAGES)
        figures["peak_rss_mb"] = peak / 2**20
    finally:
        stop_services(data_dir)
    return figures


def main() -> None:
    """Run every size, then print the figures and the scaling exponents."""
    sizes = [int(s) for s in os.environ.get("WLKIT_BENCH_SIZES", "10000,100000").split(",") if s]
    baseline_n = int(os.environ.get("WLKIT_BENCH_BASELINE", "10000"))
    env = dict(os.environ, DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PYTHONPATH=str(PROJECT))
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="wlkit-bench-e2e-") as tmp:
        env["PREFECT_HOME"] = str(Path(tmp) / "prefect")
        started = time.perf_counter()
        env["PREFECT_API_URL"] = start_server(Path(tmp) / "prefect-server")["api_url"]
        print(f"Prefect server up in {time.perf_counter() - started:.1f} s (as `wlkit services up`)")
        try:
            for n in sizes:
                print(f"=== {n:,} records", flush=True)
                results[n] = bench_size(n, Path(tmp), env)
            baseline = _baseline(baseline_n, Path(tmp), env) if baseline_n else None
        finally:
            stop_server(Path(tmp) / "prefect-server")
    _print(results, baseline, baseline_n)


def _baseline(n: int, work: Path, env: dict[str, str]) -> float:
    """Seconds of the parameters-passing plan flow (:mod:`bench.baseline_plan`) at ``n`` records."""
    gen = generate_run(work / f"baseline-{n}", n)
    data_dir = work / f"baseline-services-{n}"
    info = start_services(data_dir, wikibase_port=free_port(), sparql_port=free_port())
    try:
        seed_existing(info, gen.seed, work)
        env = dict(env, WLKIT_API_URL=info.api_url, WLKIT_SPARQL_URL=info.sparql_url)
        out, log = work / f"baseline-{n}-run", work / f"baseline-{n}.log"
        cli = [sys.executable, "-m", "pipelines.cli"]
        for stage in ("ingest", "reconcile"):
            run_measured(cli + _stage_commands(gen.campaign, out)[stage], env, log)
        seconds, _ = run_measured([sys.executable, "-m", "bench.baseline_plan", str(gen.campaign),
                                   str(out)], env, log)
    finally:
        stop_services(data_dir)
    return seconds


def _print(results: dict[int, dict[str, float]], baseline: float | None, baseline_n: int) -> None:
    figures: dict[str, str] = {}
    for n, f in results.items():
        for key, value in f.items():
            figures[f"e2e_{n}_{key}"] = f"{value:.1f}"
        figures[f"e2e_{n}_records_per_s"] = f"{n / f['total_s']:.0f}"
        target = TARGETS.get(str(n))
        if target:
            figures[f"e2e_{n}_target_s"] = f"{target:.0f}"
    ns = sorted(results)
    for a, b in itertools.pairwise(ns):
        exp = math.log(results[b]["total_s"] / results[a]["total_s"]) / math.log(b / a)
        figures[f"e2e_exponent_{a}_{b}"] = f"{exp:.2f}"
    if baseline is not None:
        figures[f"baseline_plan_{baseline_n}_s"] = f"{baseline:.1f}"
        if baseline_n in results:
            figures[f"plan_{baseline_n}_vs_baseline"] = f"{baseline / results[baseline_n]['plan_s']:.1f}x"
    print("result: " + " ".join(f"{k}={v}" for k, v in figures.items()))
    for key, value in figures.items():
        print(f"  {key}={value}")


if __name__ == "__main__":
    main()
