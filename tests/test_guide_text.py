"""Texted guides: phone numbers in written form, and splitting into numbered messages."""

from __future__ import annotations

import pytest

from phoneline.catalog import Content
from phoneline.guide_text import guide_lines, split_messages, written_form
from phoneline.sms_segments import count_segments


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        pytest.param("Call 0 8 8, 0 4 3, 0 4 3 0.", "Call 088 043 0430.", id="ind"),
        pytest.param("on 1 4, 0 4 5 for", "on 14 045 for", id="municipality"),
        pytest.param("Call 1 1 2 now", "Call 112 now", id="emergency"),
        pytest.param("اتصل 0 8 8، 0 4 3، 0 4 3 0.", "اتصل 088 043 0430.", id="arabic-comma"),
        pytest.param("within 5 days, 4 weeks", "within 5 days, 4 weeks", id="plain-numbers"),
        pytest.param("from 9 to 5, 21 days", "from 9 to 5, 21 days", id="hours"),
        pytest.param("Call 1 1 2, 5 days", "Call 112, 5 days", id="single-digit-after"),
    ],
)
def test_written_form(spoken: str, written: str) -> None:
    assert written_form(spoken) == written


def test_short_text_one_message() -> None:
    assert split_messages(["a", "b"]) == ["a\nb"]


def test_long_text_numbered_within_budget() -> None:
    lines = [f"{n}. " + "word " * 30 for n in range(1, 15)]
    messages = split_messages(lines)
    assert len(messages) > 1
    for index, message in enumerate(messages, start=1):
        assert message.startswith(f"{index}/{len(messages)}\n")
        assert count_segments(message).segments <= 3
    joined = "\n".join(message.split("\n", 1)[1] for message in messages)
    assert joined == "\n".join(lines)


def test_ucs2_budget_is_smaller() -> None:
    lines = ["ش" * 60 for _ in range(8)]
    messages = split_messages(lines)
    for message in messages:
        assert count_segments(message).encoding == "UCS-2"
        assert count_segments(message).units <= 201


def test_overlong_line_cut_at_spaces() -> None:
    line = " ".join(f"w{n}" for n in range(400))
    messages = split_messages([line])
    assert len(messages) > 1
    words = " ".join(message.split("\n", 1)[1] for message in messages).split()
    assert words == line.split()


def test_guide_ends_with_desk_block(content: Content) -> None:
    topic = content.menu.topic("integration")
    assert topic is not None
    lines = guide_lines(content.catalog("tr"), topic)
    assert lines[0] == "Uyum, inburgering"
    assert lines[1].startswith("1. ")
    desk = lines[-1].split("\n")
    assert desk[0] == content.catalog("tr").text("sms.guide.desk")
    assert "inburgering, DUO" in desk[1]
    assert desk[2] == "Telefon DUO Inburgering: 050 599 96 00"
