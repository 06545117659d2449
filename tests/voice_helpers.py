"""Walk the voice menus the way a caller does: press keys, stay silent, follow TwiML."""

from __future__ import annotations

from xml.etree import ElementTree

from phoneline.catalog import Content
from phoneline.speech import Speaker
from tests.conftest import Twilio, call_params, parse_twiml


def gather_of(root: ElementTree.Element) -> ElementTree.Element:
    gather = root.find("Gather")
    assert gather is not None, ElementTree.tostring(root)
    return gather


def said(element: ElementTree.Element) -> list[str]:
    return [say.text or "".join(say.itertext()) for say in element.iter("Say")]


def press(
    twilio: Twilio, root: ElementTree.Element, digit: str, **extra: str
) -> ElementTree.Element:
    action = gather_of(root).get("action")
    assert action is not None
    return parse_twiml(twilio.follow(action, call_params(Digits=digit, **extra)))


def stay_silent(twilio: Twilio, root: ElementTree.Element, **extra: str) -> ElementTree.Element:
    redirect = root.find("Redirect")
    assert redirect is not None and redirect.text
    return parse_twiml(twilio.follow(redirect.text, call_params(**extra)))


def start_call(twilio: Twilio, **extra: str) -> ElementTree.Element:
    return parse_twiml(twilio.post("/voice", call_params(**extra)))


def voice_languages(content: Content) -> list[str]:
    speaker = Speaker(content)
    return [code for code in content.menu.languages if speaker.can_speak(code)]


def choose_language(
    twilio: Twilio, content: Content, code: str, **extra: str
) -> ElementTree.Element:
    """Call as a new Dutch-number caller and pick `code`, listening through pages as needed."""
    root = start_call(twilio, **extra)
    index = voice_languages(content).index(code)
    size = len(content.menu.choice_keys)
    for _ in range(index // size):
        root = stay_silent(twilio, root, **extra)
    return press(twilio, root, content.menu.choice_keys[index % size], **extra)


def open_topic(
    twilio: Twilio,
    content: Content,
    topics_menu: ElementTree.Element,
    topic_id: str,
    **extra: str,
) -> ElementTree.Element:
    """From the first topic menu, press the category key and then the topic key."""
    menu = content.menu
    for number, category in enumerate(menu.categories):
        if topic_id in category.topic_ids:
            root = press(twilio, topics_menu, menu.choice_keys[number], **extra)
            topics = menu.category_topics(category)
            if len(topics) == 1:
                return root
            index = [topic.id for topic in topics].index(topic_id)
            return press(twilio, root, menu.choice_keys[index], **extra)
    raise AssertionError(f"topic {topic_id} is in no category")


def topic_keys(content: Content, topic_id: str) -> list[str]:
    """Return the keys that open `topic_id` from the first topic menu: category, then topic."""
    menu = content.menu
    for number, category in enumerate(menu.categories):
        if topic_id in category.topic_ids:
            keys = [menu.choice_keys[number]]
            topics = menu.category_topics(category)
            if len(topics) > 1:
                keys.append(menu.choice_keys[[topic.id for topic in topics].index(topic_id)])
            return keys
    raise AssertionError(f"topic {topic_id} is in no category")
