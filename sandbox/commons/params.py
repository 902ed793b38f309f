"""Parameter helpers shared by the local Commons' query modules (MediaWiki conventions)."""

from __future__ import annotations

from sandbox.commons.store import NS_CATEGORY, NS_FILE
from sandbox.wikibase_errors import ApiFailure

MAX_LIMIT = 500
NAMESPACES = {"File": NS_FILE, "Category": NS_CATEGORY, "Template": 10, "User": 2}
DEFAULT_CONTINUE = "-||"


def split(value: str | None) -> list[str]:
    """A MediaWiki multi-value parameter (``a|b|c``)."""
    return [v for v in (value or "").split("|") if v != ""]


def limit_of(params: dict[str, str], name: str, default: int = 10) -> int:
    """``xxlimit`` as an int (``max`` = 500), checked like MediaWiki does."""
    raw = params.get(name, str(default))
    if raw == "max":
        return MAX_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise ApiFailure("badinteger", f"Invalid value \"{raw}\" for integer parameter "
                                       f"\"{name}\".") from None
    return max(1, min(value, MAX_LIMIT))


def normalise_title(title: str) -> str:
    """``file:a_b.jpg`` → ``File:A b.jpg`` (namespace and first letter capitalised)."""
    title = title.replace("_", " ").strip()
    ns, sep, rest = title.partition(":")
    if sep and ns.capitalize() in NAMESPACES:
        return f"{ns.capitalize()}:{rest[:1].upper()}{rest[1:]}"
    return title[:1].upper() + title[1:]


def ns_of(title: str) -> int:
    """Namespace number of a title."""
    ns, sep, _ = title.partition(":")
    return NAMESPACES.get(ns, 0) if sep else 0
