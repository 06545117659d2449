"""Rate limits for texts that cause a lookup at a data source.

`rate_limit` sits early in the SMS handler chain. It applies only to messages
for which `would_look_up` is true: any function in `LOOKUP_DETECTORS` says the
message will cause a lookup. A new lookup handler adds its detector there, for
example `lambda message: find_kvk_number(message.body) is not None`, so its
messages count against the same limits.

Within limits the handler passes the message on. The first refused message in
a window gets one reply in the sender's language; later ones get an empty
answer, which Twilio sends as no message at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from phoneline.flows.area import postcode_asked
from phoneline.limits import SenderLimiter, Verdict
from phoneline.lookups.kvk import find_kvk_number
from phoneline.lookups.plates import find_plate
from phoneline.webhook import note, services

if TYPE_CHECKING:
    from phoneline.flows.sms import Message

LookupDetector = Callable[["Message"], bool]


def _has_plate(message: Message) -> bool:
    return find_plate(message.body) is not None


def _has_kvk_number(message: Message) -> bool:
    return find_kvk_number(message.body) is not None


def _asks_postcode(message: Message) -> bool:
    return postcode_asked(message.body) is not None


# A municipality name is not counted: its figures come from one cached list.
LOOKUP_DETECTORS: list[LookupDetector] = [_has_plate, _has_kvk_number, _asks_postcode]


def would_look_up(message: Message) -> bool:
    """Return whether a later handler will look something up for this message."""
    return any(detector(message) for detector in LOOKUP_DETECTORS)


def rate_limit(message: Message) -> list[str] | None:
    """Refuse a lookup when the sender is over their hourly or daily limit."""
    if not would_look_up(message):
        return None

    settings = services().settings
    limiter = SenderLimiter(services().store, settings.lookups_per_hour, settings.lookups_per_day)
    decision = limiter.check(message.sender_key)
    if decision.verdict is Verdict.ALLOWED:
        return None
    if decision.verdict is Verdict.NOTICE:
        note("rate_limit", f"notice_{decision.window}")
        return [message.catalog.text(f"sms.rate_limited.{decision.window}")]
    note("rate_limit", f"silent_{decision.window}")
    return []
