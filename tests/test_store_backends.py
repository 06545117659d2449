"""Both `Store` backends, SQLite and a real redis-server, behave the same way."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import redis

from phoneline.config import Settings, SettingsError
from phoneline.redis_store import RedisStore
from phoneline.state import DegradedStore, SqliteStore, Store, open_store
from tests.redis_server import free_port


@pytest.fixture
def store(backend_store: Store) -> Store:
    return backend_store


def test_set_get_delete(store: Store) -> None:
    store.set("lang:abc", "ar", subject="abc")
    assert store.get("lang:abc") == "ar"
    store.delete("lang:abc")
    assert store.get("lang:abc") is None
    assert store.forget("abc") == 0


def test_missing_key_is_none(store: Store) -> None:
    assert store.get("nothing:here") is None


def test_set_replaces_value_and_subject(store: Store) -> None:
    store.set("lang:x", "nl", subject="first")
    store.set("lang:x", "en", subject="second")
    assert store.forget("first") == 0
    assert store.get("lang:x") == "en"
    assert store.forget("second") == 1
    assert store.get("lang:x") is None


def test_short_ttl_expires(store: Store) -> None:
    store.set("cache:rdw:X", "{}", ttl=0.05)
    time.sleep(0.2)
    assert store.get("cache:rdw:X") is None
    assert store.items("cache:") == []


def test_counter_counts_up(store: Store) -> None:
    assert store.incr("rate:a", ttl=3600, subject="a") == 1
    assert store.incr("rate:a", ttl=3600, subject="a") == 2
    assert store.get("rate:a") == "2"


def test_counter_window_ends(store: Store) -> None:
    assert store.incr("rate:short", ttl=0.05) == 1
    time.sleep(0.2)
    assert store.incr("rate:short", ttl=3600) == 1


def test_counter_threads_lose_nothing(store: Store) -> None:
    def bump() -> None:
        for _ in range(50):
            store.incr("rate:shared", ttl=3600)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.incr("rate:shared", ttl=3600) == 201


def test_forget_removes_subject_only(store: Store) -> None:
    store.set("lang:a", "nl", subject="a")
    store.set("seen:a", "1", ttl=60, subject="a")
    store.incr("rate:lookups:hour:a", ttl=60, subject="a")
    store.set("lang:b", "en", subject="b")
    store.set("stats:2026-01-01:voice:-:-:call", "3")

    assert store.forget("a") == 3
    assert store.get("lang:a") is None
    assert store.get("seen:a") is None
    assert store.get("rate:lookups:hour:a") is None
    assert store.get("lang:b") == "en"
    assert store.get("stats:2026-01-01:voice:-:-:call") == "3"
    assert store.forget("a") == 0


def test_items_by_prefix_sorted(store: Store) -> None:
    store.set("stats:2026-01-02:sms:en:vehicle:found", "2")
    store.set("stats:2026-01-01:voice:-:-:call", "5")
    store.set("stat_other", "x")
    store.set("lang:z", "ar")

    assert store.items("stats:") == [
        ("stats:2026-01-01:voice:-:-:call", "5"),
        ("stats:2026-01-02:sms:en:vehicle:found", "2"),
    ]


def test_items_prefix_with_pattern_characters(store: Store) -> None:
    store.set("odd_*[key]?", "1")
    store.set("oddXkey", "2")
    assert store.items("odd_*[") == [("odd_*[key]?", "1")]


def test_retention_caps_subject_values(store: Store, tmp_path: Path) -> None:
    capped: Store
    if isinstance(store, SqliteStore):
        capped = SqliteStore(tmp_path / "capped.sqlite3", subject_ttl=0.05)
    else:
        assert isinstance(store, RedisStore)
        capped = RedisStore(store._redis, subject_ttl=0.05)
    capped.set("lang:a", "nl", subject="a")
    capped.set("lang:none", "nl")
    capped.incr("rate:a", ttl=3600, subject="a")
    time.sleep(0.2)
    assert capped.get("lang:a") is None
    assert capped.get("rate:a") is None
    assert capped.get("lang:none") == "nl"


def test_purge_keeps_live_values(store: Store) -> None:
    store.set("lang:a", "nl", subject="a")
    store.set("gone:a", "1", ttl=0.05, subject="a")
    time.sleep(0.2)
    assert store.purge_expired() == 1
    assert store.get("lang:a") == "nl"
    assert store.forget("a") == 1


def test_sqlite_purges_on_write_when_due(tmp_path: Path) -> None:
    now = [1000.0]
    store = SqliteStore(tmp_path / "s.db", clock=lambda: now[0], purge_interval=3600)
    store.set("cache:a", "1", ttl=10)
    now[0] += 20
    store.set("cache:b", "1")
    assert _rows(tmp_path / "s.db") == 2  # expired, but the purge is not due yet
    now[0] += 3600
    store.set("cache:c", "1")
    assert _rows(tmp_path / "s.db") == 2  # cache:a purged, cache:c added
    store.close()


def test_sqlite_purges_at_start(tmp_path: Path) -> None:
    now = [1000.0]
    first = SqliteStore(tmp_path / "s.db", clock=lambda: now[0])
    first.set("cache:a", "1", ttl=10)
    first.close()
    now[0] += 20
    SqliteStore(tmp_path / "s.db", clock=lambda: now[0]).close()
    assert _rows(tmp_path / "s.db") == 0


def test_redis_keeps_no_stale_index(redis_url: str) -> None:
    store = RedisStore.connect(redis_url)
    store.set("gone:a", "1", ttl=0.05, subject="a")
    time.sleep(0.2)
    store.purge_expired()
    raw = redis.Redis.from_url(redis_url)
    assert raw.keys("*") == []
    raw.close()
    store.close()


def test_redis_unreachable_names_setting() -> None:
    with pytest.raises(SettingsError, match="REDIS_URL"):
        RedisStore.connect(f"redis://127.0.0.1:{free_port()}/0")


def _rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM kv").fetchone()[0])


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_open_store_applies_retention(
    settings: Settings, request: pytest.FixtureRequest, backend: str
) -> None:
    redis_url = request.getfixturevalue("redis_url") if backend == "redis" else None
    guarded = open_store(dataclasses.replace(settings, retention_days=2, redis_url=redis_url))
    assert isinstance(guarded, DegradedStore)
    opened = guarded.inner
    assert isinstance(opened, RedisStore if redis_url else SqliteStore)
    opened.set("lang:a", "nl", subject="a")
    opened.set("config:a", "x")

    if isinstance(opened, RedisStore):
        lifetime = opened._redis.pttl("phoneline:k:lang:a") / 1000
        assert opened._redis.pttl("phoneline:k:config:a") == -1
    else:
        with sqlite3.connect(settings.data_dir / "state.sqlite3") as db:
            expires = db.execute("SELECT expires FROM kv WHERE key = 'lang:a'").fetchone()[0]
            assert db.execute("SELECT expires FROM kv WHERE key = 'config:a'").fetchone()[0] is None
        lifetime = expires - time.time()
    opened.close()
    assert 2 * 86400 - 60 < lifetime <= 2 * 86400
