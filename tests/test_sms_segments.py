"""Counting SMS segments by encoding."""

from __future__ import annotations

import pytest

from phoneline.sms_segments import count_segments, is_gsm7


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        pytest.param("", "GSM-7", 0, 0, id="empty"),
        pytest.param("a" * 160, "GSM-7", 160, 1, id="gsm-single-full"),
        pytest.param("a" * 161, "GSM-7", 161, 2, id="gsm-two"),
        pytest.param("a" * 306, "GSM-7", 306, 2, id="gsm-two-full"),
        pytest.param("a" * 307, "GSM-7", 307, 3, id="gsm-three"),
        pytest.param("€" * 80, "GSM-7", 160, 1, id="extension-counts-double"),
        pytest.param("€" * 81, "GSM-7", 162, 2, id="extension-over"),
        pytest.param("é ö ä ü ß", "GSM-7", 9, 1, id="gsm-accents"),
        pytest.param("België", "UCS-2", 6, 1, id="dutch-e-diaeresis"),
        pytest.param("ş" * 70, "UCS-2", 70, 1, id="ucs2-single-full"),
        pytest.param("ş" * 71, "UCS-2", 71, 2, id="ucs2-two"),
        pytest.param("س" * 134, "UCS-2", 134, 2, id="arabic-two-full"),
        pytest.param("س" * 135, "UCS-2", 135, 3, id="arabic-three"),
        pytest.param("😀" * 35, "UCS-2", 70, 1, id="emoji-surrogate-pairs"),
        pytest.param("“quoted”", "UCS-2", 8, 1, id="curly-quotes"),
    ],
)
def test_count_segments(text: str, encoding: str, units: int, segments: int) -> None:
    count = count_segments(text)
    assert count.encoding == encoding
    assert count.units == units
    assert count.segments == segments


def test_one_foreign_character_makes_ucs2() -> None:
    assert is_gsm7("a" * 100)
    assert not is_gsm7("a" * 100 + "ł")
