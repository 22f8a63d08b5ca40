"""The two messages around a redemption: the household's request to confirm, then receipts.

The shopkeeper's counter and the household are usually in different places
(and on different channels), so both messages go through the outbox: the ask
reaches the household in its bound chat with 确认/不兑换 buttons, or by SMS
with the code to reply; the receipt goes to both sides once it is done.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.catalogue import text
from core.settings import get_settings
from notifications import outbox
from points import ledger
from points.supermarket import Confirmation, ConfirmOutcome, Returned, Started, summarize
from village.models import Household, StaffMember

CONFIRM = "r:ok"  # callback data prefixes of the household's buttons
REFUSE = "r:no"


async def ask_household(
    session: AsyncSession, started: Started, shopkeeper: StaffMember, now: datetime | None = None
) -> bool:
    """Send the household the redemption to confirm; False when it cannot be reached.

    Only a new redemption carries a code (a replayed start has none, and its
    first ask is already in the outbox under the same key). The code is in the
    message only until it is sent: then the outbox masks it in the stored body.
    """
    if started.code is None:
        return True
    redemption_id = started.redemption.id or 0
    body = text(
        "redemption_ask",
        shopkeeper=shopkeeper.name,
        items=summarize(started.lines),
        total=started.redemption.total_points,
        balance=await ledger.balance(session, started.household.id or 0),
        code=started.code,
        minutes=get_settings().redemption_code_minutes,
    )
    buttons = (
        (text("redemption_button_confirm"), f"{CONFIRM}:{redemption_id}"),
        (text("redemption_button_refuse"), f"{REFUSE}:{redemption_id}"),
    )
    return await outbox.tell(
        session,
        f"{outbox.ONE_TIME_CODE_KEY}redemption:{redemption_id}:ask",  # masked once sent
        body,
        household=started.household,
        buttons=buttons,
        now=now,
    )


async def send_receipts(
    session: AsyncSession,
    confirmation: Confirmation,
    now: datetime | None = None,
    *,
    to_household: bool = True,
    to_shop: bool = True,
) -> None:
    """The receipt to the household and to the shopkeeper who served it (once each).

    ``to_household=False`` (or ``to_shop=False``) when that side is reading it
    as the reply to its own confirmation already.
    """
    receipt = confirmation.receipt
    if receipt is None:
        return
    redemption = confirmation.redemption
    household = await session.get(Household, redemption.household_id)
    shopkeeper = await session.get(StaffMember, redemption.shopkeeper_id)
    key = f"redemption:{redemption.id}:receipt"
    if to_household:
        await outbox.tell(session, f"{key}:household", receipt.text, household=household, now=now)
    if to_shop and shopkeeper is not None:
        await outbox.tell(session, f"{key}:shop", receipt.text, staff=shopkeeper, now=now)


async def tell_refused(
    session: AsyncSession, shopkeeper_id: int, redemption_id: int, now: datetime | None = None
) -> None:
    shopkeeper = await session.get(StaffMember, shopkeeper_id)
    if shopkeeper is not None:
        body = text("redemption_refused_by_household", id=redemption_id)
        await outbox.tell(
            session, f"redemption:{redemption_id}:refused", body, staff=shopkeeper, now=now
        )


async def answer_chat_confirmation(
    session: AsyncSession, confirmation: Confirmation, now: datetime | None = None
) -> str:
    """The household pressed 确认 in its chat: receipts go out once, the tap gets a short line.

    Both receipts travel through the outbox under keys made of the redemption
    id, so a double tap (or two taps racing on two connections) still gives the
    household and the shopkeeper one receipt each.
    """
    await send_receipts(session, confirmation, now)
    code = (
        "redemption_already_confirmed"
        if confirmation.outcome == ConfirmOutcome.ALREADY_COMPLETED
        else "redemption_confirmed_in_chat"
    )
    return text(code, id=confirmation.redemption.id)


async def tell_returned(
    session: AsyncSession, returned: Returned, now: datetime | None = None
) -> bool:
    """Tell the household its return went through (once per redemption, whoever repeats it)."""
    redemption = returned.redemption
    body = text(
        "redemption_returned_notice",
        id=redemption.id,
        items=summarize(returned.lines),
        total=redemption.total_points,
        balance=await ledger.balance(session, redemption.household_id),
    )
    return await outbox.tell(
        session, f"redemption:{redemption.id}:returned", body, household=returned.household, now=now
    )
