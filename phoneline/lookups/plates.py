"""Dutch licence plates (kentekens): recognise, normalise and format them.

RDW stores a plate as six upper-case characters from [A-Z0-9] without dashes.
The layout of letters and digits (the sidecode) fixes where the two dashes go.
Sidecodes 1 to 14 from the RDW system as documented on de.wikipedia.org,
"Systematik der Kfz-Kennzeichen (Niederlande)"; layout 999-XX-9 (14) was also
found in live RDW data by the rvben/kenteken project.

Layout is all that is checked: letters that the RDW no longer issues (vowels,
C, Q, Y) or word lists it excludes are not rejected, because real plates such
as 14-VVD-4 exist outside those rules. Normalised text is always six characters
from [A-Z0-9], so nothing else can reach an RDW query.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from phoneline.lookups.digits import ascii_digits

# Sidecode number -> pattern with three groups, joined by dashes to format.
# Digits are written [0-9] because \d would also match other scripts' digits.
SIDECODES: dict[int, re.Pattern[str]] = {
    1: re.compile(r"^([A-Z]{2})([0-9]{2})([0-9]{2})$"),
    2: re.compile(r"^([0-9]{2})([0-9]{2})([A-Z]{2})$"),
    3: re.compile(r"^([0-9]{2})([A-Z]{2})([0-9]{2})$"),
    4: re.compile(r"^([A-Z]{2})([0-9]{2})([A-Z]{2})$"),
    5: re.compile(r"^([A-Z]{2})([A-Z]{2})([0-9]{2})$"),
    6: re.compile(r"^([0-9]{2})([A-Z]{2})([A-Z]{2})$"),
    7: re.compile(r"^([0-9]{2})([A-Z]{3})([0-9])$"),
    8: re.compile(r"^([0-9])([A-Z]{3})([0-9]{2})$"),
    9: re.compile(r"^([A-Z]{2})([0-9]{3})([A-Z])$"),
    10: re.compile(r"^([A-Z])([0-9]{3})([A-Z]{2})$"),
    11: re.compile(r"^([A-Z]{3})([0-9]{2})([A-Z])$"),
    12: re.compile(r"^([A-Z])([0-9]{2})([A-Z]{3})$"),
    13: re.compile(r"^([0-9])([A-Z]{2})([0-9]{3})$"),
    14: re.compile(r"^([0-9]{3})([A-Z]{2})([0-9])$"),
}

# Characters people type between plate groups.
SEPARATORS = "-.\u2010\u2011\u2012\u2013\u2014\u2015\u2212_"

# Upper-case Cyrillic and Greek letters that look like Latin ones, as typed on a
# Cyrillic or Greek keyboard layout.
CYRILLIC_LOOKALIKES = "АВЕКМНОРСТУХІЈЅ"  # noqa: RUF001 (look-alikes on purpose)
GREEK_LOOKALIKES = "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"  # noqa: RUF001 (look-alikes on purpose)
LOOKALIKE_LETTERS = dict(
    zip(CYRILLIC_LOOKALIKES + GREEK_LOOKALIKES, "ABEKMHOPCTYXIJSABEZHIKMNOPTYX", strict=True)
)

# Characters people confuse on a plate. O/0 and I/1 may be mixed up anywhere in a
# plate; a suggestion changes at most one character from the other pairs. Q is
# never issued on plates, so it is only read as 0.
CONFUSED_ANYWHERE = {"O": "0", "0": "O", "I": "1", "1": "I"}
CONFUSED_ONCE = {
    "S": "5", "5": "S", "B": "8", "8": "B", "Z": "2", "2": "Z", "G": "6", "6": "G", "Q": "0",
}  # fmt: skip
MAX_SUGGESTIONS = 3


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
    """Return `raw` upper-cased, without separators and spaces, in ASCII where it looks ASCII.

    Full-width forms become ASCII (NFKC), every script's decimal digits become
    0-9 (Arabic-Indic and Persian digits included), and Cyrillic and Greek
    look-alike letters become their Latin twins. Other characters are kept, so
    the result fits no sidecode.
    """
    chars = []
    for char in ascii_digits(unicodedata.normalize("NFKC", raw)):
        if char.isspace() or char in SEPARATORS:
            continue
        upper = char.upper()
        chars.append(LOOKALIKE_LETTERS.get(upper, upper))
    return "".join(chars)


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
    three consecutive words are tried, shortest first. In a run of several
    words, each word (split further at dashes and dots) must end where a group
    of the plate ends, and a word of only digits or only letters must be one
    group. So "11 zkz3" is a plate, but "is 6411" is not read as IS-64-11.
    """
    words = message.split()
    for size in (1, 2, 3):
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            plate = parse_plate("".join(run))
            if plate is not None and (size == 1 or _follows_groups(run, plate)):
                return plate
    return None


def _follows_groups(words: list[str], plate: Plate) -> bool:
    """Return whether the parts of `words` line up with the groups of `plate`."""
    match = SIDECODES[plate.sidecode].match(plate.text)
    assert match is not None  # Plate objects are only built from matching text.
    ends = [match.end(group) for group in (1, 2, 3)]

    separators = "[" + re.escape(SEPARATORS) + "]"
    position = 0
    for raw in (part for word in words for part in re.split(separators, word)):
        part = normalise(raw)
        start, position = position, position + len(part)
        if not part:
            continue
        spanned = sum(1 for end in ends if start < end <= position)
        if position not in ends or (spanned > 1 and (part.isdigit() or part.isalpha())):
            return False
    return True


def suggest_plates(message: str) -> tuple[str, list[Plate]] | None:
    """Return text in `message` that is nearly a plate, with the plates it may have meant.

    Text of six characters that fits no sidecode is tried with O/0 and I/1
    swapped at any positions (one point each), plus at most one other confusion
    (S/5, B/8, Z/2, G/6, Q to 0; two points). Text of seven characters is tried
    with each character left out once, and the same swaps. Leaving out one of
    two equal neighbours (a key pressed twice) costs one point, any other two.
    Only the candidates with the fewest points are returned, at most
    `MAX_SUGGESTIONS`.
    Returns None when no part of the message is nearly a plate.
    """
    for text in _near_plate_texts(message):
        candidates: dict[str, int] = {}
        if len(text) == 6:
            _collect(candidates, text, extra_cost=0)
        else:
            for index in range(len(text)):
                # Leaving out one of two equal neighbours (a key pressed twice) ranks first.
                doubled = (
                    text[index] in text[max(0, index - 1) : index] + text[index + 1 : index + 2]
                )
                shorter = text[:index] + text[index + 1 :]
                _collect(candidates, shorter, extra_cost=1 if doubled else 2)
        candidates.pop(text, None)
        if candidates:
            best = min(candidates.values())
            ranked = sorted(candidate for candidate, cost in candidates.items() if cost == best)
            plates = [parse_plate(candidate) for candidate in ranked[:MAX_SUGGESTIONS]]
            return text, [plate for plate in plates if plate is not None]
    return None


def _near_plate_texts(message: str) -> Iterator[str]:
    """Yield runs of one to three words that normalise to 6 or 7 letters and digits but no plate."""
    words = message.split()
    for size in (1, 2, 3):
        for start in range(len(words) - size + 1):
            text = normalise("".join(words[start : start + size]))
            if (
                len(text) in (6, 7)
                and sidecode(text) is None
                and re.fullmatch(r"[A-Z0-9]+", text)
                and re.search(r"[0-9]", text)
                and re.search(r"[A-Z]", text)
            ):
                yield text


def _collect(candidates: dict[str, int], text: str, extra_cost: int) -> None:
    """Add every swap variant of the six characters `text` that fits a sidecode, with its cost."""
    for variant, cost in _swap_variants(text):
        if sidecode(variant) is not None:
            total = cost + extra_cost
            candidates[variant] = min(total, candidates.get(variant, total))


def _swap_variants(text: str) -> Iterator[tuple[str, int]]:
    anywhere = [index for index, char in enumerate(text) if char in CONFUSED_ANYWHERE]
    for count in range(len(anywhere) + 1):
        for chosen in itertools.combinations(anywhere, count):
            chars = list(text)
            for index in chosen:
                chars[index] = CONFUSED_ANYWHERE[chars[index]]
            yield "".join(chars), count
            for index, char in enumerate(chars):
                if index not in chosen and char in CONFUSED_ONCE:
                    once = chars.copy()
                    once[index] = CONFUSED_ONCE[char]
                    yield "".join(once), count + 2
