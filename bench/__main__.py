"""``make bench`` = ``python -m bench``: run every ``bench/bench_*.py`` and tabulate its figures.

Each benchmark module runs in its own subprocess (``python -m bench.<name>``) with a time
budget. It reports figures as ``key=value`` lines on stdout (e.g. ``ingest_rows_per_s=41000``);
everything else it prints is shown but not tabulated. A module that fails or runs over its
budget is reported clearly and the run continues with the next one. The whole run stays under
``--total`` seconds (default 14 minutes): each module gets ``min(--budget, time left)``.

At the end the runner prints one table (module, status, seconds, key, value) and writes it to
``out/bench/results.json`` and ``out/bench/results.md`` for the README's performance section.
Exit status: 0 when every module passed, 1 otherwise.

Usage::

    python -m bench                       # every bench_*.py
    python -m bench ingest lists          # only bench_ingest.py and bench_lists.py
    python -m bench --budget 120 --total 600
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
#: Modules with their own time budget (env variable, default seconds), not capped by --total.
OWN_BUDGET = {"bench_e2e": ("WLKIT_BENCH_E2E_BUDGET", "3600")}
#: A figure line: ``key=value`` with a simple key (letters, digits, ``_.-``) and no spaces.
METRIC = re.compile(r"^\s*([A-Za-z_][\w.\-]*)=(\S.*?)\s*$")


@dataclass
class BenchResult:
    """Outcome of one benchmark module."""

    module: str
    status: str  # ok | failed | timeout | skipped
    seconds: float
    metrics: list[tuple[str, str]] = field(default_factory=list)
    detail: str = ""


def parse_metrics(lines: list[str]) -> list[tuple[str, str]]:
    """``key=value`` figures from a benchmark's stdout lines, in order.

    >>> parse_metrics(["rows=1000", "note: warm cache", "rate_per_s=41.5 ", "a = b"])
    [('rows', '1000'), ('rate_per_s', '41.5')]
    """
    found = []
    for line in lines:
        match = METRIC.match(line)
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def discover(bench_dir: Path, names: list[str]) -> list[str]:
    """Module names ``bench_*`` in ``bench_dir``, optionally only those named (with or without
    the ``bench_`` prefix)."""
    modules = sorted(p.stem for p in bench_dir.glob("bench_*.py"))
    if not names:
        return modules
    wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in names}
    unknown = wanted - set(modules)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have {modules}")
    return [m for m in modules if m in wanted]


def _pump(stream, sink: list[str], prefix: str, echo: bool) -> None:
    for raw in iter(stream.readline, ""):
        line = raw.rstrip("\n")
        sink.append(line)
        if echo:
            sys.stdout.write(f"{prefix}{line}\n")
            sys.stdout.flush()
    stream.close()


def run_one(package: str, module: str, budget: float, cwd: Path) -> BenchResult:
    """Run ``python -m <package>.<module>`` with ``budget`` seconds; collect its figures."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", f"{package}.{module}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a timeout ends it and its children
    )
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=_pump, args=(proc.stdout, out, f"[{module}] ", True)),
        threading.Thread(target=_pump, args=(proc.stderr, err, "", False)),
    ]
    for reader in readers:
        reader.start()
    status, detail = "ok", ""
    try:
        code = proc.wait(timeout=budget)
        if code != 0:
            status, detail = "failed", f"exit status {code}"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        status, detail = "timeout", f"stopped after its {budget:.0f} s budget"
    for reader in readers:
        reader.join(timeout=10)
    if status != "ok":
        tail = "\n".join(f"    {line}" for line in err[-15:])
        detail = f"{detail}\n{tail}" if tail else detail
    return BenchResult(module, status, time.monotonic() - start, parse_metrics(out), detail)


def table(results: list[BenchResult]) -> str:
    """The final table as markdown: one row per figure (or per module without figures)."""
    rows = ["| benchmark | status | seconds | figure | value |", "| --- | --- | ---: | --- | --- |"]
    for res in results:
        name = res.module.removeprefix("bench_")
        figures = res.metrics or [("", "")]
        for i, (key, value) in enumerate(figures):
            first = i == 0
            rows.append(
                f"| {name if first else ''} | {res.status if first else ''} | "
                f"{f'{res.seconds:.1f}' if first else ''} | {key} | {value} |"
            )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; return the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="only these benchmarks (e.g. ingest lists)")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per module")
    parser.add_argument("--total", type=float, default=14 * 60.0, help="seconds for the run")
    parser.add_argument("--dir", type=Path, default=BENCH_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=PROJECT / "out" / "bench")
    args = parser.parse_args(argv)

    bench_dir = args.dir.resolve()
    modules = discover(bench_dir, args.names)
    if not modules:
        print(f"no bench_*.py in {bench_dir}")
        return 1
    deadline = time.monotonic() + args.total
    results: list[BenchResult] = []
    for module in modules:
        left = deadline - time.monotonic()
        if left < 5:
            results.append(BenchResult(module, "skipped", 0.0, detail="total time budget used up"))
            print(f"SKIPPED {module}: total time budget used up")
            continue
        budget = min(args.budget, left)
        if module in OWN_BUDGET:  # the end-to-end run has its own budget, outside --total
            budget = float(os.environ.get(*OWN_BUDGET[module]))
        print(f"=== {module} (budget {budget:.0f} s)", flush=True)
        res = run_one(bench_dir.name, module, budget, bench_dir.parent)
        results.append(res)
        if res.status == "ok":
            print(f"=== {module}: ok in {res.seconds:.1f} s, {len(res.metrics)} figures")
        else:
            print(f"!!! {module} {res.status.upper()} after {res.seconds:.1f} s: {res.detail}")
        sys.stdout.flush()

    print("\nAll figures:")
    for res in results:
        for key, value in res.metrics:
            print(f"{res.module.removeprefix('bench_')}.{key}={value}")
    print()
    print(table(results))
    failed = [r.module for r in results if r.status != "ok"]
    if failed:
        print(f"\nNOT OK: {', '.join(failed)}")
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "results.json").write_text(
        json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8"
    )
    (args.results / "results.md").write_text(table(results) + "\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
