"""The `Store` in Redis, shared by every app server that uses the same `REDIS_URL`.

Layout under the namespace (default `phoneline:`):

    <ns>k:<key>          hash {v: value, s: subject}, with the value's expiry
    <ns>s:<subject>      set of the keys linked to that subject

Each write is one Lua script, so the value, its expiry and the subject index
change together even when several servers write at once. Redis deletes expired
values itself; the subject sets expire with the longest-lived value they list,
and `purge_expired` removes entries whose value has already gone. The scripts
name keys that are not passed in KEYS, which a single Redis server allows but
Redis Cluster does not.
"""

from __future__ import annotations

import math
from typing import Any, cast

import redis

from phoneline.config import SettingsError
from phoneline.state import capped_ttl

# Add `key` to the subject set ARGV[1], making the set live at least `ttl` ms
# (ARGV[2], empty for no expiry).
_LINK = """
local function link(subject_set, key, ttl)
    local existed = redis.call('EXISTS', subject_set)
    local remaining = redis.call('PTTL', subject_set)
    redis.call('SADD', subject_set, key)
    if ttl == '' then
        redis.call('PERSIST', subject_set)
    elseif existed == 0 or (remaining >= 0 and remaining < tonumber(ttl)) then
        redis.call('PEXPIRE', subject_set, ttl)
    end
end
local function unlink(ns, data_key, key)
    local old = redis.call('HGET', data_key, 's')
    if old then
        redis.call('SREM', ns .. 's:' .. old, key)
    end
end
"""

# KEYS[1] data key; ARGV: namespace, key, value, ttl ms or '', subject or ''.
_SET = (
    _LINK
    + """
unlink(ARGV[1], KEYS[1], ARGV[2])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[3])
if ARGV[4] ~= '' then
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
if ARGV[5] ~= '' then
    redis.call('HSET', KEYS[1], 's', ARGV[5])
    link(ARGV[1] .. 's:' .. ARGV[5], ARGV[2], ARGV[4])
end
"""
)

# KEYS[1] data key; ARGV: namespace, key.
_DELETE = (
    _LINK
    + """
unlink(ARGV[1], KEYS[1], ARGV[2])
return redis.call('DEL', KEYS[1])
"""
)

# KEYS[1] data key; ARGV: namespace, key, ttl ms, subject or ''. The first
# increment of a window sets the expiry; later ones leave it, as in SqliteStore.
_INCR = (
    _LINK
    + """
local count = redis.call('HINCRBY', KEYS[1], 'v', 1)
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    if ARGV[4] ~= '' then
        redis.call('HSET', KEYS[1], 's', ARGV[4])
        link(ARGV[1] .. 's:' .. ARGV[4], ARGV[2], ARGV[3])
    end
end
return count
"""
)

# KEYS[1] subject set; ARGV: namespace, subject. Deletes only values still
# linked to this subject: a key may have been set again for another one.
_FORGET = """
local deleted = 0
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    local data_key = ARGV[1] .. 'k:' .. key
    if redis.call('HGET', data_key, 's') == ARGV[2] then
        deleted = deleted + redis.call('DEL', data_key)
    end
end
redis.call('DEL', KEYS[1])
return deleted
"""

# KEYS[1] subject set; ARGV: namespace. Drops entries whose value has expired.
_PRUNE = """
local removed = 0
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    if redis.call('EXISTS', ARGV[1] .. 'k:' .. key) == 0 then
        removed = removed + redis.call('SREM', KEYS[1], key)
    end
end
return removed
"""


class RedisStore:
    """A `Store` in Redis; every method is one round trip except `items` and `purge_expired`."""

    def __init__(
        self,
        client: redis.Redis,
        namespace: str = "phoneline:",
        subject_ttl: float | None = None,
    ) -> None:
        self._redis = client
        self._ns = namespace
        self._subject_ttl = subject_ttl
        self._set = client.register_script(_SET)
        self._delete = client.register_script(_DELETE)
        self._incr = client.register_script(_INCR)
        self._forget = client.register_script(_FORGET)
        self._prune = client.register_script(_PRUNE)

    @classmethod
    def connect(
        cls, url: str, namespace: str = "phoneline:", subject_ttl: float | None = None
    ) -> RedisStore:
        """Connect to `url` and check that Redis answers.

        Raises:
            SettingsError: Redis cannot be reached at `url`.
        """
        client = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=1, socket_connect_timeout=1
        )
        try:
            client.ping()
        except redis.RedisError as error:
            client.close()
            raise SettingsError(
                f"REDIS_URL: Redis did not answer ({type(error).__name__}: {error}). "
                "Start Redis or correct the host, port and password in REDIS_URL."
            ) from None
        return cls(client, namespace=namespace, subject_ttl=subject_ttl)

    def get(self, key: str) -> str | None:
        value = self._redis.hget(self._data_key(key), "v")
        return None if value is None else str(value)

    def set(
        self, key: str, value: str, ttl: float | None = None, subject: str | None = None
    ) -> None:
        ttl = capped_ttl(ttl, subject, self._subject_ttl)
        self._set(
            keys=[self._data_key(key)],
            args=[self._ns, key, value, _milliseconds(ttl), subject or ""],
        )

    # A failed write raises here already.
    set_checked = set

    def delete(self, key: str) -> None:
        self._delete(keys=[self._data_key(key)], args=[self._ns, key])

    def incr(self, key: str, ttl: float, subject: str | None = None) -> int:
        capped = capped_ttl(ttl, subject, self._subject_ttl)
        ttl = ttl if capped is None else capped
        count = self._incr(
            keys=[self._data_key(key)],
            args=[self._ns, key, _milliseconds(ttl), subject or ""],
        )
        return int(cast(Any, count))

    def forget(self, subject: str) -> int:
        deleted = self._forget(keys=[self._ns + "s:" + subject], args=[self._ns, subject])
        return int(cast(Any, deleted))

    def purge_expired(self) -> int:
        """Remove subject-index entries of expired values; Redis deletes the values itself."""
        removed = 0
        for subject_set in self._redis.scan_iter(match=_glob_escape(self._ns + "s:") + "*"):
            removed += int(cast(Any, self._prune(keys=[subject_set], args=[self._ns])))
        return removed

    def items(self, prefix: str) -> list[tuple[str, str]]:
        data_prefix = self._ns + "k:"
        keys = sorted(
            str(found)
            for found in self._redis.scan_iter(
                match=_glob_escape(data_prefix + prefix) + "*", count=500
            )
        )
        if not keys:
            return []
        pipeline = self._redis.pipeline(transaction=False)
        for data_key in keys:
            pipeline.hget(data_key, "v")
        values = pipeline.execute()
        return [
            (data_key.removeprefix(data_prefix), str(value))
            for data_key, value in zip(keys, values, strict=True)
            if value is not None
        ]

    def close(self) -> None:
        self._redis.close()

    def _data_key(self, key: str) -> str:
        return self._ns + "k:" + key


def _milliseconds(ttl: float | None) -> str:
    """Return `ttl` seconds as whole milliseconds (at least 1) for PEXPIRE, or '' for none."""
    if ttl is None:
        return ""
    return str(max(1, math.ceil(ttl * 1000)))


def _glob_escape(text: str) -> str:
    """Escape the characters that SCAN MATCH patterns treat specially."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)
