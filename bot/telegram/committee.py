"""The committee's chat: find households, award stars, the round, notices, codes, care.

Care is 帮扶分配 (a household → one of the village's helpers) and 待办事项
(the open follow-ups, each closed with what was done).

Each step is saved in the chat's state, so a member interrupted halfway (or a
restart) picks up at the same step. Access is checked again by every domain
function called here, whatever the menus show.
"""

from __future__ import annotations

from typing import Any

from bot.telegram.turn import Button, Reply, Turn, rows
from care import follow_ups, visits
from care.models import FollowUp
from core.catalogue import text
from core.clock import local_text
from core.errors import Conflict, DomainError, NotFound
from core.models import Role
from notifications.models import NoticeOccurrence
from outreach import notices
from outreach.audience import Audience
from points import rounds
from points.categories import list_categories
from points.models import RatingRound, RoundStatus
from usecases import round_steps
from usecases.round_steps import Step
from village.access import require_role
from village.binding import deep_link, issue_code
from village.models import Household, StaffMember, Village
from village.search import search_households

AUDIENCES: dict[str, dict[str, Any]] = {
    "all": {},
    "elder": {"with_elder": True},
    "school": {"with_school_age_child": True},
    "chronic": {"with_chronic_illness": True},
}
MAX_HELPERS = 24  # helper buttons under one message
MAX_FOLLOW_UPS = 10  # follow-ups listed at once


def _actor(turn: Turn) -> tuple[StaffMember, Village]:
    staff = turn.who.staff
    assert staff is not None
    require_role(staff, turn.who.village, Role.COMMITTEE)
    return staff, turn.who.village


async def household_in_village(turn: Turn, ref: str) -> Household:
    """A household picked by button: only ever one of the member's own village."""
    home = await turn.session.get(Household, int(ref)) if ref.isdigit() else None
    if home is None or home.village_id != turn.who.village.id:
        raise NotFound("household_not_found", ref=ref)
    return home


async def pick_household(turn: Turn, query: str, action: str) -> list[Reply]:
    """Search results as buttons whose data is ``<action>:<household id>``."""
    found = await search_households(turn.session, turn.who.village, query)
    if not found:
        return [Reply(text("bot_search_none", query=query))]
    buttons: list[Button] = [
        (text("bot_household_button", number=h.number, name=h.head_name), f"{action}:{h.id}")
        for h in found
    ]
    return [Reply(text("bot_search_pick", count=len(found)), rows(buttons))]


async def follow_up_in_village(turn: Turn, ref: str) -> FollowUp:
    """An open follow-up picked by button, of the member's own village.

    Refused up front as :func:`follow_ups.close_follow_up` would refuse it, so
    that nobody writes a resolution for nothing; closing checks everything again.
    """
    found = await turn.session.get(FollowUp, int(ref)) if ref.isdigit() else None
    if found is None or found.village_id != turn.who.village.id:
        raise NotFound("care_follow_up_not_found", id=ref)
    if found.closed_at is not None:
        closer = await turn.session.get(StaffMember, found.closed_by) if found.closed_by else None
        raise Conflict(
            "care_follow_up_closed",
            id=found.id,
            when=local_text(found.closed_at),
            by=closer.name if closer else "—",
        )
    return found


class Committee:
    MENU = (
        "menu_find",
        "menu_award",
        "menu_round",
        "menu_notice",
        "menu_codes",
        "care_chat_menu_assign",
        "care_chat_menu_follow_ups",
        "menu_help",
    )

    async def on_text(self, turn: Turn, body: str) -> list[Reply]:
        _actor(turn)
        body = body.strip()
        starts = {
            text("menu_find"): self.start_find,
            text("menu_award"): self.start_award,
            text("menu_round"): self.show_round,
            text("menu_notice"): self.start_notice,
            text("menu_codes"): self.start_codes,
            text("care_chat_menu_assign"): self.start_assign,
            text("care_chat_menu_follow_ups"): self.list_follow_ups,
        }
        if body in starts:
            await turn.done()
            return await starts[body](turn)
        if turn.at("find", "query"):
            return await self.found(turn, body)
        if turn.at("award", "household"):
            return await pick_household(turn, body, "aw:h")
        if turn.at("award", "reason"):
            return await self.award(turn, body)
        if turn.at("notice", "title"):
            await turn.go("notice", "body", title=body)
            return [Reply(text("bot_notice_ask_body"))]
        if turn.at("notice", "body"):
            await turn.go("notice", "audience", body=body)
            buttons = [(text(f"bot_audience_{key}"), f"nt:a:{key}") for key in AUDIENCES]
            return [Reply(text("bot_notice_ask_audience"), rows(buttons, 2))]
        if turn.at("codes", "household"):
            return await pick_household(turn, body, "bc:h")
        if turn.at("assign", "household"):
            return await pick_household(turn, body, "ha:h")
        if turn.at("follow_up", "resolution"):
            return await self.close_follow_up(turn, body)
        if turn.at("reopen", "reason"):
            return await self.reopen(turn, body)
        return [
            Reply(
                text("bot_staff_help", name=turn.who.name, role=text("role_committee")), menu=True
            )
        ]

    async def on_button(self, turn: Turn, data: str) -> list[Reply]:
        actor, _ = _actor(turn)
        kind, _, ref = data.rpartition(":")
        match kind:
            case "aw:h":
                return await self.ask_category(turn, await household_in_village(turn, ref))
            case "aw:c":
                if not turn.at("award"):
                    raise DomainError("bot_button_stale")
                await turn.go("award", "reason", category=int(ref))
                return [Reply(text("bot_award_ask_reason"))]
            case "rd:new" | "rd:extra":
                return await self.new_round(turn, extra=kind == "rd:extra")
            case "rd:open":
                return await self.show_round(turn, await self.round_in_village(turn, int(ref)))
            case "rd:wd":
                return await self.withdraw(turn, int(ref))
            case (
                "rd:nominate"
                | "rd:submit"
                | "rd:approve"
                | "rd:publish"
                | "rd:reopen"
                | "rd:effect"
                | "rd:objections"
            ):
                return await self.round_action(turn, Step(kind.split(":")[1]), int(ref))
            case "nt:a":
                return await self.preview_notice(turn, ref)
            case "nt:send":
                return await self.send_notice(turn)
            case "nt:cancel":
                if turn.at("notice", "confirm"):
                    notice = await notices.get_notice(
                        turn.session, int(turn.gathered["notice"]), actor
                    )
                    await notices.cancel_notice(turn.session, notice, actor)
                await turn.done()
                return [Reply(text("bot_cancelled"), menu=True)]
            case "nt:p":
                return await self.notice_progress(turn, int(ref))
            case "bc:h":
                home = await household_in_village(turn, ref)
                code = await issue_code(turn.session, actor, household=home, now=turn.now)
                await turn.done()
                return [Reply(self.code_text(turn, home, code))]
            case "ha:h":
                return await self.ask_helper(turn, await household_in_village(turn, ref))
            case "ha:s" if turn.at("assign", "helper"):
                return await self.assign(turn, ref)
            case "fu:c":
                return await self.ask_resolution(turn, await follow_up_in_village(turn, ref))
        raise DomainError("bot_button_stale")

    # ---- find -----------------------------------------------------------------------

    async def start_find(self, turn: Turn) -> list[Reply]:
        await turn.go("find", "query")
        return [Reply(text("bot_ask_household"))]

    async def found(self, turn: Turn, query: str) -> list[Reply]:
        homes = await search_households(turn.session, turn.who.village, query)
        if not homes:
            return [Reply(text("bot_search_none", query=query))]
        cards = [
            text(
                "bot_household_card",
                number=home.number,
                name=home.head_name,
                group=home.group_name or "—",
                size=home.size,
                type=text(f"household_type_{home.household_type}"),
            )
            for home in homes
        ]
        buttons = tuple(
            (
                (text("bot_button_award_for", name=home.head_name), f"aw:h:{home.id}"),
                (text("bot_button_code_for", name=home.head_name), f"bc:h:{home.id}"),
            )
            for home in homes
        )
        return [Reply("\n\n".join(cards), buttons)]

    # ---- awards ---------------------------------------------------------------------

    async def start_award(self, turn: Turn) -> list[Reply]:
        current = await rounds.open_round(turn.session, turn.who.village)
        if current is None:
            button = ((text("bot_round_new"), "rd:new:0"),)
            return [Reply(text("bot_round_none"), (button,))]
        await turn.go("award", "household", round=current.id)
        return [
            Reply(text("bot_award_start", round=current.name) + "\n" + text("bot_ask_household"))
        ]

    async def ask_category(self, turn: Turn, home: Household) -> list[Reply]:
        if not turn.at("award"):
            current = await rounds.open_round(turn.session, turn.who.village)
            if current is None:
                return [Reply(text("bot_round_none"), (((text("bot_round_new"), "rd:new:0"),),))]
            await turn.go("award", "category", round=current.id)
        await turn.go("award", "category", household=home.id)
        categories = await list_categories(turn.session, turn.who.village, active_only=True)
        buttons = [
            (text("bot_category_button", name=c.name, points=c.points), f"aw:c:{c.id}")
            for c in categories
        ]
        return [
            Reply(
                text("bot_award_ask_category", name=home.head_name, number=home.number),
                rows(buttons, 2),
            )
        ]

    async def award(self, turn: Turn, reason: str) -> list[Reply]:
        actor, _ = _actor(turn)
        gathered = turn.gathered
        home = await household_in_village(turn, str(gathered["household"]))
        award = await rounds.propose_award(
            turn.session,
            int(gathered["round"]),
            actor,
            home.number,
            int(gathered["category"]),
            reason,
            turn.now,
        )
        await turn.done()
        lines = await rounds.award_lines(turn.session, award.round_id)
        listing = "\n".join(
            text(
                "bot_award_line",
                number=line.household_number,
                name=line.head_name,
                category=line.category_name,
                status=rounds.award_status_text(line.award.status),
            )
            for line in lines
        )
        return [
            Reply(text("bot_award_done", name=home.head_name, count=len(lines)) + "\n" + listing)
        ]

    # ---- the round ------------------------------------------------------------------

    async def new_round(self, turn: Turn, *, extra: bool = False) -> list[Reply]:
        """This quarter's round; when it exists already, offer it and a 补评 round instead."""
        actor, village = _actor(turn)
        found = await rounds.new_quarter_round(
            turn.session, village, actor, extra=extra, now=turn.now
        )
        if found.created is not None:
            return await self.start_award(turn)
        lines: list[str] = []
        shown = {r.id: r for r in (found.existing, found.working) if r is not None}
        buttons: list[Button] = [
            (text("bot_round_open_button", name=r.name), f"rd:open:{r.id}") for r in shown.values()
        ]
        if found.existing is not None:
            lines.append(
                text(
                    "bot_round_exists",
                    name=found.existing.name,
                    status=rounds.status_text(found.existing.status),
                )
            )
        if found.working is not None:
            lines.append(
                text(
                    "bot_round_working",
                    name=found.working.name,
                    status=rounds.status_text(found.working.status),
                )
            )
        else:
            buttons.append((text("bot_round_extra_button", name=found.extra_name), "rd:extra:0"))
        return [Reply("\n".join(lines), rows(buttons))]

    async def round_in_village(self, turn: Turn, round_id: int) -> RatingRound:
        """A round picked by button: only ever one of the member's own village."""
        rnd = await turn.session.get(RatingRound, round_id)
        if rnd is None or rnd.village_id != turn.who.village.id:
            raise NotFound("round_not_found", ref=round_id)
        return rnd

    async def show_round(self, turn: Turn, current: RatingRound | None = None) -> list[Reply]:
        """The round (by default the village's current one) and, as buttons, this member's
        next steps: the same answer as the console's buttons (:mod:`usecases.round_steps`)."""
        if current is None:
            found = await round_steps.current_steps(turn.session, turn.principal, turn.who.village)
        else:
            found = await round_steps.steps_of(turn.session, turn.principal, current)
        if found is None:
            return [Reply(text("bot_round_none"), (((text("bot_round_new"), "rd:new:0"),),))]
        rnd, counts = found.round, found.counts
        body = text(
            "bot_round_view",
            name=rnd.name,
            status=rounds.status_text(rnd.status),
            proposed=counts.proposed,
            approved=counts.approved,
            rejected=counts.rejected,
            objections=counts.objections,
            open=counts.open_objections,
        )
        if rnd.status == RoundStatus.PUBLICITY.value:
            body += "\n" + text(
                "bot_round_publicity_until", until=rounds.publicity_deadline_text(rnd)
            )
        buttons = [
            (round_steps.step_text(step), f"rd:{step.value}:{rnd.id}") for step in found.steps
        ]
        return [Reply(body, rows(buttons, 2))]

    async def round_action(self, turn: Turn, action: Step, round_id: int) -> list[Reply]:
        actor, _ = _actor(turn)
        rnd = await self.round_in_village(turn, round_id)
        if action == Step.NOMINATE:
            return await self.start_award(turn)
        if action == Step.REOPEN:
            await turn.go("reopen", "reason", round=round_id)
            return [Reply(text("round_steps_ask_reopen_reason"))]
        if action == Step.OBJECTIONS:
            found = await rounds.list_objections(turn.session, round_id)
            if not found:
                return [Reply(text("bot_objections_none"))]
            return [
                Reply(
                    "\n".join(
                        text(
                            "bot_objection_line",
                            number=o.household_number,
                            name=o.head_name,
                            category=o.category_name,
                            reason=o.objection.reason,
                            status=rounds.objection_status_text(o.objection.status),
                        )
                        for o in found
                    )
                )
            ]
        if action == Step.SUBMIT:
            await rounds.submit_for_review(turn.session, round_id, actor, turn.now)
        elif action == Step.APPROVE:
            plan = await rounds.approve_reviewable(turn.session, round_id, actor, now=turn.now)
            if not plan.reviewable and not plan.held:
                return [Reply(text("bot_round_nothing_to_approve"))]
            return [self.review_answer(actor, plan), *await self.show_round(turn, rnd)]
        elif action == Step.PUBLISH:
            await rounds.publish(turn.session, round_id, actor, turn.now)
        elif action == Step.EFFECT:
            result = await rounds.take_effect(turn.session, round_id, actor, turn.now)
            return [
                Reply(
                    text(
                        "bot_round_effective",
                        name=rnd.name,
                        count=result.credited,
                        households=result.households,
                        points=result.total_points,
                    )
                )
            ]
        return await self.show_round(turn, rnd)

    async def reopen(self, turn: Turn, reason: str) -> list[Reply]:
        """退回评议 with the reason just written; the domain checks the stage and the member."""
        actor, _ = _actor(turn)
        rnd = await self.round_in_village(turn, int(turn.gathered["round"]))
        rnd = await rounds.reopen(turn.session, rnd.id or 0, actor, reason, turn.now)
        await turn.done()
        return [Reply(text("round_reopened", name=rnd.name)), *await self.show_round(turn, rnd)]

    def review_answer(self, actor: StaffMember, plan: rounds.ReviewPlan) -> Reply:
        """What was approved, what was left and why; the member's own dead ends can be withdrawn."""
        lines: list[str] = []
        if plan.reviewable:
            lines.append(text("bot_round_approved_some", count=len(plan.reviewable)))
        if plan.held:
            lines.append(text("bot_round_held_intro", count=len(plan.held)))
        lines += [round_steps.held_text(held) for held in plan.held]
        if plan.stuck:
            lines.append(text("bot_round_stuck_help"))
        buttons: list[Button] = [
            (
                text("bot_round_withdraw_button", id=held.line.award.id, name=held.line.head_name),
                f"rd:wd:{held.line.award.id}",
            )
            for held in plan.stuck
            if held.line.award.proposed_by == actor.id
        ]
        return Reply("\n".join(lines), rows(buttons))

    async def withdraw(self, turn: Turn, award_id: int) -> list[Reply]:
        actor, _ = _actor(turn)
        line = await rounds.withdraw_award(turn.session, award_id, actor, turn.now)
        rnd = await self.round_in_village(turn, line.award.round_id)
        done = text(
            "bot_award_withdrawn",
            id=award_id,
            name=line.head_name,
            number=line.household_number,
            category=line.category_name,
        )
        return [Reply(done), *await self.show_round(turn, rnd)]

    # ---- notices --------------------------------------------------------------------

    async def start_notice(self, turn: Turn) -> list[Reply]:
        await turn.go("notice", "title")
        return [Reply(text("bot_notice_ask_title"))]

    async def preview_notice(self, turn: Turn, audience_key: str) -> list[Reply]:
        actor, village = _actor(turn)
        if not turn.at("notice") or audience_key not in AUDIENCES:
            raise DomainError("bot_button_stale")
        gathered = turn.gathered
        audience = Audience(**AUDIENCES[audience_key])
        notice = await notices.create_notice(  # a draft until 确认发送, as on the CLI
            turn.session,
            actor,
            village,
            str(gathered["title"]),
            str(gathered["body"]),
            audience,
            now=turn.now,
        )
        await turn.go("notice", "confirm", notice=notice.id)
        seen = await notices.preview(turn.session, notice, turn.settings.sms_price_yuan, turn.now)
        body = "\n".join(
            [
                text("bot_notice_preview_head", title=notice.title, audience=audience.describe()),
                seen.describe(turn.settings.sms_price_yuan),
            ]
        )
        buttons = (
            (text("bot_notice_send"), "nt:send:0"),
            (text("bot_notice_cancel"), "nt:cancel:0"),
        )
        return [Reply(body, (buttons,))]

    async def send_notice(self, turn: Turn) -> list[Reply]:
        actor, _ = _actor(turn)
        if not turn.at("notice", "confirm"):
            raise DomainError("bot_button_stale")
        notice = await notices.get_notice(turn.session, int(turn.gathered["notice"]), actor)
        occurrence = await notices.send_now(turn.session, notice, turn.now)
        await turn.done()
        button = ((text("bot_notice_refresh"), f"nt:p:{occurrence.id}"),)
        return [
            Reply(text("bot_notice_started", id=notice.id, count=occurrence.recipients), (button,))
        ]

    async def notice_progress(self, turn: Turn, occurrence_id: int) -> list[Reply]:
        actor, _ = _actor(turn)
        occurrence = await turn.session.get(NoticeOccurrence, occurrence_id)
        if occurrence is None:
            raise NotFound("notice_not_found", id=occurrence_id)
        await notices.get_notice(turn.session, occurrence.notice_id, actor)  # access check
        counts = await notices.progress(turn.session, [occurrence_id])
        body = text("bot_notice_progress", time=local_text(turn.now), **counts)
        button = ((text("bot_notice_refresh"), f"nt:p:{occurrence_id}"),)
        return [Reply(body, (button,))]

    # ---- binding codes --------------------------------------------------------------

    async def start_codes(self, turn: Turn) -> list[Reply]:
        await turn.go("codes", "household")
        return [Reply(text("bot_codes_start") + "\n" + text("bot_ask_household"))]

    def code_text(self, turn: Turn, home: Household, code: str) -> str:
        username = turn.settings.telegram_bot_username
        link = deep_link(username, code) if username else ""
        return text(
            "bot_code_issued",
            name=home.head_name,
            number=home.number,
            code=code,
            days=turn.settings.binding_code_days,
            link=link,
        )

    # ---- helper assignment (帮扶分配) -------------------------------------------------

    async def start_assign(self, turn: Turn) -> list[Reply]:
        await turn.go("assign", "household")
        return [Reply(text("care_chat_assign_start") + "\n" + text("bot_ask_household"))]

    async def ask_helper(self, turn: Turn, home: Household) -> list[Reply]:
        helpers = await visits.helpers_with_counts(turn.session, turn.who.village)
        if not helpers:
            await turn.done()
            return [Reply(text("care_chat_assign_no_helpers"))]
        await turn.go("assign", "helper", household=home.id)
        current_id = await visits.helper_of(turn.session, home)
        current = await turn.session.get(StaffMember, current_id) if current_id else None
        body = text(
            "care_chat_assign_pick",
            head=home.head_name,
            number=home.number,
            current=current.name if current else text("care_chat_assign_nobody"),
        )
        if len(helpers) > MAX_HELPERS:
            body += "\n" + text("care_chat_assign_more", count=len(helpers), shown=MAX_HELPERS)
        buttons: list[Button] = [
            (text("care_chat_helper_button", name=helper.name, count=count), f"ha:s:{helper.id}")
            for helper, count in helpers[:MAX_HELPERS]
        ]
        return [Reply(body, rows(buttons, 2))]

    async def assign(self, turn: Turn, ref: str) -> list[Reply]:
        actor, village = _actor(turn)
        home = await household_in_village(turn, str(turn.gathered["household"]))
        helper = await turn.session.get(StaffMember, int(ref)) if ref.isdigit() else None
        if helper is None:
            raise NotFound("staff_not_found", ref=ref)
        previous_id = await visits.helper_of(turn.session, home)
        changed = await visits.assign_helper(
            turn.session, actor, village, helper, [home], now=turn.now
        )
        await turn.done()
        if not changed:
            return [
                Reply(
                    text(
                        "care_chat_assign_same",
                        head=home.head_name,
                        number=home.number,
                        name=helper.name,
                    )
                )
            ]
        answer = text(
            "care_chat_assigned", head=home.head_name, number=home.number, name=helper.name
        )
        previous = await turn.session.get(StaffMember, previous_id) if previous_id else None
        if previous is not None:
            answer += text("care_chat_assigned_from", previous=previous.name)
        return [Reply(answer)]

    # ---- follow-ups (待办事项) ---------------------------------------------------------

    async def list_follow_ups(self, turn: Turn) -> list[Reply]:
        found = await follow_ups.open_follow_ups(turn.session, turn.who.village)
        if not found:
            return [Reply(text("care_chat_follow_ups_none"))]
        shown = found[:MAX_FOLLOW_UPS]
        lines = [text("care_chat_follow_ups_head")]
        lines += [
            text(
                "care_chat_follow_up_line",
                id=entry.follow_up.id,
                opened=local_text(entry.follow_up.opened_at),
                head=entry.household.head_name,
                number=entry.household.number,
                source=entry.source,
                item=entry.about,
                note=entry.follow_up.note or "—",
            )
            for entry in shown
        ]
        if len(found) > len(shown):
            lines.append(text("care_chat_follow_ups_more", count=len(found)))
        buttons: list[Button] = [
            (
                text("care_chat_follow_up_button", id=entry.follow_up.id),
                f"fu:c:{entry.follow_up.id}",
            )
            for entry in shown
        ]
        return [Reply("\n".join(lines), rows(buttons, 2))]

    async def ask_resolution(self, turn: Turn, follow_up: FollowUp) -> list[Reply]:
        home = await household_in_village(turn, str(follow_up.household_id))
        await turn.go("follow_up", "resolution", follow_up=follow_up.id)
        return [
            Reply(
                text(
                    "care_chat_follow_up_ask",
                    id=follow_up.id,
                    head=home.head_name,
                    number=home.number,
                    item=follow_ups.item_text(follow_up.item),
                )
            )
        ]

    async def close_follow_up(self, turn: Turn, resolution: str) -> list[Reply]:
        actor, village = _actor(turn)
        closed = await follow_ups.close_follow_up(  # checks the village and that it is open
            turn.session, actor, int(turn.gathered["follow_up"]), resolution, turn.now
        )
        await turn.done()
        home = await household_in_village(turn, str(closed.household_id))
        answer = text(
            "care_followups_closed",
            id=closed.id,
            head=home.head_name,
            number=home.number,
            item=follow_ups.item_text(closed.item),
            resolution=closed.resolution,
            actor=actor.name,
        )
        left = await follow_ups.count_open(turn.session, village)
        if left:
            answer += "\n" + text("care_chat_follow_ups_left", count=left)
        return [Reply(answer)]
