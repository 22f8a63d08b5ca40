"""Messages: the reminder sweeps (visits due and overdue, pledges due, arrears, weekly summary)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {}
