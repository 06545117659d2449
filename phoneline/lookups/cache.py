"""Cached answers of the data sources, kept in a `phoneline.state.Store`.

A key names the source, the request and the value looked up, for example
`cache:rdw:m9d7-ebf2:11ZKZ3` or `cache:kvk:profile:69599084`. Keys contain the
plate, KVK number or postcode and nothing else, and entries are never linked to
a subject: nothing here ties a lookup to a phone number.

A found answer is fresh for `found_ttl` seconds and is then kept as long again
as a fallback. After `found_ttl` the source is asked again; if it now answers
"not found" or fails, the older found answer is served instead. RDW open data
has lost existing plates for days at a time (March 2025), and a car that was
there yesterday has not stopped existing. A "not found" answer is fresh for
`not_found_ttl` seconds and then expires, because new registrations appear in
open data within days. A fresh "not found" never replaces a found answer.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from phoneline.lookups.errors import LookupFailed
from phoneline.state import Store

log = logging.getLogger(__name__)

# A JSON value as the sources return it: list of rows, object, string or number.
Payload = Any


@dataclass(frozen=True)
class Entry:
    """One cached answer; `payload` is None when the source found nothing."""

    payload: Payload | None
    fetched: float

    @property
    def found(self) -> bool:
        return self.payload is not None


class LookupCache:
    """Found and not-found answers with their own lifetimes (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        found_ttl: float,
        not_found_ttl: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.found_ttl = found_ttl
        self.not_found_ttl = not_found_ttl
        self._now = clock

    def read(self, key: str) -> Entry | None:
        """Return the entry stored under `key`, fresh or kept as a fallback, or None."""
        raw = self.store.get(key)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return Entry(payload=data["payload"], fetched=float(data["fetched"]))
        except (ValueError, KeyError, TypeError):
            log.warning("Cache entry %s is unreadable; asking the source again", _kind(key))
            return None

    def is_fresh(self, entry: Entry) -> bool:
        ttl = self.found_ttl if entry.found else self.not_found_ttl
        return self._now() - entry.fetched < ttl

    def settle(self, key: str, payload: Payload | None) -> Entry:
        """Store a new answer from the source and return the entry to use.

        A new "not found" keeps an earlier found answer that is still stored,
        which also covers two workers racing on the same key.
        """
        if payload is None:
            current = self.read(key)
            if current is not None and current.found:
                log.warning("%s answered not found; serving the earlier found answer", _kind(key))
                return current

        entry = Entry(payload=payload, fetched=self._now())
        ttl = 2 * self.found_ttl if entry.found else self.not_found_ttl
        # ASCII escapes, so a lone surrogate from a source (valid in JSON, not in
        # UTF-8) is stored escaped instead of failing the write.
        value = json.dumps({"payload": payload, "fetched": entry.fetched}, ensure_ascii=True)
        self.store.set(key, value, ttl=ttl)
        return entry

    def recover(self, previous: Entry | None, error: LookupFailed) -> Entry:
        """Return `previous` when it is a found answer to fall back on, else raise `error`."""
        if previous is not None and previous.found:
            log.warning("%s; serving a cached answer from before", error)
            return previous
        raise error

    def fetch(self, key: str, load: Callable[[], Payload | None]) -> Entry:
        """Return the fresh cached entry for `key`, or call `load` and settle its answer.

        Raises:
            LookupFailed: `load` failed and no found answer is stored to fall back on.
        """
        previous = self.read(key)
        if previous is not None and self.is_fresh(previous):
            return previous
        try:
            payload = load()
        except LookupFailed as error:
            return self.recover(previous, error)
        return self.settle(key, payload)


def _kind(key: str) -> str:
    """Return `key` without the value looked up, so that logs carry no plate or number."""
    return key.rsplit(":", 1)[0]
