"""Voice calls: language menu, topic menu and guides, one step per prompt.

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

from phoneline.catalog import Topic
from phoneline.speech import Speaker, Utterance, press_key
from phoneline.webhook import APOLOGY_LANGUAGES, note, protect, services, twiml

bp = Blueprint("voice", __name__, url_prefix="/voice")
protect(bp, "voice")

GATHER_TIMEOUT_SECONDS = 6
MAX_REPEATS = 1

T = TypeVar("T")

# Topics whose guide leads to an interactive screen instead of back to the topic
# menu: topic id -> function that renders the screen for a language. Filled by
# the modules that implement the screens (flows/voice_lookups.py).
TOPIC_SCREENS: dict[str, Callable[[VoiceResponse, str], None]] = {}


@bp.post("")
def incoming() -> Response:
    """Answer a new call: welcome, then the language menu."""
    note("welcome")
    response = VoiceResponse()

    speaker = _speaker()
    for code in APOLOGY_LANGUAGES:
        speaker.add(response, Utterance(code, "welcome"))

    _render_language_menu(response, page=0, miss=0)
    return twiml(response)


@bp.post("/language")
def language_menu() -> Response:
    page = _int_arg("page")
    miss = _int_arg("miss")
    digits = request.form.get("Digits", "")
    response = VoiceResponse()

    pages = _pages(_voice_languages())
    page = page % len(pages)

    if not digits:
        if page < len(pages) - 1:
            # Silence on one page of languages plays the next page.
            note("language", "next_page")
            _render_language_menu(response, page=page + 1, miss=miss)
        elif miss >= MAX_REPEATS:
            note("language", "no_input_goodbye")
            _goodbye(response, None)
        else:
            note("language", "no_input_repeat")
            _render_language_menu(response, page=0, miss=miss + 1)
        return twiml(response)

    menu = services().content.menu
    if digits in menu.choice_keys:
        index = menu.choice_keys.index(digits)
        if index < len(pages[page]):
            lang = pages[page][index]
            note("language", f"chose_{lang}")
            _render_topic_menu(response, lang, page=0, intro=True)
            return twiml(response)

    action = menu.action_for(digits)
    if action == "next":
        note("language", "next_page")
        _render_language_menu(response, page=(page + 1) % len(pages), miss=0)
    elif action == "previous":
        note("language", "previous_page")
        _render_language_menu(response, page=(page - 1) % len(pages), miss=0)
    else:
        # No language is chosen yet, so there is no language to say "not an
        # option" in: replaying the multilingual menu is the answer.
        note("language", "repeat" if action in {"repeat", "language"} else "invalid_key")
        _render_language_menu(response, page=page, miss=0)
    return twiml(response)


@bp.post("/topics")
def topic_menu() -> Response:
    lang = request.args.get("lang", "")
    if lang not in _voice_languages():
        return _restart_language_menu("topics")

    page = _int_arg("page")
    miss = _int_arg("miss")
    slow = request.args.get("slow") == "1"
    digits = request.form.get("Digits", "")
    response = VoiceResponse()

    content = services().content
    pages = _pages(list(content.menu.topics))
    page = page % len(pages)

    if not digits:
        if miss >= MAX_REPEATS:
            note("topics", "no_input_goodbye")
            _goodbye(response, lang)
        else:
            note("topics", "no_input_repeat")
            _render_topic_menu(response, lang, page=page, miss=miss + 1, slow=slow)
        return twiml(response)

    menu = content.menu
    if digits in menu.choice_keys:
        index = menu.choice_keys.index(digits)
        if index < len(pages[page]):
            topic = pages[page][index]
            note("topics", f"chose_{topic.id}")
            _render_step(response, lang, topic, step=1)
            return twiml(response)

    action = menu.action_for(digits)
    if action == "next":
        note("topics", "next_page")
        _render_topic_menu(response, lang, page=(page + 1) % len(pages))
    elif action == "previous":
        note("topics", "previous_page")
        _render_topic_menu(response, lang, page=(page - 1) % len(pages))
    elif action == "repeat":
        note("topics", "repeat")
        _render_topic_menu(response, lang, page=page)
    elif action == "slower":
        note("topics", "slower")
        _render_topic_menu(response, lang, page=page, slow=True)
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
    else:
        note(f"guide.{topic.id}", "invalid_key")
        _speaker().add(response, Utterance(lang, "invalid"))
        _render_step(response, lang, topic, step)
    return twiml(response)


@bp.post("/fallback")
def fallback() -> Response:
    """Answer Twilio's voice fallback URL: the primary handler failed, so apologise."""
    note("fallback", request.form.get("ErrorCode") or "-")
    response = VoiceResponse()

    speaker = _speaker()
    for code in APOLOGY_LANGUAGES:
        speaker.add(response, Utterance(code, "error.apology"))

    response.hangup()
    return twiml(response)


def _render_language_menu(response: VoiceResponse, page: int, miss: int) -> None:
    menu = services().content.menu
    pages = _pages(_voice_languages())
    gather = _gather(response, "voice.language_menu", page=page)

    speaker = _speaker()
    for key, code in zip(menu.choice_keys, pages[page], strict=False):
        speaker.add(gather, Utterance(code, "language.offer"))
        speaker.add(gather, Utterance(code, press_key(key)))

    response.redirect(_url("voice.language_menu", page=page, miss=miss))


def _render_topic_menu(
    response: VoiceResponse,
    lang: str,
    *,
    page: int,
    miss: int = 0,
    intro: bool = False,
    slow: bool = False,
) -> None:
    content = services().content
    menu = content.menu
    pages = _pages(list(menu.topics))
    params = {"lang": lang, "page": page} | ({"slow": 1} if slow else {})
    gather = _gather(response, "voice.topic_menu", **params)
    speaker = _speaker()

    if intro:
        speaker.add(gather, Utterance(lang, "keys.intro"), slow)
        for action in ("repeat", "next", "previous", "topics", "language"):
            speaker.add(gather, Utterance(lang, f"nav.{action}"), slow)
            speaker.add(gather, Utterance(lang, press_key(menu.nav_keys[action])), slow)

    speaker.add(gather, Utterance(lang, "menu.choose_topic"), slow)
    for key, topic in zip(menu.choice_keys, pages[page], strict=False):
        speaker.add(gather, Utterance(lang, topic.title_key), slow)
        speaker.add(gather, Utterance(lang, press_key(key)), slow)
    if len(pages) > 1:
        speaker.add(gather, Utterance(lang, "menu.more_topics"), slow)
        speaker.add(gather, Utterance(lang, press_key(menu.nav_keys["next"])), slow)

    response.redirect(_url("voice.topic_menu", **params, miss=miss))


def _render_step(
    response: VoiceResponse, lang: str, topic: Topic, step: int, slow: bool = False
) -> None:
    speaker = _speaker()

    if step > len(topic.steps):
        screen = TOPIC_SCREENS.get(topic.id)
        if screen is not None:
            screen(response, lang)
            return
        speaker.add(response, Utterance(lang, "guide.end"))
        _render_topic_menu(response, lang, page=0)
        return

    params = {"lang": lang, "topic": topic.id, "step": step}
    gather = _gather(response, "voice.guide", **params)
    speaker.add(gather, Utterance(lang, topic.steps[step - 1].key), slow)
    response.redirect(_url("voice.guide", **(params | {"step": step + 1})))


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


def _gather(response: VoiceResponse, endpoint: str, **params: Any) -> Gather:
    # finishOnKey="" so that "#" arrives as a digit instead of ending the input.
    return response.gather(
        input="dtmf",
        num_digits=1,
        timeout=GATHER_TIMEOUT_SECONDS,
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


def _speaker() -> Speaker:
    return Speaker(services().content)
