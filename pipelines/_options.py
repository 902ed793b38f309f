"""Shared Prefect options: retries, timeouts, the SPARQL cache policy, write slots, artifacts.

Every stage flow takes its task options from here instead of repeating numbers, so the
behaviour of "a SPARQL lookup", "a local file step" and "a Wikibase write" is the same in every
stage (Prefect task options: ``retries``, ``retry_delay_seconds``, ``timeout_seconds``,
``cache_policy``). Use them as ``@task(**SPARQL_TASK)`` or ``task.with_options(**SPARQL_TASK)``.

- :data:`LOCAL_TASK` — pure local computation/file I/O: no retries (a retry would fail the same
  way), a timeout.
- :data:`SPARQL_TASK` — a read against the SPARQL endpoint: retried with backoff and jitter,
  results cached by :data:`SPARQL_CACHE_POLICY` and persisted under ``.wlkit/prefect-results``
  so a re-run of a stage does not query again.
- :data:`API_READ_TASK` — a read against the Action API (wbgetentities): retried, never cached
  (the add-only diff needs the live item).
- :data:`WRITE_TASK` — Wikibase writes: NO Prefect retries (the uploader owns maxlag/Retry-After
  and the ledger decides what is still to do; a blind task retry could write twice), long
  timeout. Wrap the write loop in :func:`upload_slot`.

Tasks carry no Prefect tags: a tagged task run asks the API for a slot of every tag's limit as
it starts, which Prefect's SQLite server often answers "database is locked" (503) while it writes
the previous task's events; the client retries after 2 s (2–4 s of every plan stage at 10⁵).
Writes are limited by :func:`upload_slot`, SPARQL requests by the client's in-flight bounds.

:func:`upload_slot` enforces the bot etiquette "one writer per target, however many workers":
a Prefect *global concurrency limit* ``wikibase-writes-<target>`` with one slot, created on first
use when missing (on a server and in ephemeral mode alike).

:func:`publish_summary` publishes a stage summary as a markdown + table artifact, plus one link
artifact per output file.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import re
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import TASK_SOURCE, CacheKeyFnPolicy
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.context import TaskRunContext
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.settings import PREFECT_API_URL
from prefect.utilities.hashing import hash_objects
from pydantic import BaseModel, SecretStr

from core.errors import NothingListeningError
from core.settings import Target

logger = logging.getLogger(__name__)

#: Where persisted task results and cache keys live, relative to the working directory (the
#: project root for CLI runs and for deployments, via ``pull: set_working_directory``).
RESULTS_DIR = Path(".wlkit") / "prefect-results"

#: How long a cached SPARQL answer is reused. Lists are refreshed weekly by schedule; within a
#: working day a re-run of reconcile/lists should not hit WDQS again.
SPARQL_CACHE_EXPIRATION = timedelta(hours=12)

#: One lock per write limit for the threads of this process (see :func:`upload_slot`).
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()

#: Where the machine-wide write locks of ephemeral runs live.
LOCK_DIR = Path(tempfile.gettempdir()) / "wlkit-locks"

#: How long a write slot's lease lasts between background renewals.
WRITE_LEASE_SECONDS = 120.0

#: Names of the global concurrency limits guarding writes: ``wikibase-writes-<target>``.
WRITE_LIMIT_PREFIX = "wikibase-writes-"

# --------------------------------------------------------------------------- cache policy


def _stable(value: Any) -> Any:
    """Reduce a task input to something whose hash is stable and holds no secret."""
    if isinstance(value, SecretStr):
        return None  # a password never enters a cache key (nor the key store)
    if isinstance(value, Target):
        # The answer depends on the endpoint and IRI base only.
        return {"target": [value.name, value.sparql_url, value.entity_base]}
    if isinstance(value, BaseModel):
        return {k: _stable(v) for k, v in value.model_dump().items()}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _stable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_stable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    return value


def sparql_cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
    """Cache key of a SPARQL lookup: the target's endpoint + IRI base and the query parameters.

    Unlike Prefect's ``INPUTS`` policy this never hashes a password (``SecretStr`` and the
    credentials of a ``Target`` are left out), and a ``Target`` counts only by what changes the
    answer (name, SPARQL URL, entity base), so two runs with different credentials share the cache.

    Args:
        context: The task run context (unused; part of Prefect's cache-key signature).
        parameters: The task's bound parameters.

    Returns:
        A hex digest, or None when the inputs cannot be hashed (then nothing is cached).
    """
    del context
    stable = {name: _stable(value) for name, value in sorted(parameters.items())}
    digest = hash_objects(stable, raise_on_failure=False)
    if digest is None:  # pragma: no cover - exotic inputs; Prefect then runs uncached
        return None
    return hashlib.sha256(f"sparql:{digest}".encode()).hexdigest()


#: The SPARQL-lookup cache policy: task source code + :func:`sparql_cache_key`. Changing the
#: task's code (or the .rq it calls through it) or any query parameter gives a new key.
SPARQL_CACHE_POLICY = (TASK_SOURCE + CacheKeyFnPolicy(cache_key_fn=sparql_cache_key)).configure(
    key_storage=RESULTS_DIR / "cache-keys"
)

# --------------------------------------------------------------------------- task options

#: Pure local work (read files, validate, render): failures are deterministic, so no retries.
LOCAL_TASK: dict[str, Any] = {
    "retries": 0,
    "timeout_seconds": 30 * 60,
}

def retry_unless_nothing_listens(task: Any, task_run: Any, state: Any) -> bool:
    """Retry filter of the read tasks: when nothing listens on the target, fail at once.

    Retrying a refused connection only adds minutes of waiting (issue 15: "unreachable after 6
    tries" after 153 s); every other failure follows the task's retry policy.
    """
    del task, task_run
    try:
        state.result(raise_on_failure=True)
    except NothingListeningError:
        return False
    except Exception:
        return True
    return True


#: A SPARQL read: retried with backoff, cached across runs (see module docstring).
SPARQL_TASK: dict[str, Any] = {
    "retry_condition_fn": retry_unless_nothing_listens,
    "retries": 3,
    "retry_delay_seconds": [5, 30, 120],
    "retry_jitter_factor": 0.5,
    "timeout_seconds": 15 * 60,
    "cache_policy": SPARQL_CACHE_POLICY,
    "cache_expiration": SPARQL_CACHE_EXPIRATION,
    "persist_result": True,
    "result_storage": RESULTS_DIR,  # a Path: Prefect wraps it in LocalFileSystem, no block
}

#: A read against the Action API (live entities for the add-only diff): retried, never cached.
API_READ_TASK: dict[str, Any] = {
    "retry_condition_fn": retry_unless_nothing_listens,
    "retries": 2,
    "retry_delay_seconds": [10, 60],
    "retry_jitter_factor": 0.5,
    "timeout_seconds": 30 * 60,
}

#: Wikibase writes: no task-level retries (the uploader + ledger own that), one long timeout.
WRITE_TASK: dict[str, Any] = {
    "retries": 0,
    "timeout_seconds": 6 * 60 * 60,
}

#: Options for every stage flow: no flow-level retries (a stage re-runs from its files).
STAGE_FLOW: dict[str, Any] = {
    "retries": 0,
    "log_prints": False,
    "validate_parameters": True,
}

# --------------------------------------------------------------------------- write slots


def write_limit_name(target_name: str) -> str:
    """Name of the global concurrency limit guarding writes to ``target_name``.

    >>> write_limit_name("local")
    'wikibase-writes-local'
    >>> write_limit_name("Test Wikidata")
    'wikibase-writes-test-wikidata'
    """
    slug = re.sub(r"[^a-z0-9-]+", "-", target_name.lower()).strip("-") or "default"
    return WRITE_LIMIT_PREFIX + slug


def ensure_write_limit(target_name: str, limit: int = 1) -> str:
    """Create the write limit for ``target_name`` with ``limit`` slots unless it exists.

    An existing limit is left as an operator set it (e.g. paused, or widened for a private
    Wikibase); only a missing one is created.

    Args:
        target_name: Target profile name (``local``, ``wikidata``…).
        limit: Slots of a newly created limit; 1 = one writer per target.

    Returns:
        The limit's name.
    """
    name = write_limit_name(target_name)
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=limit)
                )
                logger.info("created global concurrency limit %s (limit %d)", name, limit)
            except ObjectAlreadyExists:  # another worker created it in between
                pass
    return name


@contextmanager
def upload_slot(
    target_name: str, *, timeout_seconds: float | None = None, limit: int = 1
) -> Iterator[str]:
    """Hold the one write slot of ``target_name`` while the block runs.

    However many workers, shards or flow runs write to the same target, at most ``limit`` (by
    default one) hold the slot at a time; the others wait. The limit is created when missing.

    Args:
        target_name: Target profile name.
        timeout_seconds: Give up waiting after this long (``TimeoutError``); None waits.
        limit: Slots of the limit if it has to be created.

    Yields:
        The name of the concurrency limit held.
    """
    name = write_limit_name(target_name)
    logger.info("waiting for the write slot %s (one writer per target)", name)
    if not PREFECT_API_URL.value():
        # Ephemeral mode (no Prefect server): one machine, so a file lock is the slot. The OS
        # releases it when a process dies, even by SIGKILL. Prefect's global limits must not be
        # used here: the temporary server keeps leases in memory, so a killed writer would leave
        # the limit occupied in ~/.prefect for good and block every later upload.
        with _process_lock(name), _file_lock(name, timeout_seconds):
            yield name
        return
    ensure_write_limit(target_name, limit=limit)
    # Threads of one process queue on a local lock first, so at most one of them waits on the
    # Prefect slot. Prefect serves acquisitions and lease renewals of a process through one
    # queue: several threads waiting for the slot there starve the holder's renewals, its lease
    # lapses and every shard then waits a whole lease for the next.
    with _process_lock(name), _prefect_slot(name, timeout_seconds):
        yield name


@contextmanager
def _file_lock(name: str, timeout_seconds: float | None) -> Iterator[None]:
    """An exclusive ``flock`` on ``<tmp>/wlkit-locks/<name>.lock`` (machine-wide)."""
    LOCK_DIR.mkdir(parents=True, exist_ok=True)
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    with open(LOCK_DIR / f"{name}.lock", "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as busy:
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"write slot {name} still taken after {timeout_seconds} s") from busy
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _process_lock(name: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(name, threading.Lock())


@contextmanager
def _prefect_slot(name: str, timeout_seconds: float | None) -> Iterator[None]:
    # The slot is a lease the client renews in the background. A long upload on a loaded
    # machine can miss a renewal; Prefect would then try to kill the writing thread, which it
    # cannot interrupt (the run hangs). The ledger keeps a write safe either way, so a lost
    # lease is logged, not fatal. The lease stays short: a writer killed outright (SIGKILL)
    # blocks the next run of the same target only until its lease lapses.
    with concurrency(
        name,
        occupy=1,
        timeout_seconds=timeout_seconds,
        strict=True,
        lease_duration=WRITE_LEASE_SECONDS,
        raise_on_lease_renewal_failure=False,
    ):
        yield


# --------------------------------------------------------------------------- artifacts


def artifact_key(*parts: str) -> str:
    """An artifact key from parts: lowercase letters, digits and dashes only.

    >>> artifact_key("wlm-se-bbr-sample", "Ingest_Summary")
    'wlm-se-bbr-sample-ingest-summary'
    """
    joined = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9-]+", "-", joined).strip("-")


def _flat_rows(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    rows = []
    for key, value in summary.items():
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False, default=str)
        rows.append({"metric": str(key), "value": str(value)})
    return rows


def summary_markdown(title: str, summary: Mapping[str, Any]) -> str:
    """Render a stage summary as a two-column markdown table under a heading."""
    lines = [f"# {title}", "", "| metric | value |", "| --- | --- |"]
    for row in _flat_rows(summary):
        value = row["value"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {row['metric']} | {value} |")
    return "\n".join(lines) + "\n"


def publish_summary(
    campaign_id: str,
    stage: str,
    summary: Mapping[str, Any],
    *,
    table: Sequence[Mapping[str, Any]] | None = None,
    files: Sequence[str | Path] = (),
) -> dict[str, str]:
    """Publish a stage summary as Prefect artifacts (call inside a flow or task run).

    Creates a markdown artifact ``<campaign>-<stage>-summary``, a table artifact
    ``<campaign>-<stage>-table`` (``table`` rows, or the summary as metric/value rows) and one
    link artifact ``<campaign>-<stage>-file-<name>`` per existing output file (``file://`` URLs),
    so the run page in the UI shows what a stage produced.

    Args:
        campaign_id: Campaign id (first part of every key).
        stage: Stage name (``ingest``, ``lists``…).
        summary: The summary dict the stage flow returns.
        table: Optional rows for the table artifact (e.g. per-region counts).
        files: Output files to link.

    Returns:
        Mapping of artifact kind to key (``markdown``, ``table``, ``link:<file name>``).
    """
    title = f"{campaign_id}: {stage}"
    keys = {
        "markdown": artifact_key(campaign_id, stage, "summary"),
        "table": artifact_key(campaign_id, stage, "table"),
    }
    create_markdown_artifact(
        markdown=summary_markdown(title, summary),
        key=keys["markdown"],
        description=f"{stage} summary of {campaign_id}",
    )
    rows = [dict(r) for r in table] if table is not None else _flat_rows(summary)
    create_table_artifact(
        table=rows, key=keys["table"], description=f"{stage} figures of {campaign_id}"
    )
    for file in files:
        path = Path(file).resolve()
        if not path.exists():
            continue
        key = artifact_key(campaign_id, stage, "file", path.name.replace(".", "-"))
        create_link_artifact(
            link=path.as_uri(), link_text=path.name, key=key, description=str(path)
        )
        keys[f"link:{path.name}"] = key
    return keys
