"""Read tasks do not retry when nothing listens on the target (issue 15 §2).

Finding: a retried `wlkit reconcile` failed after 153 s with "unreachable after 6 tries" and no
hint. The SPARQL client now raises NothingListeningError at once on a refused connection; the
read tasks' retry filter ends the task there instead of waiting through 5 + 30 + 120 s.
"""

from __future__ import annotations

from prefect import flow, task

from core.errors import NothingListeningError, QueryError
from pipelines._options import API_READ_TASK, SPARQL_TASK, retry_unless_nothing_listens


def _runs(error: Exception, options: dict) -> int:
    calls: list[int] = []
    opts = {**options, "retry_delay_seconds": 0, "retry_jitter_factor": None}
    opts.pop("cache_policy", None)
    opts.pop("cache_expiration", None)
    opts.pop("persist_result", None)
    opts.pop("result_storage", None)

    @task(**opts)
    def read() -> None:
        calls.append(1)
        raise error

    @flow
    def stage() -> None:
        read()

    state = stage(return_state=True)
    assert state.is_failed()
    return len(calls)


def test_refused_connection_is_not_retried() -> None:
    assert SPARQL_TASK["retry_condition_fn"] is retry_unless_nothing_listens
    assert API_READ_TASK["retry_condition_fn"] is retry_unless_nothing_listens
    nobody = NothingListeningError("nothing is listening on 127.0.0.1:9: run `wlkit services up`")
    assert _runs(nobody, SPARQL_TASK) == 1


def test_other_failures_follow_the_retry_policy() -> None:
    assert _runs(QueryError("endpoint answered HTTP 500"), API_READ_TASK) == 3
