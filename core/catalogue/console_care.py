"""Catalogue entries: the console's roster import, visit and follow-up pages."""

MESSAGES: dict[str, tuple[str, str]] = {}
