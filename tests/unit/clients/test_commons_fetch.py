"""clients.commons + clients.commons_fetch against the local Commons holding the Italian sample contest.

The fetch writes the contest stage's contract files (``core.contracts``) from batched, continued
API reads; values are checked against the records the local Commons loaded and against the sample
contest's known answers; the client's retry honours Retry-After without sleeping for real.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from clients.commons import CommonsClient
from clients.commons_fetch import fetch_category_files, fetch_uploads
from core.contracts import CATEGORY_FILES_COLUMNS, UPLOADS_COLUMNS, UPLOADS_SCHEMA, USERS_COLUMNS
from core.errors import ServiceError
from sandbox.commons.server import make_commons_server
from sandbox.commons.store import CommonsStore, read_jsonl
from sandbox.serve import build_state
from sandbox.services import free_port

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "campaigns" / "data" / "wlm-it-sample" / "contest"
CATEGORY = "Images from Wiki Loves Monuments 2026 in Italy"


@pytest.fixture(scope="module")
def commons(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data = tmp_path_factory.mktemp("commons-fetch")
    state = build_state(data)
    store = CommonsStore(Path(data) / "commons.sqlite")
    store.load(read_jsonl(SAMPLE / "commons.jsonl"))
    server = make_commons_server(state.repo, store, free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    store.close()


def _client(server: Any, **kwargs: Any) -> CommonsClient:
    return CommonsClient(f"http://127.0.0.1:{server.server_address[1]}/w/api.php", "wlkit-tests/0.1", **kwargs)


def _records() -> dict[str, dict[str, Any]]:
    return {r["title"]: r for r in read_jsonl(SAMPLE / "commons.jsonl") if r["kind"] == "file"}


def test_fetch_writes_the_contract_in_batches(commons: Any, tmp_path: Path) -> None:
    client = _client(commons)
    summary = fetch_uploads(client, CATEGORY, tmp_path)
    answers = pd.read_csv(SAMPLE / "answers.csv", keep_default_na=False)
    assert summary["uploads"] == len(answers) == 240
    assert summary["batches"] == 5  # 50 titles per request
    # one query per batch (every prop in it, cllimit/tllimit=max), one wbgetentities per batch, one list=users
    assert summary["requests"] == 5 + 5 + 1
    table = pq.read_table(tmp_path / "uploads.parquet")
    assert table.schema.equals(UPLOADS_SCHEMA) and tuple(table.column_names) == UPLOADS_COLUMNS
    up = table.to_pandas().set_index("title").astype({"exif_datetime": object})
    up["exif_datetime"] = up["exif_datetime"].where(up["exif_datetime"].notna(), None)
    assert set(up.index) == set(answers["title"])  # older photos outside the contest are not read
    records = _records()
    for title, row in up.iterrows():
        rec = records[title]
        assert (row["pageid"], row["uploader"], row["uploaded_at"], row["sha1"]) == (
            rec["pageid"], rec["uploader"], rec["timestamp"], rec["sha1"])
        assert (row["width"], row["height"], row["mime"]) == (rec["width"], rec["height"], rec["mime"])
        exif = rec["exif_datetime"]
        assert row["exif_datetime"] == (None if exif is None else exif[:10].replace(":", "-") + "T" + exif[11:])
        assert sorted(row["categories"]) == sorted(f"Category:{c}" for c, _ in rec["categories"])
        assert sorted(row["category_sortkeys"]) == sorted(f"Category:{c}|{k}" for c, k in rec["categories"])
        assert list(row["templates"]) == sorted(rec["templates"])
        assert row["wikitext"] == rec["wikitext"]
        depicts = [s["mainsnak"]["datavalue"]["value"]["id"] for s in rec["statements"].get("P180", [])]
        assert list(row["depicts"]) == depicts
        assert row["globalusage"] == len(rec["globalusage"])
        assert row["mediainfo_id"] == f"M{rec['pageid']}"
    users = pd.read_parquet(tmp_path / "users.parquet")
    assert tuple(users.columns) == USERS_COLUMNS and set(users["user"]) == set(up["uploader"])
    assert users["registration"].notna().all()


def test_category_files_of_the_monuments(commons: Any, tmp_path: Path) -> None:
    monuments = pd.read_csv(SAMPLE / "monuments.csv")
    cats = monuments["commons_category"].dropna()
    summary = fetch_category_files(_client(commons), cats, tmp_path)
    files = pd.read_parquet(tmp_path / "category_files.parquet")
    assert tuple(files.columns) == CATEGORY_FILES_COLUMNS
    expected = {(c, r["title"]) for r in _records().values() for c, _ in r["categories"] if c in set(cats)}
    assert set(zip(files["category"], files["title"], strict=True)) == expected
    assert summary == {"categories": cats.nunique(), "category_files": len(expected)}
    older = {t for t, r in _records().items() if not any(c.startswith("Images from") for c, _ in r["categories"])}
    assert older and older <= set(files["title"])  # photos from before the contest, found by category


def test_retry_after_is_honoured_and_limited(commons: Any) -> None:
    waits: list[float] = []
    client = _client(commons, sleep=waits.append, max_retries=2)
    commons.RequestHandlerClass.state.faults.set({"http_503": {"count": 2, "retry_after": 7, "on": "any"}})
    body = client.request({"action": "query", "list": "users", "ususers": "Borghi38", "usprop": "registration"})
    assert waits == [7.0, 7.0] and body["query"]["users"][0]["name"] == "Borghi38"
    commons.RequestHandlerClass.state.faults.set({"http_503": {"count": 3, "retry_after": 1, "on": "any"}})
    with pytest.raises(ServiceError, match="after 3 attempts"):
        client.request({"action": "query", "meta": "siteinfo"})
    commons.RequestHandlerClass.state.faults.clear()


def test_api_errors_name_the_code(commons: Any) -> None:
    with pytest.raises(ServiceError, match="badvalue"):
        _client(commons).request({"action": "query", "list": "nosuchlist"})
    assert json.dumps(_client(commons).get_entities(["M1"])) == '{"M1": {"id": "M1", "missing": ""}}'
