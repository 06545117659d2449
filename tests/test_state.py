"""SQLite store details that a fake clock or a reopened file shows.

The behaviour both stores share is tested in test_store_backends.py.
"""

from __future__ import annotations

from pathlib import Path

from phoneline.state import SqliteStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now



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




def test_state_survives_reopen(tmp_path: Path) -> None:
    first = SqliteStore(tmp_path / "s.db")
    first.set("optout:a", "1", subject="a")
    first.close()
    second = SqliteStore(tmp_path / "s.db")
    assert second.get("optout:a") == "1"
    second.close()
