"""Catalogue entries: service."""

MESSAGES: dict[str, tuple[str, str]] = {}
