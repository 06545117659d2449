"""Usage statistics without personal data: counters per day, channel, language, topic, outcome.

Each counter is one `Store` key, `stats:<day>:<channel>:<language>:<topic>:<outcome>`,
with no subject, because nothing in it points to a caller. Days are UTC dates.
Counters live for `STATS_TTL_DAYS` days.

The webhook plumbing (`phoneline.webhook`) calls `count_request` once per
answered request; the flows only report what they did through `note()` and,
for guides, `at_guide_step()`. What is counted:

    voice  -         -       call           a call reached the line
    voice  <lang>    -       language       the caller chose this language
    voice  <lang>    <topic> started        the caller chose this guide
    voice  <lang>    <topic> completed      the caller heard the guide's last step
    voice  <lang>    <topic> left_at_<N>    the caller left the guide at step N
                                            (hung up, or went to another menu)
    sms    <lang>    <step>  <outcome>      every text, e.g. vehicle/found
    any    <lang>    <step>  error          a request that ended in an apology

To know where a caller leaves a guide, the step they are on is kept under
`call:<CallSid>` for the length of a call, linked to the caller's number hash
so that FORGET removes it as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import g

from phoneline.state import Store

STATS_PREFIX = "stats:"
STATS_TTL_DAYS = 400
# Twilio ends a call after at most four hours, so a position cannot be needed longer.
CALL_TTL_SECONDS = 4 * 3600
CALL_END_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
NONE = "-"


@dataclass(frozen=True)
class Count:
    """One statistics counter."""

    day: dt.date
    channel: str
    language: str
    topic: str
    outcome: str
    count: int


@dataclass(frozen=True)
class GuidePosition:
    """The guide step a caller hears now; `step` above `total` means the guide is done."""

    lang: str
    topic: str
    step: int
    total: int

    def encode(self) -> str:
        return f"{self.lang}|{self.topic}|{self.step}|{self.total}"

    @classmethod
    def decode(cls, raw: str | None) -> GuidePosition | None:
        if not raw:
            return None
        parts = raw.split("|")
        if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
            return None
        return cls(parts[0], parts[1], int(parts[2]), int(parts[3]))


@dataclass(frozen=True)
class RequestFacts:
    """What one answered webhook request did, as the statistics need it."""

    channel: str
    step: str
    outcome: str
    lang: str | None
    call_sid: str | None
    caller_key: str | None
    guide: GuidePosition | None


def at_guide_step(lang: str, topic: str, step: int, total: int) -> None:
    """Report that this request plays `step` of `total` of a guide (above `total`: its end)."""
    g.guide_position = GuidePosition(lang, topic, step, total)


def guide_position_of_request() -> GuidePosition | None:
    found: GuidePosition | None = g.get("guide_position")
    return found


def count_request(store: Store, facts: RequestFacts, today: dt.date) -> None:
    """Add this request's events to the counters and move the caller's guide position."""
    lang = facts.lang or NONE
    events: list[tuple[str, str, str]] = []

    if facts.outcome == "error":
        events.append((lang, facts.step, "error"))
    elif facts.channel == "sms":
        events.append((lang, facts.step, facts.outcome))
    elif facts.step == "welcome":
        events.append((NONE, NONE, "call"))
    elif facts.step == "language" and facts.outcome.startswith("chose_"):
        events.append((facts.outcome.removeprefix("chose_"), NONE, "language"))
    elif facts.step.startswith(("topics", "category.")) and facts.outcome.startswith("chose_"):
        events.append((lang, facts.outcome.removeprefix("chose_"), "started"))

    if facts.channel == "voice" and facts.call_sid:
        events += _move_guide_position(store, facts)

    for event_lang, topic, outcome in events:
        increment(
            store, today, channel=facts.channel, lang=event_lang, topic=topic, outcome=outcome
        )


def increment(
    store: Store, day: dt.date, *, channel: str, lang: str, topic: str, outcome: str
) -> None:
    fields = (channel, lang, topic, outcome)
    key = STATS_PREFIX + day.isoformat() + ":" + ":".join(_clean(field) for field in fields)
    store.incr(key, ttl=STATS_TTL_DAYS * 86400)


def read_counts(store: Store, since: dt.date | None = None) -> list[Count]:
    """Return every counter, oldest day first, from `since` on when given."""
    counts = []
    for key, value in store.items(STATS_PREFIX):
        parts = key.removeprefix(STATS_PREFIX).split(":")
        if len(parts) != 5:
            continue
        try:
            day = dt.date.fromisoformat(parts[0])
        except ValueError:
            continue
        if since is not None and day < since:
            continue
        counts.append(Count(day, parts[1], parts[2], parts[3], parts[4], int(value)))
    return counts


def total(counts: list[Count], **match: object) -> int:
    """Add up the counts whose fields equal every `match` value."""
    return sum(c.count for c in counts if all(getattr(c, k) == v for k, v in match.items()))


def _move_guide_position(store: Store, facts: RequestFacts) -> list[tuple[str, str, str]]:
    key = f"call:{facts.call_sid}"
    before = GuidePosition.decode(store.get(key))
    now = facts.guide
    events = []

    if now is not None and now.step > now.total:
        events.append((now.lang, now.topic, "completed"))
        now = None
    elif before is not None and (now is None or now.topic != before.topic):
        events.append((before.lang, before.topic, f"left_at_{before.step}"))

    call_over = facts.step == "status" and facts.outcome in CALL_END_STATUSES
    if now is None or call_over:
        if before is not None:
            store.delete(key)
    else:
        store.set(key, now.encode(), ttl=CALL_TTL_SECONDS, subject=facts.caller_key)
    return events


def _clean(field: str) -> str:
    return field.replace(":", "_") or NONE

