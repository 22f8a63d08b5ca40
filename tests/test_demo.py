"""``make demo`` runs the whole cycle through and ends with a consistent ledger."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from bot.demo import run_demo


async def test_demo_runs_the_whole_cycle(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    await run_demo(console, keep=tmp_path)
    told = console.export_text()
    assert "已导入 7 户" in told
    assert "XF002 退回 1 袋大米（退货）：积分 +8 分" in told and "大米库存 20" in told
    assert "已经退过，不重复退分" in told
    assert told.count("系统拒绝") >= 6
    assert "账本核对无误" in told
    assert (tmp_path / "公示" / "公示.html").exists()
    assert "经控制台短信网关发出 7 条" in told  # the broadcast left the outbox
    assert "已绑定：张建国（XF001）" in told and "张建国家的积分" in told  # Telegram
    assert "积分兑换小票" in told.split("回复")[-1]  # the SMS code confirmed the redemption
    assert (tmp_path / "绑定卡.html").exists()
    assert "待办：王德明：住房安全（东屋屋顶漏雨）" in told  # the visit's checklist problem
    assert "求助已登记，立即通知了 2 人" in told and "待办：刘志强：因病" in told
    assert "基金配捐 20.00元" in told  # 10 % of the son's 200 yuan, from the donation
    assert "【孝善基金】李小军您好" in told  # reminded before the due day …
    assert "2026-12-31：发出 0 条提醒消息，撤销 1 条" in told  # … and not on it: he had paid
    assert "【幸福村孝善基金2026年12月收支公示】" in told.split("2027-01-01")[-1]  # on the 1st
    assert "演示登录：村名 幸福村，姓名 张建国，密码 xiangxin-demo" in told
    assert "XIANGXIN_DATABASE_URL=sqlite+aiosqlite:///" in told  # kept: how to browse it
    assert "已逾期7天仍未登记" in told and "十天里共发出 8 条提醒" in told
