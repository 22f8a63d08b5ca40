"""Catalogue entries: cli."""

MESSAGES: dict[str, tuple[str, str]] = {
}
