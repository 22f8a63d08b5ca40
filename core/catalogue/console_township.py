"""Catalogue entries: the console's login audit, township-wide notices and settings."""

MESSAGES: dict[str, tuple[str, str]] = {}
