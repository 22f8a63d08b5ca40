"""One Chinese error layer for the whole ``xiangxin`` command.

The people at the terminal are village secretaries: an English usage message
or a Python traceback tells them nothing. :class:`ConsoleGroup` is the root
command; it runs everything and turns every failure into one red Chinese line
and a non-zero exit code:

- typer's own usage errors (missing option, bad number, no such command, a
  file that does not exist) become catalogue texts, with the ``--help`` hint;
- a number that no database column can hold (``10^20``) is refused before the
  command runs, for every integer option and argument at once;
- file-system errors, an unreachable or busy database and a number the database
  refuses become one line saying what to do.

Typer 0.29 carries its own copy of click (``typer._click``); its exception
classes are the ones raised here.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from pydantic import ValidationError
from rich.markup import escape
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from typer import Abort
from typer._click.core import Context
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    ClickException,
    FileError,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.globals import get_current_context
from typer.core import TyperGroup

from bot.cli.context import errors as stderr
from core.catalogue import text
from core.db import is_locked
from core.errors import DomainError
from core.settings import get_settings

# The widest integer a column of ours holds (PostgreSQL ``integer``).
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
DEBUG_VARIABLE = "XIANGXIN_DEBUG"  # set to 1 to see the traceback of an unexpected error


class NumberOutOfRange(BadParameter):
    """An integer parameter beyond what the database can store."""

    def __init__(self, value: int, ctx: Context | None, param: Any) -> None:
        super().__init__(str(value), ctx=ctx, param=param)
        self.value = value


class ConsoleGroup(TyperGroup):
    """The root command: runs the chosen command, speaks every error in Chinese."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        guard_numbers(self)
        try:
            result = super().main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )
        except BaseException as error:  # each kind gets its Chinese line in stop()
            stop(error)
        sys.exit(result if isinstance(result, int) and not isinstance(result, bool) else 0)


def stop(error: BaseException) -> NoReturn:
    """Print ``error`` as a Chinese line (and help hint) and exit with its code."""
    if isinstance(error, SystemExit | KeyboardInterrupt | GeneratorExit):
        raise error
    if isinstance(error, NoArgsIsHelpError):
        error.show()  # the help text itself, as typer shows it
        sys.exit(error.exit_code)
    if isinstance(error, UsageError):
        say_error(usage_message(error))
        if error.ctx is not None and error.ctx.command.get_help_option(error.ctx) is not None:
            say_hint(text("cli_help_hint", command=error.ctx.command_path))
        sys.exit(error.exit_code)
    code = 1
    if isinstance(error, Abort):
        message = text("cli_aborted")
    elif isinstance(error, ClickException):
        message = click_message(error)
    elif isinstance(error, DomainError):
        message = error.message
    elif isinstance(error, OSError):
        message = os_message(error)
    elif isinstance(error, DBAPIError | OverflowError):
        message = database_message(error)
    elif os.environ.get(DEBUG_VARIABLE):
        raise error
    else:
        message = text("cli_internal_error", kind=type(error).__name__, debug=DEBUG_VARIABLE)
    say_error(message)
    sys.exit(code)


def say_error(message: str) -> None:
    stderr.print(f"[bold red]{text('cli_error_label')}[/bold red]{escape(message)}")


def say_hint(message: str) -> None:
    stderr.print(message, markup=False)


# ---------------------------------------------------------------------------
# Usage errors
# ---------------------------------------------------------------------------


def _hint(error: BadParameter) -> str:
    """The option's names (``--by / -b``) or the argument's name, without quotes."""
    if error.param_hint is not None:
        hint = error.param_hint
        return hint if isinstance(hint, str) else " / ".join(hint)
    if error.param is not None:
        return error.param.get_error_hint().replace("'", "")
    return ""


def _is_option(error: BadParameter) -> bool:
    return error.param is not None and error.param.param_type_name == "option"


PATH_PROBLEMS = (
    (re.compile(r"'(?P<path>.*)' does not exist\.$"), "cli_path_missing"),
    (re.compile(r"'(?P<path>.*)' is a file\.$"), "cli_path_is_file"),
    (re.compile(r"'(?P<path>.*)' is a directory\.$"), "cli_path_is_folder"),
    (re.compile(r"'(?P<path>.*)' is not readable\.$"), "cli_path_unreadable"),
    (re.compile(r"'(?P<path>.*)' is not writable\.$"), "cli_path_unwritable"),
)
NO_SUCH_COMMAND = re.compile(
    r"No such command '(?P<name>.*?)'\.(?: Did you mean '(?P<near>.*?)'\?)?"
)
EXTRA_ARGUMENTS = re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)")


def usage_message(error: UsageError) -> str:
    """A usage error of typer/click, said in Chinese."""
    if isinstance(error, MissingParameter):
        kind = text("cli_kind_option" if _is_option(error) else "cli_kind_argument")
        return text("cli_missing", kind=kind, name=_hint(error))
    if isinstance(error, NumberOutOfRange):
        return text(
            "cli_number_out_of_range",
            name=_hint(error),
            value=error.value,
            low=INT_MIN,
            high=INT_MAX,
        )
    if isinstance(error, BadParameter):
        return text("cli_bad_value", name=_hint(error), reason=_bad_value_reason(error))
    if isinstance(error, NoSuchOption):
        message = text("cli_no_such_option", name=error.option_name)
        if error.possibilities:
            message += text("cli_did_you_mean", names=", ".join(sorted(error.possibilities)))
        return message
    if isinstance(error, BadOptionUsage):
        if "does not take a value" in error.message:
            return text("cli_option_takes_no_value", name=error.option_name)
        return text("cli_option_needs_value", name=error.option_name)
    if error.message == "Missing command.":
        return text("cli_missing_command")
    if found := NO_SUCH_COMMAND.match(error.message):
        message = text("cli_no_such_command", name=found["name"])
        if found["near"]:
            message += text("cli_did_you_mean", names=found["near"])
        return message
    if found := EXTRA_ARGUMENTS.match(error.message):
        return text("cli_extra_arguments", args=found["args"])
    return text("cli_usage_other", message=error.message)


def _bad_value_reason(error: BadParameter) -> str:
    """Why a value was refused: pydantic's error kind, a path check, or an OS error."""
    cause = error.__cause__
    if isinstance(cause, ValidationError):
        problem = cause.errors()[0]
        return _validation_reason(problem["type"], problem.get("input"), problem.get("ctx") or {})
    if isinstance(cause, OSError):
        return os_message(cause)
    for pattern, code in PATH_PROBLEMS:
        if found := pattern.search(error.message):
            return text(code, path=found["path"])
    return error.message


VALIDATION_CODES = {
    "int_parsing": "cli_not_integer",
    "int_from_float": "cli_not_integer",
    "int_type": "cli_not_integer",
    "float_parsing": "cli_not_number",
    "float_type": "cli_not_number",
    "decimal_parsing": "cli_not_number",
    "bool_parsing": "cli_not_yes_no",
    "date_parsing": "cli_not_date",
    "date_from_datetime_parsing": "cli_not_date",
    "datetime_parsing": "cli_not_date",
    "datetime_from_date_parsing": "cli_not_date",
    "greater_than_equal": "cli_at_least",
    "greater_than": "cli_above",
    "less_than_equal": "cli_at_most",
    "less_than": "cli_below",
    "enum": "cli_not_a_choice",
    "literal_error": "cli_not_a_choice",
}


def _validation_reason(kind: str, value: object, context: dict[str, Any]) -> str:
    code = VALIDATION_CODES.get(kind, "cli_invalid_value")
    bound = next((context[key] for key in ("ge", "gt", "le", "lt") if key in context), "")
    return text(code, value=value, bound=bound, expected=context.get("expected", ""))


def click_message(error: ClickException) -> str:
    if isinstance(error, FileError):
        return text("cli_file_error", path=error.ui_filename, reason=error.message)
    return text("cli_usage_other", message=error.format_message())


# ---------------------------------------------------------------------------
# Numbers beyond a column
# ---------------------------------------------------------------------------


def guard_numbers(group: TyperGroup) -> None:
    """Refuse an out-of-range integer in any command's options or arguments, before it runs."""
    for command in group.commands.values():
        if isinstance(command, TyperGroup):
            guard_numbers(command)
        elif command.callback is not None:
            command.callback = _checked(command.callback)
    if group.callback is not None:
        group.callback = _checked(group.callback)


def _checked(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            values = value if isinstance(value, list | tuple) else (value,)
            for number in values:
                if _out_of_range(number):
                    ctx = get_current_context(silent=True)
                    raise NumberOutOfRange(number, ctx, _param(ctx, name))
        return callback(*args, **kwargs)

    return checked


def _out_of_range(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX
    )


def _param(ctx: Context | None, name: str) -> Any:
    if ctx is None:
        return None
    return next((p for p in ctx.command.params if p.name == name), None)


# ---------------------------------------------------------------------------
# Files and the database
# ---------------------------------------------------------------------------

OS_REASONS = {
    errno.ENOENT: "os_not_found",
    errno.EACCES: "os_permission",
    errno.EPERM: "os_permission",
    errno.EISDIR: "os_is_folder",
    errno.ENOTDIR: "os_not_folder",
    errno.ENOSPC: "os_disk_full",
    errno.EROFS: "os_read_only",
    errno.EEXIST: "os_exists",
    errno.ECONNREFUSED: "os_connection_refused",
    errno.ETIMEDOUT: "os_timeout",
}


def os_message(error: OSError) -> str:
    """A file-system or network error in Chinese: what failed, on which path."""
    if isinstance(error, socket.gaierror | ConnectionError | TimeoutError) or (
        error.errno in (errno.ECONNREFUSED, errno.ETIMEDOUT) and error.filename is None
    ):
        return text("cli_connection_failed", where=_database_place(), reason=os_reason(error))
    reason = os_reason(error)
    if error.filename is not None:
        return text("cli_os_error_path", path=error.filename, reason=reason)
    return text("cli_os_error", reason=reason)


def os_reason(error: OSError) -> str:
    """Why a file or connection failed, in Chinese when the error number is a common one."""
    code = OS_REASONS.get(error.errno or 0)
    return text(code) if code else (error.strerror or type(error).__name__)


def database_message(error: BaseException) -> str:
    """An error the database raised, as one line saying what to do."""
    if is_locked(error):
        return text("cli_database_busy")
    if _refused_value(error):
        return text("cli_number_rejected")
    if isinstance(error, IntegrityError):
        return text("cli_database_conflict")
    if isinstance(error, OperationalError) or getattr(error, "connection_invalidated", False):
        return text("cli_database_unreachable", where=_database_place())
    return text("cli_database_error", kind=type(getattr(error, "orig", error)).__name__)


def _refused_value(error: BaseException) -> bool:
    """A value the database cannot hold: SQL's data exceptions (class 22), however wrapped.

    asyncpg checks an argument's range before sending it and SQLAlchemy wraps
    that as a plain ``DBAPIError``, so the chain of causes is followed.
    """
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, DataError | OverflowError) or type(seen).__name__ == "DataError":
            return True
        if str(getattr(seen, "sqlstate", "") or "").startswith("22"):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


def _database_place() -> str:
    """The database's host and name, or its file: never the password in the URL."""
    try:
        url = get_settings().database_url
    except Exception:  # settings that cannot be read: say nothing more
        return ""
    return url.split("@")[-1].split("///")[-1]
