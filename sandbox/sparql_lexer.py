"""A small SPARQL lexer: enough to find ``SERVICE`` clauses, groups and nesting depth safely.

The endpoint never hands a query to the store before this lexer has read it: it is linear and
iterative (no recursion), so a query nesting 5,000 groups is refused here with a clear error
instead of overflowing the stack of the recursive parser behind it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from core.errors import QueryError

#: Deepest nesting of ``{ }``, ``( )`` and ``[ ]`` accepted before evaluation.
MAX_NESTING = 64

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<num>\d*\.\d+(?:[eE][+-]?\d+)?|\d+\.?\d*[eE][+-]?\d+|\d+)
    |(?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
    |(?P<word>(?:[A-Za-z_\u00c0-\uffff][\w\-.\u00b7\u00c0-\uffff]*)?:(?:[\w\-.%:\u00b7\u00c0-\uffff]*[\w\-%:\u00b7\u00c0-\uffff])?
              |[A-Za-z_\u00c0-\uffff][\w\-\u00b7\u00c0-\uffff]*)
    |(?P<open>[{(\[])
    |(?P<close>[})\]])
    |(?P<other>\^\^|&&|\|\||[<>!=]=?|.)""",
    re.VERBOSE | re.DOTALL,
)
_PAIRS = {"{": "}", "(": ")", "[": "]"}


class QueryRefused(QueryError):
    """A query the endpoint will not evaluate (HTTP 400); the message says why."""


class QueryTimeout(QueryError):
    """The query ran past the endpoint's time limit (HTTP 500, as WDQS answers)."""


class Token(NamedTuple):
    """One lexical token: its kind, text and span in the query (a tuple: a query of 1,000
    ``VALUES`` is 30,000 tokens, read on every request)."""

    kind: str
    text: str
    start: int
    end: int


def tokenize(query: str) -> list[Token]:
    """Tokens of ``query`` without whitespace and comments.

    The pattern matches at every position (its last branch takes any character), so its
    matches cover the query end to end.

    Raises:
        QueryRefused: an unterminated string or IRI.
    """
    out: list[Token] = []
    for m in _TOKEN.finditer(query):
        kind = m.lastgroup
        if kind == "ws" or kind == "comment":
            continue
        text = m.group()
        if kind == "other" and text in "\"'":
            raise QueryRefused(f"unterminated string at character {m.start()}")
        out.append(Token(kind or "other", text, m.start(), m.end()))
    return out


def match_brackets(tokens: list[Token], max_nesting: int = MAX_NESTING) -> dict[int, int]:
    """Index of each opening bracket token → index of its closing token.

    Raises:
        QueryRefused: unbalanced brackets, or nesting deeper than ``max_nesting``.
    """
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.kind == "open":
            stack.append(i)
            if len(stack) > max_nesting:
                raise QueryRefused(
                    f"the query nests brackets more than {max_nesting} deep (at character "
                    f"{tok.start}); flatten it")
        elif tok.kind == "close":
            if not stack or _PAIRS[tokens[stack[-1]].text] != tok.text:
                raise QueryRefused(f"unbalanced {tok.text!r} at character {tok.start}")
            pairs[stack.pop()] = i
    if stack:
        tok = tokens[stack[-1]]
        raise QueryRefused(f"{tok.text!r} at character {tok.start} is never closed")
    return pairs


def declared_prefixes(tokens: list[Token]) -> dict[str, str]:
    """``PREFIX p: <iri>`` declarations of the query (prefix → IRI)."""
    out: dict[str, str] = {}
    for i, tok in enumerate(tokens[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and tokens[i + 2].kind == "iri":
            out[tokens[i + 1].text.rstrip(":")] = tokens[i + 2].text[1:-1]
    return out


def expand(term: str, prefixes: dict[str, str]) -> str | None:
    """Full IRI of a prefixed name or ``<iri>`` (None for anything else)."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    prefix, sep, local = term.partition(":")
    if sep and prefix in prefixes:
        return prefixes[prefix] + local
    return None
