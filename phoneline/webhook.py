"""Plumbing shared by every Twilio webhook blueprint.

`protect()` puts the signature check in front of a blueprint's views, writes one
log line per answered request (sid, route, step, outcome, milliseconds), counts
it in the usage statistics (`phoneline.usage`) and turns any unexpected
exception into a TwiML apology instead of an HTML page.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass, field

import httpx
from flask import Blueprint, Flask, Response, current_app, g, request
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from phoneline.audio.library import AudioIndex
from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.privacy import number_key
from phoneline.security import reject_unsigned
from phoneline.speech import Speaker, Utterance
from phoneline.state import Store
from phoneline.usage import RequestFacts, count_request, guide_position_of_request

log = logging.getLogger("phoneline.webhook")

APOLOGY_LANGUAGES = ("nl", "en")

# Characters outside the XML 1.0 Char production, including lone surrogates.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Services:
    """Services the factory builds once and every request shares."""

    settings: Settings
    content: Content
    http: httpx.Client
    store: Store
    audio: AudioIndex = field(default_factory=AudioIndex)


def services() -> Services:
    """Return the services of the running app."""
    found: Services = current_app.extensions["phoneline"]
    return found


def twiml(response: VoiceResponse | MessagingResponse) -> Response:
    """Serialise TwiML, dropping characters that XML 1.0 does not allow.

    Data sources can send control characters (seen in the wild: NUL, vertical
    tab, U+FFFE in a vehicle make), and one of them makes the whole document
    unparsable, so Twilio would play its own error message instead.
    """
    return Response(XML_INVALID.sub("", str(response)), mimetype="text/xml")


def note(step: str, outcome: str = "ok") -> None:
    """Record the step and outcome that this request's log line reports."""
    g.step = step
    g.outcome = outcome


def note_language(lang: str) -> None:
    """Record the language this request is answered in, for the usage statistics."""
    g.lang = lang


def protect(blueprint: Blueprint, channel: str) -> None:
    """Check signatures, log and catch errors for every view of `blueprint`.

    `channel` is "voice" or "sms" and picks the kind of apology TwiML.
    """
    blueprint.before_request(_check_signature)
    blueprint.after_request(_log_request)
    blueprint.after_request(lambda response: _count_usage(channel, response))

    apology = _voice_apology if channel == "voice" else _sms_apology

    def handle(error: Exception) -> Response:
        if isinstance(error, HTTPException) and error.code is not None and error.code < 500:
            log.warning("%s %r responded with an apology: %s", _sid(), request.path, error)
        else:
            log.error(
                "%s %r failed; responded with an apology", _sid(), request.path, exc_info=error
            )
        note(g.get("step", "unknown"), "error")
        response = apology()
        _log_request(response)
        return response

    blueprint.register_error_handler(Exception, handle)


def register_fallback_errors(app: Flask) -> None:
    """Answer routing errors (404, 405) on webhook paths with TwiML, elsewhere with plain text.

    An unknown path under /voice or /sms is still checked for a Twilio signature
    first, so an unsigned request gets the same empty 403 as on a real webhook.
    """

    def handle(error: HTTPException) -> Response:
        channel = _channel_of(request.path)
        if channel is None:
            return Response(
                f"{error.code} {error.name}\n", status=error.code, mimetype="text/plain"
            )

        rejected = _check_signature()
        if rejected is not None:
            return rejected

        log.warning("%s %r: %s", _sid(), request.path, error.name)
        return _voice_apology() if channel == "voice" else _sms_apology()

    app.register_error_handler(HTTPException, handle)


def _channel_of(path: str) -> str | None:
    for channel in ("voice", "sms"):
        if path == f"/{channel}" or path.startswith(f"/{channel}/"):
            return channel
    return None


def apology_voice_response(lang: str | None = None) -> VoiceResponse:
    """Build the spoken apology and hang-up, in `lang` or else in Dutch and English."""
    found = services()
    speaker = Speaker(found.content, found.audio)
    response = VoiceResponse()
    for code in _apology_codes(lang):
        speaker.add(response, Utterance(code, "error.apology"))
    response.hangup()
    return response


def apology_sms_response(lang: str | None = None) -> MessagingResponse:
    content = services().content
    response = MessagingResponse()
    text = "\n".join(
        content.catalog(code).text("error.apology_sms") for code in _apology_codes(lang)
    )
    response.message(text)
    return response


def _apology_codes(lang: str | None) -> tuple[str, ...]:
    content = services().content
    if lang and lang in content.catalogs:
        return (lang,)
    return APOLOGY_LANGUAGES


def _voice_apology() -> Response:
    return twiml(apology_voice_response(_request_lang()))


def _sms_apology() -> Response:
    return twiml(apology_sms_response(_request_lang()))


def _request_lang() -> str | None:
    return request.args.get("lang")


def _check_signature() -> Response | None:
    g.started = time.perf_counter()
    settings = services().settings
    return reject_unsigned(
        request, settings.public_url, settings.twilio_auth_token, settings.trial_token
    )


def _sid() -> str:
    """Return the CallSid or MessageSid for logs, reduced to letters and digits."""
    raw = request.form.get("CallSid") or request.form.get("MessageSid") or ""
    return re.sub("[^A-Za-z0-9]", "", raw)[:40] or "-"


def _log_request(response: Response) -> Response:
    if response.status_code == 403 or g.get("logged"):
        return response
    g.logged = True
    elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info(
        "%s %s step=%s outcome=%s status=%d %.0fms",
        _sid(),
        request.path,
        g.get("step", "-"),
        g.get("outcome", "-"),
        response.status_code,
        elapsed_ms,
    )
    return response


def _count_usage(channel: str, response: Response) -> Response:
    if response.status_code == 403 or g.get("counted"):
        return response
    g.counted = True
    caller = request.form.get("From", "")
    lang = g.get("lang") or request.args.get("lang")
    if lang not in services().content.catalogs:
        lang = None  # Only a known language becomes a counter key, never any query value.
    facts = RequestFacts(
        channel=channel,
        step=g.get("step", "-"),
        outcome=g.get("outcome", "-"),
        lang=lang,
        call_sid=request.form.get("CallSid"),
        caller_key=number_key(services().settings.secret_key, caller) if caller else None,
        guide=guide_position_of_request(),
    )
    try:
        count_request(services().store, facts, dt.datetime.now(dt.UTC).date())
    except Exception:
        # Statistics must never cost a caller their answer, so a store failure
        # here is logged and the TwiML goes out unchanged.
        log.exception("%s %s: counting usage failed", _sid(), request.path)
    return response
