"""core.threads: calls a few at a time, results in order, handed over as they come in."""

from __future__ import annotations

import threading
import time

import pytest

from core.threads import imap_in_order, map_in_order


def test_results_come_in_order_whatever_order_the_calls_end_in():
    def slow_first(n: int) -> int:
        time.sleep(0.05 if n == 0 else 0.0)
        return n * 10

    assert map_in_order(slow_first, list(range(6)), 2) == [0, 10, 20, 30, 40, 50]
    assert list(imap_in_order(slow_first, list(range(6)), 3)) == [0, 10, 20, 30, 40, 50]


def test_the_first_result_is_handed_over_while_later_calls_still_run():
    first_taken = threading.Event()
    waited: list[bool] = []

    def call(n: int) -> int:
        if n == 3:  # the last call ends only once the caller has the first result (or after 5 s)
            waited.append(first_taken.wait(5))
        return n

    results = imap_in_order(call, [0, 1, 2, 3], 2)
    assert next(results) == 0
    first_taken.set()
    assert list(results) == [1, 2, 3]
    assert waited == [True]


def test_calls_not_started_when_the_caller_stops_are_never_made():
    started: list[int] = []
    never = threading.Event()

    def call(n: int) -> int:
        started.append(n)
        if n:  # the calls after the first hold both threads for a second
            never.wait(1)
        return n

    results = imap_in_order(call, list(range(12)), 2)
    assert next(results) == 0
    results.close()  # while calls 1 and 2 still run: 3 to 11 are cancelled, never started
    assert sorted(started) == [0, 1, 2]


def test_the_first_error_is_raised_as_the_call_raised_it():
    def call(n: int) -> int:
        if n == 2:
            raise ValueError("bad item 2")
        return n

    with pytest.raises(ValueError, match="bad item 2"):
        list(imap_in_order(call, list(range(5)), 2))
