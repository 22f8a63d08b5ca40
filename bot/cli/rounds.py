"""``xiangxin rounds …``"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
category_app = typer.Typer(no_args_is_help=True)
award_app = typer.Typer(no_args_is_help=True)
objection_app = typer.Typer(no_args_is_help=True)
