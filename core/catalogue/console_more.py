"""Catalogue entries: the console's care additions: visit plans, festivals, hardship."""

MESSAGES: dict[str, tuple[str, str]] = {}
