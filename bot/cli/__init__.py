"""The ``xiangxin`` command: everything a committee secretary does from a terminal."""

from __future__ import annotations

import os

import typer

from bot.cli import (
    broadcast,
    cards,
    commend,
    db,
    followups,
    fund,
    helpers,
    ledger,
    outbox,
    reminders,
    roster,
    rounds,
    shop,
    village,
)
from bot.cli.demo import demo_command
from bot.cli.errors import ConsoleGroup
from bot.cli.outbox import worker_command
from bot.cli.serve import serve_command

app = typer.Typer(
    help="乡信：星级评定 + 扶贫超市积分管理（村两委、超市店主使用的命令行）",
    no_args_is_help=True,
    rich_markup_mode="rich",
    cls=ConsoleGroup,  # every error in Chinese, never a traceback (bot/cli/errors.py)
)
app.add_typer(db.app, name="db", help="数据库：迁移与初始化")
app.add_typer(village.app, name="village", help="村：新建、查看、设置")
app.add_typer(village.staff_app, name="staff", help="工作人员：村两委、店主、帮扶责任人等")
app.add_typer(roster.app, name="roster", help="花名册：导入建档立卡户名单、查看农户")
app.add_typer(rounds.category_app, name="category", help="星级类别：十星及其积分分值")
app.add_typer(rounds.app, name="round", help="星级评定轮次：评议、公示、生效")
app.add_typer(rounds.award_app, name="award", help="评星：提名、评议通过或不通过")
app.add_typer(rounds.objection_app, name="objection", help="公示异议：提出与处理")
app.add_typer(shop.item_app, name="item", help="扶贫超市商品：上架、补货、价格")
app.add_typer(shop.app, name="redeem", help="积分兑换：店主发起、农户确认")
app.add_typer(ledger.app, name="ledger", help="积分账本：查询、冲正、核对")
app.add_typer(commend.app, name="commend", help="年度表彰：按星级排名、发放奖励积分")
app.add_typer(
    broadcast.app, name="broadcast", help="政策通知：撰写、预览、定时或立即发送、查看进度"
)
app.add_typer(helpers.app, name="helpers", help="帮扶责任人：分配农户、查看应访农户、登记走访")
app.add_typer(followups.app, name="followups", help="待办事项：走访发现的问题和农户求助")
app.add_typer(
    cards.app, name="cards", help="绑定卡：打印农户的一次性绑定码卡片、为工作人员发绑定码"
)
app.add_typer(
    reminders.app, name="reminders", help="定时提醒：走访、孝心养老金、欠缴名单；手动执行与查看"
)
app.add_typer(
    fund.app, name="fund", help="孝善基金：赡养人、承诺书、缴纳、捐赠、发放、收支公示、光荣榜"
)
app.add_typer(outbox.app, name="outbox", help="发件箱：发送状态、失败和待核实的消息")
app.add_typer(outbox.sms_app, name="sms", help="短信：模拟收到回复（控制台网关）")
app.command("worker", help="只运行发件箱发送进程（扩展到多个进程时使用）")(worker_command)
app.command("demo", help="演示：在临时数据库里走一遍完整的村级流程（不影响正式数据）")(demo_command)
app.command("serve", help="启动乡信服务（定时任务 + HTTP 服务 /healthz）；Ctrl+C 停止")(
    serve_command
)


PRIVATE_UMASK = 0o077


def main() -> None:
    """The ``xiangxin`` entry point (the service too, through ``xiangxin serve``).

    Every file this process creates (the database, the SMS log, cards, notices)
    is readable by its owner only: they hold ID numbers, phones and binding codes.
    """
    os.umask(PRIVATE_UMASK)
    app()
