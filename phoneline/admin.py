"""The operators' statistics page, `/admin/stats`, behind HTTP basic auth.

The factory registers this blueprint only when PHONELINE_ADMIN_USER and
PHONELINE_ADMIN_PASSWORD are set, so without them the path does not exist
(404). The page refuses plain http except from the machine itself, because
basic auth sends the password readable on the wire.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup

from phoneline.catalog import Content
from phoneline.charts import MUTED, PALETTE, Series, bar_chart, legend
from phoneline.usage import Count, read_counts, total
from phoneline.webhook import services

bp = Blueprint("admin", __name__, url_prefix="/admin")

DEFAULT_DAYS = 30
MAX_DAYS = 400
LOOKUP_OUTCOMES = ("found", "not_found", "failed")
# What the lookup handlers note as outcome, grouped into the three bars.
LOOKUP_OUTCOME_GROUPS = {
    "found": {"found", "found_partly", "postcode", "municipality"},
    "not_found": {"not_found", "invalid", "did_you_mean"},
    "failed": {"failed", "unavailable"},
}


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup
    legend: Markup


@bp.before_request
def _require_operator() -> Response | None:
    if not (request.is_secure or _is_loopback(request.remote_addr)):
        return Response(
            "Use https for this page: it asks for a password.\n", 403, mimetype="text/plain"
        )

    settings = services().settings
    auth = request.authorization
    if (
        auth is not None
        and auth.type == "basic"
        and _same(auth.username, settings.admin_user)
        and _same(auth.password, settings.admin_password)
    ):
        return None
    return Response(
        "Log in with the operator's user name and password.\n",
        401,
        {"WWW-Authenticate": 'Basic realm="phoneline statistics", charset="UTF-8"'},
        mimetype="text/plain",
    )


@bp.get("/stats")
def stats() -> str:
    days = _days_arg()
    today = dt.datetime.now(dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    counts = read_counts(services().store, since=first)
    content = services().content

    charts = [calls_chart(counts, first, today), lookups_chart(counts)]
    guides = [
        guide_chart(counts, content, topic.id, len(topic.steps)) for topic in content.menu.topics
    ]
    return render_template(
        "admin_stats.html",
        days=days,
        first=first,
        today=today,
        charts=charts,
        guides=guides,
        totals=totals_table(counts),
    )


def calls_chart(counts: list[Count], first: dt.date, last: dt.date) -> Chart:
    """Calls per day, split by the language chosen; a call with no choice is grey."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    languages = sorted(
        {c.language for c in counts if c.channel == "voice" and c.outcome == "language"}
    )
    series = []
    for number, lang in enumerate(languages):
        values = [
            total(counts, day=day, channel="voice", language=lang, outcome="language")
            for day in days
        ]
        series.append(Series(lang, PALETTE[number % len(PALETTE)], values))

    unchosen = []
    for index, day in enumerate(days):
        calls = total(counts, day=day, channel="voice", outcome="call")
        unchosen.append(max(0, calls - sum(one.values[index] for one in series)))
    series.append(Series("no language chosen", MUTED, unchosen))

    title = "Calls per day by language"
    labels = [day.strftime("%d %b") for day in days]
    svg = bar_chart(labels, series, stacked=True, title=title)
    return Chart(title, svg, legend(series))


def guide_chart(counts: list[Count], content: Content, topic: str, steps: int) -> Chart:
    """Callers who left a guide at each step, next to those who heard it to the end."""
    voice = [c for c in counts if c.channel == "voice" and c.topic == topic]
    labels = [f"step {n}" for n in range(1, steps + 1)] + ["completed"]
    values = [total(voice, outcome=f"left_at_{n}") for n in range(1, steps + 1)]
    values.append(total(voice, outcome="completed"))
    started = total(voice, outcome="started")

    name = content.catalog("en").text(f"topic.{topic}").rstrip(",. ")
    title = f"{name}: {started} started"
    series = [Series("callers", PALETTE[0], values)]
    svg = bar_chart(labels, series, stacked=True, title=title, height=220)
    return Chart(title, svg, Markup(""))


def lookups_chart(counts: list[Count]) -> Chart:
    """Text-message lookups per data source, by outcome."""
    noted = set().union(*LOOKUP_OUTCOME_GROUPS.values())
    lookups = [c for c in counts if c.channel == "sms" and c.outcome in noted]
    sources = sorted({c.topic for c in lookups})
    series = [
        Series(outcome.replace("_", " "), PALETTE[number], [
            sum(
                total(lookups, topic=source, outcome=noted_outcome)
                for noted_outcome in LOOKUP_OUTCOME_GROUPS[outcome]
            )
            for source in sources
        ])
        for number, outcome in enumerate(LOOKUP_OUTCOMES)
    ]
    title = "Lookups by outcome"
    svg = bar_chart(sources, series, stacked=False, title=title)
    return Chart(title, svg, legend(series))


def totals_table(counts: list[Count]) -> list[tuple[str, str, str, str, int]]:
    """Return the period's totals per channel, language, topic and outcome, largest first."""
    sums: dict[tuple[str, str, str, str], int] = {}
    for c in counts:
        key = (c.channel, c.language, c.topic, c.outcome)
        sums[key] = sums.get(key, 0) + c.count
    rows = [(*key, value) for key, value in sums.items()]
    return sorted(rows, key=lambda row: (-row[4], row[:4]))


def _days_arg() -> int:
    try:
        days = int(request.args.get("days", DEFAULT_DAYS))
    except ValueError:
        return DEFAULT_DAYS
    return min(MAX_DAYS, max(1, days))


def _same(given: str | None, expected: str | None) -> bool:
    if given is None or expected is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False

