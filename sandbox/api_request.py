"""One Action API call as the action modules see it: parameters, session, answer headers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.state import ServerState, Session
from sandbox.wikibase_errors import ApiFailure

#: Session cookie name (MediaWiki names it ``<wikiid>_session``; clients look for ``session=``).
SESSION_COOKIE = "wlkitsandbox_session"


@dataclass
class ApiRequest:
    """Parameters and context of one ``api.php`` call.

    Attributes:
        state: The process state (repository, sessions, faults).
        params: Request parameters (query string and POST body merged; last value wins).
        sid: Session id from the cookie, if any.
        sess: The live session for ``sid``, if any.
        host: The ``Host`` header (for URLs in answers).
        client_ip: The peer address.
        method: ``GET``, ``POST`` or ``HEAD``.
        headers: Extra response headers the action wants sent (e.g. ``Set-Cookie``).
    """

    state: ServerState
    params: dict[str, str]
    sid: str | None = None
    sess: Session | None = None
    host: str = "127.0.0.1"
    client_ip: str = "127.0.0.1"
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def user(self) -> dict[str, Any] | None:
        """The logged-in user record, or None for anonymous calls."""
        return self.sess.user if self.sess else None

    def start_session(self) -> Session:
        """A new session bound to this client through ``Set-Cookie``."""
        sid, sess = self.state.new_session()
        self._bind(sid, sess)
        return sess

    def rotate_session(self) -> None:
        """Give the current session a fresh id (at login), sent through ``Set-Cookie``."""
        assert self.sess is not None
        self._bind(self.state.rotate_session(self.sid, self.sess), self.sess)

    def _bind(self, sid: str, sess: Session) -> None:
        self.sid, self.sess = sid, sess
        self.headers["Set-Cookie"] = f"{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"

    def warn(self, module: str, text: str) -> None:
        """Add an API warning of ``module`` to the answer."""
        self.warnings.setdefault(module, []).append(text)

    def flag(self, name: str) -> bool:
        """MediaWiki boolean parameter: presence means true."""
        return name in self.params

    def multi(self, name: str) -> list[str]:
        """A ``|``-separated multi-value parameter as a list (empty items dropped)."""
        return split_values(self.params.get(name))

    def integer(self, name: str, default: int | None = None, low: int | None = None,
                high: int | None = None) -> int | None:
        """An integer parameter (``badinteger`` when not one), clamped to ``[low, high]``;
        ``limit=max`` gives ``high``."""
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        if raw == "max" and high is not None:
            return high
        if not re.fullmatch(r"[+-]?\d{1,18}", raw.strip()):
            raise ApiFailure("badinteger", f"Invalid value \"{raw}\" for integer parameter "
                                           f"\"{name}\".")
        value = int(raw)
        if low is not None:
            value = max(value, low)
        return min(value, high) if high is not None else value

    def json(self, name: str) -> Any:
        """A JSON parameter, or ``invalid-json`` (syntax, nesting too deep, lone surrogates)."""
        return parse_json(self.require(name), name)

    def require(self, name: str) -> str:
        """A mandatory parameter, or ``missingparam``."""
        value = self.params.get(name)
        if value is None:
            raise ApiFailure("missingparam", f"The \"{name}\" parameter must be set.")
        return value


def split_values(value: str | None) -> list[str]:
    """``a|b||c`` → ``["a", "b", "c"]``."""
    return [v for v in (value or "").split("|") if v != ""]


def parse_json(raw: str, name: str = "data") -> Any:
    """Decode JSON text as Wikibase does, refusing what PHP's ``json_decode`` refuses.

    Raises:
        ApiFailure: ``invalid-json`` naming the parameter.
    """
    try:
        value = json.loads(raw)
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ApiFailure("invalid-json", f"Could not parse {name}: maximum nesting depth "
                                         f"exceeded.") from None
    except UnicodeEncodeError:
        raise ApiFailure("invalid-json", f"Could not parse {name}: single unpaired UTF-16 "
                                         f"surrogate in unicode escape.") from None
    except ValueError as exc:
        raise ApiFailure("invalid-json", f"Could not parse {name}: {exc}") from None
    return value
