"""Phone numbers as people type them, stored as E.164 (+8613812345678).

The roster, the helper list and the 孝善 supporters all take numbers typed by
hand (full-width digits, spaces, a leading 0 for landlines); ``phonenumbers``
reads them as Chinese numbers.
"""

from __future__ import annotations

import unicodedata

import phonenumbers

from village.masking import mask_phone


def e164(value: str) -> str | None:
    """The number in E.164, Chinese mobiles and landlines; None when it is no valid number."""
    try:
        parsed = phonenumbers.parse(unicodedata.normalize("NFKC", value), "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def masked_typo(value: str) -> str:
    """A bad number for an error message: masked, and a short typo shows only its first 3 digits."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
    if len(digits) >= 11:
        return mask_phone(digits)
    return digits[:3] + "*" * max(len(digits) - 3, 0)
