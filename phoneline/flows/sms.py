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

from phoneline.catalog import Catalog
from phoneline.flows.area import area_lookup
from phoneline.flows.employer import employer_lookup
from phoneline.flows.replies import detect_language
from phoneline.flows.vehicle import plate_suggestion, vehicle_lookup
from phoneline.privacy import number_key
from phoneline.webhook import apology_sms_response, note, protect, services, twiml

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")
protect(bp, "sms")

DEFAULT_REPLY_LANGUAGE = "en"


@dataclass(frozen=True)
class Message:
    """An incoming text message as the handlers see it.

    `sender` is the raw number, needed only to reply; it is never logged or
    stored. `sender_key` is its keyed hash, under which state is kept.
    """

    sid: str
    body: str
    sender: str
    sender_key: str
    lang: str

    @property
    def catalog(self) -> Catalog:
        return services().content.catalog(self.lang)


Handler = Callable[[Message], Sequence[str] | None]


@bp.post("")
def incoming() -> Response:
    message = _read_message()

    for handler in HANDLERS:
        texts = handler(message)
        if texts is not None:
            return _reply(texts)

    raise AssertionError("the last SMS handler must always reply")


@bp.post("/fallback")
def fallback() -> Response:
    """Answer Twilio's messaging fallback URL: the primary handler failed, so apologise."""
    note("fallback", request.form.get("ErrorCode") or "-")
    return twiml(apology_sms_response())


def help_reply(message: Message) -> list[str]:
    note("help", "no_match")
    return [message.catalog.text("sms.help")]


# Order matters: a KVK number (7-8 digits) and a plate are told apart before a
# near-plate gets "did you mean"; a plate written like a postcode is left to area_lookup.
HANDLERS: tuple[Handler, ...] = (
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
    return Message(
        sid=request.form.get("MessageSid", "-"),
        body=body,
        sender=sender,
        sender_key=number_key(found.settings.secret_key, sender),
        lang=detect_language(found.content, body) or DEFAULT_REPLY_LANGUAGE,
    )


def _reply(texts: Sequence[str]) -> Response:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return twiml(response)
