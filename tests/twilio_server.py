"""A real HTTP server on 127.0.0.1 that stands in for the Twilio REST API.

It records every request (method, path, form fields, auth header) and answers
with canned JSON, so the tests run the real twilio library against it. Phone
numbers in `numbers` can be listed and updated like IncomingPhoneNumbers.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

NUMBERS_LIST = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/IncomingPhoneNumbers\.json$")
NUMBER_ITEM = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/IncomingPhoneNumbers/(PN\w+)\.json$")


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
    numbers: dict[str, dict[str, object]] = field(default_factory=dict)

    def messages(self) -> list[dict[str, str]]:
        return [r.form for r in self.requests if r.path.endswith("/Messages.json")]

    def add_number(self, account_sid: str, phone_number: str, **fields: object) -> str:
        """Add an IncomingPhoneNumber with REST API (snake_case) fields; return its SID."""
        sid = f"PN{len(self.numbers):032d}"
        self.numbers[sid] = {
            "sid": sid,
            "account_sid": account_sid,
            "phone_number": phone_number,
            "voice_method": "POST",
            "sms_method": "POST",
            "voice_url": None,
            "sms_url": None,
        } | fields
        return sid

    def list_numbers(self, account_sid: str, query: dict[str, list[str]]) -> dict[str, object]:
        wanted = (query.get("PhoneNumber") or [None])[0]
        found = [
            number
            for number in self.numbers.values()
            if number["account_sid"] == account_sid
            and (wanted is None or number["phone_number"] == wanted)
        ]
        return {
            "incoming_phone_numbers": found,
            "page": 0,
            "page_size": 50,
            "start": 0,
            "end": len(found),
            "next_page_uri": None,
            "previous_page_uri": None,
            "first_page_uri": None,
            "uri": f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers.json",
        }

    def update_number(self, sid: str, form: dict[str, str]) -> dict[str, object] | None:
        number = self.numbers.get(sid)
        if number is not None:
            number.update({_snake_case(name): value for name, value in form.items()})
        return number


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


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
            item = NUMBER_ITEM.match(recorded.path)
            if item:
                updated = stand_in.update_number(item.group(2), recorded.form)
                if updated is None:
                    self._send(404, {"code": 20404, "message": "not found", "status": 404})
                else:
                    self._send(200, updated)
                return
            resource = stand_in.resources.setdefault(recorded.path, {})
            resource.update(recorded.form)
            self._send(200, resource)

        def do_GET(self) -> None:
            recorded = self._record()
            parts = urlsplit(recorded.path)
            listing = NUMBERS_LIST.match(parts.path)
            if listing:
                self._send(200, stand_in.list_numbers(listing.group(1), parse_qs(parts.query)))
                return
            self._send(200, stand_in.resources.get(parts.path, {}))

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
