"""The console's use cases on both databases, without HTTP: what each page is built from."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col, select

from care.follow_ups import open_follow_up
from care.visits import assign_helper, log_visit
from core.db import Database
from core.errors import Forbidden, NotFound
from notifications.models import MessageStatus, OutboxMessage
from outreach.audience import Audience
from outreach.notices import create_notice, send_now
from points import ledger
from points.commendation import star_counts
from points.models import EntryKind, RoundStatus
from tests.factories import Town, make_town
from tests.test_commendation import give_stars
from usecases.dashboard import village_dashboard
from usecases.exports import balances_export, visits_export
from usecases.principal import Principal
from usecases.roster_pages import PAGE_SIZE, household_page, roster_page
from usecases.township import township_overview
from village.models import Household, HouseholdType, Member
from village.registry import add_staff

NOW = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
TODAY = date(2026, 3, 11)
ID_CARD = "410102195001011234"
PHONE = "+8613812345678"


def committee(town: Town) -> Principal:
    return Principal.of(town.director)


async def post(
    db: Database, town: Town, home: Household, amount: int, kind: EntryKind, when: datetime
) -> int:
    async with db.transaction() as s:
        entry = await ledger.post(
            s,
            ledger.Posting(
                household_id=home.id or 0,
                village_id=town.village.id or 0,
                amount=amount,
                kind=kind,
                reason="测试",
                actor_id=town.director.id or 0,
                idempotency_key=f"{home.id}:{amount}:{when.isoformat()}",
            ),
            when,
        )
        return entry.id or 0


async def test_committee_opens_the_village_dashboard(db: Database) -> None:
    town = await make_town(db)
    homes = town.households
    async with db.transaction() as s:
        for home, kind in (
            (homes[0], HouseholdType.MONITORED),
            (homes[1], HouseholdType.POVERTY_EXITED),
        ):
            row = await s.get_one(Household, home.id)
            row.household_type = kind.value
        for home in homes[:2]:
            (await s.get_one(Household, home.id)).phone = PHONE[:-1] + str(home.id)
    # points: 100 in February; in March 40 issued and reversed, 30 redeemed
    await post(db, town, homes[1], 100, EntryKind.AWARD, datetime(2026, 2, 3, tzinfo=UTC))
    taken_back = await post(
        db, town, homes[2], 40, EntryKind.AWARD, datetime(2026, 3, 2, tzinfo=UTC)
    )
    await post(db, town, homes[1], -30, EntryKind.REDEMPTION, datetime(2026, 3, 3, tzinfo=UTC))
    # last year's points count in the balance, not in this year's figures
    await post(db, town, homes[3], 7, EntryKind.AWARD, datetime(2025, 12, 31, 15, tzinfo=UTC))
    async with db.transaction() as s:
        await ledger.reverse(s, taken_back, town.director, "评定有误", now=NOW)
        helper = await add_staff(s, town.village, "张帮扶", "helper")
        await assign_helper(
            s, town.director, town.village, helper, homes[:3], now=datetime(2026, 1, 1, tzinfo=UTC)
        )
        await log_visit(s, helper, homes[0], date(2026, 3, 5), "in_person", now=NOW)  # due 4 Apr
        await log_visit(s, helper, homes[2], date(2026, 2, 12), "phone", now=NOW)  # due 14 Mar
        # homes[1] was never visited: due since 1 January
        await open_follow_up(s, homes[1], "food", "缺粮", now=NOW)
        notice = await create_notice(
            s, town.director, town.village, "医保缴费提醒", "请按时缴费。", Audience(), now=NOW
        )
        occurrence = await send_now(s, notice, now=NOW)
    async with db.transaction() as s:
        ids = list(
            await s.scalars(
                select(OutboxMessage.id)
                .where(col(OutboxMessage.occurrence_id) == occurrence.id)
                .order_by(col(OutboxMessage.id))
            )
        )
        assert len(ids) == 2
        for message_id, status in zip(
            ids, (MessageStatus.DELIVERED, MessageStatus.FAILED), strict=True
        ):
            await s.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == message_id)
                .values(status=status.value)
            )

    async with db.session() as s:
        view = await village_dashboard(s, committee(town), town.village.id or 0, TODAY)
    f = view.figures
    assert f.households == 5
    assert [(t.label, t.count) for t in f.by_type] == [("脱贫户", 1), ("监测户", 1), ("一般户", 3)]
    assert (f.points_issued, f.points_redeemed, f.points_balance) == (100, 30, 77)
    assert [(m.issued, m.redeemed) for m in view.months[:4]] == [(0, 0), (100, 0), (0, 30), (0, 0)]
    assert (f.visits_overdue, f.visits_this_week) == (1, 1)
    assert f.follow_ups_open == 1
    assert (f.fund_balance, f.arrears_count) == ("0.00元", 0)
    [line] = view.broadcasts
    assert (line.title, line.total, line.sent, line.delivered, line.failed) == (
        "医保缴费提醒",
        2,
        1,
        1,
        1,
    )


async def test_committee_cannot_open_another_villages_pages(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, households=2, name="光明村")
    other_id = other.village.id or 0
    async with db.session() as s:
        with pytest.raises(Forbidden):
            await village_dashboard(s, committee(town), other_id, TODAY)
        with pytest.raises(Forbidden):
            await roster_page(s, committee(town), other_id, "", 1)
        with pytest.raises(Forbidden):
            await household_page(s, committee(town), other_id, other.households[0].id or 0, NOW)
        with pytest.raises(Forbidden):
            await balances_export(s, committee(town), other_id, NOW)
        # a household of village B asked for under village A's address is not found
        with pytest.raises(NotFound):
            await household_page(
                s, committee(town), town.village.id or 0, other.households[0].id or 0, NOW
            )


async def test_committee_pages_through_and_searches_the_roster(db: Database) -> None:
    town = await make_town(db, households=PAGE_SIZE + 10)
    async with db.transaction() as s:
        row = await s.get_one(Household, town.households[4].id)
        row.id_card, row.phone = ID_CARD, PHONE
    village_id = town.village.id or 0
    async with db.session() as s:
        first = await roster_page(s, committee(town), village_id, "", 1)
        second = await roster_page(s, committee(town), village_id, "", 2)
        found = await roster_page(s, committee(town), village_id, "  005 ", 1)
        by_initials = await roster_page(s, committee(town), village_id, "hz", 2)
    assert (len(first.lines), first.has_next, first.has_previous) == (PAGE_SIZE, True, False)
    assert (len(second.lines), second.has_next) == (10, False)
    assert second.lines[-1].number == f"幸福村-{PAGE_SIZE + 10:03d}"
    assert [line.number for line in found.lines] == ["幸福村-005"]
    assert (found.lines[0].id_card, found.lines[0].phones) == ("4101**********1234", "138****5678")
    assert ID_CARD not in repr(first) and "13812345678" not in repr(first)
    assert len(by_initials.lines) == 10  # 户主 → hz: all 60, the second page of them


async def test_committee_opens_a_household(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    async with db.transaction() as s:
        s.add(
            Member(
                household_id=home.id or 0,
                name="户主2",
                relation="户主",
                is_head=True,
                id_card=ID_CARD,
                phone=PHONE,
                birth_date=date(1950, 1, 1),
            )
        )
    for day in range(1, 26):  # 25 entries: the page shows the last 20
        await post(db, town, home, day, EntryKind.AWARD, datetime(2026, 1, day, tzinfo=UTC))
    async with db.session() as s:
        view = await household_page(s, committee(town), town.village.id or 0, home.id or 0, NOW)
    [member] = view.members
    assert (member.id_card, member.phone, member.age) == ("4101**********1234", "138****5678", 76)
    assert len(view.points.recent) == 20
    assert view.points.recent[0].amount == 25 and view.points.recent[0].balance_after == 325
    assert view.points.balance == 325 == view.household.balance
    assert ID_CARD not in repr(view) and "13812345678" not in repr(view)


async def test_county_admin_sees_every_village_and_committee_its_own(db: Database) -> None:
    town = await make_town(db, households=3)
    other = await make_town(db, households=2, name="光明村")
    async with db.transaction() as s:
        county = await add_staff(s, None, "县管理员", "county_admin")
    async with db.session() as s:
        everything = await township_overview(s, Principal.of(county), TODAY)
        own = await township_overview(s, committee(other), TODAY)
    assert [(r.name, r.households) for r in everything.rows] == [("光明村", 2), ("幸福村", 3)]
    assert [r.name for r in own.rows] == ["光明村"]
    assert town.village.id in {r.village_id for r in everything.rows}


async def test_committee_exports_balances_and_visits_to_excel(db: Database) -> None:
    town = await make_town(db, households=3)
    async with db.transaction() as s:
        (await s.get_one(Household, town.households[2].id)).head_name = "=HYPERLINK(1)"
        helper = await add_staff(s, town.village, "+张帮扶", "helper")
        await assign_helper(s, town.director, town.village, helper, town.households)
        await log_visit(s, helper, town.households[0], date(2026, 3, 5), "phone", "@家中无人", NOW)
    await post(db, town, town.households[0], 12, EntryKind.AWARD, NOW)
    village_id = town.village.id or 0
    async with db.session() as s:
        balances = await balances_export(s, committee(town), village_id, NOW)
        visits = await visits_export(s, committee(town), village_id, NOW)
    assert balances.filename == "幸福村_积分余额_2026-03-11.xlsx"
    rows = list(load_workbook(BytesIO(balances.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("户编号", "户主", "积分余额", "折合金额（元）")
    assert rows[1] == ("幸福村-001", "户主1", 12, 12)
    assert rows[3] == ("幸福村-003", "'=HYPERLINK(1)", 0, 0)
    rows = list(load_workbook(BytesIO(visits.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("2026-03-05", "幸福村-001", "户主1", "'+张帮扶", "电话", "'@家中无人")
    assert len(rows) == 2


async def test_dashboard_counts_stars_as_the_commendation_does(db: Database) -> None:
    town = await make_town(db, households=3)
    homes = [h.id or 0 for h in town.households]
    entries = await give_stars(db, town, "2026年第1季度", {homes[0]: 2, homes[1]: 1})
    await give_stars(db, town, "2025年第4季度", {homes[2]: 3}, year=2025)
    await give_stars(db, town, "2026年第2季度", {homes[2]: 1}, round_status=RoundStatus.PUBLICITY)
    async with db.transaction() as s:
        await ledger.reverse(s, entries[homes[0]][1].id or 0, town.director, "撤销", now=NOW)
    async with db.session() as s:
        view = await village_dashboard(s, committee(town), town.village.id or 0, TODAY)
        counted = await star_counts(s, town.village, 2026)
    assert view.figures.stars == 2 == sum(counted.values())
    assert [(c.name, c.count) for c in view.stars] == [(view.stars[0].name, 2)]


async def test_the_township_row_of_each_village_is_its_dashboards_figures(db: Database) -> None:
    town = await make_town(db, households=3)
    other = await make_town(db, households=2, name="光明村")
    await post(db, town, town.households[0], 50, EntryKind.AWARD, NOW)
    await post(db, other, other.households[1], 20, EntryKind.AWARD, NOW)
    await post(db, other, other.households[1], -5, EntryKind.REDEMPTION, NOW)
    async with db.transaction() as s:
        await open_follow_up(s, other.households[0], "food", "缺粮", now=NOW)
        county = await add_staff(s, None, "县管理员", "county_admin")
    async with db.session() as s:
        rows = {r.name: r for r in (await township_overview(s, Principal.of(county), TODAY)).rows}
        for place in (town, other):
            view = await village_dashboard(s, committee(place), place.village.id or 0, TODAY)
            assert rows[place.village.name] == view.figures
    assert (rows["幸福村"].points_issued, rows["幸福村"].points_balance) == (50, 50)
    assert (rows["光明村"].points_issued, rows["光明村"].points_redeemed) == (20, 5)
    assert (rows["幸福村"].follow_ups_open, rows["光明村"].follow_ups_open) == (0, 1)
