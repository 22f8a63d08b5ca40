"""The 两不愁三保障 checklist of a home visit: item names, and the compact typed form.

A helper at a door, or texting from a basic phone, names only what is wrong:
``住房安全:屋顶漏雨`` or just ``饮水``; every item not named was fine. Items go by
their Chinese names (吃穿, 义务教育, 基本医疗, 住房安全, 饮水安全), the short
forms people say (吃, 教育, 医疗, 住房, 饮水) or the stored value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from care.models import ChecklistItem
from core.catalogue import text
from core.errors import DomainError

#: item → (fine?, note): one visit's answers.
Checks = Mapping[ChecklistItem, tuple[bool, str]]

CHECK_NOTE_LIMIT = 200  # VisitCheck.note

SHORT_NAMES: dict[ChecklistItem, tuple[str, ...]] = {
    ChecklistItem.FOOD_CLOTHING: ("吃", "穿", "吃穿不愁"),
    ChecklistItem.EDUCATION: ("教育", "上学", "义务教育有保障"),
    ChecklistItem.MEDICAL: ("医疗", "看病", "基本医疗有保障"),
    ChecklistItem.HOUSING: ("住房", "住房安全有保障"),
    ChecklistItem.WATER: ("饮水", "喝水", "饮水安全有保障"),
}
_SEPARATOR = re.compile(r"[:：]")
_LIST_SEPARATOR = re.compile(r"[;；\n]")


def item_name(item: str) -> str:
    """吃穿, 义务教育 … (an unknown stored value is shown as it is)."""
    return text(f"care_item_{item}") if item in set(ChecklistItem) else item


def _key(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).lower()


def _names() -> dict[str, ChecklistItem]:
    names: dict[str, ChecklistItem] = {}
    for item in ChecklistItem:
        for name in (item.value, item_name(item.value), *SHORT_NAMES[item]):
            names[_key(name)] = item
    return names


def parse_item(value: str) -> ChecklistItem:
    """One item by any of its names."""
    found = _names().get(_key(value))
    if found is None:
        choices = "、".join(item_name(i.value) for i in ChecklistItem)
        raise DomainError("care_item_unknown", value=value.strip(), choices=choices)
    return found


def parse_problem(value: str) -> tuple[ChecklistItem, str]:
    """``住房安全:屋顶漏雨`` → (housing, 屋顶漏雨); ``饮水`` → (water, "")."""
    parts = _SEPARATOR.split(value.strip(), maxsplit=1)
    note = parts[1].strip() if len(parts) > 1 else ""
    if len(note) > CHECK_NOTE_LIMIT:
        raise DomainError("care_check_note_too_long", limit=CHECK_NOTE_LIMIT, length=len(note))
    return parse_item(parts[0]), note


def checks_from_problems(problems: Iterable[str]) -> dict[ChecklistItem, tuple[bool, str]]:
    """All five items: a problem where named (with its note), fine elsewhere.

    Naming one item twice keeps both notes.
    """
    checks: dict[ChecklistItem, tuple[bool, str]] = {item: (True, "") for item in ChecklistItem}
    for problem in problems:
        if not problem.strip():
            continue
        item, note = parse_problem(problem)
        earlier = checks[item][1]  # "" while the item is still fine
        joined = "；".join(n for n in (earlier, note) if n)
        checks[item] = (False, joined[:CHECK_NOTE_LIMIT])
    return checks


def parse_problem_text(body: str) -> dict[ChecklistItem, tuple[bool, str]]:
    """The form typed in one message: ``住房:屋顶漏雨；饮水`` (problems split by ；or a new line)."""
    return checks_from_problems(_LIST_SEPARATOR.split(body))


def all_fine() -> dict[ChecklistItem, tuple[bool, str]]:
    return checks_from_problems(())


def problems_of(checks: Checks) -> list[ChecklistItem]:
    """The items found wrong, in checklist order."""
    return [item for item in ChecklistItem if item in checks and not checks[item][0]]


def problems_text(checks: Checks) -> str:
    """住房安全（屋顶漏雨）、饮水安全 — or 无 when everything was fine."""
    parts = []
    for item in problems_of(checks):
        note = checks[item][1]
        name = item_name(item.value)
        parts.append(text("care_problem_with_note", item=name, note=note) if note else name)
    return "、".join(parts) or text("care_no_problems")
