"""Checks every request of the sandbox's ports passes before it is routed.

- the ``Host`` header must name a loopback host (``localhost``, ``127.0.0.0/8``, ``[::1]``), so a
  web page cannot reach the services through DNS rebinding;
- ``Content-Length`` must be a plain number within the port's limit (``abc`` → 400, too large →
  413); ``Transfer-Encoding`` bodies are refused (411);
- the socket has a timeout (:data:`SOCKET_TIMEOUT_S`), so a client that announces more bytes than
  it sends, or never finishes its headers, loses its connection instead of holding a thread.
"""

from __future__ import annotations

import ipaddress
import json
from http.server import BaseHTTPRequestHandler

#: Seconds a connection may stay silent (reading headers or body, or idle between requests).
SOCKET_TIMEOUT_S = 30.0
#: Largest request body of the API and query endpoints.
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Largest request body of ``/admin/*`` (seed files and RDF loads).
MAX_ADMIN_BODY_BYTES = 512 * 1024 * 1024

_LOOPBACK_NAMES = {"localhost", "localhost.", "ip6-localhost"}


def loopback_host(host: str | None) -> bool:
    """Whether a ``Host`` header value names this machine's loopback interface."""
    if not host:
        return False
    host = host.strip().lower()
    if host.startswith("["):
        name = host[1:].split("]", 1)[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refuse(handler: BaseHTTPRequestHandler, status: int, message: str) -> None:
    """Answer a JSON error and close the connection (without CORS headers)."""
    body = json.dumps({"error": {"code": f"http-{status}", "info": message}}).encode("utf-8")
    handler.close_connection = True
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(body)
    except OSError:
        pass


def content_length(handler: BaseHTTPRequestHandler, limit: int) -> int | None:
    """The request's body length, or None after answering the error that forbids it."""
    if handler.headers.get("Transfer-Encoding"):
        refuse(handler, 411, "send the body with a Content-Length, not Transfer-Encoding")
        return None
    raw = handler.headers.get_all("Content-Length") or []
    if len(set(raw)) > 1:
        refuse(handler, 400, "conflicting Content-Length headers")
        return None
    text = (raw[0] if raw else "0").strip()
    if not text.isdigit() or not text.isascii():
        refuse(handler, 400, f"Content-Length should be a number of bytes, got {text!r}")
        return None
    length = int(text)
    if length > limit:
        refuse(handler, 413, f"request body of {length} bytes is over the limit of {limit}")
        return None
    return length


def guard_request(handler: BaseHTTPRequestHandler, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """Check Host and Content-Length and read the body.

    Args:
        handler: The request being handled (its socket already has a timeout).
        limit: Largest accepted body in bytes.

    Returns:
        The body (``b""`` when there is none), or None when the request was answered with an
        error (400 bad Host or Content-Length, 411, 413) or the client went silent.
    """
    if not loopback_host(handler.headers.get("Host")):
        refuse(handler, 400,
               f"Host should name a loopback address (localhost, 127.0.0.1, [::1]), got "
               f"{handler.headers.get('Host')!r}")
        return None
    length = content_length(handler, limit)
    if length is None:
        return None
    try:
        body = handler.rfile.read(length) if length else b""
    except (TimeoutError, OSError):
        handler.close_connection = True
        return None
    if len(body) < length:
        handler.close_connection = True
        return None
    return body
