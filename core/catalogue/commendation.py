"""Catalogue entries: commendation."""

MESSAGES: dict[str, tuple[str, str]] = {}
