"""Jobs on worker processes with results in job order, memory bounded (dry-run data and pages).

:func:`ordered_map` starts ``workers`` spawned processes (never forked: the flows run Prefect's
threads), hands each its shared state once through ``initializer``, keeps at most two jobs per
worker in flight and yields the results in the order the jobs came — so a file written from them
is the same as one written in a single process. Each worker runs with the cyclic collector's
first-generation threshold at :data:`GC_THRESHOLD`, as the ``wlkit`` process does. A worker
starts without re-importing the parent's ``__main__`` (for ``wlkit`` that is the whole CLI with
Prefect: about a second of every worker's start-up); its functions come from their own modules.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import multiprocessing
import os
import sys
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
    """Raise the cyclic GC's first-generation threshold to :data:`GC_THRESHOLD`, and leave the
    objects alive at exit out of the interpreter's last collection (``gc.freeze`` as the process
    ends): that collection walked the whole heap for nothing, about 0.5 s at the end of every
    ``wlkit`` command. Registered once however often this is called."""
    gc.set_threshold(GC_THRESHOLD, 20, 10)
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def workers_for(items: int, parallel_from: int) -> int:
    """Processes worth starting for ``items`` units of work: one per core (at most
    :data:`MAX_WORKERS`) from ``parallel_from`` on, where the work outweighs starting them
    (a spawned process spends about a second importing); 1 (this process) below."""
    return min(MAX_WORKERS, os.cpu_count() or 1) if items >= parallel_from else 1


def _boot(initializer: Callable[..., None], *initargs: Any) -> None:
    tune_gc()
    initializer(*initargs)


@contextlib.contextmanager
def _main_not_imported() -> Iterator[None]:
    """While processes are spawned in this block, they do not import the parent's ``__main__``
    (spawn re-runs it, by module name or file, to find functions defined there; ours are not)."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def ordered_map(fn: Callable[..., R], jobs: Iterable[tuple[Any, ...]], workers: int,
                initializer: Callable[..., None], initargs: tuple[Any, ...] = ()) -> Iterator[R]:
    """``fn(*job)`` for every job on ``workers`` processes, results in job order.

    Args:
        fn: A function of an importable module, not of ``__main__`` (a spawned process imports
            it by name).
        jobs: Argument tuples, consumed as the workers take them.
        workers: Processes to start (2 or more).
        initializer: Called once in each process with ``initargs`` (the jobs' shared state);
            from an importable module too.
        initargs: Its arguments (pickled once per process).
    """
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_boot,
                             initargs=(initializer, *initargs)) as pool:
        pending: deque[Future[R]] = deque()
        for n, job in enumerate(jobs):
            # the first ``workers`` submits spawn the processes
            with _main_not_imported() if n < workers else contextlib.nullcontext():
                pending.append(pool.submit(fn, *job))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
