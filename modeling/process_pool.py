"""Jobs on worker processes with results in job order, memory bounded (dry-run data and pages).

:func:`ordered_map` starts ``workers`` spawned processes (never forked: the flows run Prefect's
threads), hands each its shared state once through ``initializer``, keeps at most two jobs per
worker in flight and yields the results in the order the jobs came — so a file written from them
is the same as one written in a single process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

R = TypeVar("R")


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
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=initializer, initargs=initargs) as pool:
        pending: deque[Future[R]] = deque()
        for job in jobs:
            pending.append(pool.submit(fn, *job))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
