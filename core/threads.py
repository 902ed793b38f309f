"""Calls that wait on a remote service, a few at a time, results in order.

A batched lookup keeps two requests in flight: the endpoint evaluates one while this process
prepares the next and converts the last answer. :func:`imap_in_order` is that loop, handing each
result over as soon as it and those before it are in (the caller works on one answer while the
next ones are evaluated): the SPARQL client's :func:`sparql.client.run_each` uses it, and the
batched lookups of :mod:`modeling.reconcile_ids` its list form, :func:`map_in_order`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_order(fn: Callable[[T], R], items: Sequence[T], in_flight: int, name: str = "call") -> list[R]:
    """``[fn(item) for item in items]``, at most ``in_flight`` calls at a time on threads named
    ``name`` (in this thread when there is one item or ``in_flight`` ≤ 1); the first error is
    raised as the call raised it."""
    return list(imap_in_order(fn, items, in_flight, name))


def imap_in_order(fn: Callable[[T], R], items: Sequence[T], in_flight: int, name: str = "call"
                  ) -> Iterator[R]:
    """:func:`map_in_order`, yielding each result as soon as it and those before it are in.

    When the caller stops early (or raises), the calls not yet started are cancelled.
    """
    if len(items) <= 1 or in_flight <= 1:
        yield from (fn(item) for item in items)
        return
    pool = ThreadPoolExecutor(in_flight, thread_name_prefix=name)
    try:
        yield from pool.map(fn, items)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
