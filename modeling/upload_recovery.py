"""Evidence for creates whose outcome is unknown: the account's own contributions, by token.

Every create carries a token (``[wlkit-<batch>-<seq>]``) in its edit summary, written to the ledger
before the request (:meth:`modeling.ledger.Ledger.pending`). After a crash, a timeout or a
refused create, the uploader asks the wiki for the account's own edits since the earliest such
ledger row (``list=usercontribs``: database-backed, current the moment an edit is saved) and
maps the tokens it finds to the items they created. Identifier search and SPARQL come only
after that: both lag behind edits (seconds to minutes on Wikidata), so a miss there right after
a write proves nothing.

A write may still be committed by the server after its client gave up or died (MediaWiki keeps
running a request whose client went away). A token not found yet is therefore only proof of
absence once ``commit_grace`` seconds have passed since the request was sent; younger rows are
set aside and checked again at the end of the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from modeling.ledger import LedgerRow

#: A token as it appears in an edit summary.
TOKEN_RE = re.compile(r"\[(wlkit-[0-9A-Za-z]+-[0-9]+)\]")
#: Contributions are read from this long before the earliest unresolved row (clock skew between
#: this machine and the wiki).
CLOCK_SKEW = timedelta(minutes=5)
#: Default time a request may still be committed after its client gave up or died (s):
#: above MediaWiki's limit for a POST request on Wikimedia wikis.
DEFAULT_COMMIT_GRACE = 210.0
#: Rows older than this are resolved by the identifier search alone: by then search and SPARQL
#: have long caught up, and the contributions since then could be very many.
SEARCH_TRUSTED_AFTER = timedelta(days=1)


class OwnEditsSource(Protocol):
    """What recovery needs from the Wikibase client (:class:`clients.wikibase.WikibaseClient`)."""

    def own_edits_since(self, since: str, *, source: str = ...) -> list[Any]:
        """Edits of the logged-in account since ``since``."""


def summary_token(token: str) -> str:
    """The token as written into an edit summary."""
    return f"[{token}]"


def parse_at(at: str) -> datetime:
    """A ledger timestamp (ISO 8601) as an aware UTC datetime."""
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def wiki_timestamp(moment: datetime) -> str:
    """``2026-10-01T12:00:00Z`` (MediaWiki's timestamp form)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Evidence:
    """Token → item, read from the account's own contributions.

    Args:
        client: Gives :meth:`own_edits_since`.
        commit_grace: Seconds after which an unanswered request can no longer be committed.
        now: Clock (injectable).
    """

    def __init__(self, client: OwnEditsSource, commit_grace: float = DEFAULT_COMMIT_GRACE,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.client, self.commit_grace, self.now = client, commit_grace, now
        self.created: dict[str, str] = {}

    def refresh(self, rows: Iterable[LedgerRow]) -> int:
        """Read the contributions since the earliest tokened row; returns how many edits were read."""
        oldest = self.now() - SEARCH_TRUSTED_AFTER
        times = [t for r in rows if r.token and (t := parse_at(r.at)) >= oldest]
        if not times:
            return 0
        edits = self.client.own_edits_since(wiki_timestamp(min(times) - CLOCK_SKEW))
        for edit in edits:
            for token in TOKEN_RE.findall(edit.comment or ""):
                if edit.new:
                    self.created.setdefault(token, edit.title.split(":")[-1])
        return len(edits)

    def item_of(self, row: LedgerRow) -> str | None:
        """The item this row's create made, when the contributions show it."""
        return self.created.get(row.token) if row.token else None

    def too_young(self, row: LedgerRow) -> bool:
        """Whether the row's request may still be committed (absence is not yet evidence)."""
        return bool(row.token) and self.now() < parse_at(row.at) + timedelta(seconds=self.commit_grace)

    def wait_needed(self, rows: Iterable[LedgerRow]) -> float:
        """Seconds until none of ``rows`` is too young any more."""
        ends = [parse_at(r.at) + timedelta(seconds=self.commit_grace) for r in rows if r.token]
        if not ends:
            return 0.0
        return max(0.0, (max(ends) - self.now()).total_seconds())
