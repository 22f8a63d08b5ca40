"""Why a message did not arrive, in words the committee can act on.

The outbox keeps the provider's own word in ``last_error`` (``UNDELIV``,
``ESME_RTHROTTLED``, ``isv.MOBILE_NUMBER_ILLEGAL`` …) or the worker's own code
(:data:`notifications.outbox.INTERRUPTED`). A person reading ``outbox problems``
needs what it means and what to do, so each word is looked up in the catalogue
(``problem_<word>``), with the word kept in parentheses for the provider's
support line. Reasons the gateways already wrote in Chinese are shown as they are.
"""

from __future__ import annotations

import re

from core.catalogue import CATALOGUE, text
from notifications.outbox import INTERRUPTED

# ESME_… (SMPP submit status), isv./isp. (HTTP provider codes), or a bare
# receipt word such as UNDELIV or an HTTP receipt code such as IA:0051.
_WORD = re.compile(r"ESME_[A-Z_]+|is[vp]\.[A-Za-z_.]+|[A-Za-z][A-Za-z0-9_]*:\d+|[A-Z][A-Z_]{2,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def explain(last_error: str | None) -> str:
    """The reason of a failed or held message, in Chinese, with what to do next."""
    reason = (last_error or "").strip()
    if not reason or reason == INTERRUPTED or reason.startswith("interrupted mid-send"):
        return text("problem_interrupted")
    words = _WORD.findall(reason)
    for word in words:
        if f"problem_{word}" in CATALOGUE:
            return text(f"problem_{word}", word=word)
    for word in words:
        if word.startswith("ESME_"):
            return text("problem_smpp_other", word=word)
        if word.startswith(("isv.", "isp.")):
            return text("problem_http_other", word=word)
    if _CJK.search(reason):
        return reason  # a gateway's own Chinese reason, already saying what happened
    if len(words) == 1 and words[0] == reason:
        return text("problem_receipt_other", word=reason)
    return text("problem_other", word=reason)
