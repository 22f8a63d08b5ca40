"""What a household sees of itself: points, stars, the shop; in the chat and by SMS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlmodel import col, select

from core.db import Database
from notifications.sms.segments import count_segments
from points import ledger, rounds, supermarket
from points.household_view import (
    CategoryStars,
    points_summary,
    render_catalogue,
    render_points,
    render_stars,
    stars_summary,
)
from points.models import Award, LedgerEntry
from tests.factories import Town, make_town
from village.models import Household
from village.models import Village as VillageRow
from village.registry import update_village

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 in Beijing on 5 January
NOW = T0 + timedelta(days=16)  # 21 January: round C is on its 公示 (until 23 January)
CONTACT = "村委会王主任 13800001111"


@dataclass
class Scene:
    town: Town
    home: Household  # has stars in every round
    neighbour: Household  # one star in round B
    quiet: Household  # never a star


async def run_round(
    db: Database,
    town: Town,
    name: str,
    year: int,
    at: datetime,
    stars: list[tuple[Household, str]],
    *,
    take_effect: bool = True,
) -> int:
    """Create, propose, review and publish a round at ``at``; take it effect 6 days later."""
    async with db.transaction() as s:
        rnd = await rounds.create_round(s, town.village, town.secretary, name, year, at)
        round_id = rnd.id or 0
        for home, category in stars:
            await rounds.propose_award(
                s, round_id, town.secretary, home.number, category, "表现突出", at
            )
        await rounds.submit_for_review(s, round_id, town.secretary, at)
        for award in await s.scalars(select(Award).where(Award.round_id == round_id)):
            await rounds.approve_award(s, award.id or 0, town.director, "同意", at)
        await rounds.publish(s, round_id, town.director, at)
    if take_effect:
        async with db.transaction() as s:
            await rounds.take_effect(s, round_id, town.director, at + timedelta(days=6))
    return round_id


async def build(db: Database) -> Scene:
    town = await make_town(db)
    home, neighbour, quiet = town.households[1], town.households[2], town.households[3]
    async with db.transaction() as s:
        village = await s.get(VillageRow, town.village.id)
        assert village is not None
        await update_village(s, village, town.director, objection_contact=CONTACT)
        await supermarket.add_item(
            s, town.village, "大米", 20, town.shopkeeper, unit="袋", stock=10, now=T0
        )
    await run_round(db, town, "2025年第4季度", 2025, T0, [(home, "增收致富之星")])
    await run_round(
        db,
        town,
        "2026年第1季度",
        2026,
        T0 + timedelta(days=7),
        [(home, "热心公益之星"), (home, "户容整洁之星"), (neighbour, "户容整洁之星")],
    )
    await run_round(
        db,
        town,
        "2026年第2季度",
        2026,
        T0 + timedelta(days=14),
        [(home, "良好家风之星")],
        take_effect=False,
    )
    async with db.transaction() as s:  # the household takes a bag of rice
        started = await supermarket.start_redemption(
            s, town.village, home, [("大米", 1)], town.shopkeeper, "rice", T0 + timedelta(days=15)
        )
        await supermarket.confirm_for_household(
            s, home, started.redemption.id or 0, T0 + timedelta(days=15)
        )
    return Scene(town, home, neighbour, quiet)


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    """The SQL statements run on ``db`` while the block runs (reads and writes)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    engines = {db.engine.sync_engine, db.read_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def test_points_summary(db: Database) -> None:
    v = await build(db)
    async with db.session() as s:
        home = await s.get(Household, v.home.id)
        assert home is not None
        with counting(db) as queries:
            summary = await points_summary(s, home, NOW)
        assert len(queries) <= 3, queries
    assert summary.balance == 10 + 20 - 20
    assert summary.yuan == Decimal("10.00")
    assert summary.year == 2026
    # 2026's effective round only: not 2025's, not the round still on its 公示.
    assert summary.stars == [CategoryStars("户容整洁之星", 1), CategoryStars("热心公益之星", 1)]
    assert summary.star_total == 2
    assert [(e.amount, e.kind) for e in summary.recent] == [
        (-20, "redemption"),
        (10, "award"),
        (10, "award"),
        (10, "award"),
    ]
    assert summary.recent[0].reason == "兑换：大米 1袋"
    assert summary.recent[0].day.isoformat() == "2026-01-20"

    async with db.session() as s:
        few = await points_summary(s, v.home, NOW, recent=2)
        last_year = await points_summary(s, v.home, datetime(2025, 12, 31, 15, 59, tzinfo=UTC))
        new_year = await points_summary(s, v.home, datetime(2025, 12, 31, 16, 0, tzinfo=UTC))
        nothing = await points_summary(s, v.quiet, NOW, recent=0)
    assert len(few.recent) == 2 and few.balance == 10
    # The year is Beijing's: 31 December 23:59 is still 2025 there, 1 January 00:00 is 2026.
    assert (last_year.year, last_year.stars) == (2025, [CategoryStars("增收致富之星", 1)])
    assert new_year.year == 2026 and new_year.star_total == 2
    assert (nothing.balance, nothing.stars, nothing.recent) == (0, [], [])

    chat = render_points(summary, sms=False)
    for fragment in (
        "【幸福村】户主2家的积分（户号 幸福村-002）",
        "现有积分：10 分（折合 10 元）",
        "2026年获星：共 2 颗",
        "户容整洁之星 1 颗",
        "1月20日  -20 分  兑换：大米 1袋",
        "+10 分  2026年第1季度 热心公益之星：表现突出",
    ):
        assert fragment in chat, (fragment, chat)
    text = render_points(summary, sms=True)
    assert text.startswith("户主2家现有积分10分（折合10元）。2026年获星2颗：户容整洁1、热心公益1。")
    assert "最近：1月20日兑换-20分；" in text and "\n" not in text
    assert count_segments(text).parts <= 2, text
    quiet = render_points(nothing, sms=True)
    assert quiet == "户主4家现有积分0分（折合0元）。2026年暂未获星。"
    assert count_segments(quiet).parts == 1
    assert "2026年还没有获星，继续加油！" in render_points(nothing, sms=False)
    assert "还没有积分记录" in render_points(nothing, sms=False)


async def test_reversed_award_no_longer_counts_as_a_star(db: Database) -> None:
    v = await build(db)
    async with db.transaction() as s:
        entry = await s.scalar(
            select(LedgerEntry).where(col(LedgerEntry.reason).contains("热心公益之星"))
        )
        assert entry is not None
        await ledger.reverse(s, entry.id or 0, v.town.director, "评定有误")
    async with db.session() as s:
        summary = await points_summary(s, v.home, NOW)
        stars = await stars_summary(s, v.home, NOW)
    assert summary.stars == [CategoryStars("户容整洁之星", 1)] and summary.balance == 0
    assert stars.rounds[0].categories == ["户容整洁之星"]


async def test_stars_summary(db: Database) -> None:
    v = await build(db)
    async with db.session() as s:
        home = await s.get(Household, v.home.id)
        assert home is not None
        with counting(db) as queries:
            summary = await stars_summary(s, home, NOW)
        assert len(queries) <= 4, queries
        neighbour = await stars_summary(s, v.neighbour, NOW)
        after = await stars_summary(s, v.home, T0 + timedelta(days=19))

    assert [(r.name, r.categories, r.points) for r in summary.rounds] == [
        ("2026年第1季度", ["户容整洁之星", "热心公益之星"], 20),
        ("2025年第4季度", ["增收致富之星"], 10),
    ]
    assert summary.rounds[0].effective_on is not None
    assert summary.rounds[0].effective_on.isoformat() == "2026-01-18"
    publicity = summary.publicity
    assert publicity is not None
    assert (publicity.name, publicity.categories, publicity.points) == (
        "2026年第2季度",
        ["良好家风之星"],
        10,
    )
    assert publicity.last_day is not None and publicity.last_day.isoformat() == "2026-01-23"
    assert publicity.deadline == "2026年01月23日 24:00"
    assert publicity.contact == CONTACT and publicity.objections_open
    assert neighbour.publicity is not None and neighbour.publicity.categories == []
    assert [r.categories for r in neighbour.rounds] == [["户容整洁之星"], []]
    assert after.publicity is not None and not after.publicity.objections_open

    chat = render_stars(summary, sms=False)
    for fragment in (
        "【幸福村】户主2家的星级（户号 幸福村-002）",
        "正在公示：2026年第2季度",
        "您家拟评：良好家风之星（10 分）",
        "公示截止：2026年01月23日 24:00",
        f"对公示名单有异议，请联系：{CONTACT}",
        "2026年第1季度（1月18日生效）：户容整洁之星、热心公益之星，得 20 分",
        "2025年第4季度（1月11日生效）：增收致富之星，得 10 分",
    ):
        assert fragment in chat, (fragment, chat)
    assert "本轮没有评上" in render_stars(neighbour, sms=False)
    assert "您家本轮没有拟评星级" in render_stars(neighbour, sms=False)
    assert "等待村委会确认生效" in render_stars(after, sms=False)

    text = render_stars(summary, sms=True)
    assert text == (
        "户主2家星级：2026年第1季度获户容整洁、热心公益；2025年第4季度获增收致富。"
        f"正在公示2026年第2季度，您家拟评良好家风，至1月23日24时止，有异议请找{CONTACT}。"
    )
    assert count_segments(text).parts <= 2
    neighbour_text = render_stars(neighbour, sms=True)
    assert "2025年第4季度未获星" in neighbour_text and "您家本轮未拟评" in neighbour_text
    assert count_segments(neighbour_text).parts <= 2


async def test_stars_of_a_village_without_rounds(db: Database) -> None:
    town = await make_town(db, households=2)
    async with db.session() as s:
        summary = await stars_summary(s, town.households[1], NOW)
    assert summary.rounds == [] and summary.publicity is None
    assert "还没有生效的评星结果" in render_stars(summary, sms=False)
    text = render_stars(summary, sms=True)
    assert text == "户主2家星级：暂无生效的评星结果。"


async def test_sms_stays_short_for_a_busy_household(db: Database) -> None:
    """Many stars and entries: the SMS drops detail rather than run to many segments."""
    town = await make_town(db)
    home = town.households[1]
    names = ["增收致富之星", "政策明白之星", "移风易俗之星", "户容整洁之星", "反对迷信之星"]
    await run_round(db, town, "2026年第1季度", 2026, T0, [(home, n) for n in names])
    await run_round(
        db, town, "2026年第2季度", 2026, T0 + timedelta(days=7), [(home, n) for n in names]
    )
    await run_round(
        db,
        town,
        "2026年第3季度",
        2026,
        T0 + timedelta(days=14),
        [(home, n) for n in names],
        take_effect=False,
    )
    async with db.session() as s:
        points = await points_summary(s, home, NOW)
        stars = await stars_summary(s, home, NOW)
    assert points.star_total == 10
    for text in (render_points(points, sms=True), render_stars(stars, sms=True)):
        assert count_segments(text).parts <= 2, text
    assert "2026年获星10颗" in render_points(points, sms=True)


async def test_catalogue(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        village = await s.get(VillageRow, town.village.id)
        assert village is not None
        await update_village(s, village, town.director, point_value_yuan=Decimal("0.5"))
        town.village = village
        await supermarket.add_item(
            s, town.village, "大米", 25, town.shopkeeper, unit="袋", stock=10, now=T0
        )
        await supermarket.add_item(
            s, town.village, "食用油", 15, town.shopkeeper, unit="瓶", stock=0, now=T0
        )
        await supermarket.add_item(
            s, town.village, "洗衣粉", 8, town.shopkeeper, unit="包", stock=3, now=T0
        )
    async with db.session() as s:
        items = await supermarket.list_items(s, town.village)

    chat = render_catalogue(items, town.village, sms=False)
    assert chat.splitlines()[:4] == [
        "【幸福村扶贫超市】可用积分兑换的商品：",
        "1. 大米 —— 25 分/袋（折合 12.50 元），有货 10袋",
        "2. 食用油 —— 15 分/瓶（折合 7.50 元），暂时缺货",
        "3. 洗衣粉 —— 8 分/包（折合 4 元），有货 3包",
    ]
    text = render_catalogue(items, town.village, sms=True)
    assert (
        text == "幸福村超市可换：大米25分/袋（剩10）、洗衣粉8分/包（剩3）、食用油15分/瓶（缺货）。"
    )
    assert count_segments(text).parts == 1

    async with db.transaction() as s:
        for n in range(12):
            await supermarket.add_item(
                s, town.village, f"日用品{n + 1}号", 5 + n, town.shopkeeper, stock=n, now=T0
            )
    async with db.session() as s:
        many = await supermarket.list_items(s, town.village)
    text = render_catalogue(many, town.village, sms=True)
    assert text.endswith("…更多请到店查看") and count_segments(text).parts <= 2, text
    assert text.count("分/") <= 8
    assert "缺货" not in text  # in-stock items come first and fill the message
    assert len(render_catalogue(many, town.village, sms=False).splitlines()) == 15 + 2

    other = await make_town(db, households=1, name="光明村")
    assert render_catalogue([], other.village, sms=True) == "光明村超市还没有商品"
