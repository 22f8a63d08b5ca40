"""The household confirms (or refuses) a redemption itself: in its bound chat or by SMS code."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from core.errors import Conflict, DomainError, NotFound
from notifications.models import OutboxMessage
from points import ledger, supermarket
from points.messages import answer_chat_confirmation
from points.models import (
    CatalogueItem,
    EntryKind,
    LedgerEntry,
    Receipt,
    Redemption,
    RedemptionStatus,
    StockMovement,
)
from points.supermarket import ConfirmOutcome
from tests.factories import Town, make_town
from village.models import ChatBinding, Household

NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
LATE = NOW + timedelta(hours=2)  # past the 30-minute code


async def fund(db: Database, town: Town, household: Household, amount: int) -> None:
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
                idempotency_key=f"fund:{household.id}",
            ),
        )


async def shop(db: Database, funds: int = 100) -> Town:
    """A town whose shop sells rice (20 a bag, 10 bags) and whose households 1–3 have points."""
    town = await make_town(db)
    async with db.transaction() as s:
        await supermarket.add_item(
            s, town.village, "大米", 20, town.shopkeeper, unit="袋", stock=10, now=NOW
        )
    for home in town.households[1:4]:
        await fund(db, town, home, funds)
    return town


async def start(
    db: Database, town: Town, home: Household, key: str, bags: int = 1, now: datetime = NOW
) -> supermarket.Started:
    async with db.transaction() as s:
        return await supermarket.start_redemption(
            s, town.village, home, [("大米", bags)], town.shopkeeper, key, now
        )


async def snapshot(db: Database) -> tuple[dict[int, int], int, int, int]:
    """Balances, rice stock, redemption entries, receipts: what must not move on refusal."""
    async with db.session() as s:
        balances = {
            h: b
            for h, b in await s.execute(
                select(LedgerEntry.household_id, func.sum(LedgerEntry.amount)).group_by(
                    col(LedgerEntry.household_id)
                )
            )
        }
        stock = await s.scalar(select(CatalogueItem.stock)) or 0
        spent = await s.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.kind == EntryKind.REDEMPTION.value)
        )
        receipts = await s.scalar(select(func.count()).select_from(Receipt))
    return balances, stock, int(spent or 0), int(receipts or 0)


async def status_of(db: Database, redemption_id: int) -> str:
    async with db.session() as s:
        found = await s.get(Redemption, redemption_id)
        assert found is not None
        return found.status


async def test_household_confirms_in_its_chat_once(db: Database) -> None:
    town = await shop(db)
    home = town.households[1]
    started = await start(db, town, home, "chat-1", bags=2)
    rid = started.redemption.id or 0

    async with db.transaction() as s:
        done = await supermarket.confirm_for_household(s, home, rid, NOW + timedelta(minutes=5))
    assert done.outcome == ConfirmOutcome.COMPLETED and done.ok and done.message == ""
    assert done.receipt is not None and "大米 2袋 × 20分 = 40分" in done.receipt.text
    assert f"经办：{town.shopkeeper.name}" in done.receipt.text

    async with db.transaction() as s:  # the button pressed again
        again = await supermarket.confirm_for_household(s, home, rid, NOW + timedelta(minutes=6))
    assert again.outcome == ConfirmOutcome.ALREADY_COMPLETED
    assert again.receipt is not None and again.receipt.id == done.receipt.id

    async with db.session() as s:
        assert await ledger.balance(s, home.id or 0) == 60
        entries = list(
            await s.scalars(
                select(LedgerEntry).where(LedgerEntry.kind == EntryKind.REDEMPTION.value)
            )
        )
        assert [(e.amount, e.actor_id) for e in entries] == [(-40, town.shopkeeper.id)]
        moves = list(await s.scalars(select(StockMovement).where(StockMovement.delta < 0)))
        assert [(m.delta, m.actor_id, m.redemption_id) for m in moves] == [
            (-2, town.shopkeeper.id, rid)
        ]
        stored = await s.get(Redemption, rid)
        assert stored is not None and stored.status == RedemptionStatus.COMPLETED.value
        assert stored.ledger_entry_id == entries[0].id
        assert await ledger.verify(s) == []
    # The counter cannot charge it a second time either.
    async with db.transaction() as s:
        counter = await supermarket.confirm_redemption(
            s, town.village, rid, started.code or "", town.shopkeeper, NOW
        )
    assert counter.outcome == ConfirmOutcome.ALREADY_COMPLETED
    assert (await snapshot(db))[2] == 1


async def test_another_household_can_neither_confirm_nor_refuse(db: Database) -> None:
    town = await shop(db)
    other_town = await make_town(db, households=2, name="光明村")
    home, neighbour = town.households[1], town.households[2]
    rid = (await start(db, town, home, "mine")).redemption.id or 0
    before = await snapshot(db)

    for stranger in (neighbour, other_town.households[0]):
        with pytest.raises(NotFound) as refused:
            async with db.transaction() as s:
                await supermarket.confirm_for_household(s, stranger, rid, NOW)
        assert refused.value.code == "redemption_not_found"
        with pytest.raises(NotFound):
            async with db.transaction() as s:
                await supermarket.refuse_for_household(s, stranger, rid, NOW)
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await supermarket.confirm_for_household(s, home, rid + 999, NOW)

    assert await snapshot(db) == before
    assert await status_of(db, rid) == RedemptionStatus.PENDING.value
    async with db.session() as s:
        assert await supermarket.pending_for_household(s, neighbour, NOW) == []


async def test_expired_redemption_is_closed_not_charged(db: Database) -> None:
    town = await shop(db)
    home = town.households[1]
    rid = (await start(db, town, home, "slow")).redemption.id or 0
    before = await snapshot(db)

    async with db.transaction() as s:
        late = await supermarket.confirm_for_household(s, home, rid, LATE)
    assert late.outcome == ConfirmOutcome.EXPIRED and not late.ok
    assert late.message == f"验证码已过期，兑换单 #{rid} 已失效，请重新发起"
    assert await status_of(db, rid) == RedemptionStatus.EXPIRED.value
    with pytest.raises(Conflict) as closed:
        async with db.transaction() as s:
            await supermarket.confirm_for_household(s, home, rid, LATE)
    assert closed.value.code == "redemption_is_expired"
    assert await snapshot(db) == before


async def test_household_refuses_and_nothing_is_spent(db: Database) -> None:
    town = await shop(db)
    home = town.households[1]
    started = await start(db, town, home, "no-thanks")
    rid = started.redemption.id or 0
    before = await snapshot(db)

    async with db.transaction() as s:
        refused = await supermarket.refuse_for_household(s, home, rid, NOW)
    assert refused.status == RedemptionStatus.CANCELLED.value and refused.closed_at == NOW
    async with db.transaction() as s:  # pressed twice: still cancelled, no error
        again = await supermarket.refuse_for_household(s, home, rid, NOW + timedelta(minutes=1))
    assert again.status == RedemptionStatus.CANCELLED.value

    with pytest.raises(Conflict) as chat:
        async with db.transaction() as s:
            await supermarket.confirm_for_household(s, home, rid, NOW)
    assert chat.value.code == "redemption_is_cancelled"
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await supermarket.confirm_redemption(
                s, town.village, rid, started.code or "", town.shopkeeper, NOW
            )
    async with db.transaction() as s:  # the code texted back no longer matches anything
        assert await supermarket.confirm_by_code(s, [home], started.code or "", NOW) is None
    assert await snapshot(db) == before

    done_id = (await start(db, town, home, "yes-please")).redemption.id or 0
    async with db.transaction() as s:
        await supermarket.confirm_for_household(s, home, done_id, NOW)
    with pytest.raises(Conflict) as completed:
        async with db.transaction() as s:
            await supermarket.refuse_for_household(s, home, done_id, NOW)
    assert completed.value.code == "redemption_is_completed"


async def test_shopkeeper_cannot_complete_without_the_household(db: Database) -> None:
    """Wrong codes at the counter count attempts and finally cancel; nothing is ever spent."""
    town = await shop(db)
    home = town.households[1]
    started = await start(db, town, home, "sneaky")
    rid = started.redemption.id or 0
    assert started.code is not None and started.code not in started.redemption.code_hash
    wrong = f"{(int(started.code) + 1) % 1_000_000:06d}"
    before = await snapshot(db)

    outcomes: list[tuple[ConfirmOutcome, int]] = []
    for _ in range(5):
        async with db.transaction() as s:
            tried = await supermarket.confirm_redemption(
                s, town.village, rid, wrong, town.shopkeeper, NOW
            )
        outcomes.append((tried.outcome, tried.attempts_left))
    assert outcomes == [
        (ConfirmOutcome.WRONG_CODE, 4),
        (ConfirmOutcome.WRONG_CODE, 3),
        (ConfirmOutcome.WRONG_CODE, 2),
        (ConfirmOutcome.WRONG_CODE, 1),
        (ConfirmOutcome.LOCKED_OUT, 0),
    ]
    assert await status_of(db, rid) == RedemptionStatus.CANCELLED.value
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await supermarket.confirm_redemption(
                s, town.village, rid, started.code, town.shopkeeper, NOW
            )
    # A staff member's own household is another household: the chat path needs the right one.
    secretary_home = town.households[0]
    other = await start(db, town, home, "second")
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await supermarket.confirm_for_household(
                s, secretary_home, other.redemption.id or 0, NOW
            )
    assert await snapshot(db) == before


async def test_confirm_by_sms_code_on_a_shared_phone(db: Database) -> None:
    town = await shop(db)
    grandma, son = town.households[1], town.households[2]
    older = await start(db, town, grandma, "older")
    newer = await start(db, town, son, "newer", now=NOW + timedelta(minutes=1))
    assert older.code and newer.code
    phone = [grandma, son]

    with pytest.raises(DomainError) as malformed:
        async with db.transaction() as s:
            await supermarket.confirm_by_code(s, phone, "12 34", NOW)
    assert malformed.value.code == "redemption_code_format"

    taken = {older.code, newer.code}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in taken)
    async with db.transaction() as s:
        missed = await supermarket.confirm_by_code(s, phone, wrong, NOW + timedelta(minutes=2))
    assert missed is not None and missed.outcome == ConfirmOutcome.WRONG_CODE
    assert missed.redemption.id == newer.redemption.id and missed.attempts_left == 4
    assert missed.message == "验证码不正确，还可以再试 4 次"

    # Full-width digits, as a Chinese IME types them, are accepted.
    wide = older.code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    async with db.transaction() as s:
        done = await supermarket.confirm_by_code(s, phone, wide, NOW + timedelta(minutes=3))
    assert done is not None and done.outcome == ConfirmOutcome.COMPLETED
    assert done.redemption.id == older.redemption.id and done.receipt is not None
    assert "户主2（幸福村-002）" in done.receipt.text

    async with db.session() as s:
        assert await ledger.balance(s, grandma.id or 0) == 80
        assert await ledger.balance(s, son.id or 0) == 100
        newest = await s.get(Redemption, newer.redemption.id)
        assert newest is not None and newest.attempts == 1
        entry = await s.scalar(
            select(LedgerEntry).where(LedgerEntry.kind == EntryKind.REDEMPTION.value)
        )
        assert entry is not None and entry.actor_id == town.shopkeeper.id

    # Only the son's is left; once it expires a reply finds it expired, then nothing.
    async with db.transaction() as s:
        expired = await supermarket.confirm_by_code(s, phone, newer.code, LATE)
    assert expired is not None and expired.outcome == ConfirmOutcome.EXPIRED
    assert await status_of(db, newer.redemption.id or 0) == RedemptionStatus.EXPIRED.value
    async with db.transaction() as s:
        assert await supermarket.confirm_by_code(s, phone, newer.code, LATE) is None
        assert await supermarket.confirm_by_code(s, [], newer.code, LATE) is None
    assert (await snapshot(db))[2] == 1


async def test_wrong_sms_codes_lock_out_like_the_counter(db: Database) -> None:
    town = await shop(db)
    home = town.households[1]
    started = await start(db, town, home, "guess")
    wrong = "000000" if started.code != "000000" else "111111"
    results = []
    for _ in range(5):
        async with db.transaction() as s:
            result = await supermarket.confirm_by_code(s, [home], wrong, NOW)
        assert result is not None
        results.append(result.outcome)
    assert (
        results[-1] == ConfirmOutcome.LOCKED_OUT and results[:-1] == [ConfirmOutcome.WRONG_CODE] * 4
    )
    assert await status_of(db, started.redemption.id or 0) == RedemptionStatus.CANCELLED.value
    async with db.transaction() as s:
        assert await supermarket.confirm_by_code(s, [home], started.code or "", NOW) is None
    assert (await snapshot(db))[2] == 0


async def test_pending_for_household(db: Database) -> None:
    town = await shop(db)
    home, neighbour = town.households[1], town.households[2]
    first = await start(db, town, home, "p1", bags=1)
    second = await start(db, town, home, "p2", bags=2, now=NOW + timedelta(minutes=10))
    await start(db, town, neighbour, "theirs")
    closed = await start(db, town, home, "p3")
    async with db.transaction() as s:
        await supermarket.refuse_for_household(s, home, closed.redemption.id or 0, NOW)

    async with db.session() as s:
        pending = await supermarket.pending_for_household(s, home, NOW + timedelta(minutes=20))
        assert [v.redemption.id for v in pending] == [second.redemption.id, first.redemption.id]
        assert [v.summary for v in pending] == ["大米 2袋", "大米 1袋"]
        assert {v.household.id for v in pending} == {home.id}
        # 35 minutes on, the first one's code has run out: only the second is still waiting.
        later = await supermarket.pending_for_household(s, home, NOW + timedelta(minutes=35))
        assert [v.redemption.id for v in later] == [second.redemption.id]


async def test_button_and_counter_at_once_charge_once(db: Database) -> None:
    """The household presses 确认, texts its code and the shopkeeper types it, all at once.

    On PostgreSQL the transactions really overlap and queue on the redemption row.
    """
    town = await shop(db, funds=1000)
    home = town.households[1]
    for n in range(3):
        started = await start(db, town, home, f"race-{n}")
        rid = started.redemption.id or 0

        async def chat(rid: int = rid) -> str:
            async with db.transaction() as s:
                result = await supermarket.confirm_for_household(s, home, rid, NOW)
            return result.outcome.value

        async def counter(code: str = started.code or "", rid: int = rid) -> str:
            async with db.transaction() as s:
                result = await supermarket.confirm_redemption(
                    s, town.village, rid, code, town.shopkeeper, NOW
                )
            return result.outcome.value

        async def sms(code: str = started.code or "") -> str:
            async with db.transaction() as s:
                result = await supermarket.confirm_by_code(s, [home], code, NOW)
            return result.outcome.value if result else "none"

        outcomes = await asyncio.gather(chat(), counter(), chat(), counter(), sms())
        assert outcomes.count("completed") == 1, outcomes
        assert set(outcomes) <= {"completed", "already_completed", "none"}, outcomes

    async with db.session() as s:
        spent = list(
            await s.scalars(
                select(LedgerEntry.ref_id).where(LedgerEntry.kind == EntryKind.REDEMPTION.value)
            )
        )
        assert len(spent) == len(set(spent)) == 3
        assert await ledger.balance(s, home.id or 0) == 1000 - 3 * 20
        assert await s.scalar(select(func.count()).select_from(Receipt)) == 3
        assert await ledger.verify(s) == []


async def bind_chats(db: Database, town: Town, home: Household) -> None:
    """The shopkeeper in chat 9001, the household in chat 9002."""
    async with db.transaction() as s:
        s.add_all(
            [
                ChatBinding(chat_id="9001", staff_id=town.shopkeeper.id),
                ChatBinding(chat_id="9002", household_id=home.id),
            ]
        )


async def receipts_queued(db: Database, redemption_id: int) -> list[tuple[str, str, str]]:
    """(key, chat, body) of every receipt message the outbox holds for one redemption."""
    async with db.session() as s:
        rows = await s.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.address, OutboxMessage.body)
            .where(col(OutboxMessage.idempotency_key).startswith(f"redemption:{redemption_id}:"))
            .order_by(col(OutboxMessage.idempotency_key))
        )
        return [(key, chat, body) for key, chat, body in rows]


async def test_a_double_tap_on_confirm_sends_one_receipt(db: Database) -> None:
    town = await shop(db)
    home = town.households[1]
    await bind_chats(db, town, home)
    rid = (await start(db, town, home, "tap")).redemption.id or 0
    replies = []
    for seconds in (1, 2):  # ✅确认兑换 pressed twice
        moment = NOW + timedelta(seconds=seconds)
        async with db.transaction() as s:
            confirmation = await supermarket.confirm_for_household(s, home, rid, moment)
            replies.append(await answer_chat_confirmation(s, confirmation, moment))
    assert "已确认" in replies[0] and "已经确认过" in replies[1]
    assert not any("经办" in reply for reply in replies)  # the tap is not answered with a receipt
    queued = await receipts_queued(db, rid)
    assert [(key, chat) for key, chat, _ in queued] == [
        (f"redemption:{rid}:receipt:household", "9002"),
        (f"redemption:{rid}:receipt:shop", "9001"),
    ]
    assert all("大米 1袋 × 20分 = 20分" in body for _, _, body in queued)
