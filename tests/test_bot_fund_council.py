"""The 孝善理事会 in Telegram: 欠缴名单, 本月收支 and 基金余额, read-only, from real fund data."""

from __future__ import annotations

from core.db import Database
from tests.chat import chat_world
from tests.test_bot_supporter import NOW, fund_chat_town
from village.registry import add_staff

COUNCIL_CHAT = 7001


async def test_the_fund_council_reads_arrears_statement_and_balance(db: Database) -> None:
    w = await fund_chat_town(db)
    async with chat_world(db) as world:
        world.clock.now = NOW
        bound = await world.bind(COUNCIL_CHAT, w.town.secretary, staff=w.council)
        assert bound[0] == "已绑定：孝善会长（孝善理事会，幸福村）"

        (owed,) = await world.send(COUNCIL_CHAT, "欠缴名单")
        lines = owed.splitlines()
        assert lines[0] == "截至 2026-10-20 的欠缴名单："
        assert lines[1] == (
            "1. 王奶奶（幸福村-002）— 王大明 138****5678：2026年9月 应缴 200.00元，"
            "已缴 0.00元，欠 200.00元（欠缴）"
        )
        assert "2026年10月 应缴 200.00元，已缴 100.00元，欠 100.00元（部分缴纳）" in lines[2]
        # 王小红 owes every month from 2024-09 to 2026-10: 26 periods; 28 in all, 20 shown
        assert lines[3].startswith("3. 李爷爷（幸福村-003）— 王小红 139****5678：2024年9月")
        assert len([x for x in lines if x[0].isdigit()]) == 20
        assert lines[-2:] == ["……等共 28 笔", "共 28 笔未缴足，合计欠缴 2900.00元。"]
        assert "13812345678" not in owed

        (month,) = await world.send(COUNCIL_CHAT, "本月收支")
        assert month == (
            "【幸福村孝善基金2026年10月收支公示】期初余额 200.00元；收入：子女缴纳 100.00元，"
            "捐赠 1000.00元；基金配捐 10.00元；发放老人 0.00元（1 位老人有收支）；"
            "期末余额 1300.00元，其中可用于配捐 990.00元。"
        )
        (balance,) = await world.send(COUNCIL_CHAT, "基金余额")
        assert balance == (
            "幸福村孝善基金余额 1300.00元，其中捐赠配捐池 990.00元，为老人代管待发放 310.00元。"
        )
        (helped,) = await world.send(COUNCIL_CHAT, "帮助")
        assert "命令行" in helped and "xiangxin fund supporter code" in helped
        last = world.api.sent[-1].reply_markup or {}
        labels = [key["text"] for row in last.get("keyboard", []) for key in row]
        assert labels == ["欠缴名单", "本月收支", "基金余额", "帮助"]


async def test_a_county_admin_is_still_sent_to_the_cli(db: Database) -> None:
    w = await fund_chat_town(db)
    async with db.transaction() as s:
        county = await add_staff(s, w.town.village, "县里来的", "county_admin")
    async with chat_world(db) as world:
        world.clock.now = NOW
        await world.bind(COUNCIL_CHAT, w.town.secretary, staff=county)
        (answer,) = await world.send(COUNCIL_CHAT, "基金余额")
    assert answer == "县级管理员的功能请使用命令行或管理后台。"
