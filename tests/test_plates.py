"""Recognising, normalising and formatting Dutch licence plates."""

from __future__ import annotations

import re

import pytest

from phoneline.lookups.plates import find_plate, normalise, parse_plate, suggest_plates

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
        pytest.param("AB-12 CD", "AB12CD", id="dash-and-space"),
        pytest.param("plate 11 zkz3", "11ZKZ3", id="groups-partly-joined"),
        pytest.param("mijn postcode is 6411", None, id="word-and-number"),
        pytest.param("6411 AB", None, id="postcode-groups"),
        pytest.param("6411AB", "6411AB", id="one-word-sidecode-2"),
    ],
)
def test_find_plate_in_message(message: str, expected: str | None) -> None:
    plate = find_plate(message)
    assert (plate.text if plate else None) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("АВ-123-С", "AB123C", id="cyrillic-capitals"),
        pytest.param("ав-123-с", "AB123C", id="cyrillic-small"),
        pytest.param("ΑΒ-123-Χ", "AB123X", id="greek-capitals"),
        pytest.param("ＡＢ－１２３－Ｃ", "AB123C", id="full-width"),
        pytest.param("ab\u2212123\u2011c", "AB123C", id="minus-and-non-breaking-hyphen"),
        pytest.param("AB १२३ C", "AB123C", id="devanagari-digits"),
    ],
)
def test_normalise_look_alikes(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("АБ-123-В", id="cyrillic-without-latin-twin"),
        pytest.param("AB-123-ß", id="sharp-s"),
        pytest.param("AB-123-é", id="accent"),
    ],
)
def test_other_letters_fit_no_sidecode(raw: str) -> None:
    assert parse_plate(raw) is None


@pytest.mark.parametrize("text", ["14VVD4", "GVD12A", "AA12BC", "12CQY3"])
def test_forbidden_letters_not_rejected(text: str) -> None:
    assert parse_plate(text) is not None


def test_every_normalised_plate_is_ascii() -> None:
    for raw in ("११-zkz-३", "１１ＺＫＺ３", "\u0661\u0661-ZKZ-\u0663"):
        plate = parse_plate(raw)
        assert plate is not None
        assert re.fullmatch(r"[A-Z0-9]{6}", plate.text)


@pytest.mark.parametrize(
    ("message", "typed", "candidates"),
    [
        pytest.param("1I-ZKZ-3", "1IZKZ3", ["11ZKZ3"], id="I-for-1"),
        pytest.param("O1-ZKZ-3", "O1ZKZ3", ["01ZKZ3"], id="O-for-0"),
        pytest.param("0O-ZKZ-3", "0OZKZ3", ["00ZKZ3"], id="O-and-0-mixed"),
        pytest.param("A8-123-C", "A8123C", ["AB123C"], id="8-for-B"),
        pytest.param("AB-123-CC", "AB123CC", ["AB123C"], id="key-pressed-twice"),
        pytest.param("check 11-zkz-33 please", "11ZKZ33", ["11ZKZ3", "1ZKZ33"], id="in-text"),
    ],
)
def test_suggestions(message: str, typed: str, candidates: list[str]) -> None:
    suggestion = suggest_plates(message)
    assert suggestion is not None
    assert suggestion[0] == typed
    assert [plate.text for plate in suggestion[1]] == candidates


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("11-ZKZ-3", id="valid-plate"),
        pytest.param("hello there", id="words"),
        pytest.param("12345678", id="digits-only"),
        pytest.param("AB-12", id="too-short"),
        pytest.param("ABCDEFGH", id="letters-only"),
    ],
)
def test_no_suggestions(message: str) -> None:
    assert suggest_plates(message) is None


def test_suggestions_at_most_three() -> None:
    suggestion = suggest_plates("1O1O1O")
    assert suggestion is not None
    assert 1 <= len(suggestion[1]) <= 3
