"""Catalogue entries: the console's counter (店主) pages."""

MESSAGES: dict[str, tuple[str, str]] = {}
