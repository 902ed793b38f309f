"""Percent-encoding for URLs and form bodies, shared by the SPARQL client and the list links.

:func:`percent_encode` is ``urllib.parse.quote(text, safe="")`` with ``~`` encoded too (``~~~``
in a link pasted into wikitext would be a signature), done as one ``str.translate`` over the
UTF-8 bytes: a national list builds 10⁶ upload links, a lookup stage sends thousands of queries.
"""

from __future__ import annotations

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._")
_PERCENT = {i: chr(i) if i in _UNRESERVED else f"%{i:02X}" for i in range(256)}


def percent_encode(text: str) -> str:
    """Every byte of ``text``'s UTF-8 but ``A-Z a-z 0-9 - . _`` as ``%XX``.

    >>> percent_encode("Kyrka 1/2 ~ å")
    'Kyrka%201%2F2%20%7E%20%C3%A5'
    """
    return text.encode("utf-8").decode("latin-1").translate(_PERCENT)
