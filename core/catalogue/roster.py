"""Catalogue entries: roster."""

MESSAGES: dict[str, tuple[str, str]] = {}
