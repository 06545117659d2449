"""Build SMS reply texts from lookup results and catalog templates.

Lookups return facts; this module chooses the catalog keys and fills them in.
A fact that is None drops its line, so a missing field never drops the reply.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from phoneline.catalog import Catalog, Content
from phoneline.lookups.rdw import Vehicle


def format_date(catalog: Catalog, date: dt.date) -> str:
    """Return `date` in the catalog language's usual written form."""
    month = catalog.text(f"month.{date.month}")
    return catalog.text("date.format", day=date.day, month=month, year=date.year)


def vehicle_reply(catalog: Catalog, vehicle: Vehicle, formatted_plate: str, today: dt.date) -> str:
    """Return the SMS text describing `vehicle` in the catalog's language."""
    name = " ".join(part for part in (vehicle.make, vehicle.model) if part)
    lines = [f"{formatted_plate}: {name}" if name else formatted_plate]

    if vehicle.first_admission is not None:
        lines.append(
            catalog.text(
                "sms.vehicle.first_admission", date=format_date(catalog, vehicle.first_admission)
            )
        )

    if vehicle.apk_expiry is not None:
        key = "sms.vehicle.apk_expired" if vehicle.apk_expiry < today else "sms.vehicle.apk_valid"
        lines.append(catalog.text(key, date=format_date(catalog, vehicle.apk_expiry)))

    if vehicle.wam_insured is not None:
        lines.append(
            catalog.text("sms.vehicle.wam_yes" if vehicle.wam_insured else "sms.vehicle.wam_no")
        )

    if vehicle.open_recall is not None:
        key = "sms.vehicle.recall_open" if vehicle.open_recall else "sms.vehicle.recall_none"
        lines.append(catalog.text(key))

    lines.append(catalog.text("sms.vehicle.source"))
    return "\n".join(lines)


def detect_language(content: Content, message: str) -> str | None:
    """Guess the language of an incoming message, or None when nothing points to one.

    Words a catalog lists under `language.words` decide first; then letters
    that only one language uses (`language.letters`, such as Persian پ or
    Ukrainian ї); otherwise the script of the letters picks the first language
    in menu order that is written in that script, except Latin, which too many
    languages share.
    """
    tokens = {token.strip(".,!?;:()\"'").lower() for token in message.split()}
    for code in content.menu.languages:
        if tokens & set(content.catalog(code).language.words):
            return code

    best, best_count = None, 0
    for code in content.menu.languages:
        letters = content.catalog(code).language.letters
        count = sum(1 for char in message.lower() if char in letters) if letters else 0
        if count > best_count:
            best, best_count = code, count
    if best is not None:
        return best

    script = _main_script(message)
    if script is None or script == "Latin":
        return None
    for code in content.menu.languages:
        if content.catalog(code).language.script == script:
            return code
    return None


def _main_script(text: str) -> str | None:
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        script = name.split(" ", 1)[0].title()
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda script: counts[script])
