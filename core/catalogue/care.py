"""Messages: the visit checklist (两不愁三保障), follow-ups, hardship reports, festival visits."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {}
MESSAGES |= {
    "festival_spring_festival": ("春节", "Spring Festival"),
    "festival_mid_autumn": ("中秋", "Mid-Autumn"),
    "festival_unknown": (
        "没有“{value}”这个节日走访，可选：{choices}",
        "No festival visit called '{value}'; choose from {choices}",
    ),
}
