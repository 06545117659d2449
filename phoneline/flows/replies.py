"""Shared pieces of SMS reply texts: dates, numbers, translated values, language.

Lookups return facts; the flow modules (vehicle, employer, area) choose the
catalog keys and fill them in through a `Writer`. A fact that is None drops its
line, so a missing field never drops the reply.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from phoneline.catalog import Catalog, Content
from phoneline.flows.budget import GSM7_SEGMENTS, fold_to_gsm7, segment_budget
from phoneline.lookups.kvk import PartialDate


def format_date(catalog: Catalog, date: dt.date) -> str:
    """Return `date` in the catalog language's usual written form."""
    month = catalog.text(f"month.{date.month}")
    return catalog.text("date.format", day=date.day, month=month, year=date.year)


def format_partial_date(catalog: Catalog, date: PartialDate) -> str:
    """Return a date whose day or month may be unknown: "4 March 2020", "March 2020", "2020"."""
    full = date.as_date()
    if full is not None:
        return format_date(catalog, full)
    if date.month is not None:
        month = catalog.text(f"month.{date.month}")
        return catalog.text("date.month_year", month=month, year=date.year)
    return str(date.year)


@dataclass(frozen=True)
class Writer:
    """Writes reply parts in one catalog's language within that language's segment budget."""

    catalog: Catalog
    budget: int

    @classmethod
    def for_catalog(cls, catalog: Catalog) -> Writer:
        return cls(catalog=catalog, budget=segment_budget(catalog))

    def text(self, key: str, **values: object) -> str:
        return self.catalog.text(key, **values)

    def value(self, raw: str) -> str:
        """Return a value from a data source as it is, folded to GSM-7 in GSM-7 languages."""
        return fold_to_gsm7(raw) if self.budget == GSM7_SEGMENTS else raw

    def translated(self, group: str, raw: str) -> str:
        """Return the catalog's translation of a source value, or the value as the source gives it.

        "Personenauto" in group "kind" is looked up as `value.kind.personenauto`.
        """
        key = f"value.{group}.{value_slug(raw)}"
        return self.catalog.text(key) if self.catalog.has(key) else self.value(raw)

    def date(self, date: dt.date) -> str:
        return format_date(self.catalog, date)

    def partial_date(self, date: PartialDate) -> str:
        return format_partial_date(self.catalog, date)

    def number(self, number: int) -> str:
        """Return a whole number with the catalog's separator between groups of three digits."""
        return f"{number:,}".replace(",", self.catalog.text("number.group_separator"))


def value_slug(raw: str) -> str:
    """Return the catalog key part for a source value.

    "Land- of bosbouwtrekker" becomes "land_of_bosbouwtrekker", "Coöperatie" "cooperatie".
    """
    decomposed = unicodedata.normalize("NFKD", raw.casefold())
    ascii_text = "".join(char for char in decomposed if char.isascii())
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")


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
