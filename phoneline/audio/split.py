"""Split prompt text into pieces that fit one gTTS request, at sentence ends.

gTTS 2.5.4 sends at most 100 characters per request. Its own tokenizer cuts at
Latin and CJK punctuation and the Arabic comma. It ignores the Arabic question
mark `؟` and semicolon `؛` and the Ethiopic full stop `።`, so it cuts Arabic and
Amharic text in mid-sentence, at the last space before the limit.

`split_for_requests` cuts at sentence ends first, then at clause marks, then at
spaces, and only cuts inside a word that is longer than the limit by itself.
Neighbouring pieces are joined again while they fit, so that a prompt takes as
few requests as possible (gTTS's audio pauses at the end of each request).
"""

from __future__ import annotations

import re

from phoneline.audio.library import GTTS_MAX_CHARS

# Latin marks end a sentence or clause only before whitespace, so that
# "digid.nl" and "3,5" stay whole. The other scripts' marks need no space after.
LATIN_SENTENCE_MARKS = ".!?;\N{HORIZONTAL ELLIPSIS}"
SCRIPT_SENTENCE_MARKS = (
    "\N{ARABIC QUESTION MARK}"
    "\N{ARABIC SEMICOLON}"
    "\N{ARABIC FULL STOP}"
    "\N{ETHIOPIC FULL STOP}"
    "\N{ETHIOPIC QUESTION MARK}"
    "\N{ETHIOPIC SEMICOLON}"
    "\N{ETHIOPIC PARAGRAPH SEPARATOR}"
    "\N{IDEOGRAPHIC FULL STOP}"
    "\N{FULLWIDTH EXCLAMATION MARK}"
    "\N{FULLWIDTH QUESTION MARK}"
)
LATIN_CLAUSE_MARKS = ",:\N{EM DASH}"
SCRIPT_CLAUSE_MARKS = (
    "\N{ARABIC COMMA}"
    "\N{ETHIOPIC COMMA}"
    "\N{ETHIOPIC COLON}"
    "\N{ETHIOPIC PREFACE COLON}"
    "\N{IDEOGRAPHIC COMMA}"
    "\N{FULLWIDTH COMMA}"
)


def _after_marks(latin: str, script: str) -> re.Pattern[str]:
    return re.compile(rf"(?<=[{re.escape(latin)}])\s+|(?<=[{re.escape(script)}])\s*")


SENTENCE_END = _after_marks(LATIN_SENTENCE_MARKS, SCRIPT_SENTENCE_MARKS)
CLAUSE_END = _after_marks(LATIN_CLAUSE_MARKS, SCRIPT_CLAUSE_MARKS)
# Traditional Ethiopic text separates words with a wordspace mark instead of a space.
SPACE = re.compile(r"[\s\N{ETHIOPIC WORDSPACE}]+")
BOUNDARIES = (SENTENCE_END, CLAUSE_END, SPACE)


def split_for_requests(text: str, limit: int = GTTS_MAX_CHARS) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, cutting at the strongest boundary.

    Text within the limit comes back whole, as gTTS would send it.
    """
    text = text.strip()
    if not text:
        return []
    return _split(text, limit, BOUNDARIES)


def _split(text: str, limit: int, boundaries: tuple[re.Pattern[str], ...]) -> list[str]:
    if len(text) <= limit:
        return [text]
    if not boundaries:
        # A single word longer than the limit: nothing better than a hard cut.
        return [text[start : start + limit] for start in range(0, len(text), limit)]

    parts = [part.strip() for part in boundaries[0].split(text) if part.strip()]
    if len(parts) == 1:
        return _split(text, limit, boundaries[1:])

    pieces = [piece for part in parts for piece in _split(part, limit, boundaries[1:])]
    return _join_while_fitting(pieces, limit)


def _join_while_fitting(pieces: list[str], limit: int) -> list[str]:
    joined: list[str] = []
    for piece in pieces:
        if joined and len(joined[-1]) + 1 + len(piece) <= limit:
            joined[-1] = f"{joined[-1]} {piece}"
        else:
            joined.append(piece)
    return joined
