"""API errors the sandbox answers with (Wikibase / MediaWiki ``error`` envelopes, formatversion 1)."""

from __future__ import annotations

import html
import re
from typing import Any


class ApiFailure(Exception):
    """An Action API error: ``code``, ``info``, optional Wikibase ``messages`` and extra fields."""

    def __init__(
        self,
        code: str,
        info: str,
        messages: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {info}")
        self.code, self.info = code, info
        self.messages = messages
        self.extra = extra or {}
        self.headers = headers or {}

    def envelope(self, api_url: str = "/w/api.php") -> dict[str, Any]:
        """The JSON body: ``{"error": {...}, "servedby": "local"}``."""
        err: dict[str, Any] = {"code": self.code, "info": self.info}
        if self.messages is not None:
            err["messages"] = self.messages
        err.update(self.extra)
        err["*"] = f"See {api_url} for API usage."
        return {"error": err, "servedby": "local"}


def _link_html(text: str) -> str:
    return html.escape(re.sub(r"\[\[([^|\]]+)\|([^\]]+)\]\]", r"\2", text))


def message(name: str, parameters: list[Any], text: str) -> dict[str, Any]:
    """A Wikibase-style message entry (``name``, ``parameters``, ``html``)."""
    return {"name": name, "parameters": parameters, "html": {"*": _link_html(text)}}


def modification_failed(name: str, parameters: list[Any], info: str) -> ApiFailure:
    """``modification-failed`` with one message (what WBI turns into ``ModificationFailed``)."""
    return ApiFailure("modification-failed", info, [message(name, parameters, info)])


def failed_save(name: str, parameters: list[Any], info: str) -> ApiFailure:
    """``failed-save`` with ``wikibase-api-failed-save`` plus one detail message."""
    return ApiFailure(
        "failed-save",
        info,
        [
            message("wikibase-api-failed-save", [], "The save has failed."),
            message(name, parameters, info),
        ],
    )


def edit_conflict() -> ApiFailure:
    """The edit conflict error as Wikidata answers it (``failed-save`` + ``edit-conflict``)."""
    return failed_save("edit-conflict", [], "Edit conflict.")
