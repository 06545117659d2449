"""A real HTTP server on 127.0.0.1 that stands in for RDW open data.

It replays recorded responses and can be told to misbehave per plate, so the
tests exercise the real httpx client, sockets and timeouts.
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
    """One response: status, body bytes, content type and a delay in seconds."""

    status: int = 200
    body: bytes = b"[]"
    content_type: str = "application/json"
    delay: float = 0.0


def rows(*records: dict[str, str]) -> Canned:
    return Canned(body=json.dumps(list(records)).encode())


def recorded(dataset: str, plate: str) -> Canned:
    """Serve a recorded fixture, wrapping a single stored row in the array RDW sends."""
    data = json.loads((FIXTURES / "rdw" / f"{dataset}_{plate}.json").read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = [data]
    return Canned(body=json.dumps(data).encode())


@dataclass
class RdwStandIn:
    """Responses keyed by (dataset, plate); anything else is answered with `[]`."""

    responses: dict[tuple[str, str], Canned] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def set(self, dataset: str, plate: str, canned: Canned) -> None:
        self.responses[(dataset, plate)] = canned


def start(stand_in: RdwStandIn) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            dataset = parts.path.removeprefix("/resource/").removesuffix(".json")
            stand_in.requests.append((dataset, query, dict(self.headers)))

            plate = (query.get("kenteken") or [""])[0]
            canned = stand_in.responses.get((dataset, plate), Canned())
            if canned.delay:
                time.sleep(canned.delay)

            try:
                self.send_response(canned.status)
                self.send_header("Content-Type", canned.content_type)
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                self.wfile.write(canned.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up first, as a timeout test intends.

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
