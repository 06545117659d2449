"""SMS handlers for keywords: STOP and START, forgetting, language, the numbered menu, topics.

Each handler takes a `Message` and returns the reply texts, or None to pass the
message on (see `HANDLERS` in phoneline/flows/sms.py). Keywords are whole
messages in any supported language; see `phoneline.keywords`.

Reply language: the remembered language, else the language of the keyword
when only one catalog lists it, else the language the message is written in
(words, letters, script), else Dutch followed by English.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from phoneline import callers
from phoneline.catalog import Catalog
from phoneline.guide_text import category_menu_text, guide_messages, root_menu_text
from phoneline.keywords import Keyword, keyword_index, normalise
from phoneline.webhook import note, services

if TYPE_CHECKING:
    from phoneline.flows.sms import Message

# Twilio answers these single words itself on long codes and toll-free numbers
# (its default opt-out handling, Twilio support article 223134027), with an
# English confirmation, and blocks further messages after STOP. The line then
# stores the opt-out but sends no confirmation of its own, so the caller gets
# exactly one. Stop and start words in other languages are confirmed here.
TWILIO_OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
TWILIO_OPT_IN_WORDS = frozenset({"start", "yes", "unstop"})

FALLBACK_LANGUAGES = ("nl", "en")

log = logging.getLogger(__name__)


def opt_out(message: Message) -> list[str] | None:
    """Handle stop and start words; while a number is stopped, answer nothing else."""
    store = services().store
    keyword = _keyword(message)
    word = normalise(message.body)

    if keyword is not None and keyword.action == "stop":
        callers.stop(store, message.sender_key)
        if word in TWILIO_OPT_OUT_WORDS:
            note("optout", "stop_confirmed_by_twilio")
            return []
        note("optout", "stop")
        return [_text(message, keyword, "sms.stop.done")]

    if keyword is not None and keyword.action == "start":
        callers.resume(store, message.sender_key)
        if word in TWILIO_OPT_IN_WORDS:
            note("optout", "start_confirmed_by_twilio")
            return []
        note("optout", "start")
        return [_text(message, keyword, "sms.start.done")]

    if callers.is_stopped(store, message.sender_key):
        if keyword is not None and keyword.action == "forget":
            # Forgetting still works while stopped; the opt-out itself stays.
            callers.forget(store, message.sender_key)
            note("optout", "stopped_forgotten_no_reply")
            return []
        note("optout", "stopped_no_reply")
        return []
    return None


def forget_number(message: Message) -> list[str] | None:
    """Delete everything linked to the number (never its opt-out) on FORGET in any language."""
    keyword = _keyword(message)
    if keyword is None or keyword.action != "forget":
        return None
    reply = _text(message, keyword, "sms.forget.done")
    deleted = callers.forget(services().store, message.sender_key)
    log.info("%s forgot a number: %d stored values deleted", message.sid, deleted)
    note("forget", "forgotten")
    return [reply]


def switch_language(message: Message) -> list[str] | None:
    """Remember the language whose name or code is the whole message."""
    keyword = _keyword(message)
    if keyword is None or keyword.action != "language":
        return None
    callers.remember_language(services().store, message.sender_key, keyword.value)
    note("language", f"set_{keyword.value}")
    return [services().content.catalog(keyword.value).text("sms.language.set")]


def menu_request(message: Message) -> list[str] | None:
    """Answer HELP, HULP, MENU and their translations with the numbered category menu."""
    keyword = _keyword(message)
    if keyword is None or keyword.action != "help":
        return None
    lang = _reply_language(message, keyword) or FALLBACK_LANGUAGES[0]
    callers.set_sms_menu_position(services().store, message.sender_key, f"{lang}|")
    note("smsmenu", "shown")
    content = services().content
    return [root_menu_text(content, content.catalog(lang))]


def menu_choice(message: Message) -> list[str] | None:
    """Follow a reply of "1" to "9" (or "0" for the top) to the menu the number saw last."""
    digit = message.body.strip()
    if len(digit) != 1 or not digit.isdigit() or not digit.isascii():
        return None
    store = services().store
    position = callers.sms_menu_position(store, message.sender_key)
    if position is None:
        return None

    content = services().content
    lang, _, category_id = position.partition("|")
    catalog = content.catalog(lang if lang in content.catalogs else FALLBACK_LANGUAGES[0])
    category = content.menu.category(category_id)
    if digit == "0":
        note("smsmenu", "top")
        callers.set_sms_menu_position(store, message.sender_key, f"{catalog.language.code}|")
        return [root_menu_text(content, catalog)]

    index = int(digit) - 1
    if category is None:
        categories = content.menu.categories
        if index >= len(categories):
            note("smsmenu", "invalid_choice")
            return [catalog.text("sms.invalid") + "\n" + root_menu_text(content, catalog)]
        chosen = categories[index]
        topics = content.menu.category_topics(chosen)
        if len(topics) == 1:
            note("smsmenu", f"guide_{topics[0].id}")
            return guide_messages(catalog, topics[0])
        note("smsmenu", f"category_{chosen.id}")
        callers.set_sms_menu_position(
            store, message.sender_key, f"{catalog.language.code}|{chosen.id}"
        )
        return [category_menu_text(content, catalog, chosen)]

    topics = content.menu.category_topics(category)
    if index >= len(topics):
        note("smsmenu", "invalid_choice")
        invalid = catalog.text("sms.invalid")
        return [invalid + "\n" + category_menu_text(content, catalog, category)]
    note("smsmenu", f"guide_{topics[index].id}")
    return guide_messages(catalog, topics[index])


def topic_keyword(message: Message) -> list[str] | None:
    """Text the whole guide when the message is one of its topic words."""
    keyword = _keyword(message)
    if keyword is None or keyword.action != "topic":
        return None
    topic = services().content.menu.topic(keyword.value)
    if topic is None:
        return None
    lang = _reply_language(message, keyword) or FALLBACK_LANGUAGES[0]
    note("topic", f"sent_{topic.id}")
    return guide_messages(services().content.catalog(lang), topic)


def reply_text(message: Message, render: Callable[[Catalog], str]) -> str:
    """Render a reply in the message's language, or in Dutch and English when it is unknown."""
    content = services().content
    if not message.fallback:
        return render(message.catalog)
    return "\n\n".join(render(content.catalog(code)) for code in FALLBACK_LANGUAGES)


def _keyword(message: Message) -> Keyword | None:
    return keyword_index(services().content).lookup(message.body)


def _reply_language(message: Message, keyword: Keyword) -> str | None:
    """Return the reply language, or None for "Dutch with English"."""
    if message.remembered:
        return message.lang
    if keyword.lang is not None:
        return keyword.lang
    return None if message.fallback else message.lang


def _text(message: Message, keyword: Keyword, key: str) -> str:
    lang = _reply_language(message, keyword)
    if lang is None:
        content = services().content
        return "\n\n".join(content.catalog(code).text(key) for code in FALLBACK_LANGUAGES)
    return services().content.catalog(lang).text(key)
