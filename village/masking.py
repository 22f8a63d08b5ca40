"""Masks for ID-card and phone numbers: every place that shows one uses these."""

from __future__ import annotations


def mask_id_card(value: str | None) -> str:
    """4101**********1234: region and the last four stay, the birth date goes."""
    if not value:
        return "—"
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678 for a Chinese mobile number (stored as +86…)."""
    if not value:
        return "—"
    digits = value.removeprefix("+86")
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) >= 7:  # a short or broken number: show less of it
        return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]
    return "*" * len(digits)
