"""The server's own secret, kept in a file beside the database but not in it.

One-time codes have only a million values: a hash of one is worth keeping only
if it cannot be recomputed from a copy of the database alone. So their HMACs
are keyed with this secret, which is generated on first use, written once
(0600, atomically, so two processes starting together agree on one secret) and
never stored in the database. Every process serving the same database must
share the file; losing it voids the codes then pending, nothing else.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from core.errors import DomainError

SECRET_BYTES = 32


def _read(path: Path) -> bytes:
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        secret = b""
    if len(secret) < SECRET_BYTES:
        raise DomainError("secret_file_invalid", path=path, size=SECRET_BYTES)
    return secret


def _create(path: Path) -> None:
    """Write a new secret unless another process got there first (link never overwrites)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: keep its secret
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)


@lru_cache(maxsize=8)
def server_secret(path: Path) -> bytes:
    """The secret in ``path``, created there (mode 0600) when the file does not exist yet."""
    if not path.exists():
        _create(path)
    return _read(path)
