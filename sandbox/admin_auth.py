"""The admin secret of a data directory, and the checks every ``/admin/*`` request passes.

The services process creates ``admin.secret`` (mode 0600) in its data directory at its first
start and keeps it across restarts. Admin requests must send it in the
:data:`SECRET_HEADER` header; requests with a body must declare a non-"simple" Content-Type
(not ``text/plain``, form-encoded or multipart), so no web page can post to an admin endpoint
without a CORS preflight, which the services never grant.
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
from pathlib import Path

SECRET_FILE = "admin.secret"
SECRET_HEADER = "X-Wlkit-Admin-Secret"
SIMPLE_BODY_TYPES = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")


def private_data_dir(data_dir: str | Path) -> None:
    """Make the data directory private: files the process creates get mode 0600 (umask 077),
    the directory 0700, and database files already there 0600."""
    os.umask(0o077)
    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    for child in path.iterdir():
        if child.is_file():
            child.chmod(0o600)
        elif child.is_dir():
            child.chmod(0o700)
            for sub in child.iterdir():
                if sub.is_file():
                    sub.chmod(0o600)


def ensure_secret(data_dir: str | Path) -> str:
    """The data directory's admin secret, created (mode 0600) when missing."""
    path = Path(data_dir) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) != 0o600:
            path.chmod(0o600)
    else:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="ascii").strip()


def read_secret(data_dir: str | Path) -> str | None:
    """The admin secret of ``data_dir``, or None when the services never started there."""
    path = Path(data_dir) / SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def admin_headers(data_dir: str | Path) -> dict[str, str]:
    """Headers an admin request to the services of ``data_dir`` needs (empty without secret)."""
    secret = read_secret(data_dir)
    return {SECRET_HEADER: secret} if secret else {}


def admin_refusal(secret: str, sent: str | None, method: str, content_type: str | None,
                  has_body: bool) -> tuple[int, str] | None:
    """(HTTP status, reason) when an admin request must be refused, else None.

    Args:
        secret: The data directory's admin secret.
        sent: The value of the :data:`SECRET_HEADER` header, if any.
        method: The HTTP method.
        content_type: The request's Content-Type header, if any.
        has_body: Whether the request carries a body.
    """
    if not sent or not hmac.compare_digest(sent.encode("utf-8", "replace"),
                                           secret.encode("ascii")):
        return 403, (f"admin endpoints need the {SECRET_HEADER} header with the secret in "
                     f"the data directory's {SECRET_FILE} (see 'wlkit services status')")
    ctype = (content_type or "").split(";")[0].strip().lower()
    if method == "POST" and (has_body or ctype) and (not ctype or ctype in SIMPLE_BODY_TYPES):
        return 415, (f"admin requests should declare a Content-Type such as application/json "
                     f"or text/turtle, got {ctype or 'none'!r}")
    return None
