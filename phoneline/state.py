"""Small persistent state behind one interface: a key-value store with expiry.

Keys are strings with a prefix per use, for example `lang:<number hash>` or
`cache:rdw:<plate>`. A value may be linked to a *subject*, the keyed hash of a
phone number (see `phoneline.privacy.number_key`), so that `forget(subject)`
deletes every trace of that number at once. Phone numbers themselves are never
stored.

`SqliteStore` keeps everything in one file in the data folder, which is all a
single server needs. `RedisStore` (phoneline/redis_store.py) keeps the same
data in Redis, so several app servers share it; `open_store` picks one from the
settings.

Both stores cap the lifetime of every value linked to a subject at the
retention period (`subject_ttl`), whatever `ttl` the caller passes, so nothing
about a number outlives it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from phoneline.config import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")


class Store(Protocol):
    """Key-value state with expiry; every method is safe to call from several threads."""

    def get(self, key: str) -> str | None:
        """Return the value of `key`, or None when it is missing or expired."""

    def set(
        self, key: str, value: str, ttl: float | None = None, subject: str | None = None
    ) -> None:
        """Store `value` under `key` for `ttl` seconds (None: no expiry), linked to `subject`."""

    def set_checked(
        self, key: str, value: str, ttl: float | None = None, subject: str | None = None
    ) -> None:
        """Store like `set`, but raise when the value could not be stored.

        For a write that a reply confirms to the caller (an opt-out): a store
        that skips failed writes must not skip this one.
        """

    def delete(self, key: str) -> None: ...

    def incr(self, key: str, ttl: float, subject: str | None = None) -> int:
        """Add one to the counter `key` and return the new count.

        The first increment starts the counter's lifetime of `ttl` seconds;
        later increments do not extend it, so the counter covers a fixed window.
        """

    def forget(self, subject: str) -> int:
        """Delete every key linked to `subject` and return how many were deleted."""

    def purge_expired(self) -> int:
        """Delete expired keys and return how many were deleted."""

    def items(self, prefix: str) -> list[tuple[str, str]]:
        """Return every unexpired (key, value) whose key starts with `prefix`, sorted by key."""

    def close(self) -> None: ...


def capped_ttl(ttl: float | None, subject: str | None, subject_ttl: float | None) -> float | None:
    """Return `ttl` shortened to `subject_ttl` when the value is linked to a subject."""
    if subject is None or subject_ttl is None:
        return ttl
    return subject_ttl if ttl is None else min(ttl, subject_ttl)


class SqliteStore:
    """A `Store` in one SQLite file, shared by the threads and processes of one server.

    Expired rows are invisible at once and deleted from the file at start and
    then at most once per `purge_interval` seconds, by whichever write comes
    first. Each process purges on its own schedule; deleting twice is harmless.
    """

    def __init__(
        self,
        path: Path,
        clock: Callable[[], float] = time.time,
        subject_ttl: float | None = None,
        purge_interval: float = 3600.0,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=5)
        self._db.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL still never corrupts the file; a power cut can lose the
        # last commits (a counter or a remembered language), and no fsync per write
        # keeps webhook answers fast.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS kv ("
            " key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL, subject TEXT)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS kv_subject ON kv(subject)")
        self._now = clock
        self._subject_ttl = subject_ttl
        self._purge_interval = purge_interval
        self._last_purge = self._now()
        self.purge_expired()

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM kv WHERE key = ? AND (expires IS NULL OR expires > ?)",
                (key, self._now()),
            ).fetchone()
        return None if row is None else str(row[0])

    def set(
        self, key: str, value: str, ttl: float | None = None, subject: str | None = None
    ) -> None:
        self._purge_when_due()
        ttl = capped_ttl(ttl, subject, self._subject_ttl)
        expires = None if ttl is None else self._now() + ttl
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO kv (key, value, expires, subject) VALUES (?, ?, ?, ?)",
                (key, value, expires, subject),
            )

    # A failed write raises here already.
    set_checked = set

    def delete(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM kv WHERE key = ?", (key,))

    def incr(self, key: str, ttl: float, subject: str | None = None) -> int:
        self._purge_when_due()
        capped = capped_ttl(ttl, subject, self._subject_ttl)
        ttl = ttl if capped is None else capped
        now = self._now()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM kv WHERE key = ? AND expires <= ?", (key, now))
                self._db.execute(
                    "INSERT INTO kv (key, value, expires, subject) VALUES (?, '1', ?, ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                    (key, now + ttl, subject),
                )
                row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return int(row[0])

    def forget(self, subject: str) -> int:
        with self._lock:
            cursor = self._db.execute("DELETE FROM kv WHERE subject = ?", (subject,))
        return cursor.rowcount

    def purge_expired(self) -> int:
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM kv WHERE expires IS NOT NULL AND expires <= ?", (self._now(),)
            )
        return cursor.rowcount

    def items(self, prefix: str) -> list[tuple[str, str]]:
        # A range on the primary key instead of LIKE, so that "_" and "%" in
        # the prefix match themselves and the index is used.
        with self._lock:
            rows = self._db.execute(
                "SELECT key, value FROM kv WHERE key >= ? AND key < ?"
                " AND (expires IS NULL OR expires > ?) ORDER BY key",
                (prefix, prefix + "\U0010ffff", self._now()),
            ).fetchall()
        return [(str(key), str(value)) for key, value in rows]

    def _purge_when_due(self) -> None:
        now = self._now()
        if now - self._last_purge >= self._purge_interval:
            self._last_purge = now
            self.purge_expired()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_store(settings: Settings) -> Store:
    """Open the store the settings choose: Redis when `REDIS_URL` is set, else SQLite.

    The store is wrapped in `DegradedStore`, so a backend that fails later
    (Redis stopped, a locked or damaged SQLite file) degrades the line instead
    of stopping it.

    Raises:
        SettingsError: Redis does not answer at `REDIS_URL` at start.
    """
    retention = settings.retention_days * 86400.0
    if settings.redis_url:
        import redis  # noqa: PLC0415  (redis is loaded only when configured)

        from phoneline.redis_store import RedisStore  # noqa: PLC0415

        inner: Store = RedisStore.connect(settings.redis_url, subject_ttl=retention)
        return DegradedStore(inner, (redis.RedisError, OSError))
    inner = SqliteStore(settings.data_dir / "state.sqlite3", subject_ttl=retention)
    return DegradedStore(inner, (sqlite3.Error, OSError))


# Seconds the backend is left alone after a failure. Short, so the line uses a
# recovered store again almost at once; a hanging store then costs one socket
# timeout per pause instead of one per call.
RETRY_PAUSE_SECONDS = 2.0


class StoreDown(Exception):
    """The state store failed, so an operation that must not be skipped was not done."""


class DegradedStore:
    """A `Store` that keeps the line answering while its backend fails.

    Reads return None (nothing remembered), writes are skipped, counters return
    0 (so rate limits let requests through) and `items` returns nothing. After a
    failure the backend is left alone for `pause` seconds, so a store that hangs
    (each call waiting out its socket timeout) costs one timeout, not one per
    call. Failures are logged at most once a minute with a count of the ones
    between. `forget` and `set_checked` raise `StoreDown` instead: a caller who
    asked to be forgotten or to stop getting texts must not be told it worked.
    """

    def __init__(
        self,
        inner: Store,
        errors: tuple[type[BaseException], ...],
        pause: float = RETRY_PAUSE_SECONDS,
    ) -> None:
        self.inner = inner
        self._errors = errors
        self._pause = pause
        self._lock = threading.Lock()
        self._last_logged = 0.0
        self._suppressed = 0
        self._down_until = 0.0

    def get(self, key: str) -> str | None:
        return self._call("get", lambda: self.inner.get(key), None)

    def set(
        self, key: str, value: str, ttl: float | None = None, subject: str | None = None
    ) -> None:
        self._call("set", lambda: self.inner.set(key, value, ttl=ttl, subject=subject), None)

    def set_checked(
        self, key: str, value: str, ttl: float | None = None, subject: str | None = None
    ) -> None:
        """Store `value` like `set`, but raise `StoreDown` when it could not be stored."""
        self._strict("set", lambda: self.inner.set(key, value, ttl=ttl, subject=subject))

    def delete(self, key: str) -> None:
        self._call("delete", lambda: self.inner.delete(key), None)

    def incr(self, key: str, ttl: float, subject: str | None = None) -> int:
        return self._call("incr", lambda: self.inner.incr(key, ttl=ttl, subject=subject), 0)

    def forget(self, subject: str) -> int:
        return self._strict("forget", lambda: self.inner.forget(subject))

    def purge_expired(self) -> int:
        return self._call("purge_expired", self.inner.purge_expired, 0)

    def items(self, prefix: str) -> list[tuple[str, str]]:
        return self._call("items", lambda: self.inner.items(prefix), [])

    def close(self) -> None:
        self.inner.close()

    def _call(self, operation: str, action: Callable[[], T], degraded: T) -> T:
        if time.monotonic() < self._down_until:
            return degraded
        try:
            return action()
        except self._errors as error:
            self._failed(error, operation)
            return degraded

    def _strict(self, operation: str, action: Callable[[], T]) -> T:
        if time.monotonic() < self._down_until:
            raise StoreDown(f"state store {operation} skipped: the store failed recently")
        try:
            return action()
        except self._errors as error:
            self._failed(error, operation)
            raise StoreDown(f"state store {operation} failed: {type(error).__name__}") from error

    def _failed(self, error: BaseException, operation: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + self._pause
            if now - self._last_logged < 60:
                self._suppressed += 1
                return
            suppressed, self._suppressed = self._suppressed, 0
            self._last_logged = now
        log.error(
            "State store %s failed, continuing without stored state for %.0f s: %s: %s "
            "(%d more failures since the last report)",
            operation,
            self._pause,
            type(error).__name__,
            error,
            suppressed,
        )
