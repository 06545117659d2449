"""Text messages: a licence plate gets RDW vehicle facts, anything else gets help."""

from __future__ import annotations

import datetime as dt
import logging

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse

from phoneline.flows.replies import detect_language, vehicle_reply
from phoneline.lookups.errors import LookupFailed
from phoneline.lookups.plates import find_plate
from phoneline.lookups.rdw import RdwClient
from phoneline.webhook import apology_sms_response, note, protect, services, twiml

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__, url_prefix="/sms")
protect(bp, "sms")

DEFAULT_REPLY_LANGUAGE = "en"


@bp.post("")
def incoming() -> Response:
    body = request.form.get("Body", "")
    sid = request.form.get("MessageSid", "-")

    content = services().content
    lang = detect_language(content, body) or DEFAULT_REPLY_LANGUAGE
    catalog = content.catalog(lang)
    plate = find_plate(body)

    if plate is None:
        note("help", "no_plate")
        return _reply(catalog.text("sms.help"))

    try:
        vehicle = _rdw().vehicle(plate)
    except LookupFailed as error:
        log.warning("%s RDW lookup failed: %s", sid, error.reason)
        note("vehicle", "failed")
        return _reply(catalog.text("sms.vehicle.unavailable"))

    if vehicle is None:
        note("vehicle", "not_found")
        return _reply(catalog.text("sms.vehicle.not_found", plate=plate.formatted))

    note("vehicle", "found")
    return _reply(vehicle_reply(catalog, vehicle, plate.formatted, dt.date.today()))


@bp.post("/fallback")
def fallback() -> Response:
    """Answer Twilio's messaging fallback URL: the primary handler failed, so apologise."""
    note("fallback", request.form.get("ErrorCode") or "-")
    return twiml(apology_sms_response())


def _rdw() -> RdwClient:
    found = services()
    settings = found.settings
    return RdwClient(
        http=found.http,
        base_url=settings.rdw_url,
        app_token=settings.rdw_app_token,
        timeout=settings.lookup_deadline,
    )


def _reply(text: str) -> Response:
    response = MessagingResponse()
    response.message(text)
    return twiml(response)
