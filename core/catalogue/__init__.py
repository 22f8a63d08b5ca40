"""The one message catalogue for every text a person reads.

Each area keeps its entries in a submodule here (so that the catalogue stays
readable), and they are merged into one table: code → (zh-CN, English).
Handlers and the CLI never hold user-facing strings of their own.
"""

from __future__ import annotations

from typing import Any

from core.catalogue import (
    binding,
    care,
    chat,
    cli,
    commendation,
    common,
    console,
    console_care,
    console_counter,
    console_fund,
    console_more,
    console_outreach,
    console_rounds,
    console_township,
    demo,
    fund,
    ledger,
    outreach,
    reminders,
    roster,
    rounds,
    service,
    smpp,
    sms_http,
    supermarket,
    supporter_chat,
    telegram,
    views,
    visits,
)

Entry = tuple[str, str]

CATALOGUE: dict[str, Entry] = {}
for _part in (
    common,
    roster,
    rounds,
    ledger,
    supermarket,
    commendation,
    cli,
    service,
    demo,
    outreach,
    telegram,
    smpp,
    sms_http,
    binding,
    views,
    visits,
    chat,
    care,
    fund,
    reminders,
    supporter_chat,
    console,
    console_rounds,
    console_counter,
    console_care,
    console_outreach,
    console_fund,
    console_more,
    console_township,
):
    for _code, _entry in _part.MESSAGES.items():
        if _code in CATALOGUE:
            raise RuntimeError(f"message code defined twice: {_code}")
        CATALOGUE[_code] = _entry


def text(code: str, lang: str = "zh", /, **params: Any) -> str:
    """The message for ``code`` in ``lang`` (zh first; en as second language)."""
    try:
        zh, en = CATALOGUE[code]
    except KeyError:
        raise KeyError(f"no message for code {code!r}") from None
    template = en if lang == "en" else zh
    return template.format(**params) if params else template
