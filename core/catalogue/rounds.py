"""Catalogue entries: rounds."""

MESSAGES: dict[str, tuple[str, str]] = {}
