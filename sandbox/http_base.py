"""HTTP plumbing shared by the sandbox's ports: threading server, base handler, body parsing."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.http_guard import SOCKET_TIMEOUT_S

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")


class DroppedConnection(Exception):
    """Raised to close the socket without answering."""


class QuietThreadingHTTPServer(ThreadingHTTPServer):
    """Threading server that does not print tracebacks of clients hanging up."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection error from %s", client_address, exc_info=True)


def parse_multipart(content_type: str, body: bytes) -> dict[str, str]:
    """Fields of a ``multipart/form-data`` body (last value wins; files read as text)."""
    m = re.search(r"boundary=\"?([^\";]+)\"?", content_type)
    if not m:
        return {}
    out = {}
    for part in body.split(b"--" + m.group(1).encode()):
        head, _, value = part.partition(b"\r\n\r\n")
        nm = re.search(rb'name="([^"]+)"', head)
        if nm:
            out[nm.group(1).decode()] = value.rstrip(b"\r\n").decode("utf-8", errors="replace")
    return out


class BaseHandler(BaseHTTPRequestHandler):
    """Request handler plumbing: body, parameters, JSON answers, dropping the connection."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "wlkit-sandbox/0.1"
    timeout = SOCKET_TIMEOUT_S  # a silent client loses its connection instead of a thread
    body_bytes: bytes | None = None

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _body(self) -> bytes:
        if self.body_bytes is not None:  # already read (and checked) by sandbox.http_guard
            return self.body_bytes
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, payload: Any, status: int = 200, headers: dict[str, str] | None = None
              ) -> None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8", headers)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _params(self) -> dict[str, str]:
        split = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        if self.command == "POST":
            body = self._body()
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/x-www-form-urlencoded" or (not ctype and body):
                text = body.decode("utf-8", errors="replace")
                params.update({k: v[-1] for k, v in
                               parse_qs(text, keep_blank_values=True).items()})
            elif ctype == "multipart/form-data" and body:
                params.update(parse_multipart(self.headers.get("Content-Type", ""), body))
        return params
