"""HTTP plumbing shared by the data-source clients: a deadline per lookup and one retry.

Every lookup gets one `Deadline`, by default `PHONELINE_LOOKUP_DEADLINE` seconds,
so the webhook responds well inside Twilio's 15 seconds even when a source hangs.
Each attempt may use the time that is left; there is no separate per-request
timeout because the only failures worth retrying (429, 5xx, a refused
connection) come back fast, while a hanging source would use up a per-request
timeout and the deadline alike.

A transient failure is retried once after a random pause (jitter), so that
several workers throttled at the same moment do not retry in step, and only if
the retry still has `MIN_ATTEMPT_SECONDS` left afterwards. Timeouts are not
retried: by then the deadline has been spent.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import httpx

from phoneline.lookups.errors import SourceUnavailable

log = logging.getLogger(__name__)

RETRY_JITTER_SECONDS = (0.05, 0.25)
MIN_ATTEMPT_SECONDS = 0.5


@dataclass(frozen=True)
class Deadline:
    """A point in time (on the monotonic clock) by which a lookup must be done."""

    at: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(at=clock() + seconds, clock=clock)

    def remaining(self) -> float:
        """Return the seconds left, never below zero."""
        return max(0.0, self.at - self.clock())


def is_throttled_or_failed(response: httpx.Response) -> bool:
    """Return whether `response` is worth one retry: HTTP 429 or any 5xx."""
    return response.status_code == 429 or response.status_code >= 500


def get(
    http: httpx.Client,
    url: str,
    *,
    source: str,
    label: str,
    deadline: Deadline,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    transient: Callable[[httpx.Response], bool] = is_throttled_or_failed,
) -> httpx.Response:
    """Send a GET within `deadline` and return the response, retrying a transient failure once.

    `label` names the request in errors and logs; it must not contain the value
    looked up, because logs never carry plates or numbers.

    Raises:
        SourceUnavailable: the request timed out, could not connect, or stayed
            transient after the retry (the last response's status is in the reason).
    """
    for attempt in (1, 2):
        remaining = deadline.remaining()
        if remaining <= 0:
            raise SourceUnavailable(source, f"{label} ran out of time before attempt {attempt}")

        cause: Exception | None = None
        retry_after: float | None = None
        try:
            response = _get_within(http, url, params, headers, remaining)
        except httpx.TimeoutException as error:
            raise SourceUnavailable(source, f"{label} timed out") from error
        except httpx.TransportError as error:
            failure = SourceUnavailable(source, f"{label} unreachable: {type(error).__name__}")
            cause = error
        else:
            if not transient(response):
                return response
            failure = SourceUnavailable(source, f"{label} returned HTTP {response.status_code}")
            retry_after = _retry_after(response)

        if attempt == 2 or not _pause_before_retry(deadline, retry_after):
            raise failure from cause
        log.info("%s %s failed (%s); retrying once", source, label, failure.reason)

    raise AssertionError("unreachable: the second attempt returns or raises")


# Requests run here so that a deadline bounds the whole answer: httpx's timeout
# applies to each socket read, and a source that sends its body a byte at a
# time would otherwise hold the webhook for minutes.
_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="source")


def _get_within(
    http: httpx.Client,
    url: str,
    params: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    seconds: float,
) -> httpx.Response:
    """GET `url` and read the whole answer within `seconds`, or raise httpx.ReadTimeout.

    NOTE: a request past its deadline keeps its pool thread until httpx's own
    per-read timeout ends it; the webhook does not wait for it.
    """
    future = _POOL.submit(http.get, url, params=params, headers=headers, timeout=seconds)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        future.cancel()
        raise httpx.ReadTimeout("the whole answer did not arrive within the deadline") from None


def _pause_before_retry(deadline: Deadline, retry_after: float | None) -> bool:
    """Sleep before the retry and return True, or return False when no time is left for it."""
    pause = random.uniform(*RETRY_JITTER_SECONDS)  # noqa: S311 (jitter, not security)
    if retry_after is not None:
        pause = max(pause, retry_after)
    if deadline.remaining() < pause + MIN_ATTEMPT_SECONDS:
        return False
    time.sleep(pause)
    return True


def _retry_after(response: httpx.Response) -> float | None:
    """Return the Retry-After header in seconds when it is a number, else None."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None
