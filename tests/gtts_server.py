"""A real HTTP server on 127.0.0.1 that stands in for Google Translate's speech endpoint.

It reads the request bodies gTTS packs (`f.req=<JSON>`), records the text,
language and speed of each, and answers in the batchexecute layout with
"audio" that spells out what was asked: `audio:<lang>:<slow>:<text>|`. Tests
can queue HTTP statuses to answer with, and texts to answer without audio.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from phoneline.audio.engines import GTTS_PATH


@dataclass(frozen=True)
class SpeechRequest:
    path: str
    text: str
    lang: str
    slow: bool
    user_agent: str


@dataclass
class GttsStandIn:
    requests: list[SpeechRequest] = field(default_factory=list)
    statuses: deque[int] = field(default_factory=deque)
    retry_after: str | None = None
    no_audio_for: set[str] = field(default_factory=set)
    url: str = ""

    def texts(self) -> list[str]:
        return [request.text for request in self.requests]


def fake_audio(text: str, lang: str, slow: bool) -> bytes:
    return f"audio:{lang}:{slow}:{text}|".encode()


def batchexecute_body(audio: bytes | None) -> str:
    payload = None if audio is None else json.dumps([base64.b64encode(audio).decode()])
    first = json.dumps([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"], ["di", 31]])
    second = json.dumps([["e", 4, None, None, len(first)]])
    return f")]}}'\n\n{len(first)}\n{first}\n{len(second)}\n{second}\n"


def start(stand_in: GttsStandIn) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != GTTS_PATH:
                self._send(404, "not found")
                return
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            rpc = json.loads(form["f.req"][0])
            text, lang, speed, _ = json.loads(rpc[0][0][1])
            slow = speed is True
            stand_in.requests.append(
                SpeechRequest(self.path, text, lang, slow, self.headers.get("User-Agent", ""))
            )

            status = stand_in.statuses.popleft() if stand_in.statuses else 200
            if status != 200:
                self._send(status, "error", retry_after=stand_in.retry_after)
                return
            silent = any(marker in text for marker in stand_in.no_audio_for)
            self._send(200, batchexecute_body(None if silent else fake_audio(text, lang, slow)))

        def _send(self, status: int, body: str, retry_after: str | None = None) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            if status == 302:
                self.send_header("Location", "https://www.google.com/sorry/index")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
