"""HTTP for the SPARQL client: one kept-alive connection per thread and endpoint.

A national register's reconciliation and plan lookups send thousands of requests to one
endpoint. ``urllib`` opens (and, for WDQS, TLS-handshakes) a new connection for each and closes
it after the answer; here each thread keeps its connection to an endpoint open between requests
(HTTP/1.1 keep-alive), and opens a new one when the server closed it. Requests through a proxy
(``https_proxy`` …, minus ``no_proxy``) and redirects go through ``urllib``, which handles both.
"""

from __future__ import annotations

import http.client
import threading
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message

#: What :func:`send` returns: HTTP status, response headers, body.
Response = tuple[int, Message, bytes]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_LOCAL = threading.local()


def send(request: urllib.request.Request, timeout: float) -> Response:
    """Send ``request`` and read the whole answer, whatever its status.

    Raises:
        OSError: the connection failed (refused, reset, timed out …), as ``urllib`` raises it.
        http.client.HTTPException: the server's answer was not HTTP.
    """
    parts = urllib.parse.urlsplit(request.full_url)
    if parts.scheme not in ("http", "https") or _proxied(parts):
        return _send_urllib(request, timeout)
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    conns: dict[tuple[str, str], http.client.HTTPConnection] = _LOCAL.__dict__.setdefault("conns", {})
    key = (parts.scheme, parts.netloc)
    for attempt in range(2):
        conn = conns.get(key)
        reused = conn is not None
        if conn is None:
            kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            conn = conns[key] = kind(parts.netloc, timeout=timeout)
        try:
            conn.request(request.get_method(), path, body=request.data,
                         headers=dict(request.header_items()))
            answer = conn.getresponse()
            body = answer.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            _drop(conns, key)
            if reused and attempt == 0:
                continue  # the server closed the idle connection: once more, on a new one
            raise
        except BaseException:
            _drop(conns, key)
            raise
        if answer.will_close:
            _drop(conns, key)
        if answer.status in _REDIRECTS:
            return _send_urllib(request, timeout)  # urllib follows them
        return answer.status, answer.headers, body
    raise ConnectionResetError("the connection was closed twice")  # pragma: no cover


def _drop(conns: dict[tuple[str, str], http.client.HTTPConnection], key: tuple[str, str]) -> None:
    conn = conns.pop(key, None)
    if conn is not None:
        conn.close()


def _proxied(parts: urllib.parse.SplitResult) -> bool:
    """Whether the environment sends requests to this host through a proxy."""
    proxies = urllib.request.getproxies()
    return bool(proxies.get(parts.scheme)) and not urllib.request.proxy_bypass(parts.hostname or "")


def _send_urllib(request: urllib.request.Request, timeout: float) -> Response:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read() if exc.fp else b""
