"""Cells the project writes into .xlsx files, made safe against formula injection.

A household name, a reason or a phone typed by anyone ends up in workbooks the
committee opens in Excel or WPS. Text starting with ``=``, ``+``, ``-``, ``@``
(or a tab or carriage return, which some programs skip before reading one) is
read there as a formula: ``=HYPERLINK(…)`` becomes a live link. Every writer
passes its values through :func:`safe_cell`, which keeps numbers as numbers and
prefixes such text with an apostrophe, so it is shown and never evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as it may be written to a cell: text that could be a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A whole row for ``sheet.append``, each value through :func:`safe_cell`."""
    return [safe_cell(value) for value in values]
