"""Dutch licence plates (kentekens): recognise, normalise and format them.

RDW stores a plate as six upper-case characters from [A-Z0-9] without dashes.
The layout of letters and digits (the sidecode) fixes where the two dashes go.
Sidecodes 1 to 14 from the RDW system as documented on de.wikipedia.org,
"Systematik der Kfz-Kennzeichen (Niederlande)"; layout 999-XX-9 (14) was also
found in live RDW data by the rvben/kenteken project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sidecode number -> pattern with three groups, joined by dashes to format.
SIDECODES: dict[int, re.Pattern[str]] = {
    1: re.compile(r"^([A-Z]{2})(\d{2})(\d{2})$"),
    2: re.compile(r"^(\d{2})(\d{2})([A-Z]{2})$"),
    3: re.compile(r"^(\d{2})([A-Z]{2})(\d{2})$"),
    4: re.compile(r"^([A-Z]{2})(\d{2})([A-Z]{2})$"),
    5: re.compile(r"^([A-Z]{2})([A-Z]{2})(\d{2})$"),
    6: re.compile(r"^(\d{2})([A-Z]{2})([A-Z]{2})$"),
    7: re.compile(r"^(\d{2})([A-Z]{3})(\d)$"),
    8: re.compile(r"^(\d)([A-Z]{3})(\d{2})$"),
    9: re.compile(r"^([A-Z]{2})(\d{3})([A-Z])$"),
    10: re.compile(r"^([A-Z])(\d{3})([A-Z]{2})$"),
    11: re.compile(r"^([A-Z]{3})(\d{2})([A-Z])$"),
    12: re.compile(r"^([A-Z])(\d{2})([A-Z]{3})$"),
    13: re.compile(r"^(\d)([A-Z]{2})(\d{3})$"),
    14: re.compile(r"^(\d{3})([A-Z]{2})(\d)$"),
}

# Characters people type between plate groups.
SEPARATORS = "-.\u2010\u2011\u2012\u2013\u2014\u2015\u2212_"

# Arabic-Indic (U+0660..) and extended Arabic-Indic / Persian (U+06F0..) digits.
_DIGITS = {chr(0x0660 + n): str(n) for n in range(10)} | {
    chr(0x06F0 + n): str(n) for n in range(10)
}


@dataclass(frozen=True)
class Plate:
    """A plate in RDW form (`text`, six characters) with its sidecode."""

    text: str
    sidecode: int

    @property
    def formatted(self) -> str:
        """Return the plate with dashes placed by its sidecode, e.g. 11-ZKZ-3."""
        match = SIDECODES[self.sidecode].match(self.text)
        assert match is not None  # Plate objects are only built from matching text.
        return "-".join(match.groups())


def normalise(raw: str) -> str:
    """Return `raw` upper-cased with separators and spaces removed and digits made ASCII."""
    chars = []
    for char in raw:
        if char.isspace() or char in SEPARATORS:
            continue
        chars.append(_DIGITS.get(char, char))
    return "".join(chars).upper()


def sidecode(text: str) -> int | None:
    """Return the sidecode of a normalised six-character plate, or None."""
    for number, pattern in SIDECODES.items():
        if pattern.match(text):
            return number
    return None


def parse_plate(raw: str) -> Plate | None:
    """Return the plate written in `raw`, or None when it fits no sidecode."""
    text = normalise(raw)
    code = sidecode(text)
    if code is None:
        return None
    return Plate(text=text, sidecode=code)


def find_plate(message: str) -> Plate | None:
    """Return the first plate in a free-text message such as "rdw 11-zkz-3".

    A plate may be split over up to three words ("11 zkz 3"), so runs of one to
    three consecutive words are tried, shortest first.
    """
    words = message.split()
    for size in (1, 2, 3):
        for start in range(len(words) - size + 1):
            plate = parse_plate("".join(words[start : start + size]))
            if plate is not None:
                return plate
    return None
