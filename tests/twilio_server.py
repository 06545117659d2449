"""A real HTTP server on 127.0.0.1 that stands in for the Twilio REST API.

It records every request (method, path, form fields, auth header) and answers
with canned JSON, so the tests run the real twilio library against it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    authorization: str


@dataclass
class TwilioStandIn:
    """Answers message creation with 201 unless `fail_with` holds (status, Twilio error code)."""

    requests: list[Recorded] = field(default_factory=list)
    fail_with: tuple[int, int] | None = None
    url: str = ""
    resources: dict[str, dict[str, object]] = field(default_factory=dict)

    def messages(self) -> list[dict[str, str]]:
        return [r.form for r in self.requests if r.path.endswith("/Messages.json")]


def start(stand_in: TwilioStandIn) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> Recorded:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            form = {name: values[0] for name, values in parse_qs(raw).items()}
            recorded = Recorded(
                self.command, self.path, form, self.headers.get("Authorization", "")
            )
            stand_in.requests.append(recorded)
            return recorded

        def _send(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            recorded = self._record()
            if stand_in.fail_with is not None:
                status, code = stand_in.fail_with
                self._send(status, {"code": code, "message": "rejected", "status": status})
                return
            if recorded.path.endswith("/Messages.json"):
                number = len(stand_in.messages())
                self._send(201, {"sid": f"SM{number:032d}", "status": "queued", **recorded.form})
                return
            resource = stand_in.resources.setdefault(recorded.path, {})
            resource.update(recorded.form)
            self._send(200, resource)

        def do_GET(self) -> None:
            recorded = self._record()
            self._send(200, stand_in.resources.get(recorded.path.split("?")[0], {}))

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
