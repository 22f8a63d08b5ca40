"""``xiangxin category …``, ``xiangxin round …``, ``xiangxin award …``, ``xiangxin objection …``

Each command parses its arguments, calls one domain function of
:mod:`points.categories`, :mod:`points.rounds` or :mod:`points.notice` in one
transaction and prints the outcome; every rule (who may act, in which stage)
is enforced there. The real clock is used: the demo moves time by calling the
domain functions with ``now``.
"""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.context import (
    BY_OPTION,
    VILLAGE_OPTION,
    actor_in,
    console,
    fail,
    headed_table,
    principal_in,
    run,
    say,
)
from core.catalogue import text
from core.clock import local_date_text, local_text
from points import categories, notice, rounds
from points.models import (
    Award,
    Objection,
    ObjectionStatus,
    RatingRound,
    RoundEvent,
    StarCategory,
)
from usecases import round_steps
from usecases.principal import Principal
from village.masking import mask_phone
from village.models import StaffMember, Village
from village.registry import find_staff, get_village

app = typer.Typer(no_args_is_help=True)
category_app = typer.Typer(no_args_is_help=True)
award_app = typer.Typer(no_args_is_help=True)
objection_app = typer.Typer(no_args_is_help=True)

ROUND_ARGUMENT = typer.Argument(..., help="轮次名称（如 2026年第4季度）或轮次编号")
OUT_OPTION = typer.Option(Path("."), "--out", "-o", help="输出目录")
OPTIONAL_VILLAGE = typer.Option(None, "--village", "-v", help="村名或村编号（同名工作人员时用）")
OPTIONAL_BY = typer.Option(None, "--by", "-b", help="工作人员姓名或编号：列出此人下一步可办的事项")


async def _round_in(
    session: AsyncSession, village_ref: str, round_ref: str
) -> tuple[Village, RatingRound]:
    village = await get_village(session, village_ref)
    return village, await rounds.find_round(session, round_ref, village)


async def _acting(session: AsyncSession, by: str, village_ref: str | None) -> StaffMember:
    """The staff member named by ``--by``, looked up within the village when one is given."""
    if village_ref is None:
        return await find_staff(session, by)
    return (await actor_in(session, village_ref, by))[1]


def _mask_contact(value: str) -> str:
    """Contacts are usually phone numbers: shown masked, like every number."""
    digits = value.replace(" ", "").replace("-", "")
    if digits.removeprefix("+").isdigit() and len(digits) >= 7:
        return mask_phone(digits)
    return value or "—"


def _period(rnd: RatingRound) -> str:
    last_day = rounds.publicity_last_day(rnd)
    if rnd.published_at is None or last_day is None:
        return "—"
    return f"{local_date_text(rnd.published_at)}—{local_date_text(last_day)}"


# ---------------------------------------------------------------- categories


def _category_state(category: StarCategory) -> str:
    return text("category_active") if category.active else text("category_inactive_state")


@category_app.command("list", help="列出本村的星级类别及积分分值（首次查看时自动装入十星）")
def category_list(village_ref: str = VILLAGE_OPTION) -> None:
    async def work(session: AsyncSession) -> list[StarCategory]:
        village = await get_village(session, village_ref)
        return await categories.list_categories(session, village)

    table = headed_table("col_id", "col_name", "round_col_points", "round_col_active")
    for c in run(work):
        table.add_row(str(c.id), c.name, str(c.points), _category_state(c))
    console.print(table)


@category_app.command("set", help="修改星级类别的积分分值，或启用/停用")
def category_set(
    name: str = typer.Argument(..., help="星级类别名称或编号"),
    points: int | None = typer.Option(None, "--points", "-p", help="新的积分分值"),
    active: bool | None = typer.Option(
        None, "--activate/--deactivate", help="启用或停用（停用后不能再评，已评的不受影响）"
    ),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    if points is None and active is None:
        raise fail(text("category_nothing_to_change"))

    async def work(session: AsyncSession) -> StarCategory:
        village, actor = await actor_in(session, village_ref, by)
        return await categories.update_category(
            session, village, actor, name, points=points, active=active
        )

    category = run(work)
    say(
        "category_updated",
        name=category.name,
        points=category.points,
        state=_category_state(category),
    )


@category_app.command("add", help="新增一个星级类别")
def category_add(
    name: str = typer.Argument(..., help="星级类别名称，如 孝老爱亲之星"),
    points: int = typer.Option(
        categories.DEFAULT_POINTS, "--points", "-p", help="积分分值（默认 10）"
    ),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> StarCategory:
        village, actor = await actor_in(session, village_ref, by)
        return await categories.add_category(session, village, actor, name, points)

    category = run(work)
    say("category_added", name=category.name, points=category.points)


@category_app.command("deactivate", help="停用一个星级类别（已评的星级不受影响）")
def category_deactivate(
    name: str = typer.Argument(..., help="星级类别名称或编号"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> StarCategory:
        village, actor = await actor_in(session, village_ref, by)
        return await categories.deactivate_category(session, village, actor, name)

    category = run(work)
    say(
        "category_updated",
        name=category.name,
        points=category.points,
        state=_category_state(category),
    )


# ---------------------------------------------------------------- rounds


@app.command("create", help="新建评定轮次（草稿），如 2026年第4季度")
def round_create(
    name: str = typer.Argument(..., help="轮次名称，如 2026年第4季度"),
    year: int = typer.Option(..., "--year", "-y", help="所属年度（年度表彰按此统计）"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> RatingRound:
        village, actor = await actor_in(session, village_ref, by)
        return await rounds.create_round(session, village, actor, name, year)

    rnd = run(work)
    say("round_created", name=rnd.name, id=rnd.id, year=rnd.year)


@app.command("list", help="列出本村的评定轮次")
def round_list(village_ref: str = VILLAGE_OPTION) -> None:
    async def work(session: AsyncSession) -> tuple[Village, list[rounds.RoundSummary]]:
        village = await get_village(session, village_ref)
        return village, await rounds.list_rounds(session, village)

    village, summaries = run(work)
    if not summaries:
        say("round_none", village=village.name)
        return
    table = headed_table(
        "col_id",
        "col_name",
        "round_col_year",
        "round_col_status",
        "round_col_awards",
        "round_col_approved",
        "round_col_period",
    )
    for s in summaries:
        shown = sum(s.counts.get(status, 0) for status in rounds.SHOWN_STATUSES)
        table.add_row(
            str(s.round.id),
            s.round.name,
            str(s.round.year),
            rounds.status_text(s.round.status),
            str(s.total),
            str(shown),
            _period(s.round),
        )
    console.print(table)


def _print_steps(principal: Principal, steps: round_steps.RoundSteps) -> None:
    """What ``--by`` may do next, as the bot's buttons and the console's forms offer it."""
    if not steps.acts:
        say("round_steps_reads", name=principal.name)
    elif steps.steps:
        offered = "、".join(round_steps.step_text(step) for step in steps.steps)
        say("round_steps_next", name=principal.name, steps=offered)
    else:
        say("round_steps_nothing", name=principal.name)
    if steps.held:
        say("bot_round_held_intro", count=len(steps.held))
    for held in steps.held:
        console.print(round_steps.held_text(held))


@app.command("show", help="查看一个轮次：阶段、公示期、全部提名和异议（加 --by 列出此人的下一步）")
def round_show(
    round_ref: str = ROUND_ARGUMENT, village_ref: str = VILLAGE_OPTION, by: str | None = OPTIONAL_BY
) -> None:
    async def work(
        session: AsyncSession,
    ) -> tuple[rounds.RoundDetail, tuple[Principal, round_steps.RoundSteps] | None]:
        _village, rnd = await _round_in(session, village_ref, round_ref)
        detail = await rounds.round_detail(session, rnd.id or 0)
        if by is None:
            return detail, None
        _, principal = await principal_in(session, village_ref, by)
        return detail, (principal, await round_steps.steps_for(session, principal, detail))

    detail, next_steps = run(work)
    rnd = detail.round
    say(
        "round_header",
        name=rnd.name,
        id=rnd.id,
        year=rnd.year,
        status=rounds.status_text(rnd.status),
    )
    if rnd.published_at is not None:
        say(
            "round_period_line",
            start=local_text(rnd.published_at),
            end=rounds.publicity_deadline_text(rnd),
        )
    if rnd.effective_at is not None:
        say("round_effective_line", at=local_text(rnd.effective_at))
    counts = "，".join(
        f"{rounds.award_status_text(status)} {count}"
        for status, count in sorted(detail.counts.items())
    )
    say("round_counts_line", total=len(detail.awards), counts=counts or "—")

    awards = headed_table(
        "col_id",
        "notice_col_number",
        "notice_col_head",
        "notice_col_category",
        "notice_col_points",
        "notice_col_reason",
        "round_col_status",
        "round_col_proposer",
        "round_col_reviewer",
        title=text("round_title_awards"),
    )
    for line in detail.awards:
        awards.add_row(
            str(line.award.id),
            line.household_number,
            line.head_name,
            line.category_name,
            str(line.award.points),
            line.award.reason,
            rounds.award_status_text(line.award.status),
            line.proposed_by,
            line.reviewed_by or "—",
        )
    console.print(awards)
    if detail.objections:
        _print_objections(detail.objections)
    if next_steps is not None:
        _print_steps(*next_steps)


@app.command("submit", help="提交评议：草稿 → 评议")
def round_submit(
    round_ref: str = ROUND_ARGUMENT, village_ref: str = VILLAGE_OPTION, by: str = BY_OPTION
) -> None:
    async def work(session: AsyncSession) -> RatingRound:
        village, actor = await actor_in(session, village_ref, by)
        rnd = await rounds.find_round(session, round_ref, village)
        return await rounds.submit_for_review(session, rnd.id or 0, actor)

    say("round_submitted", name=run(work).name)


@app.command("publish", help="发布公示：评议 → 公示（全部提名评议完后）")
def round_publish(
    round_ref: str = ROUND_ARGUMENT, village_ref: str = VILLAGE_OPTION, by: str = BY_OPTION
) -> None:
    async def work(session: AsyncSession) -> RatingRound:
        village, actor = await actor_in(session, village_ref, by)
        rnd = await rounds.find_round(session, round_ref, village)
        return await rounds.publish(session, rnd.id or 0, actor)

    rnd = run(work)
    last_day = rounds.publicity_last_day(rnd)
    assert rnd.published_at is not None and last_day is not None
    say(
        "round_published",
        name=rnd.name,
        start=local_date_text(rnd.published_at),
        end=local_date_text(last_day),
    )


@app.command("notice", help="生成可打印的公示（公示.html 与 公示.xlsx）")
def round_notice(
    round_ref: str = ROUND_ARGUMENT,
    village_ref: str = VILLAGE_OPTION,
    out: Path = OUT_OPTION,
) -> None:
    async def work(session: AsyncSession) -> notice.NoticeData:
        _village, rnd = await _round_in(session, village_ref, round_ref)
        return await notice.gather_notice(session, rnd.id or 0)

    data = run(work)
    try:
        paths = notice.write_notice(data, out)
    except OSError as error:
        raise fail(str(error)) from None
    say("notice_written")
    for path in paths:
        console.print(str(path))


@app.command("take-effect", help="生效：公示期满且异议处理完后，把积分记入各户（只记一次）")
def round_take_effect(
    round_ref: str = ROUND_ARGUMENT, village_ref: str = VILLAGE_OPTION, by: str = BY_OPTION
) -> None:
    async def work(session: AsyncSession) -> rounds.EffectResult:
        village, actor = await actor_in(session, village_ref, by)
        rnd = await rounds.find_round(session, round_ref, village)
        return await rounds.take_effect(session, rnd.id or 0, actor)

    result = run(work)
    say(
        "round_effective",
        name=result.round.name,
        count=result.credited,
        households=result.households,
        total=result.total_points,
    )


@app.command("reopen", help="退回评议：公示 → 评议（原公示作废，重新公示重新计期）")
def round_reopen(
    round_ref: str = ROUND_ARGUMENT,
    reason: str = typer.Option(..., "--reason", help="退回原因"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> RatingRound:
        village, actor = await actor_in(session, village_ref, by)
        rnd = await rounds.find_round(session, round_ref, village)
        return await rounds.reopen(session, rnd.id or 0, actor, reason)

    say("round_reopened", name=run(work).name)


@app.command("events", help="查看轮次的全部操作记录（谁、何时、做了什么）")
def round_events(round_ref: str = ROUND_ARGUMENT, village_ref: str = VILLAGE_OPTION) -> None:
    async def work(session: AsyncSession) -> list[RoundEvent]:
        _village, rnd = await _round_in(session, village_ref, round_ref)
        return await rounds.list_events(session, rnd.id or 0)

    table = headed_table("col_time", "col_actor", "round_col_event", "round_col_detail")
    for e in run(work):
        table.add_row(local_text(e.at), e.actor_name, rounds.event_text(e.action), e.detail)
    console.print(table)


# ---------------------------------------------------------------- awards


@award_app.command("add", help="提名：为一户评一颗星（草稿或评议阶段）")
def award_add(
    round_ref: str = typer.Option(..., "--round", "-r", help="轮次名称或编号"),
    household: str = typer.Option(..., "--household", help="户编号"),
    category: str = typer.Option(..., "--category", "-c", help="星级类别名称"),
    reason: str = typer.Option(..., "--reason", help="评星事由"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[rounds.AwardLine, list[str]]:
        village, actor = await actor_in(session, village_ref, by)
        rnd = await rounds.find_round(session, round_ref, village)
        award = await rounds.propose_award(session, rnd.id or 0, actor, household, category, reason)
        lines = await rounds.award_lines(session, rnd.id or 0)
        reviewers = await rounds.award_reviewers(session, rnd.village_id, [award])
        line = next(line for line in lines if line.award.id == award.id)
        return line, reviewers[award.id or 0]

    line, reviewers = run(work)
    say(
        "award_proposed",
        id=line.award.id,
        number=line.household_number,
        name=line.head_name,
        category=line.category_name,
        points=line.award.points,
    )
    if not reviewers:
        say("award_added_no_reviewer", id=line.award.id)


@award_app.command("approve", help="评议通过（提名人本人和该户成员须回避）")
def award_approve(
    award_id: int = typer.Argument(..., help="提名编号"),
    note: str = typer.Option("", "--note", help="评议意见"),
    by: str = BY_OPTION,
    village_ref: str | None = OPTIONAL_VILLAGE,
) -> None:
    async def work(session: AsyncSession) -> Award:
        actor = await _acting(session, by, village_ref)
        return await rounds.approve_award(session, award_id, actor, note)

    say("award_approved", id=run(work).id)


@award_app.command("reject", help="评议不通过（须写明理由）")
def award_reject(
    award_id: int = typer.Argument(..., help="提名编号"),
    note: str = typer.Option(..., "--note", help="不通过的理由"),
    by: str = BY_OPTION,
    village_ref: str | None = OPTIONAL_VILLAGE,
) -> None:
    async def work(session: AsyncSession) -> Award:
        actor = await _acting(session, by, village_ref)
        return await rounds.reject_award(session, award_id, actor, note)

    say("award_rejected", id=run(work).id)


@award_app.command(
    "withdraw", help="撤回自己的提名（草稿或评议阶段、尚未评议时；只有提名人本人可以）"
)
def award_withdraw(
    award_id: int = typer.Argument(..., help="提名编号"),
    by: str = BY_OPTION,
    village_ref: str | None = OPTIONAL_VILLAGE,
) -> None:
    async def work(session: AsyncSession) -> rounds.AwardLine:
        actor = await _acting(session, by, village_ref)
        return await rounds.withdraw_award(session, award_id, actor)

    line = run(work)
    say(
        "award_withdrawn",
        id=award_id,
        number=line.household_number,
        name=line.head_name,
        category=line.category_name,
    )


# ---------------------------------------------------------------- objections


@objection_app.command("lodge", help="对公示中的星级提出异议（任何人都可以，须留姓名）")
def objection_lodge(
    award_id: int = typer.Argument(..., help="被异议的提名编号（见公示或 round show）"),
    name: str = typer.Option(..., "--name", help="提出异议人的姓名"),
    contact: str = typer.Option("", "--contact", help="联系电话"),
    reason: str = typer.Option(..., "--reason", help="异议理由"),
) -> None:
    async def work(session: AsyncSession) -> Objection:
        return await rounds.lodge_objection(session, award_id, name, contact, reason)

    say("objection_lodged", id=run(work).id)


@objection_app.command(
    "resolve", help="处理异议：--uphold 异议成立（撤销该星级）或 --reject 不成立"
)
def objection_resolve(
    objection_id: int = typer.Argument(..., help="异议编号"),
    uphold: bool | None = typer.Option(
        None, "--uphold/--reject", help="异议成立（撤销该星级）/ 异议不成立（维持）"
    ),
    note: str = typer.Option(..., "--note", help="处理意见"),
    by: str = BY_OPTION,
    village_ref: str | None = OPTIONAL_VILLAGE,
) -> None:
    if uphold is None:
        raise fail(text("objection_choose"))

    async def work(session: AsyncSession) -> Objection:
        actor = await _acting(session, by, village_ref)
        return await rounds.resolve_objection(
            session, objection_id, actor, uphold=uphold, note=note
        )

    objection = run(work)
    code = (
        "objection_upheld"
        if objection.status == ObjectionStatus.UPHELD.value
        else "objection_rejected"
    )
    say(code, id=objection.id, award_id=objection.award_id)


def _print_objections(lines: list[rounds.ObjectionLine]) -> None:
    table = headed_table(
        "col_id",
        "round_col_award",
        "notice_col_head",
        "notice_col_category",
        "round_col_objector",
        "round_col_contact",
        "col_reason",
        "round_col_status",
        "round_col_resolution",
        title=text("round_title_objections"),
    )
    for line in lines:
        o = line.objection
        table.add_row(
            str(o.id),
            f"#{o.award_id}",
            line.head_name,
            line.category_name,
            o.lodged_by,
            _mask_contact(o.contact),
            o.reason,
            rounds.objection_status_text(o.status),
            f"{o.resolution}（{line.resolved_by}）" if line.resolved_by else "—",
        )
    console.print(table)


@objection_app.command("list", help="列出一个轮次的全部异议")
def objection_list(
    round_ref: str = typer.Option(..., "--round", "-r", help="轮次名称或编号"),
    village_ref: str | None = OPTIONAL_VILLAGE,
) -> None:
    if village_ref is None and not round_ref.strip().isdigit():
        raise fail(text("round_needs_village"))

    async def work(session: AsyncSession) -> list[rounds.ObjectionLine]:
        village = await get_village(session, village_ref) if village_ref else None
        rnd = await rounds.find_round(session, round_ref, village)
        return await rounds.list_objections(session, rnd.id or 0)

    lines = run(work)
    if not lines:
        say("objection_none")
        return
    _print_objections(lines)
