"""Exceptions shared by the data-source clients.

    LookupFailed                 base: the source gave no usable answer
    ├── SourceUnavailable        timeout, connection error, 429, 5xx or a "temporarily
    │                            unavailable" code; try again later
    ├── SourceResponseInvalid    an answer that is not JSON or has the wrong shape
    ├── SourceAccessDenied       401 or 403: the API key is missing or invalid, so the
    │                            operator must fix a setting; callers hear "try later"
    └── InvalidQuery             the source rejected the number or code we sent as invalid

A source that answers "no such record" is not an error: the lookup returns None.
Flows map each exception to a prompt key; they never show its message to a caller.
"""

from __future__ import annotations


class LookupFailed(Exception):
    """The data source gave no usable answer."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class SourceUnavailable(LookupFailed):
    """The source timed out, refused the connection, throttled us (429) or failed (5xx)."""


class SourceResponseInvalid(LookupFailed):
    """The source answered, but not with the JSON shape this client expects."""


class SourceAccessDenied(LookupFailed):
    """The source rejected our credentials (HTTP 401 or 403)."""


class InvalidQuery(LookupFailed):
    """The source rejected the value we asked about as invalid (for example HTTP 400)."""
