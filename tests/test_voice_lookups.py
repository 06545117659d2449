"""The employer check by phone: keying in a KVK number, hearing the result, getting a text."""

from __future__ import annotations

import dataclasses
from xml.etree import ElementTree

import pytest

from phoneline.catalog import Content
from phoneline.config import Settings
from tests.conftest import PUBLIC_URL, AppFactory, Twilio, call_params, parse_twiml
from tests.source_server import Canned, SourceStandIn, fixture
from tests.twilio_server import TwilioStandIn
from tests.voice_helpers import (
    choose_language,
    gather_of,
    open_topic,
    press,
    said,
    stay_silent,
)

PROFILE = "/kvk/api/v1/basisprofielen/"
OPEN_DATA = "/kvk/hvds/basisbedrijfsgegevens/kvknummer/"
ACCOUNT_SID = "AC" + "a" * 32
CALLER = call_params()["From"]


@pytest.fixture
def keyed(settings: Settings) -> Settings:
    return dataclasses.replace(settings, kvk_api_key="test-key")


@pytest.fixture
def phone(make_app: AppFactory, keyed: Settings) -> Twilio:
    """A line with a KVK key and no REST credentials, so no texts are sent."""
    return Twilio(make_app(settings=keyed).test_client())


@pytest.fixture
def texting_phone(make_app: AppFactory, keyed: Settings, twilio_api: TwilioStandIn) -> Twilio:
    """A line with a KVK key and REST credentials pointing at the Twilio stand-in."""
    settings = dataclasses.replace(
        keyed,
        twilio_account_sid=ACCOUNT_SID,
        sms_from="+3197010000001",
        twilio_api_url=twilio_api.url,
    )
    return Twilio(make_app(settings=settings).test_client())


def choose_topic(twilio: Twilio, content: Content, lang: str, topic_id: str) -> ElementTree.Element:
    """Walk from a new call to `topic_id` in `lang`: language, category, topic."""
    return open_topic(twilio, content, choose_language(twilio, content, lang), topic_id)


def key_in(twilio: Twilio, root: ElementTree.Element, digits: str) -> ElementTree.Element:
    return press(twilio, root, digits)


def spoken_with_voice(root: ElementTree.Element) -> list[tuple[str, str | None]]:
    return [(say.text or "", say.get("voice")) for say in root.iter("Say")]


def test_topic_opens_number_screen(phone: Twilio, content: Content) -> None:
    screen = choose_topic(phone, content, "en", "check_employer")

    gather = gather_of(screen)
    assert gather.get("numDigits") == "8"
    assert gather.get("finishOnKey") == "#"
    assert gather.get("action", "").startswith(PUBLIC_URL + "/voice/employer?lang=en")
    assert said(gather) == [content.catalog("en").text("employer.ask_number")]


def test_result_spoken_with_values(phone: Twilio, content: Content, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))
    english = content.catalog("en")

    result = key_in(phone, choose_topic(phone, content, "en", "check_employer"), "69599084")

    spoken = spoken_with_voice(result)
    assert spoken[:10] == [
        (english.text("employer.result.name"), "Polly.Amy"),
        ("Test EMZ Dagobert", "Polly.Lotte"),
        (english.text("employer.result.active_since"), "Polly.Amy"),
        ("8 January 2017", "Polly.Amy"),
        (english.text("employer.result.legal_form"), "Polly.Amy"),
        (english.text("value.legal_form.eenmanszaak"), "Polly.Amy"),
        (english.text("employer.result.city"), "Polly.Amy"),
        ("Amsterdam", "Polly.Lotte"),
        (english.text("nav.repeat"), "Polly.Amy"),
        (english.text("press.star"), "Polly.Amy"),
    ]
    assert (
        gather_of(result)
        .get("action", "")
        .startswith(PUBLIC_URL + "/voice/employer/after?lang=en&kvk=69599084")
    )
    assert result.find("Redirect") is not None


def test_result_in_arabic(phone: Twilio, content: Content, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))
    arabic = content.catalog("ar")

    result = key_in(phone, choose_topic(phone, content, "ar", "check_employer"), "69599084")

    spoken = spoken_with_voice(result)
    assert (arabic.text("employer.result.name"), "Polly.Zeina") in spoken
    assert ("Test EMZ Dagobert", "Polly.Lotte") in spoken
    assert ("8 يناير 2017", "Polly.Zeina") in spoken


def test_result_sent_by_text(
    texting_phone: Twilio,
    content: Content,
    sources: SourceStandIn,
    twilio_api: TwilioStandIn,
) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))
    english = content.catalog("en")

    result = key_in(
        texting_phone, choose_topic(texting_phone, content, "en", "check_employer"), "69599084"
    )
    redirect = result.find("Redirect")
    assert redirect is not None and redirect.text
    assert redirect.text.startswith(PUBLIC_URL + "/voice/employer/text?lang=en&kvk=69599084")
    assert twilio_api.messages() == []  # nothing is sent before the result has been spoken

    after = parse_twiml(texting_phone.follow(redirect.text, call_params()))

    messages = twilio_api.messages()
    assert len(messages) == 1
    assert messages[0]["To"] == CALLER
    assert messages[0]["Body"].startswith("KVK 69599084: Test EMZ Dagobert\n")
    assert said(after)[0] == english.text("employer.text_sent")
    assert gather_of(after).get("action", "").startswith(PUBLIC_URL + "/voice/employer/after")


def test_text_failure_said(
    texting_phone: Twilio,
    content: Content,
    sources: SourceStandIn,
    twilio_api: TwilioStandIn,
) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))
    twilio_api.fail_with = (400, 21211)

    after = parse_twiml(
        texting_phone.post("/voice/employer/text?lang=en&kvk=69599084", call_params())
    )

    assert said(after)[0] == content.catalog("en").text("employer.text_failed")


def test_seven_digits_padded(phone: Twilio, content: Content, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "01234567", fixture("kvk", "basisprofiel-v1_01234567_leading-zero.json"))
    english = content.catalog("en")

    result = key_in(phone, choose_topic(phone, content, "en", "check_employer"), "1234567")

    assert sources.paths() == [PROFILE + "01234567"]
    assert english.text("employer.result.ended_on") in said(result)
    assert "15 March 2023" in said(result)


@pytest.mark.parametrize("digits", ["12", "12345678901", "12*4"])
def test_invalid_input_asks_again(phone: Twilio, content: Content, digits: str) -> None:
    english = content.catalog("en")
    screen = choose_topic(phone, content, "en", "check_employer")

    again = key_in(phone, screen, digits)

    assert said(again)[0] == english.text("employer.invalid")
    assert gather_of(again).get("numDigits") == "8"


def test_three_invalid_numbers_return_to_topics(phone: Twilio, content: Content) -> None:
    english = content.catalog("en")
    root = choose_topic(phone, content, "en", "check_employer")
    for _ in range(3):
        root = key_in(phone, root, "12")
    assert english.text("menu.choose_topic") in said(root)


def test_not_found_asks_again(phone: Twilio, content: Content, sources: SourceStandIn) -> None:
    sources.add(
        PROFILE + "12345678",
        fixture("kvk", "basisprofiel-v1_12345678_404-IPD0005.json", status=404),
    )
    english = content.catalog("en")
    again = key_in(phone, choose_topic(phone, content, "en", "check_employer"), "12345678")
    assert said(again)[0] == english.text("employer.not_found")
    assert gather_of(again).get("numDigits") == "8"


def test_unavailable_offers_next_steps(
    phone: Twilio, content: Content, sources: SourceStandIn
) -> None:
    sources.add(PROFILE + "69599084", Canned(status=503, body=b""))
    english = content.catalog("en")

    result = key_in(phone, choose_topic(phone, content, "en", "check_employer"), "69599084")

    texts = said(result)
    assert texts[0] == english.text("employer.unavailable")
    assert english.text("employer.another") in texts
    assert english.text("nav.repeat") not in texts


def test_open_data_result_spoken(
    make_app: AppFactory, content: Content, sources: SourceStandIn
) -> None:
    phone = Twilio(make_app().test_client())
    sources.add(
        OPEN_DATA + "55344526",
        fixture("kvk", "opendata-hvds-basisbedrijfsgegevens_bankrupt.json"),
    )
    english = content.catalog("en")

    result = key_in(phone, choose_topic(phone, content, "en", "check_employer"), "55344526")

    texts = said(result)
    assert english.text("employer.result.inactive") in texts
    assert english.text("value.insolvency.fail") in texts
    assert english.text("value.legal_form.bv") in texts
    assert english.text("employer.result.open_data_limits") in texts


def test_silence_repeats_once_then_topics(phone: Twilio, content: Content) -> None:
    english = content.catalog("en")
    screen = choose_topic(phone, content, "en", "check_employer")

    repeated = stay_silent(phone, screen)
    assert said(repeated) == [english.text("employer.ask_number")]

    topics = stay_silent(phone, repeated)
    assert english.text("menu.choose_topic") in said(topics)


def test_star_repeats_question(phone: Twilio, content: Content) -> None:
    screen = key_in(phone, choose_topic(phone, content, "en", "check_employer"), "*")
    assert said(screen) == [content.catalog("en").text("employer.ask_number")]


@pytest.fixture
def after_result(phone: Twilio, content: Content, sources: SourceStandIn) -> ElementTree.Element:
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))
    return key_in(phone, choose_topic(phone, content, "en", "check_employer"), "69599084")


def test_after_star_repeats_result(
    phone: Twilio, content: Content, after_result: ElementTree.Element, sources: SourceStandIn
) -> None:
    again = press(phone, after_result, content.menu.nav_keys["repeat"])
    assert "Test EMZ Dagobert" in said(again)
    assert sources.paths() == [PROFILE + "69599084"]  # the repeat came from the cache


def test_after_1_asks_another_number(
    phone: Twilio, content: Content, after_result: ElementTree.Element
) -> None:
    screen = press(phone, after_result, content.menu.choice_keys[0])
    assert gather_of(screen).get("numDigits") == "8"


@pytest.mark.parametrize("digit", ["0", ""])
def test_after_topics_or_silence(
    phone: Twilio, content: Content, after_result: ElementTree.Element, digit: str
) -> None:
    if digit:
        topics = press(phone, after_result, digit)
    else:
        topics = stay_silent(phone, after_result)
    assert content.catalog("en").text("menu.choose_topic") in said(topics)


def test_after_language_key(
    phone: Twilio, content: Content, after_result: ElementTree.Element
) -> None:
    menu = press(phone, after_result, content.menu.nav_keys["language"])
    assert gather_of(menu).get("action", "").startswith(PUBLIC_URL + "/voice/language")


def test_after_other_key_invalid(
    phone: Twilio, content: Content, after_result: ElementTree.Element
) -> None:
    again = press(phone, after_result, "5")
    assert said(again)[0] == content.catalog("en").text("invalid")


def test_unknown_language_restarts(phone: Twilio) -> None:
    root = parse_twiml(phone.post("/voice/employer?lang=xx", call_params(Digits="69599084")))
    assert gather_of(root).get("action", "").startswith(PUBLIC_URL + "/voice/language")


def test_check_car_is_a_guide(phone: Twilio, content: Content) -> None:
    english = content.catalog("en")
    step = choose_topic(phone, content, "en", "check_car")
    assert said(step) == [english.text("guide.check_car.1")]


def test_screen_replaces_spoken_steps(phone: Twilio, content: Content) -> None:
    """By phone the employer topic is its number screen; its steps serve the SMS guide."""
    topic = content.menu.topic("check_employer")
    assert topic is not None
    assert topic.steps

    screen = choose_topic(phone, content, "en", "check_employer")

    assert gather_of(screen).get("numDigits") == "8"
    assert content.catalog("en").text(topic.steps[0].key) not in said(screen)
