"""Sender rate limits and the daily budget of paid calls, on both store backends."""

from __future__ import annotations

import datetime as dt

import pytest

from phoneline.limits import DailyBudget, Decision, SenderLimiter, Verdict
from phoneline.state import Store

ALLOWED = Decision(Verdict.ALLOWED)


@pytest.fixture
def store(backend_store: Store) -> Store:
    return backend_store


def test_hour_limit_notice_once(store: Store) -> None:
    limiter = SenderLimiter(store, per_hour=3, per_day=10)
    assert [limiter.check("a") for _ in range(3)] == [ALLOWED] * 3
    assert limiter.check("a") == Decision(Verdict.NOTICE, "hour")
    assert limiter.check("a") == Decision(Verdict.SILENT, "hour")
    assert limiter.check("a") == Decision(Verdict.SILENT, "hour")


def test_senders_counted_apart(store: Store) -> None:
    limiter = SenderLimiter(store, per_hour=1, per_day=10)
    assert limiter.check("a") == ALLOWED
    assert limiter.check("b") == ALLOWED
    assert limiter.check("a").verdict is Verdict.NOTICE


def test_day_limit_after_hour_resets(store: Store) -> None:
    limiter = SenderLimiter(store, per_hour=2, per_day=3)
    assert limiter.check("a") == ALLOWED
    assert limiter.check("a") == ALLOWED
    # A new hour: only the hourly counter starts again.
    store.delete("rate:lookups:hour:a")
    assert limiter.check("a") == ALLOWED
    assert limiter.check("a") == Decision(Verdict.NOTICE, "day")
    store.delete("rate:lookups:hour:a")
    assert limiter.check("a") == Decision(Verdict.SILENT, "day")


def test_both_limits_crossed_together(store: Store) -> None:
    limiter = SenderLimiter(store, per_hour=2, per_day=2)
    limiter.check("a")
    limiter.check("a")
    assert limiter.check("a") == Decision(Verdict.NOTICE, "day")
    assert limiter.check("a") == Decision(Verdict.SILENT, "day")


def test_counters_linked_to_sender(store: Store) -> None:
    limiter = SenderLimiter(store, per_hour=1, per_day=10)
    limiter.check("a")
    assert store.forget("a") == 2
    assert limiter.check("a") == ALLOWED


def test_budget_caps_calls_per_day(store: Store) -> None:
    day = [dt.date(2026, 3, 1)]
    budget = DailyBudget(store, "kvk", per_day=2, today=lambda: day[0])
    assert budget.spend()
    assert budget.spend()
    assert not budget.spend()
    assert budget.spent_today() == 3

    day[0] = dt.date(2026, 3, 2)
    assert budget.spent_today() == 0
    assert budget.spend()


def test_budget_zero_allows_nothing(store: Store) -> None:
    assert not DailyBudget(store, "kvk", per_day=0).spend()
