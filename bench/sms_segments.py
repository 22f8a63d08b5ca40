"""``sms_segments``: a correctness table, not a timing. The committee is shown
the SMS cost of a broadcast before sending it, so every boundary where the
price changes (70/71 and 134/135 for Chinese, 160/161 and 306/307 for GSM-7,
a split that would cut an emoji or an escape pair) is printed with the parts
counted and the parts expected; ``ok`` is false where they differ.
"""

from __future__ import annotations

from typing import Final

from bench.setup import emit
from notifications.sms.segments import count_segments, split_for_sms

# (text_kind, text, expected encoding, expected parts)
CASES: Final[list[tuple[str, str, str, int]]] = [
    ("empty", "", "gsm7", 1),
    ("chinese", "乡" * 70, "ucs2", 1),
    ("chinese", "乡" * 71, "ucs2", 2),
    ("chinese", "乡" * 134, "ucs2", 2),
    ("chinese", "乡" * 135, "ucs2", 3),
    ("chinese", "乡" * 201, "ucs2", 3),
    ("chinese", "乡" * 202, "ucs2", 4),
    ("ascii", "a" * 160, "gsm7", 1),
    ("ascii", "a" * 161, "gsm7", 2),
    ("ascii", "a" * 306, "gsm7", 2),
    ("ascii", "a" * 307, "gsm7", 3),
    ("mixed", "JF" + "积" * 68, "ucs2", 1),
    ("mixed", "JF" + "积" * 69, "ucs2", 2),
    ("mixed", "a" * 133 + "积", "ucs2", 2),
    ("mixed", "a" * 134 + "积", "ucs2", 3),
    ("emoji", "😀" * 35, "ucs2", 1),
    ("emoji", "😀" * 36, "ucs2", 2),
    ("emoji_straddle", "乡" * 66 + "😀" + "乡" * 67, "ucs2", 3),
    ("gsm_extension", "€" * 80, "gsm7", 1),
    ("gsm_extension", "€" * 81, "gsm7", 2),
    ("gsm_extension_straddle", "a" * 152 + "€" + "a" * 152, "gsm7", 3),
    ("latin_non_gsm", "ç" * 70, "ucs2", 1),
    ("latin_non_gsm", "ç" * 71, "ucs2", 2),
]


async def run() -> None:
    for kind, body, encoding, expected in CASES:
        segments = count_segments(body)
        rejoined = "".join(split_for_sms(body)) == body
        emit(
            "sms_segments",
            "none",
            text_kind=kind,
            chars=len(body),
            encoding=segments.encoding,
            units=segments.units,
            parts=segments.parts,
            expected=expected,
            ok=segments.parts == expected and segments.encoding == encoding and rejoined,
        )
