"""Logging set-up shared by the CLI and flows: a filter that redacts secrets.

Library code only uses ``logging.getLogger(__name__)``; secrets are never formatted into a
message on purpose, and :class:`RedactSecrets` backs that up (like Prefect's
``ObfuscateApiKeyFilter``): any secret value from the environment is replaced by ``***``.
"""

from __future__ import annotations

import logging

from core.settings import secret_values

REDACTED = "***"
PROJECT_LOGGERS = ("modeling", "sparql", "reports", "sandbox", "pipelines")


class RedactSecrets(logging.Filter):
    """Replace every secret value found in a record's message and arguments with ``***``."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self._secrets = [s for s in (secrets if secrets is not None else secret_values()) if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if any(s in message for s in self._secrets):
            for s in self._secrets:
                message = message.replace(s, REDACTED)
            record.msg, record.args = message, None
        return True


def install_redaction(secrets: list[str] | None = None) -> RedactSecrets:
    """Attach one :class:`RedactSecrets` filter to the project's loggers and the root handlers."""
    flt = RedactSecrets(secrets)
    for name in PROJECT_LOGGERS:
        logging.getLogger(name).addFilter(flt)
    for handler in logging.getLogger().handlers:
        handler.addFilter(flt)
    return flt


class QuietUserErrors(logging.Filter):
    """Drop orchestration log records that carry a :class:`~core.errors.WlkitError`.

    The CLI prints such an error itself, as one line; Prefect would otherwise log the same error
    with a full traceback from the task run and again from the flow run.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from core.errors import WlkitError

        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, WlkitError)


#: Loggers Prefect reports task and flow run failures on.
RUN_LOGGERS = ("prefect.task_runs", "prefect.flow_runs", "prefect.flow_engine", "prefect.task_engine")


def quiet_user_errors() -> QuietUserErrors:
    """Attach :class:`QuietUserErrors` to Prefect's run loggers (used by the CLI only)."""
    flt = QuietUserErrors()
    for name in RUN_LOGGERS:
        logging.getLogger(name).addFilter(flt)
    return flt
