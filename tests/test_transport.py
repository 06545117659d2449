"""The shared request function: deadlines, one retry with jitter, and which failures count."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from phoneline.lookups import transport
from phoneline.lookups.errors import SourceUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def client_answering(*handlers: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    """An httpx client whose transport runs `handlers` in turn (the last one repeats)."""
    queue = list(handlers)

    def handle(request: httpx.Request) -> httpx.Response:
        handler = queue.pop(0) if len(queue) > 1 else queue[0]
        return handler(request)

    return httpx.Client(transport=httpx.MockTransport(handle))


def status(code: int, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(code, json={}, headers=headers)


def raising(error: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        raise error

    return handle


def get(client: httpx.Client, seconds: float = 5.0) -> httpx.Response:
    return transport.get(
        client,
        "https://source.invalid/x",
        source="X",
        label="x",
        deadline=transport.Deadline.after(seconds),
    )


def test_deadline_remaining_never_negative() -> None:
    clock = Clock()
    deadline = transport.Deadline.after(2, clock=clock)
    clock.now += 1.5
    assert deadline.remaining() == pytest.approx(0.5)
    clock.now += 5
    assert deadline.remaining() == 0


def test_success_returned() -> None:
    assert get(client_answering(status(200))).status_code == 200


def test_not_transient_status_returned_without_retry() -> None:
    calls = []
    client = client_answering(lambda request: calls.append(1) or httpx.Response(404))
    assert get(client).status_code == 404
    assert len(calls) == 1


def test_503_then_200_retried() -> None:
    assert get(client_answering(status(503), status(200))).status_code == 200


def test_connection_error_retried() -> None:
    client = client_answering(raising(httpx.ConnectError("refused")), status(200))
    assert get(client).status_code == 200


def test_connection_error_twice_raises() -> None:
    client = client_answering(raising(httpx.ConnectError("refused")))
    with pytest.raises(SourceUnavailable, match="unreachable: ConnectError"):
        get(client)


def test_timeout_not_retried() -> None:
    client = client_answering(raising(httpx.ReadTimeout("slow")), status(200))
    with pytest.raises(SourceUnavailable, match="timed out"):
        get(client)


def test_retry_after_too_long_not_waited() -> None:
    client = client_answering(status(429, **{"Retry-After": "30"}), status(200))
    with pytest.raises(SourceUnavailable, match="HTTP 429"):
        get(client, seconds=5)


def test_no_time_left_no_request() -> None:
    calls = []
    client = client_answering(lambda request: calls.append(1) or httpx.Response(200))
    with pytest.raises(SourceUnavailable, match="ran out of time"):
        get(client, seconds=0)
    assert calls == []


def test_custom_transient_predicate() -> None:
    client = client_answering(status(404), status(200))
    response = transport.get(
        client,
        "https://source.invalid/x",
        source="X",
        label="x",
        deadline=transport.Deadline.after(5),
        transient=lambda response: response.status_code == 404,
    )
    assert response.status_code == 200
