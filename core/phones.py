"""Phone numbers, however people or carriers write them, as E.164 (+8613812345678).

People type numbers with full-width digits, spaces and dashes; carriers send the
national form (13942917476), 86… without the plus, or 0086…. Every place that
reads or writes a number — the roster, the SMS gateways, ``sms receive`` — goes
through here so one household has one spelling of its number.
"""

from __future__ import annotations

import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberType

REGION = "CN"
MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def parse(value: str) -> phonenumbers.PhoneNumber | None:
    """The valid number ``value`` spells (China by default), or None."""
    raw = unicodedata.normalize("NFKC", value).strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    candidates = [raw]
    if raw[:1].isdigit() and not raw.startswith("0"):
        candidates.append("+" + raw)  # "8613800000000": a country code without its plus
    for candidate in candidates:
        try:
            parsed = phonenumbers.parse(candidate, REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return parsed
    return None


def e164(value: str) -> str | None:
    """The number in E.164 (mobile or landline); None when it is no valid number."""
    parsed = parse(value)
    if parsed is None:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(value: str) -> bool:
    """Whether ``value`` can receive an SMS (a landline such as 0932-6521234 cannot)."""
    parsed = parse(value)
    return parsed is not None and phonenumbers.number_type(parsed) in MOBILE_TYPES


def mobile_e164(value: str) -> str | None:
    """The number in E.164 when it is a mobile; None for a landline or no number."""
    return e164(value) if is_mobile(value) else None
