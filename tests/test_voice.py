"""The voice flow: language menu, topic menu, guide steps, keys and no input."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from phoneline.catalog import Content
from tests.conftest import PUBLIC_URL, Twilio, call_params, parse_twiml


def gather_of(root: ElementTree.Element) -> ElementTree.Element:
    gather = root.find("Gather")
    assert gather is not None, ElementTree.tostring(root)
    return gather


def said(element: ElementTree.Element) -> list[str]:
    return [say.text or "".join(say.itertext()) for say in element.iter("Say")]


def press(twilio: Twilio, root: ElementTree.Element, digit: str) -> ElementTree.Element:
    action = gather_of(root).get("action")
    assert action is not None
    return parse_twiml(twilio.follow(action, call_params(Digits=digit)))


def stay_silent(twilio: Twilio, root: ElementTree.Element) -> ElementTree.Element:
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text
    return parse_twiml(twilio.follow(redirect.text, call_params()))


def start_call(twilio: Twilio) -> ElementTree.Element:
    return parse_twiml(twilio.post("/voice", call_params()))


def choose_language(twilio: Twilio, content: Content, code: str) -> ElementTree.Element:
    root = start_call(twilio)
    index = content.menu.languages.index(code)
    return press(twilio, root, content.menu.choice_keys[index])


def test_incoming_call_offers_language_menu(twilio: Twilio, content: Content) -> None:
    root = start_call(twilio)
    gather = gather_of(root)

    assert gather.get("input") == "dtmf"
    assert gather.get("numDigits") == "1"
    assert gather.get("finishOnKey") == ""
    assert gather.get("action", "").startswith(PUBLIC_URL + "/voice/language")
    offers = [say.text for say in gather.findall("Say")]
    for code in content.menu.languages:
        assert content.catalog(code).text("language.offer") in offers


def test_language_names_spoken_in_own_voice(twilio: Twilio, content: Content) -> None:
    gather = gather_of(start_call(twilio))
    for say in gather.findall("Say"):
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
    assert arabic.text("topic.digid_get") in said(topic_gather)

    step = press(twilio, topics, "1")
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
    step1 = press(twilio, choose_language(twilio, content, "en"), "1")

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
    step1 = press(twilio, choose_language(twilio, content, "en"), "2")
    step2 = stay_silent(twilio, step1)
    assert said(step2) == [english.text("guide.register_bsn.2")]


def test_guide_end_returns_to_topics(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    topic = content.menu.topics[0]
    step = press(twilio, choose_language(twilio, content, "en"), "1")
    for _ in range(len(topic.steps)):
        step = press(twilio, step, content.menu.nav_keys["next"])

    texts = said(step)
    assert texts[0] == english.text("guide.end")
    assert english.text("menu.choose_topic") in texts
    assert gather_of(step).get("action", "").startswith(PUBLIC_URL + "/voice/topics")


def test_change_language_from_guide(twilio: Twilio, content: Content) -> None:
    step = press(twilio, choose_language(twilio, content, "ar"), "1")
    menu = press(twilio, step, content.menu.nav_keys["language"])
    assert gather_of(menu).get("action", "").startswith(PUBLIC_URL + "/voice/language")


@pytest.mark.parametrize("digit", ["5", "6"])
def test_invalid_key_says_so_and_repeats(twilio: Twilio, content: Content, digit: str) -> None:
    english = content.catalog("en")
    step = press(twilio, choose_language(twilio, content, "en"), "1")
    answer = press(twilio, step, digit)

    texts = said(answer)
    assert texts[0] == english.text("invalid")
    assert texts[1] == english.text("guide.digid_get.1")


def test_invalid_topic_choice_repeats_menu(twilio: Twilio, content: Content) -> None:
    english = content.catalog("en")
    topics = choose_language(twilio, content, "en")
    unused = content.menu.choice_keys[len(content.menu.topics)]
    answer = press(twilio, topics, unused)
    texts = said(answer)
    assert texts[0] == english.text("invalid")
    assert english.text("menu.choose_topic") in texts


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
    first = start_call(twilio)
    repeated = stay_silent(twilio, first)
    assert gather_of(repeated).get("action", "").startswith(PUBLIC_URL + "/voice/language")

    goodbye = stay_silent(twilio, repeated)
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
