"""Jobs on worker processes with results in job order, memory bounded (dry-run data and pages).

:func:`ordered_map` starts ``workers`` spawned processes (never forked: the flows run Prefect's
threads), hands each its shared state once through ``initializer``, keeps at most two jobs per
worker in flight and yields the results in the order the jobs came — so a file written from them
is the same as one written in a single process. Each worker runs with the cyclic collector's
first-generation threshold at :data:`GC_THRESHOLD`, as the ``wlkit`` process does.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

R = TypeVar("R")

#: First-generation threshold of the cyclic GC for processes that build millions of small acyclic
#: dicts (plans, entries): at CPython's default (700) the collector took half the plan stage's time.
GC_THRESHOLD = 50_000
#: Most worker processes a stage starts (the machines this runs on have 2–8 cores).
MAX_WORKERS = 4


def tune_gc() -> None:
    """Raise the cyclic GC's first-generation threshold to :data:`GC_THRESHOLD`."""
    gc.set_threshold(GC_THRESHOLD, 20, 10)


def workers_for(items: int, parallel_from: int) -> int:
    """Processes worth starting for ``items`` units of work: one per core (at most
    :data:`MAX_WORKERS`) from ``parallel_from`` on, where the work outweighs starting them
    (a spawned process spends about a second importing); 1 (this process) below."""
    return min(MAX_WORKERS, os.cpu_count() or 1) if items >= parallel_from else 1


def _boot(initializer: Callable[..., None], *initargs: Any) -> None:
    tune_gc()
    initializer(*initargs)


def ordered_map(fn: Callable[..., R], jobs: Iterable[tuple[Any, ...]], workers: int,
                initializer: Callable[..., None], initargs: tuple[Any, ...] = ()) -> Iterator[R]:
    """``fn(*job)`` for every job on ``workers`` processes, results in job order.

    Args:
        fn: A module-level function (a spawned process imports it by name).
        jobs: Argument tuples, consumed as the workers take them.
        workers: Processes to start (2 or more).
        initializer: Called once in each process with ``initargs`` (the jobs' shared state).
        initargs: Its arguments (pickled once per process).
    """
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_boot,
                             initargs=(initializer, *initargs)) as pool:
        pending: deque[Future[R]] = deque()
        for job in jobs:
            pending.append(pool.submit(fn, *job))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
