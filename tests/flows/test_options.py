"""Shared Prefect options: SPARQL cache across runs, one writer per target, summary artifacts."""

from __future__ import annotations

import threading
from pathlib import Path

from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from pydantic import SecretStr

from core.settings import Target
from pipelines._options import (
    SPARQL_TASK,
    artifact_key,
    ensure_write_limit,
    publish_summary,
    upload_slot,
    write_limit_name,
)


def _target(sparql_url: str, password: str) -> Target:
    return Target(
        name="local",
        api_url="http://127.0.0.1:1/w/api.php",
        sparql_url=sparql_url,
        user="Wlkit@sandbox",
        password=SecretStr(password),
    )


@task(**SPARQL_TASK)
def _lookup(target: Target, ids: list[str], calls: str) -> list[str]:
    with Path(calls).open("a") as fh:
        fh.write(f"{target.sparql_url} {','.join(ids)}\n")
    return [f"Q{int(i) + 1}" for i in ids]


@flow
def _lookup_flow(target: Target, ids: list[str], calls: str) -> list[str]:
    return _lookup(target, ids, calls)


def test_sparql_cache_reuses_results_across_runs_and_ignores_credentials(in_tmp_cwd):
    calls = in_tmp_cwd / "calls.txt"
    url = "http://127.0.0.1:7878/query"
    first = _lookup_flow(_target(url, "one"), ["1", "2"], str(calls))
    # A new flow run, other credentials, same endpoint + params: served from the cache.
    second = _lookup_flow(_target(url, "two"), ["1", "2"], str(calls))
    assert first == second == ["Q2", "Q3"]
    assert calls.read_text().splitlines() == [f"{url} 1,2"]
    # Another endpoint or other parameters: queried again.
    _lookup_flow(_target("http://127.0.0.1:9999/query", "one"), ["1", "2"], str(calls))
    _lookup_flow(_target(url, "one"), ["1", "3"], str(calls))
    assert len(calls.read_text().splitlines()) == 3
    # Results are persisted under .wlkit/prefect-results of the working directory.
    stored = list((in_tmp_cwd / ".wlkit" / "prefect-results").rglob("*"))
    assert any(p.is_file() for p in stored)


def test_write_limit_is_created_once_with_one_slot():
    name = ensure_write_limit("Flows Test")
    assert name == write_limit_name("Flows Test") == "wikibase-writes-flows-test"
    assert ensure_write_limit("Flows Test", limit=5) == name  # existing limit left as is
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name(name)
    assert limit.limit == 1
    assert limit.active


def test_upload_slot_admits_one_writer_at_a_time():
    state = {"active": 0, "max_active": 0}
    lock = threading.Lock()
    second_waiting = threading.Event()
    second_inside = threading.Event()
    errors: list[BaseException] = []

    def writer(first: bool) -> None:
        try:
            if not first:
                second_waiting.set()
            with upload_slot("slot-test", timeout_seconds=60):
                with lock:
                    state["active"] += 1
                    state["max_active"] = max(state["max_active"], state["active"])
                if first:
                    # Hold the slot while the second writer tries to get in; it must not.
                    second_waiting.wait(timeout=30)
                    assert not second_inside.wait(timeout=2)
                else:
                    second_inside.set()
                with lock:
                    state["active"] -= 1
        except BaseException as exc:
            errors.append(exc)

    ensure_write_limit("slot-test")
    first = threading.Thread(target=writer, args=(True,))
    first.start()
    # Start the second writer only once the first holds the slot.
    while state["max_active"] == 0 and first.is_alive():
        threading.Event().wait(0.05)
    second = threading.Thread(target=writer, args=(False,))
    second.start()
    first.join(90)
    second.join(90)
    assert not errors, errors
    assert second_inside.is_set()
    assert state["max_active"] == 1


@flow
def _publishing_flow(out: str) -> dict[str, str]:
    summary = {"records": 40, "rejects": 3, "by_type": {"kyrka": 12}}
    # A campaign id no other test publishes under, so the keys read back are this run's.
    return publish_summary(
        "options-test-campaign",
        "ingest",
        summary,
        files=[Path(out) / "summary.json", Path(out) / "missing.csv"],
    )


def test_publish_summary_creates_markdown_table_and_link_artifacts(tmp_path):
    (tmp_path / "summary.json").write_text("{}")
    keys = _publishing_flow(str(tmp_path))
    assert keys == {
        "markdown": "options-test-campaign-ingest-summary",
        "table": "options-test-campaign-ingest-table",
        "link:summary.json": "options-test-campaign-ingest-file-summary-json",
    }
    with get_client(sync_client=True) as client:
        found = {
            a.key: a
            for a in client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=list(keys.values())))
            )
        }
    assert set(found) == set(keys.values())
    assert found["options-test-campaign-ingest-summary"].type == "markdown"
    assert "| records | 40 |" in found["options-test-campaign-ingest-summary"].data
    assert found["options-test-campaign-ingest-table"].type == "table"
    # Prefect 3 stores a link artifact as markdown "[text](url)".
    link = found["options-test-campaign-ingest-file-summary-json"].data
    assert link == f"[summary.json]({(tmp_path / 'summary.json').resolve().as_uri()})"
    assert "missing" not in " ".join(found)  # files that do not exist are not linked


def test_artifact_keys_are_prefect_safe():
    assert artifact_key("WLM SE", "05_lists", "Göteborg.wiki") == "wlm-se-05-lists-g-teborg-wiki"


def test_no_stage_task_carries_a_tag():
    """A tagged task run asks the Prefect API for a tag concurrency slot as it starts; the SQLite
    server often answers "database is locked" (503) while it writes the previous task's events,
    and the client waits 2 s before asking again (measured: 2–4 s of every plan stage)."""
    import importlib
    import pkgutil

    from prefect import Task

    import pipelines

    tasks = {}
    for info in pkgutil.iter_modules(pipelines.__path__):
        module = importlib.import_module(f"pipelines.{info.name}")
        tasks.update({f"{info.name}.{k}": v for k, v in vars(module).items() if isinstance(v, Task)})
    assert len(tasks) >= 15  # every stage's tasks were found
    assert {name: t.tags for name, t in tasks.items() if t.tags} == {}
