"""Messages: the 孝善基金 (supporters, pledges, contributions, donations, payouts, statements)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {}
