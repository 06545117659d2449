"""Recognising, normalising and formatting Dutch licence plates."""

from __future__ import annotations

import pytest

from phoneline.lookups.plates import find_plate, parse_plate

# One plate per sidecode: (input as someone might type it, RDW form, formatted, sidecode).
SIDECODE_TABLE = [
    pytest.param("ab-12-34", "AB1234", "AB-12-34", 1, id="sidecode-1"),
    pytest.param("12 34 AB", "1234AB", "12-34-AB", 2, id="sidecode-2"),
    pytest.param("12.ab.34", "12AB34", "12-AB-34", 3, id="sidecode-3"),
    pytest.param("AB12CD", "AB12CD", "AB-12-CD", 4, id="sidecode-4"),
    pytest.param("ab-cd-12", "ABCD12", "AB-CD-12", 5, id="sidecode-5"),
    pytest.param("12-AB-CD", "12ABCD", "12-AB-CD", 6, id="sidecode-6"),
    pytest.param("11-zkz-3", "11ZKZ3", "11-ZKZ-3", 7, id="sidecode-7"),
    pytest.param("1 abc 23", "1ABC23", "1-ABC-23", 8, id="sidecode-8"),
    pytest.param("ab–123–c", "AB123C", "AB-123-C", 9, id="sidecode-9-en-dash"),
    pytest.param("a—123—bc", "A123BC", "A-123-BC", 10, id="sidecode-10-em-dash"),
    pytest.param("ABC-12-D", "ABC12D", "ABC-12-D", 11, id="sidecode-11"),
    pytest.param("a-12-bcd", "A12BCD", "A-12-BCD", 12, id="sidecode-12"),
    pytest.param("1-ab-234", "1AB234", "1-AB-234", 13, id="sidecode-13"),
    pytest.param("123-ab-4", "123AB4", "123-AB-4", 14, id="sidecode-14"),
]


@pytest.mark.parametrize(("raw", "text", "formatted", "sidecode"), SIDECODE_TABLE)
def test_parse_every_sidecode(raw: str, text: str, formatted: str, sidecode: int) -> None:
    plate = parse_plate(raw)
    assert plate is not None
    assert plate.text == text
    assert plate.formatted == formatted
    assert plate.sidecode == sidecode


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("ABCDEF", id="letters-only"),
        pytest.param("123456", id="digits-only"),
        pytest.param("AB-12-3", id="five-characters"),
        pytest.param("AB-123-CD", id="seven-characters"),
        pytest.param("A1B2C3", id="no-sidecode-layout"),
        pytest.param("AB'12;CD", id="punctuation-inside"),
    ],
)
def test_parse_rejects_non_plates(raw: str) -> None:
    assert parse_plate(raw) is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param("rdw 11-zkz-3", "11ZKZ3", id="word-before"),
        pytest.param("Is 11 ZKZ 3 okay?", "11ZKZ3", id="split-over-words"),
        pytest.param("kenteken: 11.zkz.3 graag", "11ZKZ3", id="dots-and-words"),
        pytest.param("\u0661\u0661-ZKZ-\u0663", "11ZKZ3", id="arabic-indic-digits"),
        pytest.param("\u06f1\u06f1ZKZ\u06f3", "11ZKZ3", id="persian-digits"),
        pytest.param("hello there", None, id="no-plate"),
    ],
)
def test_find_plate_in_message(message: str, expected: str | None) -> None:
    plate = find_plate(message)
    assert (plate.text if plate else None) == expected
