"""File fingerprints: what a stage's cache keys and no-op checks are computed from.

A fingerprint is a content hash (BLAKE2b over 1 MiB blocks), so it does not change when a file
is only touched or copied, and does change whenever a byte does. Hashing runs at disk speed
(about a second per GB), far below the cost of any stage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

BLOCK = 1 << 20


def file_fingerprint(path: str | Path) -> str:
    """Content hash of one file (``missing`` when it does not exist)."""
    path = Path(path)
    if not path.is_file():
        return "missing"
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def inputs_fingerprint(paths: Iterable[str | Path], *extra: str) -> str:
    """One hash over several files' fingerprints and extra tokens (e.g. a target's data version)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in paths:
        digest.update(f"{Path(path).name}={file_fingerprint(path)};".encode())
    for token in extra:
        digest.update(f"{token};".encode())
    return digest.hexdigest()
