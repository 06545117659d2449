"""Plumbing shared by every Twilio webhook blueprint.

`protect()` puts the signature check in front of a blueprint's views, writes one
log line per answered request (sid, route, step, outcome, milliseconds), counts
it in the usage statistics (`phoneline.usage`) and turns any unexpected
exception into a TwiML apology instead of an HTML page.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

import httpx
from flask import Blueprint, Flask, Response, current_app, g, request
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.privacy import number_key
from phoneline.security import reject_unsigned
from phoneline.state import Store
from phoneline.usage import RequestFacts, count_request, guide_position_of_request

log = logging.getLogger("phoneline.webhook")

APOLOGY_LANGUAGES = ("nl", "en")


@dataclass
class Services:
    """What the factory builds once and every request shares."""

    settings: Settings
    content: Content
    http: httpx.Client
    store: Store


def services() -> Services:
    """Return the services of the running app."""
    found: Services = current_app.extensions["phoneline"]
    return found


def twiml(response: VoiceResponse | MessagingResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


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
            log.warning("%s %s answered with an apology: %s", _sid(), request.path, error)
        else:
            log.error(
                "%s %s failed; answered with an apology", _sid(), request.path, exc_info=error
            )
        note(g.get("step", "unknown"), "error")
        response = apology()
        _log_request(response)
        return response

    blueprint.register_error_handler(Exception, handle)


def register_fallback_errors(app: Flask) -> None:
    """Answer routing errors on webhook paths (404, 405) with TwiML, not HTML."""

    def handle(error: HTTPException) -> Response | HTTPException:
        if request.path.startswith("/voice"):
            log.warning("%s %s: %s", _sid(), request.path, error)
            return _voice_apology()
        if request.path.startswith("/sms"):
            log.warning("%s %s: %s", _sid(), request.path, error)
            return _sms_apology()
        return error

    app.register_error_handler(HTTPException, handle)


def apology_voice_response(lang: str | None = None) -> VoiceResponse:
    """Build the spoken apology and hang-up, in `lang` or else in Dutch and English."""
    content = services().content
    response = VoiceResponse()
    for code in _apology_codes(lang):
        catalog = content.catalog(code)
        language = catalog.language
        response.say(
            catalog.text("error.apology"), voice=language.say_voice, language=language.say_language
        )
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
    return request.form.get("CallSid") or request.form.get("MessageSid") or "-"


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
    facts = RequestFacts(
        channel=channel,
        step=g.get("step", "-"),
        outcome=g.get("outcome", "-"),
        lang=g.get("lang") or request.args.get("lang"),
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
