"""Shared helpers of the WDQS-conformance and security suites: a seeded services pair and a
plain-HTTP SPARQL caller that returns rows the way a person reads them."""

from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from wdqs_monuments import ENTITIES

WD = "http://www.wikidata.org/entity/"


def seed_monuments(admin_url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Seed the monuments and protected areas of ``tests/fixtures/wdqs_monuments.py``."""
    req = urllib.request.Request(f"{admin_url}/seed", method="POST",
                                 data=json.dumps({"entities": ENTITIES}).encode(),
                                 headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None, timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request, HTTP errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def sparql(endpoint: str, query: str, **params: str) -> list[dict[str, str]]:
    """Run ``query`` by GET as WDQS users do; rows of ``{var: value}`` (``wd:`` IRIs → ids)."""
    url = endpoint + "?" + urllib.parse.urlencode({"query": query, **params})
    status, _, body = http(url, headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body.decode(errors="replace")
    doc = json.loads(body)
    rows = []
    for binding in doc["results"]["bindings"]:
        row = {}
        for var, term in binding.items():
            value = term["value"]
            row[var] = value[len(WD):] if term["type"] == "uri" and value.startswith(WD) else value
            if "xml:lang" in term:
                row[var + "@"] = term["xml:lang"]
        rows.append(row)
    return rows


def raw_request(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes to a loopback port and return what comes back until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)
