"""SMS keywords: STOP and START in many languages, the numbered menu, language and forgetting."""

from __future__ import annotations

import pytest
from flask import Flask

from phoneline.catalog import Content
from phoneline.guide_text import category_menu_text, guide_messages, root_menu_text
from phoneline.privacy import number_key
from tests.conftest import Twilio, parse_twiml, sms_params

SENDER = "+31612345670"


def replies(twilio: Twilio, body: str, sender: str = SENDER) -> list[str]:
    answer = parse_twiml(twilio.post("/sms", sms_params(body, From=sender)))
    return [message.text or "" for message in answer.findall("Message")]


def store_value(app: Flask, prefix: str, sender: str = SENDER) -> str | None:
    services = app.extensions["phoneline"]
    key = number_key(services.settings.secret_key, sender)
    value: str | None = services.store.get(f"{prefix}:{key}")
    return value


@pytest.mark.parametrize(
    ("words", "lang"),
    [
        pytest.param(("STOPPEN", "AANMELDEN"), "nl", id="dutch"),
        pytest.param(("توقف", "ابدأ"), "ar", id="arabic"),
        pytest.param(("Зупинити", "Почати"), "uk", id="ukrainian"),
        pytest.param(("ОСТАНОВИТЬ", "НАЧАТЬ"), "ru", id="russian"),
        pytest.param(("koniec", "wznów"), "pl", id="polish"),
        pytest.param(("DUR", "BAŞLA"), "tr", id="turkish"),
        pytest.param(("oprire", "pornire"), "ro", id="romanian"),
        pytest.param(("спри", "начало"), "bg", id="bulgarian"),
        pytest.param(("ኣቋርጽ", "ጀምር"), "ti", id="tigrinya"),
        pytest.param(("قطع", "شروع"), "fa", id="farsi"),
    ],
)
def test_stop_and_start_in_language(
    app: Flask, twilio: Twilio, content: Content, words: tuple[str, str], lang: str
) -> None:
    catalog = content.catalog(lang)
    stop_word, start_word = words

    assert replies(twilio, stop_word) == [catalog.text("sms.stop.done")]
    assert store_value(app, "optout") == "1"
    assert replies(twilio, "MENU") == []
    assert replies(twilio, "DIGID") == []

    assert replies(twilio, start_word) == [catalog.text("sms.start.done")]
    assert store_value(app, "optout") is None
    assert replies(twilio, "DIGID") != []


@pytest.mark.parametrize("word", ["STOP", "stop", " Unsubscribe ", "QUIT"])
def test_twilio_stop_words_confirmed_once(app: Flask, twilio: Twilio, word: str) -> None:
    # Twilio itself confirms its default keywords, so the line adds no reply.
    assert replies(twilio, word) == []
    assert store_value(app, "optout") == "1"
    assert replies(twilio, "hello") == []

    assert replies(twilio, "START") == []
    assert store_value(app, "optout") is None
    assert replies(twilio, "hello") != []


def test_stop_is_per_number(twilio: Twilio) -> None:
    replies(twilio, "STOPPEN")
    assert replies(twilio, "hallo", sender="+31612345671") != []


def test_forget_keeps_opt_out(app: Flask, twilio: Twilio) -> None:
    replies(twilio, "Polski")
    replies(twilio, "STOPPEN")
    assert replies(twilio, "FORGET") == []
    assert store_value(app, "lang") is None
    assert store_value(app, "optout") == "1"


def test_language_switch_by_name_and_code(app: Flask, twilio: Twilio, content: Content) -> None:
    polish = content.catalog("pl")
    assert replies(twilio, "Polski") == [polish.text("sms.language.set")]
    assert store_value(app, "lang") == "pl"
    assert replies(twilio, "MENU") == [root_menu_text(content, polish)]

    turkish = content.catalog("tr")
    assert replies(twilio, "tr") == [turkish.text("sms.language.set")]
    assert replies(twilio, "help") == [root_menu_text(content, turkish)]


def test_language_switch_by_native_script(twilio: Twilio, content: Content) -> None:
    assert replies(twilio, "العربية") == [content.catalog("ar").text("sms.language.set")]
    assert replies(twilio, "Українська") == [content.catalog("uk").text("sms.language.set")]


def test_forget_by_keyword(app: Flask, twilio: Twilio, content: Content) -> None:
    replies(twilio, "English")
    assert replies(twilio, "forget") == [content.catalog("en").text("sms.forget.done")]
    assert store_value(app, "lang") is None


def test_numbered_menu_followed(twilio: Twilio, content: Content) -> None:
    dutch = content.catalog("nl")
    menu = content.menu
    assert replies(twilio, "HULP") == [root_menu_text(content, dutch)]

    digid = menu.categories[1]
    assert replies(twilio, "2") == [category_menu_text(content, dutch, digid)]

    berichtenbox = menu.category_topics(digid)[2]
    assert replies(twilio, "3") == guide_messages(dutch, berichtenbox)

    # The menu position stays, so another topic of the same category follows.
    assert replies(twilio, "1") == guide_messages(dutch, menu.category_topics(digid)[0])
    assert replies(twilio, "0") == [root_menu_text(content, dutch)]


def test_menu_keeps_its_language(twilio: Twilio, content: Content) -> None:
    arabic = content.catalog("ar")
    assert replies(twilio, "قائمة") == [root_menu_text(content, arabic)]
    checks = content.menu.categories[4]
    assert replies(twilio, "5") == [category_menu_text(content, arabic, checks)]


def test_menu_invalid_choice(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    replies(twilio, "help")
    answer = replies(twilio, "9")
    assert answer == [english.text("sms.invalid") + "\n" + root_menu_text(content, english)]


def test_digit_without_menu_gets_help(twilio: Twilio, content: Content) -> None:
    text = replies(twilio, "3")[0]
    assert content.catalog("nl").text("sms.help") in text
    assert content.catalog("en").text("sms.help") in text


def test_unknown_language_gets_dutch_and_english(twilio: Twilio, content: Content) -> None:
    text = replies(twilio, "xyz")[0]
    dutch, english = content.catalog("nl"), content.catalog("en")
    assert text.index(dutch.text("sms.help")) < text.index(english.text("sms.help"))
    assert english.text("sms.menu.hint") in text


def test_remembered_language_wins(twilio: Twilio, content: Content) -> None:
    replies(twilio, "Română")
    text = replies(twilio, "hello")[0]
    assert text == content.catalog("ro").text("sms.help") + "\n" + content.catalog("ro").text(
        "sms.menu.hint"
    )


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        pytest.param("سلام چطوری", "fa", id="farsi-words"),
        pytest.param("کمک کنید", "fa", id="farsi-letters"),
        pytest.param("مرحبا", "ar", id="arabic"),
        pytest.param("Що робити з листом", "uk", id="ukrainian"),
        pytest.param("Что мне делать", "ru", id="russian"),
        pytest.param("Къде съм", "bg", id="bulgarian"),
        pytest.param("Gdzie jest urząd", "pl", id="polish-letters"),
        pytest.param("ሰላም", "ti", id="tigrinya"),
    ],
)
def test_reply_language_from_message(
    twilio: Twilio, content: Content, body: str, lang: str
) -> None:
    assert replies(twilio, body)[0].startswith(content.catalog(lang).text("sms.help"))
