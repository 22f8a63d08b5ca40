"""The helper cadre's chat: my households, log a visit, what is due this week.

Logging a visit goes household → method → date → the 两不愁三保障 checklist
(each item a button that toggles ✅/⚠️, all ✅ at first, then 确认) → the note,
which is also the note of each problem found.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from bot.telegram.committee import household_in_village
from bot.telegram.turn import Button, Reply, Turn, rows
from care import visits
from care.checklist import CHECK_NOTE_LIMIT, item_name
from care.models import ChecklistItem
from core.catalogue import text
from core.clock import to_local
from core.errors import DomainError
from village.models import StaffMember

MAX_BUTTONS = 12
METHODS = ("in_person", "phone")
CONFIRM = "ok"  # the checklist's 确认 button (no item is called that)
NO_NOTE = ("无", "没有", "-")


def _helper(turn: Turn) -> StaffMember:
    staff = turn.who.staff
    assert staff is not None
    return staff


def _today(turn: Turn) -> date:
    return to_local(turn.now).date()


def _status_line(status: visits.VisitStatus, today: date) -> str:
    last = status.last_visit.visited_on.isoformat() if status.last_visit else text("bot_never")
    days = (status.due_on - today).days
    when = (
        text("bot_visit_overdue", days=-days)
        if days < 0
        else text("bot_visit_due_today")
        if days == 0
        else text("bot_visit_due_in", days=days)
    )
    return text(
        "bot_visit_line",
        number=status.household.number,
        name=status.household.head_name,
        last=last,
        due=status.due_on.isoformat(),
        when=when,
    )


def _visit_date(body: str, today: date) -> date:
    cleaned = unicodedata.normalize("NFKC", body).strip().replace("/", "-").replace(".", "-")
    words = {"今天": 0, "今日": 0, "昨天": 1, "前天": 2}
    if cleaned in words:
        return today - timedelta(days=words[cleaned])
    try:
        parts = [int(p) for p in cleaned.split("-")]
        if len(parts) == 2:
            return date(today.year, parts[0], parts[1])
        if len(parts) == 3:
            return date(parts[0], parts[1], parts[2])
    except ValueError:
        pass
    raise DomainError("bot_date_invalid", text=body[:20])


def _problems(turn: Turn) -> list[str]:
    return [str(p) for p in turn.gathered.get("problems", [])]


def _checklist(problems: list[str]) -> Reply:
    buttons: list[Button] = [
        (
            text(
                "care_bot_check_button",
                mark="⚠️" if item.value in problems else "✅",
                item=item_name(item.value),
            ),
            f"vs:c:{item.value}",
        )
        for item in ChecklistItem
    ]
    buttons.append((text("care_bot_confirm"), f"vs:c:{CONFIRM}"))
    return Reply(text("care_bot_checklist"), rows(buttons))


def _names(problems: list[str]) -> str:
    return "、".join(item_name(item.value) for item in ChecklistItem if item.value in problems)


def _checks(problems: list[str], note: str) -> dict[ChecklistItem, tuple[bool, str]]:
    """All five items; each problem carries the visit's note (as much as a check holds)."""
    return {
        item: (False, note[:CHECK_NOTE_LIMIT]) if item.value in problems else (True, "")
        for item in ChecklistItem
    }


class Helper:
    MENU = ("menu_my_households", "menu_log_visit", "menu_due_week", "menu_help")

    async def on_text(self, turn: Turn, body: str) -> list[Reply]:
        body = body.strip()
        starts = {
            text("menu_my_households"): self.mine,
            text("menu_log_visit"): self.start_visit,
            text("menu_due_week"): self.due,
        }
        if body in starts:
            await turn.done()
            return await starts[body](turn)
        if turn.at("visit", "date"):
            day = _visit_date(body, _today(turn))
            return await self.start_checklist(turn, day)
        if turn.at("visit", "checklist"):
            return [_checklist(_problems(turn))]
        if turn.at("visit", "note"):
            return await self.log(turn, "" if body in NO_NOTE else body)
        return [
            Reply(text("bot_staff_help", name=turn.who.name, role=text("role_helper")), menu=True)
        ]

    async def on_button(self, turn: Turn, data: str) -> list[Reply]:
        kind, _, ref = data.rpartition(":")
        match kind:
            case "vs:h":
                home = await household_in_village(turn, ref)
                await turn.go("visit", "method", household=home.id)
                buttons = [(visits.method_text(m), f"vs:m:{m}") for m in METHODS]
                return [Reply(text("bot_visit_ask_method", name=home.head_name), rows(buttons, 2))]
            case "vs:m" if turn.at("visit") and ref in METHODS:
                await turn.go("visit", "date", method=ref)
                buttons = [(text("bot_today"), "vs:d:0"), (text("bot_yesterday"), "vs:d:1")]
                return [Reply(text("bot_visit_ask_date"), rows(buttons, 2))]
            case "vs:d" if turn.at("visit", "date") and ref.isdigit():
                return await self.start_checklist(turn, _today(turn) - timedelta(days=int(ref)))
            case "vs:c" if turn.at("visit", "checklist") and ref == CONFIRM:
                return await self.ask_note(turn)
            case "vs:c" if turn.at("visit", "checklist") and ref in set(ChecklistItem):
                problems = _problems(turn)
                problems = (
                    [p for p in problems if p != ref] if ref in problems else [*problems, ref]
                )
                await turn.go("visit", "checklist", problems=problems)
                return [_checklist(problems)]
        raise DomainError("bot_button_stale")

    async def start_checklist(self, turn: Turn, day: date) -> list[Reply]:
        await turn.go("visit", "checklist", day=day.isoformat(), problems=[])
        return [_checklist([])]

    async def ask_note(self, turn: Turn) -> list[Reply]:
        problems = _problems(turn)
        await turn.go("visit", "note")
        if not problems:
            return [Reply(text("bot_visit_ask_note"))]
        return [Reply(text("care_bot_ask_problem_note", problems=_names(problems)))]

    async def mine(self, turn: Turn) -> list[Reply]:
        today = _today(turn)
        found = await visits.my_households(turn.session, _helper(turn), today)
        if not found:
            return [Reply(text("bot_no_households"))]
        lines = [_status_line(s, today) for s in found]
        return [Reply(text("bot_my_households", count=len(found)) + "\n" + "\n".join(lines))]

    async def due(self, turn: Turn) -> list[Reply]:
        today = _today(turn)
        found = await visits.due_this_week(turn.session, _helper(turn), today)
        if not found:
            return [Reply(text("bot_nothing_due"))]
        lines = [_status_line(s, today) for s in found]
        return [Reply(text("bot_due_week", count=len(found)) + "\n" + "\n".join(lines))]

    async def start_visit(self, turn: Turn) -> list[Reply]:
        found = await visits.my_households(turn.session, _helper(turn), _today(turn))
        if not found:
            return [Reply(text("bot_no_households"))]
        buttons: list[Button] = [
            (
                text("bot_household_button", number=s.household.number, name=s.household.head_name),
                f"vs:h:{s.household.id}",
            )
            for s in found[:MAX_BUTTONS]
        ]
        await turn.go("visit", "household")
        return [Reply(text("bot_visit_pick"), rows(buttons))]

    async def log(self, turn: Turn, note: str) -> list[Reply]:
        gathered = turn.gathered
        home = await household_in_village(turn, str(gathered["household"]))
        problems = _problems(turn)
        checks = _checks(problems, note.strip())
        visit = await visits.log_visit(
            turn.session,
            _helper(turn),
            home,
            date.fromisoformat(str(gathered["day"])),
            str(gathered["method"]),
            note,
            turn.now,
            checks=checks,
        )
        await turn.done()
        logged = text(
            "bot_visit_logged",
            name=home.head_name,
            day=visit.visited_on.isoformat(),
            method=visits.method_text(visit.method),
        )
        if problems:
            logged += "\n" + text(
                "care_bot_visit_problems", count=len(problems), problems=_names(problems)
            )
        return [Reply(logged)]
