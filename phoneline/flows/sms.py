"""Text messages: each incoming message goes through a chain of handlers.

A handler looks at the message and either returns the reply texts or None to
pass it on. The first handler that returns texts decides; an empty list means
"reply with no message" (for example after STOP). The last handler always
answers with help, so no message is left without a reply unless a handler
decides so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from phoneline import callers
from phoneline.catalog import Catalog
from phoneline.flows.area import area_lookup
from phoneline.flows.employer import employer_lookup
from phoneline.flows.replies import detect_language
from phoneline.flows.sms_keywords import (
    forget_number,
    menu_choice,
    menu_request,
    opt_out,
    reply_text,
    switch_language,
    topic_keyword,
)
from phoneline.flows.sms_limits import rate_limit
from phoneline.flows.vehicle import plate_suggestion, vehicle_lookup
from phoneline.privacy import number_key
from phoneline.webhook import (
    apology_sms_response,
    note,
    note_language,
    protect,
    services,
    twiml,
)

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")
protect(bp, "sms")

DEFAULT_REPLY_LANGUAGE = "en"
MAX_BODY_CHARS = 1600


@dataclass(frozen=True)
class Message:
    """An incoming text message as the handlers see it.

    `sender` is the raw number, needed only to reply; it is never logged or
    stored. `sender_key` is its keyed hash, under which state is kept. `lang`
    is the remembered language (`remembered` is true) or else the detected one;
    when neither exists it is `DEFAULT_REPLY_LANGUAGE` and `fallback` is true.
    """

    sid: str
    body: str
    sender: str
    sender_key: str
    lang: str
    fallback: bool = False
    remembered: bool = False

    @property
    def catalog(self) -> Catalog:
        return services().content.catalog(self.lang)


Handler = Callable[[Message], Sequence[str] | None]


@bp.post("")
def incoming() -> Response:
    message = _read_message()
    note_language(message.lang)

    for handler in HANDLERS:
        texts = handler(message)
        if texts is not None:
            return _reply(texts)

    raise AssertionError("the last SMS handler must always reply")


@bp.post("/fallback")
def fallback() -> Response:
    """Answer Twilio's messaging fallback URL: the primary handler failed, so apologise."""
    note("fallback", request.form.get("ErrorCode") or "-")
    return twiml(apology_sms_response(request.args.get("lang")))


def help_reply(message: Message) -> list[str]:
    note("help", "no_match")
    return [
        reply_text(
            message, lambda catalog: catalog.text("sms.help") + "\n" + catalog.text("sms.menu.hint")
        )
    ]


# STOP, START and FORGET come first so they work for any sender, including one
# over the rate limit (opt_out also forgets a stopped number, without a reply).
# The rate limit comes before every handler that looks something up. A KVK
# number (7-8 digits) and a plate are told apart before a near-plate gets
# "did you mean"; a plate written like a postcode is left to area_lookup.
HANDLERS: tuple[Handler, ...] = (
    opt_out,
    forget_number,
    switch_language,
    menu_choice,
    menu_request,
    topic_keyword,
    rate_limit,
    employer_lookup,
    vehicle_lookup,
    plate_suggestion,
    area_lookup,
    help_reply,
)


def _read_message() -> Message:
    found = services()
    body = request.form.get("Body", "")
    sender = request.form.get("From", "")
    sender_key = number_key(found.settings.secret_key, sender)

    remembered = callers.remembered_language(found.store, sender_key)
    if remembered not in found.content.catalogs:
        remembered = None
    lang = remembered or detect_language(found.content, body)
    return Message(
        sid=request.form.get("MessageSid", "-"),
        body=body,
        sender=sender,
        sender_key=sender_key,
        lang=lang or DEFAULT_REPLY_LANGUAGE,
        fallback=lang is None,
        remembered=remembered is not None,
    )


def _reply(texts: Sequence[str]) -> Response:
    response = MessagingResponse()
    for text in texts:
        body = text
        if len(body) > MAX_BODY_CHARS:
            # Twilio rejects a longer body (error 21617), so the sender would get nothing.
            log.warning("Reply of %d characters cut to %d", len(body), MAX_BODY_CHARS)
            body = body[: MAX_BODY_CHARS - 1] + "…"
        response.message(body)
    return twiml(response)
