"""Choosing a language: country suggestion, returning callers, forgetting, voices."""

from __future__ import annotations

import pytest
from flask import Flask

from phoneline.catalog import Content
from phoneline.privacy import number_key
from phoneline.speech import Speaker
from tests.conftest import PUBLIC_URL, Twilio
from tests.voice_helpers import choose_language, gather_of, press, said, start_call

POLISH_NUMBER = "+48501234567"
ARABIC_CALLER = "+31612345679"

# Voices from Twilio's <Say> voice tables: Polly where it has the language,
# Google's voices for Ukrainian and Bulgarian, none for Tigrinya and Farsi.
EXPECTED_VOICES = {
    "nl": ("Polly.Lotte", "nl-NL", "nl"),
    "en": ("Polly.Amy", "en-GB", "en"),
    "ar": ("Polly.Zeina", "arb", "ar"),
    "uk": ("Google.uk-UA-Standard-A", "uk-UA", "uk"),
    "ru": ("Polly.Tatyana", "ru-RU", "ru"),
    "pl": ("Polly.Ewa", "pl-PL", "pl"),
    "tr": ("Polly.Filiz", "tr-TR", "tr"),
    "ro": ("Polly.Carmen", "ro-RO", "ro"),
    "bg": ("Google.bg-BG-Standard-A", "bg-BG", "bg"),
    "ti": (None, None, None),
    "fa": (None, None, None),
}


def remember(app: Flask, number: str, lang: str) -> None:
    key = number_key(app.extensions["phoneline"].settings.secret_key, number)
    app.extensions["phoneline"].store.set(f"lang:{key}", lang, subject=key)


def stored_language(app: Flask, number: str) -> str | None:
    key = number_key(app.extensions["phoneline"].settings.secret_key, number)
    value: str | None = app.extensions["phoneline"].store.get(f"lang:{key}")
    return value


@pytest.mark.parametrize("code", list(EXPECTED_VOICES))
def test_language_voice_metadata(content: Content, code: str) -> None:
    language = content.catalog(code).language
    voice, say_language, gtts = EXPECTED_VOICES[code]
    assert language.say_voice == voice
    assert language.say_language == say_language
    assert language.gtts == gtts
    assert language.reviewed is False
    assert language.review_status == "unreviewed"


def test_only_speakable_languages_by_voice(content: Content) -> None:
    speaker = Speaker(content)
    assert not speaker.can_speak("ti")
    assert not speaker.can_speak("fa")
    for code in ("nl", "en", "ar", "uk", "ru", "pl", "tr", "ro", "bg"):
        assert speaker.can_speak(code), code


def test_polish_number_offered_polish_first(twilio: Twilio, content: Content) -> None:
    polish = content.catalog("pl")
    root = start_call(twilio, From=POLISH_NUMBER)
    texts = said(gather_of(root))

    assert texts[0] == polish.text("welcome")
    offers = [text for text in texts if text in _offers(content)]
    assert offers[0] == polish.text("language.offer")
    assert texts[texts.index(offers[0]) + 1] == polish.text("press.1")
    action = gather_of(root).get("action", "")
    assert action.startswith(PUBLIC_URL + "/voice/language?page=0&first=pl")

    topics = press(twilio, root, "1", From=POLISH_NUMBER)
    assert gather_of(topics).get("action", "").startswith(PUBLIC_URL + "/voice/topics?lang=pl")


def test_polish_first_keeps_full_menu(twilio: Twilio, content: Content) -> None:
    root = start_call(twilio, From=POLISH_NUMBER)
    second = press(twilio, root, content.menu.nav_keys["next"], From=POLISH_NUMBER)
    first_texts = said(gather_of(root))
    second_texts = said(gather_of(second))
    offered = {
        code
        for code in content.menu.languages
        if content.catalog(code).text("language.offer") in first_texts + second_texts
    }
    assert offered == {"nl", "en", "ar", "uk", "ru", "pl", "tr", "ro", "bg"}


@pytest.mark.parametrize(
    ("number", "first_offer"),
    [
        pytest.param("+31612345678", "nl", id="dutch"),
        pytest.param("+380501234567", "uk", id="ukraine"),
        pytest.param("+905321234567", "tr", id="turkey"),
        pytest.param("+963944123456", "ar", id="syria"),
        pytest.param("+291712345", "nl", id="eritrea-no-voice"),
        pytest.param("anonymous", "nl", id="withheld"),
    ],
)
def test_country_suggestion(
    twilio: Twilio, content: Content, number: str, first_offer: str
) -> None:
    texts = said(gather_of(start_call(twilio, From=number)))
    offers = [text for text in texts if text in _offers(content)]
    assert offers[0] == content.catalog(first_offer).text("language.offer")


def test_returning_arabic_caller_continues(app: Flask, twilio: Twilio, content: Content) -> None:
    arabic = content.catalog("ar")
    remember(app, ARABIC_CALLER, "ar")

    root = start_call(twilio, From=ARABIC_CALLER)
    gather = gather_of(root)
    first_say = gather.find("Say")

    assert first_say is not None
    assert first_say.text == arabic.text("language.continuing")
    assert first_say.get("voice") == "Polly.Zeina"
    texts = said(gather)
    assert texts[1:3] == [arabic.text("nav.language"), arabic.text("press.9")]
    assert arabic.text("category.digid") in texts
    assert gather.get("action", "").startswith(PUBLIC_URL + "/voice/topics?lang=ar")


def test_choice_is_remembered(app: Flask, twilio: Twilio, content: Content) -> None:
    choose_language(twilio, content, "uk", From=ARABIC_CALLER)
    assert stored_language(app, ARABIC_CALLER) == "uk"

    texts = said(start_call(twilio, From=ARABIC_CALLER))
    assert texts[0] == content.catalog("uk").text("language.continuing")


def test_withheld_number_not_remembered(app: Flask, twilio: Twilio, content: Content) -> None:
    choose_language(twilio, content, "en", From="anonymous")
    assert stored_language(app, "anonymous") is None


def test_forget_language_by_keys(app: Flask, twilio: Twilio, content: Content) -> None:
    arabic = content.catalog("ar")
    keys = content.menu.nav_keys
    remember(app, ARABIC_CALLER, "ar")

    topics = start_call(twilio, From=ARABIC_CALLER)
    menu = press(twilio, topics, keys["language"], From=ARABIC_CALLER)
    texts = said(gather_of(menu))
    assert texts[:2] == [arabic.text("language.forget_offer"), arabic.text("press.0")]

    forgotten = press(twilio, menu, keys["topics"], From=ARABIC_CALLER)
    assert said(forgotten)[0] == arabic.text("language.forgotten")
    assert stored_language(app, ARABIC_CALLER) is None
    assert arabic.text("language.forget_offer") not in said(forgotten)

    # The rest of this call chooses without remembering.
    press(twilio, forgotten, content.menu.choice_keys[0], From=ARABIC_CALLER)
    assert stored_language(app, ARABIC_CALLER) is None
    assert said(start_call(twilio, From=ARABIC_CALLER))[0] == content.catalog("nl").text("welcome")


def test_remembered_unspeakable_language_ignored(
    app: Flask, twilio: Twilio, content: Content
) -> None:
    remember(app, ARABIC_CALLER, "ti")
    texts = said(start_call(twilio, From=ARABIC_CALLER))
    assert texts[0] == content.catalog("nl").text("welcome")


def _offers(content: Content) -> set[str]:
    return {catalog.text("language.offer") for catalog in content.catalogs.values()}
