"""A real HTTP server on 127.0.0.1 that stands in for RDW, KVK and CBS and misbehaves on purpose.

One server answers every source under its own path prefix (`/rdw`, `/kvk/api`,
`/kvk/hvds`, `/cbs`), so one test can let a single request of a lookup fail
while the others succeed. Each path (query string ignored) gets a `Canned`
response, which covers slow answers, error statuses and odd bodies, or
`RESET`: the server starts a response and then aborts the connection, so the
client reads a TCP reset in the middle of the body. A path without an answer
gets 404 with a KVK-style error body.
"""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.rdw_server import Canned, send_canned, serve
from tests.source_server import NO_ROUTE


@dataclass(frozen=True)
class Reset:
    """Send the status line, the headers and the start of a body, then abort the connection."""

    start: bytes = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: 4000\r\n\r\n"
        b'[{"kenteken": "'
    )


RESET = Reset()
Answer = Canned | Reset


@dataclass
class FaultStandIn:
    answers: dict[str, Answer] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, answer: Answer) -> None:
        """Answer every GET of `path` (any query string) with `answer`."""
        with self.lock:
            self.answers[path] = answer

    def reset(self) -> None:
        with self.lock:
            self.answers.clear()
            self.paths.clear()


def abort(handler: BaseHTTPRequestHandler, start: bytes) -> None:
    """Write `start` and close the socket with SO_LINGER 0, which sends a TCP reset."""
    handler.wfile.write(start)
    handler.wfile.flush()
    connection: socket.socket = handler.connection
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # Close the buffered reader first: it holds a reference to the socket, and
    # while one exists, close() leaves the socket open.
    handler.rfile.close()
    connection.close()
    handler.close_connection = True


def start(stand_in: FaultStandIn) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            with stand_in.lock:
                stand_in.paths.append(path)
                answer = stand_in.answers.get(path, NO_ROUTE)
            if isinstance(answer, Reset):
                abort(self, answer.start)
            else:
                send_canned(self, answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server, stand_in.url = serve(Handler)
    return server
