"""Catalogue entries: the console's rating-round pages."""

MESSAGES: dict[str, tuple[str, str]] = {}
