"""Deadlines bound whole answers, even from a server that sends its body a byte at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from twilio.rest import Client

from phoneline.lookups import cbs, rdw, transport
from phoneline.lookups.errors import SourceUnavailable
from phoneline.twilio_rest import SendFailed, SmsSender

BODY = b'[{"kenteken": "AB123C"}]' * 4


@pytest.fixture
def dripping() -> Iterator[str]:
    """A server that answers at once with headers, then one body byte every 0.2 s."""

    class Handler(BaseHTTPRequestHandler):
        def _drip(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            try:
                for byte in BODY:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = _drip
        do_POST = _drip

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_dripping_body_times_out(dripping: str) -> None:
    with httpx.Client() as http:
        started = time.monotonic()
        with pytest.raises(SourceUnavailable, match="timed out"):
            transport.get(
                http,
                dripping + "/resource/m9d7-ebf2.json",
                source="RDW",
                label="m9d7-ebf2",
                deadline=transport.Deadline.after(1.0),
            )
        elapsed = time.monotonic() - started
    assert elapsed < 1.5


def test_dripping_twilio_send_fails_in_time(dripping: str) -> None:
    client = Client("AC" + "a" * 32, "token")
    client.api.base_url = dripping
    sender = SmsSender(client=client, from_number="+3197010000001", messaging_service_sid=None)

    started = time.monotonic()
    with pytest.raises(SendFailed, match="did not answer within"):
        sender.send("+31612345678", "Hallo", timeout=1.0)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("value", [-5, "-5", float("inf"), "1e400", "nan", 1e308 * 10])
def test_cbs_rejects_impossible_figures(value: object) -> None:
    assert cbs._number(value) is None


@pytest.mark.parametrize("value", [0, 100, 49.5])
def test_cbs_keeps_plain_figures(value: float) -> None:
    assert cbs._number(value) == value


def test_cbs_share_over_100_dropped() -> None:
    assert cbs._share(250) is None
    assert cbs._share(49.5) == 49.5


@pytest.mark.parametrize("value", ["-5", "0", "inf", "nan", "abc"])
def test_rdw_price_unknown(value: str) -> None:
    assert rdw._euros(value) is None


def test_rdw_price_read() -> None:
    assert rdw._euros("10697") == 10697
