"""Phone numbers as people type them, stored as E.164 (+8613812345678).

The roster, the helper list and the 孝善 supporters all take numbers typed by
hand (full-width digits, spaces, a leading 0 for landlines); ``phonenumbers``
reads them as Chinese numbers.
"""

from __future__ import annotations

import unicodedata

from core.phones import e164, is_mobile, mobile_e164
from village.masking import mask_phone

__all__ = ["e164", "is_mobile", "masked_typo", "mobile_e164"]


def masked_typo(value: str) -> str:
    """A bad number for an error message: masked, and a short typo shows only its first 3 digits."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
    if len(digits) >= 11:
        return mask_phone(digits)
    return digits[:3] + "*" * max(len(digits) - 3, 0)
