"""Catalogue entries: ledger."""

MESSAGES: dict[str, tuple[str, str]] = {
}
