"""Catalogue entries: the console's fund and broadcast pages."""

MESSAGES: dict[str, tuple[str, str]] = {}
