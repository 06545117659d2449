"""The SQLite state store: expiry, counters and forgetting a number."""

from __future__ import annotations

import threading
from pathlib import Path

from phoneline.state import SqliteStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_set_get_delete(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    store.set("lang:abc", "ar")
    assert store.get("lang:abc") == "ar"
    store.delete("lang:abc")
    assert store.get("lang:abc") is None
    store.close()


def test_value_expires(tmp_path: Path) -> None:
    clock = Clock()
    store = SqliteStore(tmp_path / "s.db", clock=clock)
    store.set("cache:rdw:11ZKZ3", "{}", ttl=60)

    clock.now += 59
    assert store.get("cache:rdw:11ZKZ3") == "{}"
    clock.now += 2
    assert store.get("cache:rdw:11ZKZ3") is None
    assert store.purge_expired() == 1
    store.close()


def test_counter_window_fixed(tmp_path: Path) -> None:
    clock = Clock()
    store = SqliteStore(tmp_path / "s.db", clock=clock)
    assert store.incr("rate:x", ttl=3600) == 1
    clock.now += 3000
    assert store.incr("rate:x", ttl=3600) == 2
    clock.now += 601
    assert store.incr("rate:x", ttl=3600) == 1
    store.close()


def test_counter_threads_lose_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")

    def bump() -> None:
        for _ in range(50):
            store.incr("rate:shared", ttl=3600)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.incr("rate:shared", ttl=3600) == 201
    store.close()


def test_forget_removes_subject_only(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    store.set("lang:a", "nl", subject="a")
    store.incr("rate:a:hour", ttl=60, subject="a")
    store.set("lang:b", "en", subject="b")

    assert store.forget("a") == 2
    assert store.get("lang:a") is None
    assert store.get("rate:a:hour") is None
    assert store.get("lang:b") == "en"
    store.close()


def test_state_survives_reopen(tmp_path: Path) -> None:
    first = SqliteStore(tmp_path / "s.db")
    first.set("optout:a", "1", subject="a")
    first.close()
    second = SqliteStore(tmp_path / "s.db")
    assert second.get("optout:a") == "1"
    second.close()
