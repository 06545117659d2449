"""What the line keeps about a phone number, always under its keyed hash.

- `lang:<key>`: the language the caller chose, so a returning caller skips the
  language menu. Linked to the key as subject; `forget` deletes it.
- `smsmenu:<key>`: where the caller is in the numbered SMS menu, for a few
  minutes. Linked to the key as subject.
- `optout:<key>`: the number sent a stop word. Deliberately *not* linked as
  subject: forgetting a number must not undo its opt-out, or the line would
  start texting a person who asked it to stop. START deletes it.

The number itself is never stored; see `phoneline.privacy.number_key`.
"""

from __future__ import annotations

import phonenumbers

from phoneline.catalog import Menu
from phoneline.privacy import number_key
from phoneline.state import Store

LANGUAGE_MEMORY_SECONDS = 365 * 24 * 3600
SMS_MENU_SECONDS = 15 * 60


def parse_number(raw: str) -> phonenumbers.PhoneNumber | None:
    """Return the caller's number when it is a valid phone number, else None.

    Withheld numbers arrive as "anonymous" or as a placeholder that is not a
    valid number, so nothing is remembered or suggested for them.
    """
    try:
        number = phonenumbers.parse(raw.strip(), "NL")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def caller_key(secret_key: str, raw: str) -> str | None:
    """Return the keyed hash under which state about `raw` is kept, or None for no number."""
    if parse_number(raw) is None:
        return None
    return number_key(secret_key, raw)


def e164(raw: str) -> str | None:
    """Return the number in E.164 form for sending a text, or None when it is not valid."""
    number = parse_number(raw)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def country_language(menu: Menu, raw: str) -> str | None:
    """Return the language `country_languages` gives for the country of the number `raw`."""
    number = parse_number(raw)
    if number is None:
        return None
    region = phonenumbers.region_code_for_number(number)
    return menu.country_languages.get(region or "")


def remembered_language(store: Store, key: str | None) -> str | None:
    return store.get(f"lang:{key}") if key else None


def remember_language(store: Store, key: str | None, lang: str) -> None:
    if key:
        store.set(f"lang:{key}", lang, ttl=LANGUAGE_MEMORY_SECONDS, subject=key)


def forget(store: Store, key: str) -> int:
    """Delete everything linked to the number except its opt-out; return how many keys went."""
    return store.forget(key)


def is_stopped(store: Store, key: str | None) -> bool:
    return bool(key) and store.get(f"optout:{key}") is not None


def stop(store: Store, key: str) -> None:
    """Store the opt-out; raise `StoreDown` when it could not be stored, so nothing confirms it."""
    store.set_checked(f"optout:{key}", "1")


def resume(store: Store, key: str) -> None:
    store.delete(f"optout:{key}")


def sms_menu_position(store: Store, key: str) -> str | None:
    """Return "" for the top of the SMS menu, a category id inside one, None for no menu."""
    return store.get(f"smsmenu:{key}")


def set_sms_menu_position(store: Store, key: str, position: str) -> None:
    store.set(f"smsmenu:{key}", position, ttl=SMS_MENU_SECONDS, subject=key)
