"""Calls that wait on a remote service, a few at a time, results in order.

A batched lookup keeps two requests in flight: the endpoint evaluates one while this process
prepares the next and converts the last answer. :func:`map_in_order` is that loop for the SPARQL
client (:func:`sparql.client.run_each`) and the batched lookups of :mod:`modeling.reconcile_ids`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_order(fn: Callable[[T], R], items: Sequence[T], in_flight: int, name: str = "call") -> list[R]:
    """``[fn(item) for item in items]``, at most ``in_flight`` calls at a time on threads named
    ``name`` (in this thread when there is one item or ``in_flight`` ≤ 1); the first error is
    raised as the call raised it."""
    if len(items) <= 1 or in_flight <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(in_flight, thread_name_prefix=name) as pool:
        return list(pool.map(fn, items))
