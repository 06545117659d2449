"""A real HTTP server on 127.0.0.1 that stands in for RDW open data.

It replays recorded responses and can be told to misbehave per plate, so the
tests exercise the real httpx client, sockets and timeouts. Several responses
for one request are served in turn (the last one repeats), which is how a test
makes the first attempt fail and the retry succeed.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Canned:
    """One response: status, body bytes, content type, extra headers and a delay in seconds."""

    status: int = 200
    body: bytes = b"[]"
    content_type: str = "application/json"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def rows(*records: dict[str, str]) -> Canned:
    return Canned(body=json.dumps(list(records)).encode())


def recorded(dataset: str, plate: str) -> Canned:
    """Serve a recorded fixture, wrapping a single stored row in the array RDW sends."""
    return stored(f"{dataset}_{plate}.json")


def stored(name: str) -> Canned:
    """Serve `tests/fixtures/rdw/<name>`, wrapping a single stored row in the array RDW sends."""
    data = json.loads((FIXTURES / "rdw" / name).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = [data]
    return Canned(body=json.dumps(data).encode())


def next_canned(queue: list[Canned]) -> Canned:
    """Take the next response of a queue; the last one stays and repeats."""
    return queue.pop(0) if len(queue) > 1 else queue[0]


def send_canned(handler: BaseHTTPRequestHandler, canned: Canned) -> None:
    """Write `canned` as the answer to the request `handler` is serving, after its delay."""
    if canned.delay:
        time.sleep(canned.delay)
    try:
        handler.send_response(canned.status)
        handler.send_header("Content-Type", canned.content_type)
        handler.send_header("Content-Length", str(len(canned.body)))
        for name, value in canned.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(canned.body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # The client gave up first, as a timeout test intends.


@dataclass
class RdwStandIn:
    """Responses keyed by (dataset, plate); anything else is answered with `[]`.

    `max_in_flight` is the most requests the server was answering at one time.
    """

    responses: dict[tuple[str, str], list[Canned]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    url: str = ""
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, dataset: str, plate: str, *canned: Canned) -> None:
        self.responses[(dataset, plate)] = list(canned)

    def reset(self) -> None:
        self.responses.clear()
        self.requests.clear()
        self.max_in_flight = 0


def start(stand_in: RdwStandIn) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            dataset = parts.path.removeprefix("/resource/").removesuffix(".json")
            stand_in.requests.append((dataset, query, dict(self.headers)))

            plate = (query.get("kenteken") or [""])[0]
            with stand_in.lock:
                queue = stand_in.responses.get((dataset, plate))
                canned = next_canned(queue) if queue else Canned()
                stand_in.in_flight += 1
                stand_in.max_in_flight = max(stand_in.max_in_flight, stand_in.in_flight)
            try:
                send_canned(self, canned)
            finally:
                with stand_in.lock:
                    stand_in.in_flight -= 1

        def log_message(self, format: str, *args: object) -> None:
            pass

    server, stand_in.url = serve(Handler)
    return server


def serve(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """Start a threaded server for `handler` on a free port of 127.0.0.1; return it and its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
