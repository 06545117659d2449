"""Fit an SMS reply into its segment budget.

A reply may take 2 segments in a language whose SMS texts are all GSM-7
(306 characters) and 3 in a language written in UCS-2 (201 UTF-16 units), so a
reply costs about the same in every language. A reply is built as lines with a
priority; while it is too long, the least important line goes, the last one
first. A line may name a shorter fallback that takes its place instead.

In a GSM-7 language, values from data sources (a company name with ë, a curly
apostrophe) are folded to GSM-7 first, because one such character would turn
the whole message into UCS-2 and more than double its cost.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from phoneline.catalog import Catalog
from phoneline.sms_segments import count_segments, is_gsm7

GSM7_SEGMENTS = 2
UCS2_SEGMENTS = 3
ESSENTIAL = 0

# Catalog keys whose texts can end up in an SMS.
SMS_KEY_PREFIXES = ("sms.", "month.", "date.", "value.", "number.")

# Characters outside GSM-7 that have a GSM-7 twin without a decomposition.
GSM7_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
}


@dataclass(frozen=True)
class Line:
    """One line of a reply; `priority` 0 always stays, higher numbers go first."""

    text: str
    priority: int = ESSENTIAL
    fallback: Line | None = None


def segment_budget(catalog: Catalog) -> int:
    """Return how many segments a reply in the catalog's language may take."""
    texts = [text for key, text in catalog.prompts.items() if key.startswith(SMS_KEY_PREFIXES)]
    return GSM7_SEGMENTS if all(is_gsm7(text) for text in texts) else UCS2_SEGMENTS


def fold_to_gsm7(text: str) -> str:
    """Replace characters outside GSM-7 by a GSM-7 look-alike where one exists (ë to e)."""
    chars = []
    for char in text:
        if is_gsm7(char):
            chars.append(char)
        elif char in GSM7_REPLACEMENTS:
            chars.append(GSM7_REPLACEMENTS[char])
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            base = "".join(part for part in decomposed if not unicodedata.combining(part))
            chars.append(base if base and is_gsm7(base) else char)
    return "".join(chars)


def fit(lines: Sequence[Line], budget: int) -> str:
    """Join `lines` into one text of at most `budget` segments.

    Lines go (or shrink to their fallback) from the highest priority number,
    last first, until the text fits. If the essential lines alone are too
    long, the text is cut and ends with "...".
    """
    kept = list(lines)
    while count_segments(_join(kept)).segments > budget:
        optional = [index for index, line in enumerate(kept) if line.priority > ESSENTIAL]
        if not optional:
            return _cut(_join(kept), budget)
        worst = max(optional, key=lambda index: (kept[index].priority, index))
        fallback = kept[worst].fallback
        if fallback is None:
            del kept[worst]
        else:
            kept[worst] = fallback
    return _join(kept)


def _join(lines: Sequence[Line]) -> str:
    return "\n".join(line.text for line in lines)


def _cut(text: str, budget: int) -> str:
    text = text[: budget * 160]  # no budget allows more characters, so the loop stays short
    while text and count_segments(text + "...").segments > budget:
        text = text[:-1]
    return text.rstrip() + "..."
