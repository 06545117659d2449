"""Area facts by SMS: a postcode or a municipality name gets a few CBS figures.

A postcode gets the figures of the neighbourhood where its four digits are the
most common postcode. It counts as one when the message is only the postcode,
when it is written with its two letters ("6411 AB"), or when the word
"postcode" comes with it, so that a price such as "2500" in a sentence is not
read as a postcode. A message that is only a municipality's name gets that
municipality's figures. Any longer text is left to the next handler, because
names such as Best or Ede are also everyday words.

NOTE: while CBS does not respond, one short message a minute that is no plate,
KVK number or postcode waits for the municipality list until
the lookup deadline; the others get the help reply at once.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from phoneline.flows.budget import Line, fit
from phoneline.flows.replies import Writer
from phoneline.flows.sources import cbs_client
from phoneline.lookups.cbs import AreaFacts, cbs_page_url, find_postcode
from phoneline.lookups.digits import ascii_digits
from phoneline.lookups.errors import LookupFailed
from phoneline.webhook import note, services

if TYPE_CHECKING:
    from phoneline.flows.sms import Message

log = logging.getLogger(__name__)

# A municipality name: letters, spaces, hyphens, apostrophes, dots and brackets,
# as in "'s-Hertogenbosch" or "Bergen (L.)"; at most 40 characters.
PLACE_NAME = re.compile(r"[^\W\d_][\w\s'\u2019().-]{1,39}")
MAX_PLACE_WORDS = 4
POSTCODE_ONLY = re.compile(r"[1-9][0-9]{3} ?(?:[A-Za-z]{2})?")
POSTCODE_WITH_LETTERS = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{3} ?[A-Za-z]{2}(?![0-9A-Za-z])")

# Priorities for `fit`: 0 always stays; higher numbers are dropped first.
DETAIL, LINK = 1, 9

# After the municipality list failed, place names are not tried for this long,
# so short texts get the help reply at once instead of waiting for CBS.
LIST_RETRY_SECONDS = 60.0
LIST_FAILED_KEY = "cbs:municipality_list_failed"


def area_lookup(message: Message) -> list[str] | None:
    """Reply with CBS figures for a postcode or a municipality name."""
    postcode = postcode_asked(message.body)
    if postcode is not None:
        return _postcode_reply(message, postcode)

    name = message.body.strip().rstrip("?!.")
    if not PLACE_NAME.fullmatch(name) or len(name.split()) > MAX_PLACE_WORDS:
        return None
    store = services().store
    if store.get(LIST_FAILED_KEY) is not None:
        # The list failed a moment ago: do not make every short text wait for CBS again.
        return None
    try:
        facts = cbs_client().by_municipality(name)
    except LookupFailed as error:
        # Without the list a place name looks like any other text, so the help reply follows.
        log.warning("%s CBS municipality list failed: %s", message.sid, error)
        store.set(LIST_FAILED_KEY, "1", ttl=LIST_RETRY_SECONDS)
        return None
    if facts is None:
        return None
    note("area", "municipality")
    return [area_text(Writer.for_catalog(message.catalog), facts)]


def postcode_asked(body: str) -> str | None:
    """Return the postcode a message asks about, or None when it asks about none."""
    postcode = find_postcode(body)
    if postcode is None or not _asks_for_postcode(body):
        return None
    return postcode


def _asks_for_postcode(body: str) -> bool:
    text = ascii_digits(body).strip().rstrip("?!.")
    return bool(
        POSTCODE_ONLY.fullmatch(text)
        or POSTCODE_WITH_LETTERS.search(text)
        or "postcode" in text.casefold()
    )


def _postcode_reply(message: Message, postcode: str) -> list[str]:
    writer = Writer.for_catalog(message.catalog)
    try:
        facts = cbs_client().by_postcode(postcode)
    except LookupFailed as error:
        log.warning("%s CBS lookup failed: %s", message.sid, error)
        note("area", "failed")
        return [writer.text("sms.area.unavailable")]
    if facts is None:
        note("area", "not_found")
        return [writer.text("sms.area.not_found", postcode=postcode)]
    note("area", "postcode")
    return [area_text(writer, facts)]


def area_text(writer: Writer, facts: AreaFacts) -> str:
    """Return the SMS text with CBS figures for one area within the language's budget."""
    municipality = writer.value(facts.municipality or facts.code)
    if facts.kind == "neighbourhood":
        header = writer.text(
            "sms.area.postcode_header",
            postcode=facts.postcode,
            municipality=municipality,
            year=facts.year,
        )
    else:
        header = writer.text(
            "sms.area.municipality_header", municipality=municipality, year=facts.year
        )
    lines = [Line(header)]

    figures = []
    if facts.population is not None:
        figures.append(
            Line(writer.text("sms.area.population", count=writer.number(facts.population)))
        )
    if facts.rented_share is not None:
        share = round(facts.rented_share)
        figures.append(Line(writer.text("sms.area.rented", share=share), DETAIL))
    if facts.labour_participation is not None:
        share = round(facts.labour_participation)
        figures.append(Line(writer.text("sms.area.working", share=share), DETAIL))
    if facts.income_per_resident is not None:
        income = writer.number(facts.income_per_resident)
        figures.append(Line(writer.text("sms.area.income", amount=income), DETAIL))
    lines += figures or [Line(writer.text("sms.area.no_figures"))]

    source = Line(writer.text("sms.area.source"), DETAIL)
    lines.append(Line(writer.text("sms.area.link", url=cbs_page_url()), LINK, fallback=source))
    return fit(lines, writer.budget)
