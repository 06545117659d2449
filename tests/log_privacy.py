"""Checks that log lines carry no phone number, no SMS body and no plate next to a person.

The rules (see the README's "Personal data"):
- no phone number of a sender or caller, in any written form;
- no SMS body that is free text, in whole or by its distinctive words;
- no looked-up value (plate, KVK number, postcode) in a line that also names
  the person, by number or by the keyed hash under which state about them is kept.
A looked-up value alone may appear (for example in an HTTP client's request
line), because it does not say who asked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

from phoneline.privacy import number_key

FORMATTER = logging.Formatter("%(levelname)s %(name)s: %(message)s")
KINDS = ("number", "hash", "body", "looked_up")
# The shortest piece of a number hash that still points to one person in a log.
HASH_PREFIX_CHARS = 12


def number_forms(number: str) -> set[str]:
    """Return the ways `number` (E.164) can be written: +31612345678, 0031…, 06 12345678, ..."""
    parsed = phonenumbers.parse(number)
    national = str(parsed.national_number)
    formats = [
        phonenumbers.PhoneNumberFormat.E164,
        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        phonenumbers.PhoneNumberFormat.NATIONAL,
        phonenumbers.PhoneNumberFormat.RFC3966,
    ]
    forms = {phonenumbers.format_number(parsed, kind) for kind in formats}
    return forms | {
        number.removeprefix("+"),
        "00" + number.removeprefix("+"),
        "0" + national,
        national,
    }


@dataclass
class Person:
    """Someone who called or texted the line in a scenario.

    `bodies` are texts that must never appear in a log: their whole free-text
    messages and distinctive words of them. `looked_up` are the plates, KVK
    numbers and postcodes they asked about, in every written form.
    """

    number: str
    secret_key: str
    bodies: list[str] = field(default_factory=list)
    looked_up: list[str] = field(default_factory=list)

    def hash_prefix(self) -> str:
        return number_key(self.secret_key, self.number)[:HASH_PREFIX_CHARS]


def record_lines(records: Iterable[logging.LogRecord]) -> list[str]:
    """Format each record, with its exception and stack when it has them, as one string."""
    return [FORMATTER.format(record) for record in records]


def leaks(lines: Iterable[str], people: Iterable[Person]) -> list[str]:
    """Return a description of each line that breaks a rule above; empty when none does."""
    # One pattern finds every text of interest, and `meaning` maps each text
    # (case-folded) to its kind and to the people it belongs to.
    meaning: dict[str, list[tuple[str, int]]] = {}
    everyone = list(people)
    for index, person in enumerate(everyone):
        texts = [("number", form) for form in number_forms(person.number)]
        texts += [("hash", person.hash_prefix())]
        texts += [("body", body) for body in person.bodies]
        texts += [("looked_up", value) for value in person.looked_up]
        for kind, text in texts:
            meaning.setdefault(text.casefold(), []).append((kind, index))
    pattern = re.compile(
        "|".join(re.escape(text) for text in sorted(meaning, key=len, reverse=True)),
        re.IGNORECASE,
    )

    found = []
    for line in lines:
        seen: dict[str, set[int]] = {kind: set() for kind in KINDS}
        for match in pattern.finditer(line):
            for kind, index in meaning[match.group().casefold()]:
                seen[kind].add(index)
        if seen["number"]:
            found.append(f"phone number: {line}")
        if seen["body"]:
            found.append(f"SMS body: {line}")
        if (seen["number"] | seen["hash"]) & seen["looked_up"]:
            found.append(f"looked-up value next to the number or its hash: {line}")
    return found
