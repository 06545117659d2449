"""SMS encoding and segment counts, which decide what a text costs.

A message whose characters all belong to the GSM 03.38 7-bit alphabet is sent
as GSM-7: 160 septets in one segment, 153 per segment when split. One character
outside it (ë, ş, Arabic, Cyrillic, curly quotes) makes the whole message
UCS-2: 70 UTF-16 code units in one segment, 67 per segment when split.
Characters of the GSM-7 extension table (^ { } \\ [ ] ~ | €, form feed) take
two septets. Twilio bills per segment (Twilio glossary pages "What is the SMS
character limit?" and "What is UCS-2 character encoding?").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\x0c")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SegmentCount:
    """How a text would be sent: its encoding, length in units and number of segments."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def count_segments(text: str) -> SegmentCount:
    """Return the encoding and segment count Twilio would use for `text`.

    NOTE: carriers never split an extension character or a UTF-16 surrogate
    pair across segments, which can add a segment at a boundary; this count
    divides evenly and so may be one segment low in that rare case.
    """
    if is_gsm7(text):
        units = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"

    if units <= single:
        segments = 1 if units else 0
    else:
        segments = math.ceil(units / part)
    return SegmentCount(encoding=encoding, units=units, segments=segments)
