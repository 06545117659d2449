"""Splitting prompt text into gTTS requests at sentence ends, in Latin, Arabic and Ethiopic."""

from __future__ import annotations

import pytest

from phoneline.audio.split import split_for_requests

# Three Arabic sentences that end with the Arabic question mark and semicolon, no full stop.
ARABIC_SENTENCES = [
    "هل ستعيش في هولندا أربعة أشهر أو أكثر؟",
    "عليك إذن التسجيل في بلدية هيرلن خلال خمسة أيام من وصولك؛",
    "هل تحتاج إلى موعد في البلدية لتحصل على رقم الخدمة المدنية؟",
]
# Amharic sentences ending with the Ethiopic full stop and question mark.
AMHARIC_SENTENCES = [
    "በመጀመሪያ በሄርለን ማዘጋጃ ቤት ይመዝገቡ።",
    "የቢኤስኤን ቁጥር እና በኔዘርላንድስ ውስጥ አድራሻ ያስፈልግዎታል።",
    "ወደ digid.nl ድህረ ገጽ ይሂዱ እና ማመልከት የሚለውን ይምረጡ።",
    "የማግበሪያ ኮድ ያለው ደብዳቤ ደርሶዎታል፧",
]


def words(text: str) -> list[str]:
    return text.split()


def test_short_text_stays_whole() -> None:
    text = "Choose a topic. Then press a key."
    assert split_for_requests(text) == [text]


def test_empty_text_gives_nothing() -> None:
    assert split_for_requests("  ") == []


@pytest.mark.parametrize(
    "sentences", [ARABIC_SENTENCES, AMHARIC_SENTENCES], ids=["arabic", "amharic"]
)
def test_script_sentence_ends_split(sentences: list[str]) -> None:
    text = " ".join(sentences)
    assert len(text) > 100

    pieces = split_for_requests(text)

    count = len(sentences)
    runs = {" ".join(sentences[i:j]) for i in range(count) for j in range(i + 1, count + 1)}
    assert len(pieces) > 1
    for piece in pieces:
        assert len(piece) <= 100
        assert piece in runs, f"{piece!r} is not a run of whole sentences"
    assert " ".join(pieces) == text


def test_arabic_marks_split_without_space() -> None:
    text = "".join(ARABIC_SENTENCES)
    pieces = split_for_requests(text, limit=70)
    assert pieces == ARABIC_SENTENCES


def test_ethiopic_full_stop_splits_without_space() -> None:
    text = "".join(AMHARIC_SENTENCES)
    pieces = split_for_requests(text, limit=60)
    assert pieces == AMHARIC_SENTENCES


def test_latin_period_inside_word_kept() -> None:
    text = "Go to the website digid.nl and choose Apply. " * 3
    pieces = split_for_requests(text.strip())
    assert all(len(piece) <= 100 for piece in pieces)
    assert all("digid.nl" in piece for piece in pieces)
    assert pieces[0].endswith("Apply.")


def test_long_sentence_splits_at_commas() -> None:
    text = (
        "Bring your passport, your rental contract, your birth certificate, "
        "the proof that the IND allows you to stay, and the papers of everyone who moves with you."
    )
    pieces = split_for_requests(text)
    assert len(pieces) == 2
    assert all(len(piece) <= 100 for piece in pieces)
    assert all(piece.endswith((",", ".")) for piece in pieces)
    assert words(" ".join(pieces)) == words(text)


def test_arabic_comma_splits_long_sentence() -> None:
    clause = "أحضر جواز سفرك وعقد الإيجار وشهادة الميلاد"
    text = "، ".join([clause] * 4) + "."
    pieces = split_for_requests(text)
    assert all(len(piece) <= 100 for piece in pieces)
    assert all(piece.endswith(("،", ".")) for piece in pieces)
    assert words(" ".join(pieces)) == words(text)


def test_no_punctuation_splits_at_spaces() -> None:
    text = " ".join(["registration"] * 20)
    pieces = split_for_requests(text)
    assert all(len(piece) <= 100 for piece in pieces)
    assert all(not piece.startswith(" ") and not piece.endswith(" ") for piece in pieces)
    assert words(" ".join(pieces)) == words(text)


def test_ethiopic_wordspace_splits_words() -> None:
    text = "፡".join(["ኢትዮጵያ"] * 30)
    pieces = split_for_requests(text)
    assert all(len(piece) <= 100 for piece in pieces)
    assert all("ኢትዮጵያ" in piece for piece in pieces)
    assert sum(piece.count("ኢትዮጵያ") for piece in pieces) == 30


def test_overlong_word_is_cut_hard() -> None:
    text = "x" * 250
    assert split_for_requests(text) == ["x" * 100, "x" * 100, "x" * 50]
