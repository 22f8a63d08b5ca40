from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from core.db import Database
from core.errors import Conflict, DomainError, Forbidden, NotFound
from core.settings import get_settings
from points import ledger, supermarket
from points.models import (
    CatalogueItem,
    EntryKind,
    LedgerEntry,
    Receipt,
    Redemption,
    RedemptionStatus,
    StockMovement,
)
from tests.factories import Town, make_town
from village.models import Household, StaffMember
from village.registry import add_staff, update_village

NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # 10:30 in Beijing


async def fund(db: Database, town: Town, household: Household, amount: int, key: str) -> None:
    async with db.transaction() as s:
        await ledger.post(
            s,
            ledger.Posting(
                household_id=household.id or 0,
                village_id=town.village.id or 0,
                amount=amount,
                kind=EntryKind.AWARD,
                reason="测试入账",
                actor_id=town.director.id or 0,
                idempotency_key=key,
            ),
        )


async def stock_shop(db: Database, town: Town) -> None:
    async with db.transaction() as s:
        await supermarket.add_item(
            s, town.village, "大米", 20, town.shopkeeper, unit="袋", stock=10, now=NOW
        )
        await supermarket.add_item(
            s, town.village, "食用油", 15, town.shopkeeper, unit="瓶", stock=1, now=NOW
        )


async def open_redemption(
    db: Database, *, funds: int, key: str
) -> tuple[Town, Household, supermarket.Started]:
    """A stocked shop, a household with ``funds`` points, and one bag of rice pending."""
    town = await make_town(db)
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, funds, "fund")
    async with db.transaction() as s:
        started = await supermarket.start_redemption(
            s, town.village, home, [("大米", 1)], town.shopkeeper, key, NOW
        )
    return town, home, started


async def state(db: Database, household: Household) -> tuple[int, dict[str, int], int]:
    """Balance, stock per item and number of ledger entries: what must not move on failure."""
    async with db.session() as s:
        balance = await ledger.balance(s, household.id or 0)
        stock = {i.name: i.stock for i in await s.scalars(select(CatalogueItem))}
        entries = await s.scalar(select(func.count()).select_from(LedgerEntry)) or 0
    return balance, stock, entries


async def test_catalogue_items_stock_and_price(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        await update_village(s, town.village, town.director, point_value_yuan=Decimal("0.5"))
        rice = await supermarket.add_item(
            s, town.village, " 大米 ", 20, town.shopkeeper, unit="袋", stock=5, now=NOW
        )
        assert rice.name == "大米" and supermarket.yuan(town.village, rice.price_points) == Decimal(
            "10.00"
        )
        with pytest.raises(Conflict):
            await supermarket.add_item(s, town.village, "大米", 10, town.director)
        with pytest.raises(DomainError) as bad:
            await supermarket.add_item(s, town.village, "盐", 0, town.director)
        assert bad.value.code == "item_price_invalid"
        moved = await supermarket.restock(s, town.village, "大米", 7, town.director, now=NOW)
        assert (moved.delta, moved.stock_after, moved.reason) == (7, 12, "补货")
        off = await supermarket.adjust_stock(
            s, town.village, rice.id or 0, -2, town.shopkeeper, reason="受潮报损"
        )
        assert off.stock_after == 10
        with pytest.raises(DomainError) as low:
            await supermarket.adjust_stock(s, town.village, "大米", -11, town.shopkeeper)
        assert low.value.code == "insufficient_stock"
        await supermarket.set_price(s, town.village, "大米", 25, town.shopkeeper)
        with pytest.raises(NotFound):
            await supermarket.set_price(s, town.village, "酱油", 5, town.shopkeeper)
    async with db.session() as s:
        items = await supermarket.list_items(s, town.village)
        assert [(i.name, i.price_points, i.stock, i.unit) for i in items] == [
            ("大米", 25, 10, "袋")
        ]
        history = await supermarket.stock_history(s, town.village, "大米")
        assert [(m.delta, m.stock_after) for m in history] == [(-2, 10), (7, 12), (5, 5)]
        assert [m.actor_id for m in history] == [
            town.shopkeeper.id,
            town.director.id,
            town.shopkeeper.id,
        ]


async def test_catalogue_needs_shop_role(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, name="光明村")
    async with db.transaction() as s:
        helper = await add_staff(s, town.village, "帮扶干部", "helper")
    for actor in (helper, other.shopkeeper):
        with pytest.raises(Forbidden):
            async with db.transaction() as s:
                await supermarket.add_item(s, town.village, "大米", 20, actor)


async def test_multi_item_redemption_with_receipt(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, 100, "fund")
    async with db.transaction() as s:
        started = await supermarket.start_redemption(
            s, town.village, home.number, [("大米", 2), ("食用油", 1)], town.shopkeeper, "k1", NOW
        )
    assert started.created and started.code is not None and len(started.code) == 6
    redemption = started.redemption
    assert redemption.status == "pending" and redemption.total_points == 55
    assert started.code not in redemption.code_hash and len(redemption.code_hash) == 64
    assert redemption.code_expires_at == NOW + timedelta(minutes=30)
    # Nothing moves before the household's code is entered.
    assert await state(db, home) == (100, {"大米": 10, "食用油": 1}, 1)

    later = NOW + timedelta(minutes=5)
    async with db.transaction() as s:
        done = await supermarket.confirm_redemption(
            s, town.village, redemption.id or 0, started.code, town.shopkeeper, later
        )
    assert done.ok and done.outcome == supermarket.ConfirmOutcome.COMPLETED
    assert done.receipt is not None
    receipt = done.receipt.text
    for fragment in (
        "幸福村扶贫超市",
        f"#{redemption.id}",
        f"户主2（{home.number}）",
        "大米 2袋 × 20分 = 40分",
        "食用油 1瓶 × 15分 = 15分",
        "合计：55 分（折合 55.00 元）",
        "兑换后余额：45 分",
        "经办：幸福村店主",
        "时间：2026-03-02 10:35",
    ):
        assert fragment in receipt, (fragment, receipt)
    assert done.receipt.balance_after == 45 and done.receipt.total_points == 55

    assert await state(db, home) == (45, {"大米": 8, "食用油": 0}, 2)
    async with db.session() as s:
        entry = await s.scalar(select(LedgerEntry).where(LedgerEntry.kind == "redemption"))
        assert entry is not None
        assert entry.amount == -55 and entry.reason == "兑换：大米 2袋、食用油 1瓶"
        assert (entry.ref_type, entry.ref_id) == ("redemption", redemption.id)
        assert entry.idempotency_key == f"redemption:{redemption.id}"
        assert entry.actor_id == town.shopkeeper.id
        stored = await s.get(Redemption, redemption.id)
        assert stored is not None and stored.status == "completed"
        assert stored.ledger_entry_id == entry.id and stored.closed_at == later
        movements = list(
            await s.scalars(
                select(StockMovement).where(StockMovement.redemption_id == redemption.id)
            )
        )
        assert sorted((m.delta, m.stock_after) for m in movements) == [(-2, 8), (-1, 0)]
        assert await ledger.verify(s) == []


async def test_one_item_short_changes_nothing(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, 100, "fund")
    with pytest.raises(DomainError) as early:
        async with db.transaction() as s:
            await supermarket.start_redemption(
                s, town.village, home, [("大米", 1), ("食用油", 2)], town.shopkeeper, "k0", NOW
            )
    assert early.value.code == "insufficient_stock"
    assert "食用油只剩 1瓶，需要 2瓶" in early.value.message
    async with db.transaction() as s:
        started = await supermarket.start_redemption(
            s, town.village, home, [("大米", 2), ("食用油", 1)], town.shopkeeper, "k1", NOW
        )
        assert started.code is not None
    # Someone else takes the last bottle before the household confirms.
    async with db.transaction() as s:
        await supermarket.adjust_stock(s, town.village, "食用油", -1, town.shopkeeper)
    before = await state(db, home)
    with pytest.raises(DomainError) as late:
        async with db.transaction() as s:
            await supermarket.confirm_redemption(
                s, town.village, started.redemption.id or 0, started.code, town.shopkeeper, NOW
            )
    assert late.value.code == "insufficient_stock"
    assert await state(db, home) == before == (100, {"大米": 10, "食用油": 0}, 1)
    async with db.session() as s:
        stored = await s.get(Redemption, started.redemption.id)
        assert stored is not None and stored.status == "pending" and stored.attempts == 0
        assert await s.scalar(select(func.count()).select_from(Receipt)) == 0


async def test_insufficient_points(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, 30, "fund")
    with pytest.raises(DomainError) as early:
        async with db.transaction() as s:
            await supermarket.start_redemption(
                s, town.village, home, [("大米", 2)], town.shopkeeper, "k0", NOW
            )
    assert early.value.code == "insufficient_points"
    assert early.value.message == "积分不足：现有 30 分，需要 40 分"
    async with db.transaction() as s:
        first = await supermarket.start_redemption(
            s, town.village, home, [("大米", 1)], town.shopkeeper, "k1", NOW
        )
        second = await supermarket.start_redemption(
            s, town.village, home, [("食用油", 1)], town.shopkeeper, "k2", NOW
        )
    assert first.code and second.code
    async with db.transaction() as s:
        await supermarket.confirm_redemption(
            s, town.village, first.redemption.id or 0, first.code, town.shopkeeper, NOW
        )
    before = await state(db, home)
    with pytest.raises(DomainError) as late:
        async with db.transaction() as s:
            await supermarket.confirm_redemption(
                s, town.village, second.redemption.id or 0, second.code, town.shopkeeper, NOW
            )
    assert late.value.message == "积分不足：现有 10 分，需要 15 分"
    assert await state(db, home) == before == (10, {"大米": 9, "食用油": 1}, 2)


async def test_wrong_codes_cancel_the_redemption(db: Database) -> None:
    town, home, started = await open_redemption(db, funds=100, key="k1")
    assert started.code is not None
    rid = started.redemption.id or 0
    wrong = f"{(int(started.code) + 1) % 1_000_000:06d}"
    with pytest.raises(DomainError) as malformed:
        async with db.transaction() as s:
            await supermarket.confirm_redemption(s, town.village, rid, "12ab", town.shopkeeper)
    assert malformed.value.code == "redemption_code_format"
    lefts = []
    for _ in range(5):
        async with db.transaction() as s:
            result = await supermarket.confirm_redemption(
                s, town.village, rid, wrong, town.shopkeeper, NOW
            )
        assert not result.ok and result.receipt is None
        lefts.append((result.outcome.value, result.attempts_left))
    assert lefts == [
        ("wrong_code", 4),
        ("wrong_code", 3),
        ("wrong_code", 2),
        ("wrong_code", 1),
        ("locked_out", 0),
    ]
    assert result.message == f"验证码错误次数过多，兑换单 #{rid} 已取消"
    # Even the right code is now too late.
    with pytest.raises(Conflict) as closed:
        async with db.transaction() as s:
            await supermarket.confirm_redemption(
                s, town.village, rid, started.code, town.shopkeeper, NOW
            )
    assert closed.value.code == "redemption_is_cancelled"
    assert await state(db, home) == (100, {"大米": 10, "食用油": 1}, 1)
    async with db.session() as s:
        stored = await s.get(Redemption, rid)
        assert stored is not None and stored.status == "cancelled" and stored.attempts == 5


async def test_full_width_code_is_accepted(db: Database) -> None:
    town, _home, started = await open_redemption(db, funds=100, key="k1")
    assert started.code is not None
    typed = " ".join(chr(ord(c) + 0xFEE0) for c in started.code)  # "１ ２ ３ …"
    async with db.transaction() as s:
        done = await supermarket.confirm_redemption(
            s, town.village, started.redemption.id or 0, typed, town.shopkeeper, NOW
        )
    assert done.ok


async def test_expired_code(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, 100, "fund")
    async with db.transaction() as s:
        a = await supermarket.start_redemption(
            s, town.village, home, [("大米", 1)], town.shopkeeper, "a", NOW
        )
        b = await supermarket.start_redemption(
            s, town.village, home, [("大米", 1)], town.shopkeeper, "b", NOW
        )
        c = await supermarket.start_redemption(
            s, town.village, home, [("大米", 1)], town.shopkeeper, "c", NOW + timedelta(minutes=20)
        )
    assert a.code is not None
    late = NOW + timedelta(minutes=30)
    async with db.transaction() as s:
        result = await supermarket.confirm_redemption(
            s, town.village, a.redemption.id or 0, a.code, town.shopkeeper, late
        )
    assert result.outcome == supermarket.ConfirmOutcome.EXPIRED and not result.ok
    assert "已过期" in result.message
    async with db.transaction() as s:
        assert await supermarket.expire_pending(s, late - timedelta(seconds=1)) == 0
        assert await supermarket.expire_pending(s, late) == 1  # b; a is already expired
    async with db.transaction() as s:
        assert await supermarket.expire_pending(s, late) == 0
    with pytest.raises(Conflict) as gone:
        async with db.transaction() as s:
            await supermarket.confirm_redemption(
                s, town.village, b.redemption.id or 0, "000000", town.shopkeeper, late
            )
    assert gone.value.code == "redemption_is_expired"
    async with db.session() as s:
        statuses = {
            r.idempotency_key.split(":", 1)[1]: r.status
            for r in await s.scalars(select(Redemption))
        }
        assert statuses == {"a": "expired", "b": "expired", "c": "pending"}
        stored = await s.get(Redemption, c.redemption.id)
        assert stored is not None and stored.closed_at is None
    assert await state(db, home) == (100, {"大米": 10, "食用油": 1}, 1)


async def test_same_key_twice_is_one_redemption(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, 100, "fund")
    lines: list[tuple[str | int, int]] = [("大米", 1), ("食用油", 1), ("大米", 1)]
    async with db.transaction() as s:
        first = await supermarket.start_redemption(
            s, town.village, home, lines, town.shopkeeper, "same", NOW
        )
    assert first.code is not None and first.redemption.total_points == 55
    assert [(ln.item_name, ln.quantity) for ln in first.lines] == [("大米", 2), ("食用油", 1)]
    async with db.transaction() as s:
        again = await supermarket.start_redemption(
            s, town.village, home.number, [("食用油", 1), ("大米", 2)], town.shopkeeper, "same"
        )
    assert not again.created and again.code is None
    assert again.redemption.id == first.redemption.id
    for different in ([("大米", 3)], [("大米", 2)]):
        with pytest.raises(Conflict) as caught:
            async with db.transaction() as s:
                await supermarket.start_redemption(
                    s, town.village, home, different, town.shopkeeper, "same"
                )
        assert caught.value.code == "redemption_key_conflict"
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await supermarket.start_redemption(
                s, town.village, town.households[2], lines, town.shopkeeper, "same"
            )
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Redemption)) == 1


async def test_confirm_twice_returns_the_same_receipt(db: Database) -> None:
    town, home, started = await open_redemption(db, funds=100, key="k")
    assert started.code is not None
    rid = started.redemption.id or 0
    async with db.transaction() as s:
        first = await supermarket.confirm_redemption(
            s, town.village, rid, started.code, town.shopkeeper, NOW
        )
    after = await state(db, home)
    async with db.transaction() as s:
        again = await supermarket.confirm_redemption(
            s, town.village, rid, started.code, town.director, NOW + timedelta(hours=1)
        )
    assert again.outcome == supermarket.ConfirmOutcome.ALREADY_COMPLETED and again.ok
    assert first.receipt is not None and again.receipt is not None
    assert again.receipt.id == first.receipt.id and again.receipt.text == first.receipt.text
    assert await state(db, home) == after == (80, {"大米": 9, "食用油": 1}, 2)
    with pytest.raises(Conflict) as caught:
        async with db.transaction() as s:
            await supermarket.cancel_redemption(s, town.village, rid, town.shopkeeper)
    assert caught.value.code == "redemption_is_completed"


async def test_cancel_and_list(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, 100, "fund")
    yesterday = NOW - timedelta(days=1)
    async with db.transaction() as s:
        old = await supermarket.start_redemption(
            s, town.village, home, [("大米", 1)], town.shopkeeper, "old", yesterday
        )
        today = await supermarket.start_redemption(
            s, town.village, home, [("食用油", 1)], town.shopkeeper, "today", NOW
        )
    async with db.transaction() as s:
        cancelled = await supermarket.cancel_redemption(
            s, town.village, today.redemption.id or 0, town.shopkeeper, NOW
        )
        assert cancelled.status == RedemptionStatus.CANCELLED.value
        again = await supermarket.cancel_redemption(
            s, town.village, today.redemption.id or 0, town.shopkeeper, NOW
        )
        assert again.closed_at == NOW
    async with db.session() as s:
        listed = await supermarket.todays_redemptions(s, town.village, NOW)
        assert [v.redemption.id for v in listed] == [today.redemption.id]
        assert listed[0].summary == "食用油 1瓶" and listed[0].household.number == home.number
        everything = await supermarket.list_redemptions(s, town.village)
        assert [v.redemption.id for v in everything] == [today.redemption.id, old.redemption.id]
        pending = await supermarket.list_redemptions(
            s, town.village, status=RedemptionStatus.PENDING
        )
        assert [v.redemption.id for v in pending] == [old.redemption.id]
    other = await make_town(db, name="光明村")
    async with db.session() as s:
        assert await supermarket.list_redemptions(s, other.village) == []
        with pytest.raises(NotFound):
            await supermarket.get_redemption(s, other.village, old.redemption.id or 0)


async def test_access(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, name="光明村")
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, 100, "fund")
    await fund(db, town, town.households[0], 100, "fund0")
    async with db.transaction() as s:
        helper = await add_staff(
            s, town.village, "帮扶干部", "helper", household_number=home.number
        )
        county = await add_staff(s, None, "县管理员", "county_admin")

    async def start(actor: StaffMember, household: Household, key: str) -> supermarket.Started:
        async with db.transaction() as s:
            return await supermarket.start_redemption(
                s, town.village, household, [("大米", 1)], actor, key, NOW
            )

    # A household member who is not the shopkeeper, and another village's shopkeeper.
    for actor in (helper, other.shopkeeper):
        with pytest.raises(Forbidden):
            await start(actor, home, f"x-{actor.id}")
    # The 文书 belongs to the first household: a colleague must serve that household.
    with pytest.raises(DomainError) as own:
        await start(town.secretary, town.households[0], "own")
    assert own.value.code == "redemption_own_household"
    served = await start(town.secretary, home, "by-committee")
    by_county = await start(county, town.households[0], "by-county")
    assert served.created and by_county.created and served.code is not None

    rid = served.redemption.id or 0
    for actor in (helper, other.shopkeeper):
        with pytest.raises(Forbidden):
            async with db.transaction() as s:
                await supermarket.confirm_redemption(s, town.village, rid, served.code, actor, NOW)
        with pytest.raises(Forbidden):
            async with db.transaction() as s:
                await supermarket.cancel_redemption(s, town.village, rid, actor, NOW)
    # The other village's staff cannot reach it through their own village either.
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await supermarket.confirm_redemption(
                s, other.village, rid, served.code, other.shopkeeper, NOW
            )
    # A household from another village cannot be served here.
    with pytest.raises(NotFound):
        await start(town.shopkeeper, other.households[1], "foreign")
    async with db.transaction() as s:
        done = await supermarket.confirm_redemption(
            s, town.village, rid, served.code, town.shopkeeper, NOW
        )
    assert done.ok
    assert await state(db, home) == (80, {"大米": 9, "食用油": 1}, 3)


async def test_bad_lines(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, 100, "fund")
    cases: list[tuple[list[tuple[str | int, int]], str, str]] = [
        ([], "k", "redemption_empty"),
        ([("大米", 0)], "k", "quantity_invalid"),
        ([("大米", -1)], "k", "quantity_invalid"),
        ([("酱油", 1)], "k", "item_not_found"),
        ([("大米", 1)], "", "redemption_key_invalid"),
        ([("大米", 1)], "x" * 101, "redemption_key_invalid"),
    ]
    for lines, key, code in cases:
        with pytest.raises(DomainError) as caught:
            async with db.transaction() as s:
                await supermarket.start_redemption(
                    s, town.village, home, lines, town.shopkeeper, key, NOW
                )
        assert caught.value.code == code, (lines, key)
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await supermarket.start_redemption(
                s, town.village, "幸9999", [("大米", 1)], town.shopkeeper, "k", NOW
            )
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Redemption)) == 0


async def completed_rice(db: Database, key: str = "rice") -> tuple[Town, Household, int]:
    """One bag of rice (20 points) redeemed and confirmed: 80 points and 9 bags left."""
    town, home, started = await open_redemption(db, funds=100, key=key)
    rid = started.redemption.id or 0
    async with db.transaction() as s:
        await supermarket.confirm_redemption(
            s, town.village, rid, started.code or "", town.shopkeeper, NOW
        )
    return town, home, rid


async def test_shopkeeper_takes_goods_back_and_points_and_stock_return_once(db: Database) -> None:
    town, home, rid = await completed_rice(db)
    assert await state(db, home) == (80, {"大米": 9, "食用油": 1}, 2)
    later = NOW + timedelta(hours=2)
    async with db.transaction() as s:
        returned = await supermarket.return_redemption(
            s, town.village, rid, town.shopkeeper, "米生虫", later
        )
    assert returned.created and returned.entry.amount == 20
    assert returned.redemption.status == RedemptionStatus.RETURNED.value
    assert await state(db, home) == (100, {"大米": 10, "食用油": 1}, 3)

    async with db.transaction() as s:  # 退货 again: nothing more comes back
        again = await supermarket.return_redemption(s, town.village, rid, town.director)
    assert not again.created and again.entry.id == returned.entry.id
    assert await state(db, home) == (100, {"大米": 10, "食用油": 1}, 3)

    async with db.session() as s:
        entry = await s.get(LedgerEntry, returned.entry.id)
        stored = await s.get(Redemption, rid)
        assert entry is not None and stored is not None
        assert (entry.kind, entry.reverses_id, entry.actor_id) == (
            EntryKind.REVERSAL.value,
            stored.ledger_entry_id,
            town.shopkeeper.id,
        )
        assert "退货" in entry.reason and "米生虫" in entry.reason
        back = list(await s.scalars(select(StockMovement).where(StockMovement.delta > 0)))
        assert [(m.delta, m.stock_after, m.redemption_id) for m in back][-1] == (1, 10, rid)
        assert await ledger.verify(s) == []
        listed = await supermarket.list_redemptions(s, town.village)
        assert [v.redemption.status for v in listed] == [RedemptionStatus.RETURNED.value]


async def test_reversing_a_redemptions_points_by_hand_is_refused_with_the_way_to_return(
    db: Database,
) -> None:
    town, home, rid = await completed_rice(db)
    async with db.session() as s:
        stored = await s.get(Redemption, rid)
        assert stored is not None and stored.ledger_entry_id is not None
    with pytest.raises(DomainError) as caught:
        async with db.transaction() as s:
            await ledger.reverse(s, stored.ledger_entry_id, town.director, "退回", now=NOW)
    assert caught.value.code == "reverse_redemption_by_return"
    assert f"redeem return {rid}" in caught.value.message
    assert await state(db, home) == (80, {"大米": 9, "食用油": 1}, 2)  # nothing moved


async def test_return_after_a_hand_reversal_brings_back_the_stock_only(db: Database) -> None:
    """Before 退货 existed, ``ledger reverse`` gave the points back alone: 退货 finishes the job."""
    town, home, rid = await completed_rice(db)
    async with db.transaction() as s:
        stored = await s.get(Redemption, rid)
        assert stored is not None and stored.ledger_entry_id is not None
        await ledger.post(  # what the old ``ledger reverse`` wrote
            s,
            ledger.Posting(
                household_id=stored.household_id,
                village_id=stored.village_id,
                amount=stored.total_points,
                kind=EntryKind.REVERSAL,
                reason="退回",
                actor_id=town.director.id or 0,
                idempotency_key=f"reversal:{stored.ledger_entry_id}",
                ref_type="entry",
                ref_id=stored.ledger_entry_id,
                reverses_id=stored.ledger_entry_id,
            ),
            NOW,
        )
    assert await state(db, home) == (100, {"大米": 9, "食用油": 1}, 3)
    async with db.transaction() as s:
        returned = await supermarket.return_redemption(s, town.village, rid, town.shopkeeper)
    assert returned.created
    assert await state(db, home) == (100, {"大米": 10, "食用油": 1}, 3)
    async with db.session() as s:
        assert await ledger.verify(s) == []


async def test_only_a_completed_redemption_can_be_returned(db: Database) -> None:
    town, home, started = await open_redemption(db, funds=100, key="pending")
    rid = started.redemption.id or 0
    with pytest.raises(Conflict) as caught:
        async with db.transaction() as s:
            await supermarket.return_redemption(s, town.village, rid, town.shopkeeper)
    assert caught.value.code == "redemption_return_not_completed"
    assert "待农户确认" in caught.value.message
    other = await make_town(db, name="光明村")
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await supermarket.return_redemption(s, other.village, rid, other.shopkeeper)
    with pytest.raises(Forbidden):
        async with db.transaction() as s:
            await supermarket.return_redemption(s, town.village, rid, other.shopkeeper)
    assert await state(db, home) == (100, {"大米": 10, "食用油": 1}, 1)


async def test_code_hashes_need_the_server_secret(
    db: Database, server_secret_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A copy of the database without the secret file cannot check (or brute-force) a code."""
    town, _home, started = await open_redemption(db, funds=100, key="secret")
    assert started.code is not None
    assert stat.S_IMODE(server_secret_file.stat().st_mode) == 0o600
    kept = server_secret_file.read_text()
    assert len(bytes.fromhex(kept.strip())) == 32

    monkeypatch.setenv("XIANGXIN_SECRET_FILE", str(tmp_path / "elsewhere" / "secret.key"))
    get_settings.cache_clear()
    async with db.transaction() as s:
        stolen = await supermarket.confirm_redemption(
            s, town.village, started.redemption.id or 0, started.code, town.shopkeeper, NOW
        )
    assert stolen.outcome == supermarket.ConfirmOutcome.WRONG_CODE

    monkeypatch.setenv("XIANGXIN_SECRET_FILE", str(server_secret_file))
    get_settings.cache_clear()
    async with db.transaction() as s:
        done = await supermarket.confirm_redemption(
            s, town.village, started.redemption.id or 0, started.code, town.shopkeeper, NOW
        )
    assert done.ok and server_secret_file.read_text() == kept  # created once, then reused
