"""Worker processes: results in job order, shared state given once, the GC tuned in each."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from modeling.process_pool import GC_THRESHOLD, MAX_WORKERS, ordered_map, workers_for

_STATE: list[int] = []


def _keep(offset: int) -> None:
    _STATE[:] = [offset]


def _job(n: int) -> tuple[int, int, int]:
    return n + _STATE[0], gc.get_threshold()[0], os.getpid()


def test_results_come_in_job_order_from_spawned_workers_with_their_state():
    results = list(ordered_map(_job, ((n,) for n in range(12)), 2, _keep, (100,)))
    assert [r[0] for r in results] == [n + 100 for n in range(12)]
    assert {r[1] for r in results} == {GC_THRESHOLD}
    assert os.getpid() not in {r[2] for r in results}


def test_workers_only_from_the_threshold_on():
    assert workers_for(999, 1_000) == 1
    assert workers_for(1_000, 1_000) == min(MAX_WORKERS, os.cpu_count() or 1)


def _imported_main(n: int) -> bool:
    import sys

    return sys.modules["__main__"].__name__ == "__mp_main__"  # spawn re-ran the parent's main


def test_workers_do_not_re_import_the_parents_main_module_and_it_is_left_as_it_was():
    import sys

    main = sys.modules["__main__"]
    before = (main.__dict__.get("__file__"), main.__dict__.get("__spec__"))
    assert list(ordered_map(_imported_main, ((n,) for n in range(4)), 2, _keep, (0,))) == [False] * 4
    assert (main.__dict__.get("__file__"), main.__dict__.get("__spec__")) == before


def test_the_heap_is_left_out_of_the_last_collection_as_the_process_ends():
    """The interpreter's last collection would walk every object still alive (0.5 s per command)."""
    import subprocess
    import sys

    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"  # runs after
        "from modeling.process_pool import tune_gc\n"
        "tune_gc(); tune_gc()\n"
        "print('frozen before exit', gc.get_freeze_count() > 0)\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.split("\n")[:2] == ["frozen before exit False", "frozen True"]
