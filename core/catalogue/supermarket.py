"""Catalogue entries: supermarket."""

MESSAGES: dict[str, tuple[str, str]] = {}
