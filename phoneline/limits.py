"""Rate limits per sender and daily budgets for paid data sources.

Both count in the shared `Store`, so the limits hold across threads, processes
and app servers that share it.

`SenderLimiter` allows a sender (by the keyed hash of their number) a number of
lookups per hour and per day. Each window is fixed: it starts with the sender's
first lookup and lasts an hour or a day. The first refused lookup in a window
gets `Verdict.NOTICE`, so the sender is told once; every later one gets
`Verdict.SILENT` until the window ends.

`DailyBudget` caps the calls to a paid source for the whole line per UTC day.
Call `spend()` right before each paid request and skip the request when it
returns False, for example:

    budget = DailyBudget(store, "kvk", settings.kvk_calls_per_day)
    if not budget.spend():
        raise SourceUnavailable("kvk", "daily budget of paid calls used up")
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from phoneline.state import Store

HOUR = 3600
DAY = 86400


class Verdict(enum.Enum):
    ALLOWED = "allowed"
    NOTICE = "notice"
    """Over a limit for the first time in this window: tell the sender once."""
    SILENT = "silent"
    """Still over a limit in this window: answer nothing."""


@dataclass(frozen=True)
class Window:
    name: str
    seconds: int
    limit: int


@dataclass(frozen=True)
class Decision:
    """A verdict and, when refused, the name of the window ("hour" or "day") that refused."""

    verdict: Verdict
    window: str | None = None


class SenderLimiter:
    """Counts one sender's lookups in fixed hourly and daily windows."""

    def __init__(self, store: Store, per_hour: int, per_day: int) -> None:
        self._store = store
        self.windows = (Window("hour", HOUR, per_hour), Window("day", DAY, per_day))

    def check(self, sender_key: str) -> Decision:
        """Count one lookup by `sender_key` and decide whether it may go ahead.

        Refused lookups are counted too, so a sender who keeps texting stays
        refused until the window that refused them ends.
        """
        over: dict[str, int] = {}
        for window in self.windows:
            count = self._store.incr(self._key(sender_key, window), window.seconds, sender_key)
            if count > window.limit:
                over[window.name] = count - window.limit
        if not over:
            return Decision(Verdict.ALLOWED)

        # The longest window that refuses is the one the sender has to wait for.
        refused_by = "day" if "day" in over else "hour"
        # The message that first crosses a limit gets the notice, unless an
        # earlier message already crossed another limit that is still running.
        if set(over.values()) == {1}:
            return Decision(Verdict.NOTICE, refused_by)
        return Decision(Verdict.SILENT, refused_by)

    def _key(self, sender_key: str, window: Window) -> str:
        return f"rate:lookups:{window.name}:{sender_key}"


class DailyBudget:
    """Caps the calls to one paid data source for the whole line per UTC day."""

    def __init__(
        self,
        store: Store,
        source: str,
        per_day: int,
        today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.UTC).date(),
    ) -> None:
        self._store = store
        self.source = source
        self.per_day = per_day
        self._today = today

    def spend(self) -> bool:
        """Count one paid call and return True while today's budget allows it."""
        if self.per_day <= 0:
            return False
        key = f"budget:{self.source}:{self._today().isoformat()}"
        # Two days, so the counter outlives its day in every time zone and then goes.
        return self._store.incr(key, ttl=2 * DAY) <= self.per_day

    def spent_today(self) -> int:
        """Return how many calls today's budget has counted."""
        value = self._store.get(f"budget:{self.source}:{self._today().isoformat()}")
        return int(value) if value else 0
