"""The benchmark runner: figures collected, failures and overruns reported, the run goes on."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]


def _runner():
    spec = importlib.util.spec_from_file_location("bench_runner", PROJECT / "bench" / "__main__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_runner"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _write(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(body), encoding="utf-8")


def test_runner_collects_figures_and_survives_failing_and_hanging_benchmarks(tmp_path, capsys):
    runner = _runner()
    benches = tmp_path / "fakebench"
    benches.mkdir()
    _write(benches, "bench_alpha", """
        print("warming up")
        print("rows=1000")
        print("rows_per_s=41250.5")
    """)
    _write(benches, "bench_broken", """
        print("rows=3")
        raise RuntimeError("register file missing")
    """)
    _write(benches, "bench_hangs", """
        import threading
        print("started=1", flush=True)
        threading.Event().wait(600)
    """)
    _write(benches, "helper_not_a_bench", "raise SystemExit(9)\n")

    status = runner.main(["--dir", str(benches), "--budget", "3", "--results", str(tmp_path / "res")])

    out = capsys.readouterr().out
    assert status == 1
    assert "[bench_alpha] rows=1000" in out
    assert "!!! bench_broken FAILED" in out and "register file missing" in out
    assert "!!! bench_hangs TIMEOUT" in out
    assert "alpha.rows_per_s=41250.5" in out
    assert "NOT OK: bench_broken, bench_hangs" in out
    results = json.loads((tmp_path / "res" / "results.json").read_text())
    assert [(r["module"], r["status"]) for r in results] == [
        ("bench_alpha", "ok"),
        ("bench_broken", "failed"),
        ("bench_hangs", "timeout"),
    ]
    assert results[0]["metrics"] == [["rows", "1000"], ["rows_per_s", "41250.5"]]
    assert results[2]["metrics"] == [["started", "1"]]
    md = (tmp_path / "res" / "results.md").read_text()
    assert "| alpha | ok |" in md and "| rows_per_s | 41250.5 |" in md


def test_only_named_benchmarks_run(tmp_path, capsys):
    runner = _runner()
    benches = tmp_path / "fb2"
    benches.mkdir()
    _write(benches, "bench_one", 'print("x=1")\n')
    _write(benches, "bench_two", 'print("y=2")\n')
    assert runner.main(["two", "--dir", str(benches), "--results", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "two.y=2" in out and "bench_one" not in out


def test_parse_metrics_ignores_prose():
    runner = _runner()
    assert runner.parse_metrics(["a=1", "b = 2", "loaded 3 rows", "c.d-e=x y"]) == [
        ("a", "1"),
        ("c.d-e", "x y"),
    ]
