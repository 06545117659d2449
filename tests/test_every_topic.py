"""Every topic in every language: by keys in each voice language, by keyword in each catalog.

The cases are generated from the shipped menu and catalogs, so a new topic or
language is walked without editing this file.
"""

from __future__ import annotations

import pytest

from phoneline.catalog import Content, load_content
from phoneline.flows.replies import detect_language
from phoneline.flows.voice import TOPIC_SCREENS
from phoneline.guide_text import guide_messages, menu_label, written_form
from phoneline.sms_segments import count_segments
from tests.conftest import Twilio, parse_twiml, sms_params
from tests.voice_helpers import choose_language, gather_of, open_topic, press, said, voice_languages

SHIPPED = load_content()


@pytest.mark.parametrize("lang", voice_languages(SHIPPED))
def test_walk_every_topic_by_keys(twilio: Twilio, content: Content, lang: str) -> None:
    catalog = content.catalog(lang)
    next_key = content.menu.nav_keys["next"]
    topics_menu = choose_language(twilio, content, lang)

    for topic in content.menu.topics:
        step = open_topic(twilio, content, topics_menu, topic.id)
        if topic.id in TOPIC_SCREENS:
            # By phone this topic is an input screen; the topic key leaves it.
            assert said(gather_of(step)) == [catalog.text("employer.ask_number")], (lang, topic.id)
            topics_menu = press(twilio, step, content.menu.nav_keys["topics"])
            continue
        for number, expected in enumerate(topic.steps, start=1):
            assert said(gather_of(step)) == [catalog.text(expected.key)], (lang, topic.id, number)
            step = press(twilio, step, next_key)

        texts = said(step)
        assert texts[0] == catalog.text("guide.end"), (lang, topic.id)
        assert catalog.text("menu.choose_topic") in texts
        topics_menu = step


def _keyword_cases() -> list[object]:
    cases = []
    for code in SHIPPED.menu.languages:
        catalog = SHIPPED.catalog(code)
        for topic in SHIPPED.menu.topics:
            words = catalog.keywords[topic.title_key]
            cases.append(pytest.param(code, topic.id, words[0], id=f"{code}-{topic.id}"))
    return cases


@pytest.mark.parametrize(("lang", "topic_id", "word"), _keyword_cases())
def test_every_topic_by_sms_keyword(
    twilio: Twilio, content: Content, lang: str, topic_id: str, word: str
) -> None:
    catalog = content.catalog(lang)
    topic = content.menu.topic(topic_id)
    assert topic is not None

    # The language name first, so that a keyword shared by two languages
    # (Latin "start", Cyrillic "меню") still answers in this one.
    twilio.post("/sms", sms_params(catalog.language.name))
    messages = parse_twiml(twilio.post("/sms", sms_params(word))).findall("Message")
    texts = [message.text or "" for message in messages]

    assert texts == guide_messages(catalog, topic)
    whole = "\n".join(texts)
    assert menu_label(catalog.text(topic.title_key)) in whole
    for step in topic.steps:
        assert written_form(catalog.text(step.key)) in whole
    for text in texts:
        assert count_segments(text).segments <= 3


@pytest.mark.parametrize("topic_id", [topic.id for topic in SHIPPED.menu.topics])
def test_dutch_topic_names_work_everywhere(
    twilio: Twilio, content: Content, topic_id: str
) -> None:
    topic = content.menu.topic(topic_id)
    assert topic is not None
    for word in topic.keywords:
        # Words such as "my" in "MY IND" point to a language; otherwise Dutch.
        lang = detect_language(content, word) or "nl"
        answer = parse_twiml(twilio.post("/sms", sms_params(word)))
        texts = [message.text for message in answer.iter("Message")]
        assert texts == guide_messages(content.catalog(lang), topic), word
