"""Phone numbers in a form that can be stored and logged.

A number is never stored or logged in full. State is keyed by an HMAC-SHA256 of
the number in E.164 form under `PHONELINE_SECRET_KEY`, so the stored key cannot
be turned back into a number without the secret, and the same number always
maps to the same key.
"""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers


def normalise_number(raw: str) -> str:
    """Return `raw` in E.164 form when it parses as a phone number, else stripped as is.

    Numbers without a country code are read as Dutch.
    """
    text = raw.strip()
    try:
        parsed = phonenumbers.parse(text, "NL")
    except phonenumbers.NumberParseException:
        return text
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def number_key(secret_key: str, raw_number: str) -> str:
    """Return the keyed hash (hex) under which state about this number is stored."""
    number = normalise_number(raw_number)
    return hmac.new(secret_key.encode(), number.encode(), hashlib.sha256).hexdigest()


def mask_number(raw_number: str) -> str:
    """Return the number with all but the country code and last two digits hidden."""
    number = normalise_number(raw_number)
    if len(number) < 6:
        return "***"
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def is_phone_number(raw: str) -> bool:
    """Return whether `raw` is a valid phone number, not empty, hidden or a placeholder."""
    try:
        parsed = phonenumbers.parse(raw.strip(), "NL")
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(parsed))
