"""The lookup cache: lifetimes of found and not-found answers, and which answer wins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from phoneline.lookups.cache import LookupCache
from phoneline.lookups.errors import LookupFailed, SourceUnavailable
from phoneline.state import SqliteStore
from tests.conftest import Clock


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path / "state.sqlite3", clock=clock)
    yield store
    store.close()


@pytest.fixture
def cache(store: SqliteStore, clock: Clock) -> LookupCache:
    return LookupCache(store, found_ttl=100, not_found_ttl=10, clock=clock)


class Source:
    """A load function that returns the queued answers and counts its calls."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, LookupFailed):
            raise answer
        return answer


def test_found_fresh_for_found_ttl(cache: LookupCache, clock: Clock) -> None:
    source = Source([{"a": 1}], [{"a": 2}])
    assert cache.fetch("cache:x:1", source).payload == [{"a": 1}]
    clock.now += 99
    assert cache.fetch("cache:x:1", source).payload == [{"a": 1}]
    assert source.calls == 1
    clock.now += 2
    assert cache.fetch("cache:x:1", source).payload == [{"a": 2}]
    assert source.calls == 2


def test_not_found_fresh_for_not_found_ttl(cache: LookupCache, clock: Clock) -> None:
    source = Source(None, {"a": 1})
    assert cache.fetch("cache:x:1", source).found is False
    clock.now += 9
    assert cache.fetch("cache:x:1", source).found is False
    clock.now += 2
    assert cache.fetch("cache:x:1", source).payload == {"a": 1}


def test_found_wins_over_new_not_found(cache: LookupCache, clock: Clock) -> None:
    source = Source({"a": 1}, None)
    cache.fetch("cache:x:1", source)
    clock.now += 150
    assert cache.fetch("cache:x:1", source).payload == {"a": 1}
    assert source.calls == 2


def test_settle_keeps_found_against_racing_empty(cache: LookupCache) -> None:
    cache.settle("cache:x:1", {"a": 1})
    assert cache.settle("cache:x:1", None).payload == {"a": 1}
    entry = cache.read("cache:x:1")
    assert entry is not None
    assert entry.payload == {"a": 1}


def test_failure_falls_back_to_kept_found(cache: LookupCache, clock: Clock) -> None:
    source = Source({"a": 1}, SourceUnavailable("X", "down"))
    cache.fetch("cache:x:1", source)
    clock.now += 150
    assert cache.fetch("cache:x:1", source).payload == {"a": 1}


def test_failure_without_found_raises(cache: LookupCache, clock: Clock) -> None:
    source = Source(None, SourceUnavailable("X", "down"))
    cache.fetch("cache:x:1", source)
    clock.now += 11
    with pytest.raises(SourceUnavailable):
        cache.fetch("cache:x:1", source)


def test_found_gone_after_twice_found_ttl(cache: LookupCache, clock: Clock) -> None:
    cache.settle("cache:x:1", {"a": 1})
    clock.now += 199
    assert cache.read("cache:x:1") is not None
    clock.now += 2
    assert cache.read("cache:x:1") is None


def test_unreadable_entry_is_a_miss(cache: LookupCache, store: SqliteStore) -> None:
    store.set("cache:x:1", "not json")
    assert cache.read("cache:x:1") is None
    assert cache.fetch("cache:x:1", Source({"a": 1})).payload == {"a": 1}


def test_entries_have_no_subject(cache: LookupCache, store: SqliteStore) -> None:
    cache.settle("cache:rdw:m9d7-ebf2:11ZKZ3", [{"kenteken": "11ZKZ3"}])
    row = store._db.execute(
        "SELECT subject FROM kv WHERE key = ?", ("cache:rdw:m9d7-ebf2:11ZKZ3",)
    ).fetchone()
    assert row == (None,)
