"""How many SMS a text costs, and the parts it is sent as.

The committee sees the cost of a broadcast before sending it, and the SMPP
gateway sends exactly the parts counted here, so both use one greedy splitter:
counting and splitting can never disagree.

A text that fits the GSM 03.38 alphabet goes as GSM-7 (160 septets, 153 per part
once a concatenation header is needed; the extension characters €[]{}^~\\| and
form feed take two septets, an escape and the character). Anything else, which
means every Chinese text, goes as UCS-2: 70 UTF-16 code units, 67 per part.
A character outside the Basic Multilingual Plane (most emoji) takes two units.
An escape pair or a surrogate pair is never cut across two parts, because a
handset shows the broken halves as garbage; the part before it is sent short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Encoding = Literal["gsm7", "ucs2"]

# GSM 03.38 basic character set in code order; 0x1B is the escape to the
# extension table, not a character, so it is left out of the lookup.
_GSM7_BASIC: Final = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_ESCAPE: Final = 0x1B
_GSM7_CODE: Final[dict[str, int]] = {
    char: code for code, char in enumerate(_GSM7_BASIC) if code != _ESCAPE
}
_GSM7_EXTENSION: Final[dict[str, int]] = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
_GSM7_EXTENSION_CHAR: Final[dict[int, str]] = {code: char for char, code in _GSM7_EXTENSION.items()}

SINGLE_LIMIT: Final[dict[Encoding, int]] = {"gsm7": 160, "ucs2": 70}
PART_LIMIT: Final[dict[Encoding, int]] = {"gsm7": 153, "ucs2": 67}


@dataclass(frozen=True)
class Segments:
    """The cost of one text: its encoding, its length in that encoding's units
    (septets for GSM-7, UTF-16 code units for UCS-2) and the SMS it takes."""

    encoding: Encoding
    units: int
    parts: int


def is_gsm7(text: str) -> bool:
    return all(char in _GSM7_CODE or char in _GSM7_EXTENSION for char in text)


def encoding_for(text: str) -> Encoding:
    return "gsm7" if is_gsm7(text) else "ucs2"


def _unit_cost(char: str, encoding: Encoding) -> int:
    if encoding == "gsm7":
        return 2 if char in _GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def _units(text: str, encoding: Encoding) -> int:
    return sum(_unit_cost(char, encoding) for char in text)


def _cut(text: str, encoding: Encoding) -> list[str]:
    """Greedy parts of at most ``PART_LIMIT`` units, never cutting a character.

    Python strings hold code points, so a surrogate pair or an escape pair is
    one character here and is moved to the next part whole when it does not fit.
    """
    limit = PART_LIMIT[encoding]
    parts: list[str] = []
    start = 0
    used = 0
    for index, char in enumerate(text):
        cost = _unit_cost(char, encoding)
        if used + cost > limit:
            parts.append(text[start:index])
            start, used = index, 0
        used += cost
    parts.append(text[start:])
    return parts


def _chosen(text: str, encoding: Encoding | None) -> Encoding:
    """``encoding`` when forced (some providers want UCS-2 for everything), else the cheapest."""
    if encoding is None:
        return encoding_for(text)
    if encoding == "gsm7" and not is_gsm7(text):
        raise ValueError("text is not in the GSM 03.38 alphabet")
    return encoding


def split_for_sms(text: str, encoding: Encoding | None = None) -> list[str]:
    """The texts of the SMS that carry ``text``: one when it fits a single
    message, else parts meant to go out with a concatenation header."""
    encoding = _chosen(text, encoding)
    if _units(text, encoding) <= SINGLE_LIMIT[encoding]:
        return [text]
    return _cut(text, encoding)


def count_segments(text: str, encoding: Encoding | None = None) -> Segments:
    encoding = _chosen(text, encoding)
    units = _units(text, encoding)
    if units <= SINGLE_LIMIT[encoding]:
        return Segments(encoding, units, 1)
    return Segments(encoding, units, len(_cut(text, encoding)))


def encode_gsm7(text: str) -> bytes:
    """``text`` as unpacked GSM 03.38 septets, one per octet, which is what SMPP's
    data_coding 0 ("SMSC default alphabet") carries on the wire."""
    out = bytearray()
    for char in text:
        if char in _GSM7_CODE:
            out.append(_GSM7_CODE[char])
        elif char in _GSM7_EXTENSION:
            out += bytes((_ESCAPE, _GSM7_EXTENSION[char]))
        else:
            raise ValueError(f"not in the GSM 03.38 alphabet: {char!r}")
    return bytes(out)


def decode_gsm7(data: bytes) -> str:
    """Unpacked GSM 03.38 septets back to text; unknown codes become U+FFFD."""
    chars: list[str] = []
    escaped = False
    for byte in data:
        if escaped:
            chars.append(_GSM7_EXTENSION_CHAR.get(byte, "\ufffd"))
            escaped = False
        elif byte == _ESCAPE:
            escaped = True
        elif byte < len(_GSM7_BASIC):
            chars.append(_GSM7_BASIC[byte])
        else:
            chars.append("\ufffd")
    return "".join(chars)
