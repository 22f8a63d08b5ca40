"""``xiangxin db …``"""

from __future__ import annotations

import typer

from bot.cli.context import say
from core.settings import get_settings
from migrations import upgrade

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade", help="把数据库升级到最新结构（Alembic 迁移）")
def upgrade_command() -> None:
    url = get_settings().database_url
    upgrade(url)
    say("db_upgraded", url=url.split("@")[-1])
