"""Voice calls: language menu, topic menus and guides, one step per prompt.

A new caller hears the language menu, with the language of the calling
number's country first. A returning caller whose language is remembered hears
"continuing in <language>" in that language and goes straight to the topics.
The first topic menu lists categories; a category lists its topics (two short
menus are quicker to listen to than pages of thirteen topics).

Every screen is one route. The first request to a screen (no `Digits`) speaks
it inside a `<Gather>` whose action is the same screen; the caller's key comes
back as `Digits`. When the caller presses nothing, the `<Redirect>` after the
`<Gather>` asks for the same screen with `miss` raised by one: the prompt is
repeated once, then the line says goodbye and hangs up. Call state travels in
the query string, which the Twilio signature covers.

Keys mean the same on every screen (see `nav_keys` in prompts/menu.yaml).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Blueprint, Response, request, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from phoneline import callers
from phoneline.catalog import Category, Topic
from phoneline.flows.notice import add_privacy_notice
from phoneline.flows.voice_send import send_guide, sender_configured
from phoneline.speech import Speaker, Utterance, press_key
from phoneline.usage import at_guide_step
from phoneline.webhook import (
    APOLOGY_LANGUAGES,
    apology_voice_response,
    note,
    protect,
    services,
    twiml,
)

bp = Blueprint("voice", __name__, url_prefix="/voice")
protect(bp, "voice")

GATHER_TIMEOUT_SECONDS = 6
# Silence after a page of the language menu that is not the last: the next
# page follows quickly, so the whole menu stays short.
LANGUAGE_PAGE_PAUSE_SECONDS = 2
MAX_REPEATS = 1

T = TypeVar("T")

# Topics whose guide leads to an interactive screen instead of back to the topic
# menu: topic id -> function that renders the screen for a language. Filled by
# the modules that implement the screens (flows/voice_lookups.py).
TOPIC_SCREENS: dict[str, Callable[[VoiceResponse, str], None]] = {}


@bp.post("")
def incoming() -> Response:
    """Answer a new call: the remembered language's topics, or welcome and the language menu."""
    response = VoiceResponse()

    remembered = _remembered_language()
    if remembered is not None:
        note("welcome", f"returning_{remembered}")
        add_privacy_notice(response, _speaker(), (remembered,))
        _render_topic_menu(response, remembered, page=0, continuing=True)
        return twiml(response)

    first = _suggested_language()
    note("welcome", f"suggest_{first}" if first else "new")
    _render_language_menu(response, page=0, miss=0, first=first, welcome=True)
    return twiml(response)


@bp.post("/language")
def language_menu() -> Response:
    page = _int_arg("page")
    miss = _int_arg("miss")
    first = request.args.get("first") or None
    forgot = request.args.get("forgot") == "1"
    digits = request.form.get("Digits", "")
    response = VoiceResponse()

    pages = _pages(_language_order(first))
    page = page % len(pages)
    menu_args: dict[str, Any] = {"first": first, "forgot": forgot}

    if not digits:
        if page < len(pages) - 1:
            # Silence on one page of languages plays the next page.
            note("language", "next_page")
            _render_language_menu(response, page=page + 1, miss=miss, **menu_args)
        elif miss >= MAX_REPEATS:
            note("language", "no_input_goodbye")
            _goodbye(response, None)
        else:
            note("language", "no_input_repeat")
            _render_language_menu(response, page=0, miss=miss + 1, **menu_args)
        return twiml(response)

    menu = services().content.menu
    if digits in menu.choice_keys:
        index = menu.choice_keys.index(digits)
        if index < len(pages[page]):
            lang = pages[page][index]
            note("language", f"chose_{lang}")
            if not forgot:
                callers.remember_language(services().store, _caller_key(), lang)
            _render_topic_menu(response, lang, page=0, intro=True)
            return twiml(response)

    action = menu.action_for(digits)
    remembered = None if forgot else _remembered_language()
    if action == "topics" and remembered is not None:
        # The documented way to forget a remembered language: 9, then 0.
        note("language", "forget")
        callers.forget(services().store, _caller_key() or "")
        _speaker().add(response, Utterance(remembered, "language.forgotten"))
        _render_language_menu(response, page=0, miss=0, first=first, forgot=True)
    elif action == "next":
        note("language", "next_page")
        _render_language_menu(response, page=(page + 1) % len(pages), miss=0, **menu_args)
    elif action == "previous":
        note("language", "previous_page")
        _render_language_menu(response, page=(page - 1) % len(pages), miss=0, **menu_args)
    else:
        # No language is chosen yet, so there is no language to say "not an
        # option" in: replaying the multilingual menu is the answer.
        note("language", "repeat" if action in {"repeat", "language"} else "invalid_key")
        _render_language_menu(response, page=page, miss=0, **menu_args)
    return twiml(response)


@bp.post("/topics")
def topic_menu() -> Response:
    """Answer the first topic menu: the categories (or the topics, without categories)."""
    lang = request.args.get("lang", "")
    if lang not in _voice_languages():
        return _restart_language_menu("topics")

    page = _int_arg("page")
    miss = _int_arg("miss")
    slow = request.args.get("slow") == "1"
    digits = request.form.get("Digits", "")
    response = VoiceResponse()

    menu = services().content.menu
    pages = _pages(_menu_items())
    page = page % len(pages)

    if not digits:
        if miss >= MAX_REPEATS:
            note("topics", "no_input_goodbye")
            _goodbye(response, lang)
        else:
            note("topics", "no_input_repeat")
            _render_topic_menu(response, lang, page=page, miss=miss + 1, slow=slow)
        return twiml(response)

    if digits in menu.choice_keys:
        index = menu.choice_keys.index(digits)
        if index < len(pages[page]):
            item = pages[page][index]
            if isinstance(item, Category):
                note("topics", f"category_{item.id}")
                _open_category(response, lang, item)
            else:
                note("topics", f"chose_{item.id}")
                _render_step(response, lang, item, step=1)
            return twiml(response)

    action = menu.action_for(digits)

    def render(**args: Any) -> None:
        _render_topic_menu(response, lang, **args)

    if _page_through(action, "topics", page, len(pages), render):
        pass
    elif action == "topics":
        note("topics", "first_page")
        _render_topic_menu(response, lang, page=0)
    elif action == "language":
        note("topics", "change_language")
        _render_language_menu(response, page=0, miss=0)
    else:
        note("topics", "invalid_key")
        _speaker().add(response, Utterance(lang, "invalid"))
        _render_topic_menu(response, lang, page=page)
    return twiml(response)


@bp.post("/category")
def category_menu() -> Response:
    """Answer the menu of one category's topics."""
    lang = request.args.get("lang", "")
    if lang not in _voice_languages():
        return _restart_language_menu("category")

    menu = services().content.menu
    category = menu.category(request.args.get("cat", ""))
    response = VoiceResponse()
    if category is None:
        note("category", "unknown_category")
        _render_topic_menu(response, lang, page=0)
        return twiml(response)

    page = _int_arg("page")
    miss = _int_arg("miss")
    slow = request.args.get("slow") == "1"
    digits = request.form.get("Digits", "")
    pages = _pages(menu.category_topics(category))
    page = page % len(pages)
    step_name = f"category.{category.id}"

    if not digits:
        if miss >= MAX_REPEATS:
            note(step_name, "no_input_goodbye")
            _goodbye(response, lang)
        else:
            note(step_name, "no_input_repeat")
            _render_category_menu(response, lang, category, page=page, miss=miss + 1, slow=slow)
        return twiml(response)

    if digits in menu.choice_keys:
        index = menu.choice_keys.index(digits)
        if index < len(pages[page]):
            topic = pages[page][index]
            note(step_name, f"chose_{topic.id}")
            _render_step(response, lang, topic, step=1)
            return twiml(response)

    action = menu.action_for(digits)

    def render(**args: Any) -> None:
        _render_category_menu(response, lang, category, **args)

    if action in {"previous", "topics"} and (action == "topics" or page == 0):
        # "Previous" on the first page of a category goes back to the categories.
        note(step_name, "back_to_topics")
        _render_topic_menu(response, lang, page=0)
    elif _page_through(action, step_name, page, len(pages), render):
        pass
    elif action == "language":
        note(step_name, "change_language")
        _render_language_menu(response, page=0, miss=0)
    else:
        note(step_name, "invalid_key")
        _speaker().add(response, Utterance(lang, "invalid"))
        _render_category_menu(response, lang, category, page=page)
    return twiml(response)


@bp.post("/guide")
def guide() -> Response:
    lang = request.args.get("lang", "")
    if lang not in _voice_languages():
        return _restart_language_menu("guide")

    content = services().content
    topic = content.menu.topic(request.args.get("topic", ""))
    response = VoiceResponse()
    if topic is None:
        note("guide", "unknown_topic")
        _render_topic_menu(response, lang, page=0)
        return twiml(response)

    step = max(1, _int_arg("step") or 1)
    digits = request.form.get("Digits", "")

    if not digits:
        # Silence after a step moves on to the next one, like listening to a
        # recording; after the last step the topic menu follows.
        note(f"guide.{topic.id}", f"step_{step}")
        _render_step(response, lang, topic, step)
        return twiml(response)

    action = content.menu.action_for(digits)
    if action == "next":
        note(f"guide.{topic.id}", f"next_from_{step}")
        _render_step(response, lang, topic, step + 1)
    elif action == "previous":
        note(f"guide.{topic.id}", f"previous_from_{step}")
        _render_step(response, lang, topic, max(1, step - 1))
    elif action == "repeat":
        note(f"guide.{topic.id}", f"repeat_{step}")
        _render_step(response, lang, topic, step)
    elif action == "slower":
        note(f"guide.{topic.id}", f"slower_{step}")
        _render_step(response, lang, topic, step, slow=True)
    elif action == "topics":
        note(f"guide.{topic.id}", f"left_at_{step}")
        _render_topic_menu(response, lang, page=0)
    elif action == "language":
        note(f"guide.{topic.id}", f"change_language_at_{step}")
        _render_language_menu(response, page=0, miss=0)
    elif action == "send_by_text" and sender_configured():
        outcome = send_guide(lang, topic, request.form.get("From", ""))
        note(f"guide.{topic.id}", outcome.replace(".", "_"))
        _speaker().add(response, Utterance(lang, outcome))
        _render_step(response, lang, topic, min(step, len(topic.steps)))
    else:
        note(f"guide.{topic.id}", "invalid_key")
        _speaker().add(response, Utterance(lang, "invalid"))
        _render_step(response, lang, topic, step)
    return twiml(response)


@bp.post("/status")
def status() -> Response:
    """Take Twilio's call status callback; the usage statistics note where the call ended."""
    note("status", request.form.get("CallStatus") or "-")
    return twiml(VoiceResponse())


@bp.post("/fallback")
def fallback() -> Response:
    """Answer Twilio's voice fallback URL: the primary handler failed, so apologise."""
    note("fallback", request.form.get("ErrorCode") or "-")
    return twiml(apology_voice_response(request.args.get("lang")))


def _render_language_menu(
    response: VoiceResponse,
    page: int,
    miss: int,
    *,
    first: str | None = None,
    welcome: bool = False,
    forgot: bool = False,
) -> None:
    pages = _pages(_language_order(first))
    last = page >= len(pages) - 1
    params: dict[str, Any] = {"page": page} | ({"first": first} if first else {})
    params |= {"forgot": 1} if forgot else {}
    gather = _gather(
        response,
        "voice.language_menu",
        timeout=GATHER_TIMEOUT_SECONDS if last else LANGUAGE_PAGE_PAUSE_SECONDS,
        **params,
    )
    speaker = _speaker()
    menu = services().content.menu

    if welcome:
        # The welcome is inside the <Gather>, so a caller can press at once.
        codes = (first,) if first and first not in APOLOGY_LANGUAGES else APOLOGY_LANGUAGES
        for code in codes:
            speaker.add(gather, Utterance(code, "welcome"))
        add_privacy_notice(gather, speaker, codes)

    remembered = None if forgot else _remembered_language()
    if remembered is not None and page == 0:
        speaker.add(gather, Utterance(remembered, "language.forget_offer"))
        speaker.add(gather, Utterance(remembered, press_key(menu.nav_keys["topics"])))

    for key, code in zip(menu.choice_keys, pages[page], strict=False):
        speaker.add(gather, Utterance(code, "language.offer"))
        speaker.add(gather, Utterance(code, press_key(key)))

    response.redirect(_url("voice.language_menu", **params, miss=miss))


def _render_topic_menu(
    response: VoiceResponse,
    lang: str,
    *,
    page: int,
    miss: int = 0,
    intro: bool = False,
    continuing: bool = False,
    slow: bool = False,
) -> None:
    menu = services().content.menu
    pages = _pages(_menu_items())
    params: dict[str, Any] = {"lang": lang, "page": page} | ({"slow": 1} if slow else {})
    gather = _gather(response, "voice.topic_menu", **params)
    speaker = _speaker()

    if continuing:
        speaker.add(gather, Utterance(lang, "language.continuing"), slow)
        speaker.add(gather, Utterance(lang, "nav.language"), slow)
        speaker.add(gather, Utterance(lang, press_key(menu.nav_keys["language"])), slow)

    if intro:
        speaker.add(gather, Utterance(lang, "keys.intro"), slow)
        for action in _announced_actions():
            speaker.add(gather, Utterance(lang, f"nav.{action}"), slow)
            speaker.add(gather, Utterance(lang, press_key(menu.nav_keys[action])), slow)

    speaker.add(gather, Utterance(lang, "menu.choose_topic"), slow)
    for key, item in zip(menu.choice_keys, pages[page], strict=False):
        speaker.add(gather, Utterance(lang, item.title_key), slow)
        speaker.add(gather, Utterance(lang, press_key(key)), slow)
    if len(pages) > 1:
        speaker.add(gather, Utterance(lang, "menu.more_topics"), slow)
        speaker.add(gather, Utterance(lang, press_key(menu.nav_keys["next"])), slow)

    response.redirect(_url("voice.topic_menu", **params, miss=miss))


def _open_category(response: VoiceResponse, lang: str, category: Category) -> None:
    """Open a category; one with a single topic starts that guide at once."""
    topics = services().content.menu.category_topics(category)
    if len(topics) == 1:
        note("topics", f"chose_{topics[0].id}")
        _render_step(response, lang, topics[0], step=1)
    else:
        _render_category_menu(response, lang, category, page=0)


def _render_category_menu(
    response: VoiceResponse,
    lang: str,
    category: Category,
    *,
    page: int,
    miss: int = 0,
    slow: bool = False,
) -> None:
    menu = services().content.menu
    pages = _pages(menu.category_topics(category))
    params: dict[str, Any] = {"lang": lang, "cat": category.id, "page": page}
    params |= {"slow": 1} if slow else {}
    gather = _gather(response, "voice.category_menu", **params)
    speaker = _speaker()

    speaker.add(gather, Utterance(lang, "menu.choose_guide"), slow)
    for key, topic in zip(menu.choice_keys, pages[page], strict=False):
        speaker.add(gather, Utterance(lang, topic.title_key), slow)
        speaker.add(gather, Utterance(lang, press_key(key)), slow)
    if len(pages) > 1:
        speaker.add(gather, Utterance(lang, "menu.more_topics"), slow)
        speaker.add(gather, Utterance(lang, press_key(menu.nav_keys["next"])), slow)

    response.redirect(_url("voice.category_menu", **params, miss=miss))


def _render_step(
    response: VoiceResponse, lang: str, topic: Topic, step: int, slow: bool = False
) -> None:
    speaker = _speaker()
    screen = TOPIC_SCREENS.get(topic.id)
    if screen is not None:
        # By phone such a topic is its screen: its steps explain the SMS way,
        # which texted guides and SMS keywords still give.
        screen(response, lang)
        return

    at_guide_step(lang, topic.id, step, len(topic.steps))

    if step > len(topic.steps):
        speaker.add(response, Utterance(lang, "guide.end"))
        _render_topic_menu(response, lang, page=0)
        return

    params: dict[str, Any] = {"lang": lang, "topic": topic.id, "step": step}
    gather = _gather(response, "voice.guide", **params)
    speaker.add(gather, Utterance(lang, topic.steps[step - 1].key), slow)
    if step == 1 and sender_configured():
        send_key = services().content.menu.nav_keys["send_by_text"]
        speaker.add(gather, Utterance(lang, "nav.send_by_text"), slow)
        speaker.add(gather, Utterance(lang, press_key(send_key)), slow)
    response.redirect(_url("voice.guide", **(params | {"step": step + 1})))


def _page_through(
    action: str | None, step: str, page: int, count: int, render: Callable[..., None]
) -> bool:
    """Handle next, previous, repeat and slower on a paged menu; return False for other keys."""
    if action == "next":
        note(step, "next_page")
        render(page=(page + 1) % count)
    elif action == "previous":
        note(step, "previous_page")
        render(page=(page - 1) % count)
    elif action == "repeat":
        note(step, "repeat")
        render(page=page)
    elif action == "slower":
        note(step, "slower")
        render(page=page, slow=True)
    else:
        return False
    return True


def _announced_actions() -> list[str]:
    """Return the navigation actions the key introduction names, in a fixed order."""
    actions = ["repeat", "next", "previous", "slower", "topics", "language"]
    if sender_configured():
        actions.append("send_by_text")
    return actions


def _goodbye(response: VoiceResponse, lang: str | None) -> None:
    speaker = _speaker()
    for code in (lang,) if lang else APOLOGY_LANGUAGES:
        speaker.add(response, Utterance(code, "goodbye"))
    response.hangup()


def _restart_language_menu(step: str) -> Response:
    note(step, "unknown_language")
    response = VoiceResponse()
    _render_language_menu(response, page=0, miss=0)
    return twiml(response)


def _gather(
    response: VoiceResponse,
    endpoint: str,
    *,
    timeout: int = GATHER_TIMEOUT_SECONDS,
    **params: Any,
) -> Gather:
    # finishOnKey="" so that "#" arrives as a digit instead of ending the input.
    return response.gather(
        input="dtmf",
        num_digits=1,
        timeout=timeout,
        finish_on_key="",
        action=_url(endpoint, **params),
        method="POST",
    )


def _url(endpoint: str, **params: Any) -> str:
    return services().settings.public_url + url_for(endpoint, **params)


def _int_arg(name: str) -> int:
    try:
        return max(0, int(request.args.get(name, "0")))
    except ValueError:
        return 0


def _pages(items: Sequence[T]) -> list[list[T]]:
    size = len(services().content.menu.choice_keys)
    return [list(items[start : start + size]) for start in range(0, len(items), size)] or [[]]


def _voice_languages() -> list[str]:
    speaker = _speaker()
    return [code for code in services().content.menu.languages if speaker.can_speak(code)]


def _language_order(first: str | None) -> list[str]:
    """Return the voice languages in menu order, with `first` (if offered by voice) at the top."""
    languages = _voice_languages()
    if first in languages:
        languages.remove(first)
        languages.insert(0, first)
    return languages


def _menu_items() -> list[Category | Topic]:
    menu = services().content.menu
    return list(menu.categories) if menu.categories else list(menu.topics)


def _caller_key() -> str | None:
    return callers.caller_key(services().settings.secret_key, request.form.get("From", ""))


def _remembered_language() -> str | None:
    """Return the caller's remembered language when it can still be spoken."""
    lang = callers.remembered_language(services().store, _caller_key())
    return lang if lang in _voice_languages() else None


def _suggested_language() -> str | None:
    lang = callers.country_language(services().content.menu, request.form.get("From", ""))
    return lang if lang in _voice_languages() else None


def _speaker() -> Speaker:
    return Speaker(services().content, services().audio)
