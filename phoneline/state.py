"""Small persistent state behind one interface: a key-value store with expiry.

Keys are strings with a prefix per use, for example `lang:<number hash>` or
`cache:rdw:<plate>`. A value may be linked to a *subject*, the keyed hash of a
phone number (see `phoneline.privacy.number_key`), so that `forget(subject)`
deletes every trace of that number at once. Phone numbers themselves are never
stored.

`SqliteStore` keeps everything in one file in the data folder, which is all a
single server needs.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol


class Store(Protocol):
    """Key-value state with expiry; every method is safe to call from several threads."""

    def get(self, key: str) -> str | None:
        """Return the value of `key`, or None when it is missing or expired."""

    def set(
        self, key: str, value: str, ttl: float | None = None, subject: str | None = None
    ) -> None:
        """Store `value` under `key` for `ttl` seconds (None: no expiry), linked to `subject`."""

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

    def close(self) -> None: ...


class SqliteStore:
    """A `Store` in one SQLite file, shared by the threads and processes of one server."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=5)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS kv ("
            " key TEXT PRIMARY KEY, value TEXT NOT NULL, expires REAL, subject TEXT)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS kv_subject ON kv(subject)")
        self._now = clock

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
        expires = None if ttl is None else self._now() + ttl
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO kv (key, value, expires, subject) VALUES (?, ?, ?, ?)",
                (key, value, expires, subject),
            )

    def delete(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM kv WHERE key = ?", (key,))

    def incr(self, key: str, ttl: float, subject: str | None = None) -> int:
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

    def close(self) -> None:
        with self._lock:
            self._db.close()
