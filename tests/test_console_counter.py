"""The 扶贫超市 counter over HTTP, on both databases: a real server, real logins, no mocks.

The household's one-time code is read where the household's phone gets it
from: the outbox message queued for it (no sender runs in these tests, so the
body still holds the code). The shopkeeper's pages never carry it.
"""

from __future__ import annotations

import re

from sqlmodel import select

from core.db import Database
from core.settings import get_settings
from notifications.models import OutboxMessage
from points import ledger, supermarket
from points.models import CatalogueItem, PriceChange
from tests.console import Client, csrf_token, logged_in, outcome, page_token
from tests.factories import Town, give_points, make_town
from village.models import Household


async def shop(db: Database) -> tuple[Town, Household, dict[str, int]]:
    """幸福村 with rice and oil on the shelf and household 002 (with a phone) holding 100 points."""
    town = await make_town(db, households=3)
    async with db.transaction() as s:
        home = await s.get_one(Household, town.households[1].id)
        home.phone = "+8613900000002"
        await give_points(s, town, home, 100)
        rice = await supermarket.add_item(
            s, town.village, "大米", 20, town.shopkeeper, unit="袋", stock=5
        )
        oil = await supermarket.add_item(
            s, town.village, "食用油", 15, town.shopkeeper, unit="瓶", stock=3
        )
    return town, home, {"大米": rice.id or 0, "食用油": oil.id or 0}


async def code_sent_to(db: Database, redemption_id: int) -> str:
    """The 6-digit code in the household's queued message, as its phone will receive it."""
    async with db.session() as s:
        body = await s.scalar(
            select(OutboxMessage.body).where(
                OutboxMessage.idempotency_key == f"otp:redemption:{redemption_id}:ask"
            )
        )
    assert body is not None
    found = re.search(r"(?<!\d)\d{6}(?!\d)", body)
    assert found is not None, body
    return found.group(0)


async def stock_of(db: Database, item_id: int) -> int:
    async with db.session() as s:
        return (await s.get_one(CatalogueItem, item_id)).stock


async def balance_of(db: Database, home: Household) -> int:
    async with db.session() as s:
        return await ledger.balance(s, home.id or 0)


async def start(
    client: Client, village_id: int, home: Household, lines: dict[int, int]
) -> tuple[str, str]:
    """Start a redemption from the counter's form; the page it lands on (path, HTML)."""
    counter = f"/villages/{village_id}/counter?household={home.id}"
    page = await client.get(counter)
    html = await page.text()
    key = re.search(r'name="key" value="([^"]+)"', html)
    assert key is not None, html
    data = {"csrf_token": csrf_token(html), "household": str(home.id), "key": key.group(1)}
    data |= {f"qty_{item}": str(quantity) for item, quantity in lines.items()}
    response = await client.post(f"/villages/{village_id}/counter/redemptions", data=data)
    assert response.status == 200, await response.text()
    return str(response.url.path), await response.text()


async def test_shopkeeper_finds_the_household_and_sees_its_balance_and_the_stock(
    db: Database,
) -> None:
    town, home, _ = await shop(db)
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        counter = f"/villages/{town.village.id}/counter"
        found = await client.get(counter, params={"q": "002"}, headers={"HX-Request": "true"})
        part = await found.text()
        assert found.status == 200 and "<html" not in part
        assert "幸福村-002" in part and ">100<" in part and "幸福村-001" not in part

        chosen = await client.get(counter, params={"household": str(home.id)})
        page = await chosen.text()
        assert "户主2（幸福村-002），积分余额 100 分" in page
        assert "大米" in page and "5袋" in page and "食用油" in page and "3瓶" in page


async def test_shopkeeper_redeems_with_the_households_code_and_returns_it_once(
    db: Database,
) -> None:
    town, home, items = await shop(db)
    village_id = town.village.id or 0
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        path, started = await start(
            client, village_id, home, {items["大米"]: 2, items["食用油"]: 1}
        )
        assert "验证码已发给农户本人" in started
        redemption_id = int(path.rsplit("/", 1)[1])
        code = await code_sent_to(db, redemption_id)
        pending = await (await client.get(path)).text()
        assert "待农户确认" in pending and "等待农户在手机上确认" in pending
        assert code not in pending
        assert await balance_of(db, home) == 100  # nothing taken before the household agrees

        wrong = "000000" if code != "000000" else "111111"
        token = csrf_token(pending)
        answer = await client.post(f"{path}/confirm", data={"csrf_token": token, "code": wrong})
        text = await answer.text()
        assert answer.status == 200 and str(answer.url.path) == path
        left = get_settings().redemption_code_attempts - 1
        assert f"验证码不正确，还可以再试 {left} 次" in text and code not in text
        again = await (await client.get(path)).text()
        assert "验证码不正确" not in again  # shown once, not on every reload

        done = await client.post(f"{path}/confirm", data={"csrf_token": token, "code": code})
        receipt = await done.text()
        assert "兑换完成" in receipt and "积分兑换小票" in receipt and "合计：55 分" in receipt
        assert "户主2现有积分 45 分" in receipt
        assert await balance_of(db, home) == 45
        assert await stock_of(db, items["大米"]) == 3 and await stock_of(db, items["食用油"]) == 2

        listed = await client.get(f"/villages/{village_id}/counter/redemptions")
        assert f"#{redemption_id}" in await listed.text() and "已完成" in await listed.text()

        back = {"csrf_token": token, "reason": "米受潮"}
        returned = await client.post(f"{path}/return", data=back)
        text = await returned.text()
        assert f"兑换单 #{redemption_id} 已退货，55 分已退回，农户现有 100 分" in text
        assert "已退货" in text
        assert await balance_of(db, home) == 100
        assert await stock_of(db, items["大米"]) == 5 and await stock_of(db, items["食用油"]) == 3

        twice = await client.post(f"{path}/return", data=back)
        assert "没有重复退分、入库" in await twice.text()
        assert await balance_of(db, home) == 100 and await stock_of(db, items["大米"]) == 5


async def test_shopkeeper_cancels_a_pending_redemption(db: Database) -> None:
    town, home, items = await shop(db)
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        path, _ = await start(client, town.village.id or 0, home, {items["大米"]: 1})
        token = await page_token(client, path)
        cancelled = await client.post(f"{path}/cancel", data={"csrf_token": token})
        text = await cancelled.text()
        assert "已取消" in text and "确认兑换" not in text
    assert await balance_of(db, home) == 100 and await stock_of(db, items["大米"]) == 5


async def test_starting_beyond_the_households_points_shows_why_and_starts_nothing(
    db: Database,
) -> None:
    town, home, items = await shop(db)
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        landed, text = await start(
            client, town.village.id or 0, home, {items["大米"]: 5, items["食用油"]: 1}
        )
        assert landed.endswith("/counter") and "积分不足：现有 100 分，需要 115 分" in text
        assert "户主2（幸福村-002）" in text  # back at the same household, to choose again
    async with db.session() as s:
        assert await supermarket.list_redemptions(s, town.village) == []


async def test_shopkeeper_adds_goods_and_restocks(db: Database) -> None:
    town, _, items = await shop(db)
    stock = f"/villages/{town.village.id}/counter/stock"
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        token = await page_token(client, stock)
        added = await client.post(
            stock,
            data={"csrf_token": token, "name": "洗衣粉", "price": "8", "unit": "包", "stock": "10"},
        )
        text = await added.text()
        assert "已上架：洗衣粉，8 分/包" in text and "10包" in text

        restocked = await client.post(
            f"{stock}/{items['大米']}/restock",
            data={"csrf_token": token, "quantity": "4", "reason": "镇上进货"},
        )
        assert "大米库存 +4袋，现有 9袋" in await restocked.text()
        assert await stock_of(db, items["大米"]) == 9

        bad = await client.post(
            f"{stock}/{items['大米']}/restock", data={"csrf_token": token, "quantity": "许多"}
        )
        assert "“许多”应是整数" in await bad.text()
        assert await stock_of(db, items["大米"]) == 9


async def test_another_villages_shopkeeper_is_refused(db: Database) -> None:
    town, home, items = await shop(db)
    await make_town(db, households=1, name="光明村")
    counter = f"/villages/{town.village.id}/counter"
    client = await logged_in(db, "光明村", "郑店主", "shopkeeper")
    async with client:
        looked = await client.get(counter)
        assert looked.status == 403 and "无权查看这个村" in await looked.text()
        own = await client.get("/")
        token = csrf_token(await own.text())
        data = {
            "csrf_token": token,
            "household": str(home.id),
            "key": "k1",
            f"qty_{items['大米']}": "1",
        }
        started = await client.post(f"{counter}/redemptions", data=data)
        assert started.status == 403
        restock = await client.post(
            f"{counter}/stock/{items['大米']}/restock", data={"csrf_token": token, "quantity": "9"}
        )
        assert restock.status == 403
    assert await stock_of(db, items["大米"]) == 5
    async with db.session() as s:
        assert await supermarket.list_redemptions(s, town.village) == []


async def test_supervisor_reads_the_counter_but_cannot_post(db: Database) -> None:
    town, home, items = await shop(db)
    counter = f"/villages/{town.village.id}/counter"
    client = await logged_in(db, "幸福村", "赵监督", "supervisor")
    async with client:
        for path in (counter, f"{counter}/stock", f"{counter}/redemptions"):
            assert (await client.get(path)).status == 200, path
        token = await page_token(client, f"{counter}/stock")
        data = {
            "csrf_token": token,
            "household": str(home.id),
            "key": "k2",
            f"qty_{items['大米']}": "1",
        }
        refused = await client.post(f"{counter}/redemptions", data=data)
        assert refused.status == 403 and "村务监督委员会只能查看" in await refused.text()
        added = await client.post(
            f"{counter}/stock", data={"csrf_token": token, "name": "盐", "price": "2"}
        )
        assert added.status == 403
    async with db.session() as s:
        assert await supermarket.list_redemptions(s, town.village) == []
        assert len(await supermarket.list_items(s, town.village)) == 2


async def test_a_helper_may_look_but_the_domain_refuses_her_a_redemption(db: Database) -> None:
    town, home, items = await shop(db)
    counter = f"/villages/{town.village.id}/counter"
    client = await logged_in(db, "幸福村", "钱帮扶", "helper")
    async with client:
        token = await page_token(client, counter)
        data = {
            "csrf_token": token,
            "household": str(home.id),
            "key": "k3",
            f"qty_{items['大米']}": "1",
        }
        refused = await client.post(f"{counter}/redemptions", data=data)
        assert refused.status == 403 and "没有权限执行此操作" in await refused.text()
    async with db.session() as s:
        assert await supermarket.list_redemptions(s, town.village) == []


async def test_the_waiting_page_polls_until_the_household_confirms_on_its_phone(
    db: Database,
) -> None:
    town, home, items = await shop(db)
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        path, _ = await start(client, town.village.id or 0, home, {items["大米"]: 1})
        waiting = await client.get(f"{path}/status", params={"n": "1"})
        part = await waiting.text()
        assert "<html" not in part and f"{path}/status?n=2" in part
        assert "HX-Refresh" not in waiting.headers

        tired = await client.get(f"{path}/status", params={"n": "200"})
        assert "已停止自动刷新" in await tired.text() and "hx-trigger" not in await tired.text()

        redemption_id = int(path.rsplit("/", 1)[1])
        async with db.transaction() as s:  # the household presses 确认 in its own chat
            household = await s.get_one(Household, home.id)
            await supermarket.confirm_for_household(s, household, redemption_id)
        done = await client.get(f"{path}/status", params={"n": "3"})
        assert done.headers.get("HX-Refresh") == "true" and "hx-trigger" not in await done.text()
        assert "户主2现有积分 80 分" in await (await client.get(path)).text()


async def test_a_household_without_phone_or_chat_cannot_be_asked(db: Database) -> None:
    town, home, items = await shop(db)
    async with db.transaction() as s:
        (await s.get_one(Household, home.id)).phone = None
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        _, text = await start(client, town.village.id or 0, home, {items["大米"]: 1})
        assert "没有绑定 Telegram 也没有登记手机" in text
    async with db.session() as s:
        assert await supermarket.list_redemptions(s, town.village) == []


async def test_a_shopkeeper_writes_off_two_damaged_bags_and_the_history_shows_why(
    db: Database,
) -> None:
    town, _, items = await shop(db)
    stock = f"/villages/{town.village.id}/counter/stock"
    rice = f"{stock}/{items['大米']}"
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        token = await page_token(client, stock)
        done = await client.post(
            f"{rice}/write-off", data={"csrf_token": token, "quantity": "2", "reason": "受潮发霉"}
        )
        page = await done.text()
        assert str(done.url.path) == stock
        assert "大米报损 2袋（受潮发霉），现有 3袋" in page and "<td>3袋</td>" in page
        history = await (await client.get(rice)).text()
        assert "现价 20 分/袋" in history and "库存 3袋" in history
        assert "<td>-2袋</td><td>3袋</td>" in history and "受潮发霉" in history
        assert "吴店主" in history and "上架初始库存" in history
    assert await stock_of(db, items["大米"]) == 3
    async with db.session() as s:
        moves = await supermarket.stock_history(s, town.village, items["大米"])
    latest = moves[0]
    assert (latest.delta, latest.stock_after, latest.reason) == (-2, 3, "受潮发霉")


async def test_a_write_off_beyond_the_stock_is_refused_in_chinese(db: Database) -> None:
    town, _, items = await shop(db)
    stock = f"/villages/{town.village.id}/counter/stock"
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        token = await page_token(client, stock)
        refused = await client.post(
            f"{stock}/{items['食用油']}/write-off",
            data={"csrf_token": token, "quantity": "4", "reason": "过期"},
        )
        page = await refused.text()
        assert str(refused.url.path) == stock
        assert outcome(page, "error") == "库存不足：食用油只剩 3瓶，需要 4瓶"
        no_reason = await client.post(
            f"{stock}/{items['食用油']}/write-off",
            data={"csrf_token": token, "quantity": "1", "reason": " "},
        )
        assert outcome(await no_reason.text(), "error") == "报损须写明原因（如 过期、破损）"
    assert await stock_of(db, items["食用油"]) == 3
    async with db.session() as s:
        moves = await supermarket.stock_history(s, town.village, items["食用油"])
    assert [m.delta for m in moves] == [3]  # the opening stock only


async def test_a_shopkeeper_changes_a_price_and_the_item_shows_it(db: Database) -> None:
    town, _, items = await shop(db)
    stock = f"/villages/{town.village.id}/counter/stock"
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        token = await page_token(client, stock)
        changed = await client.post(
            f"{stock}/{items['大米']}/price", data={"csrf_token": token, "price": "25"}
        )
        page = await changed.text()
        assert outcome(page, "notice") == "大米新价格：25 分/袋（折合 25.00 元）"
        assert "25 分/袋" in page
        bad = await client.post(
            f"{stock}/{items['大米']}/price", data={"csrf_token": token, "price": "0"}
        )
        assert "积分价格必须是正整数" in outcome(await bad.text(), "error")
        history = await (await client.get(f"{stock}/{items['大米']}")).text()
        assert "现价 25 分/袋（折合 25.00 元），库存 5袋" in history
        assert "<td>+5袋</td><td>5袋</td>" in history and "上架初始库存" in history
        assert "<td>20</td><td>25</td><td>吴店主</td>" in history  # the change, on record
    async with db.session() as s:
        assert (await s.get_one(CatalogueItem, items["大米"])).price_points == 25
        [change] = list(await s.scalars(select(PriceChange)))
        assert (change.old_points, change.new_points, change.item_id) == (20, 25, items["大米"])


async def test_the_supervisor_reads_the_stock_history_but_sees_no_stock_forms(
    db: Database,
) -> None:
    town, _, items = await shop(db)
    stock = f"/villages/{town.village.id}/counter/stock"
    client = await logged_in(db, "幸福村", "赵监督", "supervisor")
    async with client:
        page = await (await client.get(stock)).text()
        assert "大米" in page and "/write-off" not in page and "/price" not in page
        assert 'id="add-item"' not in page
        history = await client.get(f"{stock}/{items['大米']}")
        assert history.status == 200 and "上架初始库存" in await history.text()
        token = csrf_token(page)
        refused = await client.post(
            f"{stock}/{items['大米']}/write-off",
            data={"csrf_token": token, "quantity": "1", "reason": "试试"},
        )
        assert refused.status == 403
        repriced = await client.post(
            f"{stock}/{items['大米']}/price", data={"csrf_token": token, "price": "1"}
        )
        assert repriced.status == 403
    assert await stock_of(db, items["大米"]) == 5
    async with db.session() as s:
        assert (await s.get_one(CatalogueItem, items["大米"])).price_points == 20
