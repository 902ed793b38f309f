"""The one error hierarchy of wikiloves-kit.

Every error a user can cause or meet derives from :class:`WlkitError`. The CLI catches
``WlkitError``, prints its message on one line and exits with status 2 (no traceback).
Messages follow the "X should be …, got …" shape and name the file, row and field when known.
"""

from __future__ import annotations

from typing import Any


class WlkitError(Exception):
    """Base class of every error wikiloves-kit raises on purpose."""


# --- input files and configuration -------------------------------------------------------


class InputError(WlkitError):
    """A data owner's file cannot be read, or a value in it is unusable.

    Carries the file, and where known the (1-based, header = row 1) row, the field and the value.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        self.file, self.row, self.field, self.value = file, row, field, value
        where = []
        if file:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field {field!r}")
        prefix = ": ".join([", ".join(where)]) if where else ""
        super().__init__(f"{prefix}: {message}" if prefix else message)


class CampaignError(WlkitError):
    """A campaign YAML file is missing, malformed or inconsistent (names the file and key)."""


class LicenceError(WlkitError):
    """The dataset's licence does not allow the requested use (e.g. upload to Wikidata)."""


class ConfigError(WlkitError):
    """A target or setting is missing or invalid (names the WLKIT_* environment variable)."""


class ServiceError(WlkitError):
    """A local service could not be started, stopped or reached."""


# --- reconciliation and queries ------------------------------------------------------------


class ReconcileError(WlkitError):
    """Reconciliation cannot proceed (e.g. a decisions file edited into an invalid state)."""


class QueryError(WlkitError):
    """A SPARQL query failed: syntax, endpoint error, or retries exhausted."""


class NothingListeningError(ServiceError, QueryError):
    """Nothing accepts connections at a target's address: no retry can help (says what to do)."""


# --- upload ----------------------------------------------------------------------------------


class UploadError(WlkitError):
    """A write to a Wikibase failed. ``code`` is the API error code when there is one."""

    def __init__(self, message: str, *, code: str | None = None, info: str | None = None) -> None:
        self.code, self.info = code, info
        super().__init__(message)


class MaxlagError(UploadError):
    """The server is lagged beyond ``maxlag``; retry after the advertised delay."""


class EditConflictError(UploadError):
    """The entity changed since it was read (``editconflict``/``failed-save``); re-read and re-diff."""


class BadTokenError(UploadError):
    """The CSRF token is invalid or the session expired; log in again and fetch a new token."""


class RateLimitedError(UploadError):
    """The account hit a rate limit (``ratelimited``, HTTP 429); wait and retry."""


class ModificationFailedError(UploadError):
    """The server refused the content of an edit (``modification-failed``); not retried."""


class RetryableError(UploadError):
    """A transient failure of one API attempt: wait ``wait`` seconds, then try again.

    ``error`` is the underlying error; ``ambiguous`` is True when the request may have been
    saved anyway (no answer, a 5xx other than 503): a create must then be looked up, not resent.
    """

    def __init__(self, error: UploadError, wait: float, *, ambiguous: bool) -> None:
        super().__init__(str(error), code=error.code, info=error.info)
        self.error, self.wait, self.ambiguous = error, wait, ambiguous


#: Wikibase / MediaWiki API error code → exception class (one table, used by the uploader).
API_ERROR_CLASSES: dict[str, type[UploadError]] = {
    "maxlag": MaxlagError,
    "editconflict": EditConflictError,
    "edit-conflict": EditConflictError,
    "badtoken": BadTokenError,
    "notloggedin": BadTokenError,
    "assertuserfailed": BadTokenError,
    "assertbotfailed": BadTokenError,
    "ratelimited": RateLimitedError,
    "actionthrottledtext": RateLimitedError,
    "request-limit-reached": RateLimitedError,
    "modification-failed": ModificationFailedError,
}


def api_error(code: str | None, info: str | None) -> UploadError:
    """Build the exception for an API error code (``UploadError`` for unknown codes)."""
    cls = API_ERROR_CLASSES.get(code or "", UploadError)
    return cls(f"{code}: {info}" if info else str(code), code=code, info=info)
