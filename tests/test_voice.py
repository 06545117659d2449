"""The voice flow: language menu, topic menu, guide steps, keys and no input."""

from __future__ import annotations

import pytest

from phoneline.catalog import Content
from tests.conftest import PUBLIC_URL, Twilio, call_params, parse_twiml
from tests.voice_helpers import (
    choose_language,
    gather_of,
    open_topic,
    press,
    said,
    start_call,
    stay_silent,
    voice_languages,
)


def test_incoming_call_offers_language_menu(twilio: Twilio, content: Content) -> None:
    root = start_call(twilio)
    gather = gather_of(root)

    assert gather.get("input") == "dtmf"
    assert gather.get("numDigits") == "1"
    assert gather.get("finishOnKey") == ""
    assert gather.get("action", "").startswith(PUBLIC_URL + "/voice/language")
    offers = [say.text for say in gather.findall("Say")]
    first_page = voice_languages(content)[: len(content.menu.choice_keys)]
    for code in first_page:
        assert content.catalog(code).text("language.offer") in offers


def test_language_menu_second_page(twilio: Twilio, content: Content) -> None:
    size = len(content.menu.choice_keys)
    first = start_call(twilio)
    assert gather_of(first).get("timeout") == "2"

    second = stay_silent(twilio, first)
    offers = said(gather_of(second))
    for code in voice_languages(content)[size : 2 * size]:
        assert content.catalog(code).text("language.offer") in offers
    assert content.catalog("nl").text("welcome") not in offers


def test_language_names_spoken_in_own_voice(twilio: Twilio, content: Content) -> None:
    gather = gather_of(start_call(twilio))
    second = gather_of(stay_silent(twilio, start_call(twilio)))
    for say in [*gather.findall("Say"), *second.findall("Say")]:
        matches = [c for c in content.catalogs.values() if say.text in c.prompts.values()]
        assert matches, say.text
        language = matches[0].language
        assert say.get("language") == language.say_language
        assert say.get("voice") == language.say_voice


def test_arabic_reaches_guide_step(twilio: Twilio, content: Content) -> None:
    arabic = content.catalog("ar")
    topics = choose_language(twilio, content, "ar")

    topic_gather = gather_of(topics)
    assert topic_gather.get("action", "").startswith(PUBLIC_URL + "/voice/topics?lang=ar")
    assert arabic.text("category.digid") in said(topic_gather)

    category = press(twilio, topics, "2")
    assert arabic.text("topic.digid_get") in said(gather_of(category))
    step = press(twilio, category, "1")
    step_says = gather_of(step).findall("Say")
    assert [say.text for say in step_says] == [arabic.text("guide.digid_get.1")]
    assert step_says[0].get("language") == "arb"
    assert step_says[0].get("voice") == "Polly.Zeina"


def test_keys_announced_once(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    topics = choose_language(twilio, content, "en")
    assert english.text("keys.intro") in said(topics)

    again = press(twilio, press(twilio, topics, "1"), content.menu.nav_keys["topics"])
    assert english.text("keys.intro") not in said(again)
    assert english.text("menu.choose_topic") in said(again)


def test_guide_next_previous_repeat(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    keys = content.menu.nav_keys
    step1 = open_topic(twilio, content, choose_language(twilio, content, "en"), "digid_get")

    step2 = press(twilio, step1, keys["next"])
    assert said(step2) == [english.text("guide.digid_get.2")]

    back = press(twilio, step2, keys["previous"])
    assert said(back) == [english.text("guide.digid_get.1")]

    again = press(twilio, back, keys["repeat"])
    assert said(again) == [english.text("guide.digid_get.1")]

    slower = press(twilio, again, keys["slower"])
    prosody = slower.find("Gather/Say/prosody")
    assert prosody is not None
    assert prosody.get("rate") == "slow"
    assert prosody.text == english.text("guide.digid_get.1")


def test_guide_silence_moves_to_next_step(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    step1 = open_topic(twilio, content, choose_language(twilio, content, "en"), "register_bsn")
    step2 = stay_silent(twilio, step1)
    assert said(step2) == [english.text("guide.register_bsn.2")]


def test_guide_end_returns_to_topics(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    topic = content.menu.topics[0]
    step = open_topic(twilio, content, choose_language(twilio, content, "en"), topic.id)
    for _ in range(len(topic.steps)):
        step = press(twilio, step, content.menu.nav_keys["next"])

    texts = said(step)
    assert texts[0] == english.text("guide.end")
    assert english.text("menu.choose_topic") in texts
    assert gather_of(step).get("action", "").startswith(PUBLIC_URL + "/voice/topics")


def test_change_language_from_guide(twilio: Twilio, content: Content) -> None:
    step = open_topic(twilio, content, choose_language(twilio, content, "ar"), "digid_get")
    menu = press(twilio, step, content.menu.nav_keys["language"])
    assert gather_of(menu).get("action", "").startswith(PUBLIC_URL + "/voice/language")


@pytest.mark.parametrize("digit", ["5", "6"])
def test_invalid_key_says_so_and_repeats(twilio: Twilio, content: Content, digit: str) -> None:
    english = content.catalog("en")
    step = open_topic(twilio, content, choose_language(twilio, content, "en"), "digid_get")
    answer = press(twilio, step, digit)

    texts = said(answer)
    assert texts[0] == english.text("invalid")
    assert texts[1] == english.text("guide.digid_get.1")


def test_invalid_topic_choice_repeats_menu(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    topics = choose_language(twilio, content, "en")
    categories = list(content.menu.categories)
    smallest = min(categories, key=lambda category: len(category.topic_ids))
    category = press(twilio, topics, content.menu.choice_keys[categories.index(smallest)])

    unused = content.menu.choice_keys[len(smallest.topic_ids)]
    answer = press(twilio, category, unused)
    texts = said(answer)
    assert texts[0] == english.text("invalid")
    assert english.text("menu.choose_guide") in texts


def test_previous_in_category_goes_back(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    topics = choose_language(twilio, content, "en")
    category = press(twilio, topics, "1")
    assert english.text("menu.choose_guide") in said(category)

    back = press(twilio, category, content.menu.nav_keys["previous"])
    assert english.text("menu.choose_topic") in said(back)
    assert gather_of(back).get("action", "").startswith(PUBLIC_URL + "/voice/topics")


def test_topic_menu_silence_repeats_once_then_goodbye(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    topics = choose_language(twilio, content, "en")

    repeated = stay_silent(twilio, topics)
    assert english.text("menu.choose_topic") in said(repeated)

    goodbye = stay_silent(twilio, repeated)
    assert said(goodbye) == [english.text("goodbye")]
    assert goodbye.find("Hangup") is not None
    assert goodbye.find("Gather") is None


def test_language_menu_silence_repeats_once_then_goodbye(twilio: Twilio, content: Content) -> None:
    size = len(content.menu.choice_keys)
    pages = -(-len(voice_languages(content)) // size)
    root = start_call(twilio)
    for _ in range(pages - 1):
        root = stay_silent(twilio, root)
    repeated = stay_silent(twilio, root)
    assert gather_of(repeated).get("action", "").startswith(PUBLIC_URL + "/voice/language")
    assert content.catalog("nl").text("language.offer") in said(repeated)

    root = repeated
    for _ in range(pages - 1):
        root = stay_silent(twilio, root)
    goodbye = stay_silent(twilio, root)
    assert goodbye.find("Hangup") is not None
    assert said(goodbye) == [
        content.catalog("nl").text("goodbye"),
        content.catalog("en").text("goodbye"),
    ]


def test_unknown_language_restarts_menu(twilio: Twilio) -> None:
    root = parse_twiml(twilio.post("/voice/guide?lang=xx&topic=digid_get&step=1", call_params()))
    assert gather_of(root).get("action", "").startswith(PUBLIC_URL + "/voice/language")


def test_unknown_topic_shows_topics(twilio: Twilio, content: Content) -> None:
    root = parse_twiml(twilio.post("/voice/guide?lang=en&topic=nope&step=1", call_params()))
    assert content.catalog("en").text("menu.choose_topic") in said(root)


@pytest.mark.parametrize("query", ["page=abc", "page=-4", "page=99999999999999999999", "miss=x"])
def test_garbage_query_values_answer_twiml(twilio: Twilio, query: str) -> None:
    root = parse_twiml(twilio.post(f"/voice/language?{query}", call_params()))
    assert root.find("Gather") is not None or root.find("Hangup") is not None


@pytest.mark.parametrize("digits", ["12", "", "x", "١", "*#"])
def test_garbage_digits_answer_twiml(twilio: Twilio, digits: str) -> None:
    root = parse_twiml(twilio.post("/voice/topics?lang=en&page=0", call_params(Digits=digits)))
    assert root.find("Gather") is not None or root.find("Hangup") is not None


def test_voice_fallback_apologises(twilio: Twilio, content: Content) -> None:
    root = parse_twiml(twilio.post("/voice/fallback", call_params(ErrorCode="11200")))
    assert content.catalog("en").text("error.apology") in said(root)
    assert root.find("Hangup") is not None


@pytest.mark.parametrize(
    "query",
    [
        "lang=en&cat=nope",
        "lang=en&cat=ind&page=abc",
        "lang=xx&cat=ind",
        "lang=en&cat=ind&page=-1&miss=zz",
        "lang=ti&cat=ind",
    ],
)
@pytest.mark.parametrize("digits", ["", "1", "9", "#", "12", "x"])
def test_category_garbage_answers_twiml(twilio: Twilio, query: str, digits: str) -> None:
    params = call_params(Digits=digits) if digits else call_params()
    root = parse_twiml(twilio.post(f"/voice/category?{query}", params))
    assert root.find("Gather") is not None or root.find("Hangup") is not None


@pytest.mark.parametrize("first", ["zz", "ti", "", "pl"])
def test_language_first_garbage_answers_twiml(twilio: Twilio, first: str) -> None:
    answer = twilio.post(f"/voice/language?first={first}&page=1", call_params(Digits="1"))
    root = parse_twiml(answer)
    assert root.find("Gather") is not None
