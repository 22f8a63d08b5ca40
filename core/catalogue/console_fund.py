"""Catalogue entries: the console's 孝善基金 pages: payouts, reversals, pledges, supporters, honour roll, matching rule."""

MESSAGES: dict[str, tuple[str, str]] = {}
