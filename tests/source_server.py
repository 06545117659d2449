"""A real HTTP server on 127.0.0.1 that stands in for the KVK APIs and CBS OData.

Responses are routed by path and, optionally, by query parameters; a request
that matches no route gets 404 with a KVK-style error body. Like the RDW
stand-in, several responses for one route are served in turn.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.rdw_server import FIXTURES, Canned, next_canned, send_canned, serve

NO_ROUTE = Canned(
    status=404,
    body=b'{"fout":[{"code":"IPD0001","omschrijving":"stand-in has no route"}]}',
)


def fixture(source: str, name: str, status: int = 200) -> Canned:
    """Serve `tests/fixtures/<source>/<name>` as it is stored."""
    return Canned(status=status, body=(FIXTURES / source / name).read_bytes())


def json_body(data: object, status: int = 200) -> Canned:
    return Canned(status=status, body=json.dumps(data).encode())


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Route:
    path: str
    query: dict[str, str]
    responses: list[Canned]


@dataclass
class SourceStandIn:
    routes: list[Route] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, *canned: Canned, **query: str) -> None:
        """Answer GET `path` (with at least the given query parameters) with `canned` in turn."""
        self.routes.insert(0, Route(path, query, list(canned)))

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()


def start(stand_in: SourceStandIn) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(parts.query).items()}
            with stand_in.lock:
                stand_in.requests.append(Request(parts.path, query, dict(self.headers)))
                route = next(
                    (
                        route
                        for route in stand_in.routes
                        if route.path == parts.path
                        and all(query.get(name) == value for name, value in route.query.items())
                    ),
                    None,
                )
                canned = next_canned(route.responses) if route else NO_ROUTE
            send_canned(self, canned)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server, stand_in.url = serve(Handler)
    return server
