"""Key 6 during a guide: the guide is texted through the Twilio REST API stand-in."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask

from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.guide_text import guide_messages
from phoneline.privacy import number_key
from phoneline.sms_segments import count_segments
from tests.conftest import AppFactory, Twilio, call_params, parse_twiml
from tests.twilio_server import TwilioStandIn, start
from tests.voice_helpers import choose_language, gather_of, open_topic, press, said

ACCOUNT_SID = "AC" + "c" * 32
LINE_NUMBER = "+3197010000002"
CALLER = "+31612345678"


@pytest.fixture
def twilio_api() -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn()
    server = start(stand_in)
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def rest_app(make_app: AppFactory, settings: Settings, twilio_api: TwilioStandIn) -> Flask:
    return make_app(
        settings=dataclasses.replace(
            settings,
            twilio_account_sid=ACCOUNT_SID,
            sms_from=LINE_NUMBER,
            twilio_api_url=twilio_api.url,
        )
    )


@pytest.fixture
def rest_twilio(rest_app: Flask) -> Twilio:
    return Twilio(rest_app.test_client())


def test_keys_intro_announces_send(rest_twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    texts = said(choose_language(rest_twilio, content, "en"))
    assert english.text("nav.send_by_text") in texts
    assert texts[texts.index(english.text("nav.send_by_text")) + 1] == english.text("press.6")


def test_first_step_offers_send(rest_twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    topics = choose_language(rest_twilio, content, "en")
    step = open_topic(rest_twilio, content, topics, "ind_status")
    assert said(gather_of(step)) == [
        english.text("guide.ind_status.1"),
        english.text("nav.send_by_text"),
        english.text("press.6"),
    ]


def test_send_not_offered_without_rest(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    topics = choose_language(twilio, content, "en")
    assert english.text("nav.send_by_text") not in said(topics)
    step = open_topic(twilio, content, topics, "digid_get")
    assert said(press(twilio, step, "6"))[0] == english.text("invalid")


@pytest.mark.parametrize("lang", ["ar", "en", "pl"])
def test_guide_texted_with_dutch_terms(
    rest_twilio: Twilio, content: Content, twilio_api: TwilioStandIn, lang: str
) -> None:
    catalog = content.catalog(lang)
    topic = content.menu.topic("register_bsn")
    assert topic is not None
    step = open_topic(rest_twilio, content, choose_language(rest_twilio, content, lang), topic.id)
    step2 = press(rest_twilio, step, content.menu.nav_keys["next"])

    answer = press(rest_twilio, step2, content.menu.nav_keys["send_by_text"])

    texts = said(answer)
    assert texts[0] == catalog.text("send.done")
    assert texts[1] == catalog.text("guide.register_bsn.2")
    sent = twilio_api.messages()
    assert [message["Body"] for message in sent] == guide_messages(catalog, topic)
    assert {message["To"] for message in sent} == {CALLER}
    assert {message["From"] for message in sent} == {LINE_NUMBER}
    assert sent[0]["Body"].startswith("1/")
    last = sent[-1]["Body"]
    for term in ("gemeente Heerlen", "burgerservicenummer (BSN)", "RNI-loket", "14 045"):
        assert term in last
    assert "1 4, 0 4 5" not in "".join(message["Body"] for message in sent)
    for message in sent:
        assert count_segments(message["Body"]).segments <= 3


def test_stopped_number_gets_no_text(
    rest_app: Flask, rest_twilio: Twilio, content: Content, twilio_api: TwilioStandIn
) -> None:
    services = rest_app.extensions["phoneline"]
    services.store.set(f"optout:{number_key(services.settings.secret_key, CALLER)}", "1")
    topics = choose_language(rest_twilio, content, "en")
    step = open_topic(rest_twilio, content, topics, "digid_get")

    answer = press(rest_twilio, step, "6")
    assert said(answer)[0] == content.catalog("en").text("send.stopped")
    assert twilio_api.messages() == []


def test_rejected_text_says_failed(
    rest_twilio: Twilio, content: Content, twilio_api: TwilioStandIn
) -> None:
    twilio_api.fail_with = (400, 21610)
    topics = choose_language(rest_twilio, content, "en")
    step = open_topic(rest_twilio, content, topics, "digid_get")
    answer = press(rest_twilio, step, "6")
    assert said(answer)[0] == content.catalog("en").text("send.failed")
    assert said(answer)[1] == content.catalog("en").text("guide.digid_get.1")


def test_withheld_number_cannot_get_text(
    rest_twilio: Twilio, content: Content, twilio_api: TwilioStandIn
) -> None:
    topics = choose_language(rest_twilio, content, "en", From="anonymous")
    step = open_topic(rest_twilio, content, topics, "digid_get")
    action = gather_of(step).get("action", "")
    answer = parse_twiml(rest_twilio.follow(action, call_params(Digits="6", From="anonymous")))
    assert said(answer)[0] == content.catalog("en").text("send.no_number")
    assert twilio_api.messages() == []


def test_sends_limited_per_hour(
    rest_twilio: Twilio, content: Content, twilio_api: TwilioStandIn
) -> None:
    english = content.catalog("en")
    topic = content.menu.topic("check_car")
    assert topic is not None
    step = open_topic(rest_twilio, content, choose_language(rest_twilio, content, "en"), topic.id)
    outcomes = []
    for _ in range(4):
        step = press(rest_twilio, step, "6")
        outcomes.append(said(step)[0])
    assert outcomes == [english.text("send.done")] * 3 + [english.text("send.limit")]
    assert len(twilio_api.messages()) == 3 * len(guide_messages(english, topic))
