"""Text the guide a caller is listening to, through the Twilio REST API.

TwiML can only answer the call, so the messages go out through the REST API
while the webhook runs. The key for this is offered only when REST credentials
and a sender are configured. Numbers that sent a stop word get nothing, and one
number gets at most `SENDS_PER_HOUR` guides an hour, because every message
costs money.
"""

from __future__ import annotations

import logging
import time

from flask import request

from phoneline import callers
from phoneline.catalog import Topic
from phoneline.guide_text import guide_messages
from phoneline.twilio_rest import SendFailed, SmsSender, make_sms_sender
from phoneline.webhook import services

log = logging.getLogger(__name__)

SENDS_PER_HOUR = 3
# Stop sending further parts after this many seconds, so the webhook answers
# well inside Twilio's 15-second limit even when the REST API is slow.
SEND_BUDGET_SECONDS = 8.0


def sender_configured() -> bool:
    return _sender() is not None


def send_guide(lang: str, topic: Topic, raw_number: str) -> str:
    """Text `topic` in `lang` to the caller and return the catalog key of the spoken outcome."""
    found = services()
    sender = _sender()
    to = callers.e164(raw_number)
    if sender is None or to is None:
        return "send.no_number"

    key = callers.caller_key(found.settings.secret_key, raw_number)
    if callers.is_stopped(found.store, key):
        return "send.stopped"
    if key and found.store.incr(f"sent:{key}", ttl=3600, subject=key) > SENDS_PER_HOUR:
        return "send.limit"

    messages = guide_messages(found.content.catalog(lang), topic)
    started = time.monotonic()
    for index, body in enumerate(messages, start=1):
        remaining = SEND_BUDGET_SECONDS - (time.monotonic() - started)
        if remaining <= 0:
            log.warning("%s guide text stopped after %d of %d parts: too slow",
                        _sid(), index - 1, len(messages))
            return "send.failed"
        try:
            sender.send(to, body, timeout=remaining)
        except SendFailed as error:
            log.warning("%s guide text part %d of %d failed: %s (Twilio code %s)",
                        _sid(), index, len(messages), error, error.code)
            return "send.failed"
    return "send.done"


def _sender() -> SmsSender | None:
    return make_sms_sender(services().settings)


def _sid() -> str:
    return request.form.get("CallSid") or "-"
