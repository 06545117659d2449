"""Voice screens for lookups: check an employer by keying in its KVK number.

After the guide of topic `check_employer` (see `voice.TOPIC_SCREENS`), the
caller keys in the 8-digit KVK number (7 digits end with #), hears the result
and, when REST credentials are set, also gets it by text. Sending happens in a
second request (`/voice/employer/text`), which Twilio fetches after the result
has been spoken, so the caller hears the result without waiting for the text
and hears "sent" only once Twilio has accepted it.

Spoken results follow the rule for voice prompts: fixed texts are whole catalog
prompts. Values from the register cannot be prompts, so each is spoken by
`<Say>` on its own. Names and places get the Dutch voice, because they are
Dutch. Dates are spoken in the caller's language and voice. Such values cannot
be rendered to audio ahead of time.
NOTE: these screens, like the whole voice menu, serve only languages with a
`<Say>` voice. A language served by pre-rendered audio alone would need the
values spoken some other way (for example by the Dutch voice); that is not built.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import Gather, VoiceResponse

from phoneline.catalog import Catalog
from phoneline.flows import voice
from phoneline.flows.employer import (
    Outcome,
    Spoken,
    check_employer,
    employer_text,
    spoken_result,
)
from phoneline.flows.replies import Writer
from phoneline.lookups.kvk import normalise_kvk_number
from phoneline.speech import Utterance, press_key
from phoneline.twilio_rest import SendFailed, make_sms_sender
from phoneline.webhook import note, protect, services, twiml

log = logging.getLogger(__name__)

bp = Blueprint("voice_lookups", __name__, url_prefix="/voice/employer")
protect(bp, "voice")

TOPIC = "check_employer"
KVK_DIGITS = 8
NUMBER_TIMEOUT_SECONDS = 10
MAX_INVALID_NUMBERS = 3
VALUE_LANGUAGE = "nl"


def render_number_screen(response: VoiceResponse, lang: str, miss: int = 0, tries: int = 0) -> None:
    """Ask for a KVK number; silence comes back to the same screen with `miss` raised by one."""
    gather = response.gather(
        input="dtmf",
        num_digits=KVK_DIGITS,
        finish_on_key="#",
        timeout=NUMBER_TIMEOUT_SECONDS,
        action=voice._url("voice_lookups.number", lang=lang, tries=tries),
        method="POST",
    )
    voice._speaker().add(gather, Utterance(lang, "employer.ask_number"))
    response.redirect(voice._url("voice_lookups.number", lang=lang, tries=tries, miss=miss + 1))


voice.TOPIC_SCREENS[TOPIC] = render_number_screen


@bp.post("")
def number() -> Response:
    lang = request.args.get("lang", "")
    if lang not in voice._voice_languages():
        return voice._restart_language_menu("employer")
    miss = voice._int_arg("miss")
    tries = voice._int_arg("tries")
    digits = request.form.get("Digits", "").rstrip("#")
    response = VoiceResponse()

    if not digits or set(digits) == {"*"}:
        if digits or miss <= voice.MAX_REPEATS:
            note("employer", "repeat" if digits else "no_input_repeat")
            render_number_screen(response, lang, miss=0 if digits else miss, tries=tries)
        else:
            note("employer", "no_input_topics")
            voice._render_topic_menu(response, lang, page=0)
        return twiml(response)

    kvk_number = normalise_kvk_number(digits)
    if kvk_number is None:
        note("employer", "invalid_input")
        _ask_again(response, lang, "employer.invalid", tries + 1)
        return twiml(response)

    check = check_employer(kvk_number, _sid())
    note("employer", check.outcome.value)
    if check.outcome in (Outcome.INVALID, Outcome.NOT_FOUND):
        # Most likely a mistyped number: say so and ask again.
        _say_items(response, lang, spoken_result(_catalog(lang), check))
        _ask_again(response, lang, None, tries + 1)
        return twiml(response)

    _say_items(response, lang, spoken_result(_catalog(lang), check))
    if check.outcome is Outcome.FOUND and make_sms_sender(services().settings) is not None:
        response.redirect(voice._url("voice_lookups.text", lang=lang, kvk=kvk_number))
    else:
        _render_after_menu(response, lang, kvk_number if check.outcome is Outcome.FOUND else None)
    return twiml(response)


@bp.post("/text")
def text() -> Response:
    """Send the result of the check by text to the caller, then offer what to do next."""
    lang = request.args.get("lang", "")
    if lang not in voice._voice_languages():
        return voice._restart_language_menu("employer.text")
    kvk_number = normalise_kvk_number(request.args.get("kvk", ""))
    response = VoiceResponse()
    if kvk_number is None:
        note("employer.text", "no_number")
        voice._render_topic_menu(response, lang, page=0)
        return twiml(response)

    # The result is normally still cached from the request that spoke it.
    check = check_employer(kvk_number, _sid())
    sender = make_sms_sender(services().settings)
    if check.outcome is Outcome.FOUND and sender is not None:
        body = employer_text(Writer.for_catalog(_catalog(lang)), check)
        try:
            sender.send(request.form.get("From", ""), body)
        except SendFailed as error:
            log.warning(
                "%s sending the result by text failed: %s (Twilio code %s)",
                _sid(),
                error,
                error.code,
            )
            note("employer.text", "failed")
            voice._speaker().add(response, Utterance(lang, "employer.text_failed"))
        else:
            note("employer.text", "sent")
            voice._speaker().add(response, Utterance(lang, "employer.text_sent"))
    else:
        note("employer.text", check.outcome.value)

    _render_after_menu(response, lang, kvk_number)
    return twiml(response)


@bp.post("/after")
def after() -> Response:
    """Handle the keys after a result: repeat it, check another number, or leave."""
    lang = request.args.get("lang", "")
    if lang not in voice._voice_languages():
        return voice._restart_language_menu("employer.after")
    kvk_number = normalise_kvk_number(request.args.get("kvk", ""))
    digits = request.form.get("Digits", "")
    menu = services().content.menu
    response = VoiceResponse()

    action = menu.action_for(digits)
    if not digits or action == "topics":
        note("employer.after", "topics")
        voice._render_topic_menu(response, lang, page=0)
    elif digits == menu.choice_keys[0]:
        note("employer.after", "another")
        render_number_screen(response, lang)
    elif action in ("repeat", "slower") and kvk_number is not None:
        note("employer.after", "repeat")
        check = check_employer(kvk_number, _sid())
        _say_items(response, lang, spoken_result(_catalog(lang), check))
        _render_after_menu(response, lang, kvk_number)
    elif action == "language":
        note("employer.after", "change_language")
        voice._render_language_menu(response, page=0, miss=0)
    else:
        note("employer.after", "invalid_key")
        voice._speaker().add(response, Utterance(lang, "invalid"))
        _render_after_menu(response, lang, kvk_number)
    return twiml(response)


def _render_after_menu(response: VoiceResponse, lang: str, kvk_number: str | None) -> None:
    menu = services().content.menu
    params = {"lang": lang} | ({"kvk": kvk_number} if kvk_number else {})
    gather = response.gather(
        input="dtmf",
        num_digits=1,
        timeout=voice.GATHER_TIMEOUT_SECONDS,
        finish_on_key="",
        action=voice._url("voice_lookups.after", **params),
        method="POST",
    )
    speaker = voice._speaker()
    options = [("employer.another", menu.choice_keys[0]), ("nav.topics", menu.nav_keys["topics"])]
    if kvk_number:
        options.insert(0, ("nav.repeat", menu.nav_keys["repeat"]))
    for key, digit in options:
        speaker.add(gather, Utterance(lang, key))
        speaker.add(gather, Utterance(lang, press_key(digit)))
    response.redirect(voice._url("voice_lookups.after", **params))


def _ask_again(response: VoiceResponse, lang: str, key: str | None, tries: int) -> None:
    if key is not None:
        voice._speaker().add(response, Utterance(lang, key))
    if tries >= MAX_INVALID_NUMBERS:
        note("employer", "too_many_invalid")
        voice._render_topic_menu(response, lang, page=0)
    else:
        render_number_screen(response, lang, tries=tries)


def _say_items(target: VoiceResponse | Gather, lang: str, items: list[Spoken]) -> None:
    """Speak catalog prompts in the caller's voice and register values as described above."""
    speaker = voice._speaker()
    for item in items:
        if item.key is not None:
            speaker.add(target, Utterance(lang, item.key))
        elif item.value is not None:
            language = _catalog(VALUE_LANGUAGE if item.dutch else lang).language
            target.say(item.value, voice=language.say_voice, language=language.say_language)


def _catalog(lang: str) -> Catalog:
    return services().content.catalog(lang)


def _sid() -> str:
    return request.form.get("CallSid", "-")
