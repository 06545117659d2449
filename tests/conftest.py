"""Shared fixtures: an app with test settings, a local RDW stand-in and signed requests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from phoneline import create_app
from phoneline.catalog import Content, load_content
from phoneline.config import Settings
from tests import source_server, twilio_server
from tests.gtts_server import GttsStandIn
from tests.gtts_server import start as start_gtts_server
from tests.rdw_server import RdwStandIn, start
from tests.redis_server import (  # noqa: F401  (fixtures)
    backend_store,
    redis_process,
    redis_server,
    redis_url,
)

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://line.example.org"
SLOW_TESTS_VARIABLE = "PHONELINE_SLOW_TESTS"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked `slow` unless PHONELINE_SLOW_TESTS=1, which `make test-long` sets."""
    if os.environ.get(SLOW_TESTS_VARIABLE) == "1":
        return
    skip = pytest.mark.skip(reason=f"long; run `make test-long` or set {SLOW_TESTS_VARIABLE}=1")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="session")
def rdw_server() -> Iterator[RdwStandIn]:
    stand_in = RdwStandIn()
    server = start(stand_in)
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def rdw(rdw_server: RdwStandIn) -> Iterator[RdwStandIn]:
    """The RDW stand-in, emptied of canned responses and recorded requests for each test."""
    rdw_server.reset()
    yield rdw_server
    rdw_server.reset()


@pytest.fixture(scope="session")
def sources_server() -> Iterator[source_server.SourceStandIn]:
    stand_in = source_server.SourceStandIn()
    server = source_server.start(stand_in)
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def sources(
    sources_server: source_server.SourceStandIn,
) -> Iterator[source_server.SourceStandIn]:
    """The KVK and CBS stand-in (paths /kvk/api, /kvk/hvds, /cbs), emptied for each test.

    Tests that do not ask for it can still reach it through the app settings, so
    it is emptied before the test as well as after.
    """
    sources_server.reset()
    yield sources_server
    sources_server.reset()


@pytest.fixture
def settings(
    tmp_path: Path, rdw_server: RdwStandIn, sources_server: source_server.SourceStandIn
) -> Settings:
    return Settings(
        twilio_auth_token=AUTH_TOKEN,
        public_url=PUBLIC_URL,
        secret_key="test-secret-key",
        data_dir=tmp_path,
        rdw_url=rdw_server.url,
        lookup_deadline=1.0,
        kvk_url=f"{sources_server.url}/kvk/api",
        kvk_open_data_url=f"{sources_server.url}/kvk/hvds",
        cbs_url=f"{sources_server.url}/cbs",
    )


@pytest.fixture
def twilio_api() -> Iterator[twilio_server.TwilioStandIn]:
    """A stand-in for the Twilio REST API, fresh for each test."""
    stand_in = twilio_server.TwilioStandIn()
    server = twilio_server.start(stand_in)
    yield stand_in
    server.shutdown()
    server.server_close()


class Clock:
    """A clock for `SqliteStore` and `LookupCache` that moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(settings: Settings, content: Content) -> Iterator[AppFactory]:
    """Build apps from the test settings and content (each overridable), closing them afterwards."""
    built: list[Flask] = []

    def build(settings: Settings = settings, content: Content = content) -> Flask:
        app = create_app(settings=settings, content=content)
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["phoneline"].http.close()
        app.extensions["phoneline"].store.close()


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Twilio:
    """Sends requests to the app signed the way Twilio signs them."""

    def __init__(self, client: FlaskClient, token: str = AUTH_TOKEN) -> None:
        self.client = client
        self.validator = RequestValidator(token)

    def post(self, path: str, params: dict[str, str] | None = None) -> TestResponse:
        """POST `params` as a form to `path` (which may carry a query string)."""
        params = params or {}
        signature = self.validator.compute_signature(PUBLIC_URL + path, params)
        return self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})

    def follow(self, url: str, params: dict[str, str] | None = None) -> TestResponse:
        """POST to an absolute action or redirect URL taken from TwiML."""
        assert url.startswith(PUBLIC_URL), url
        return self.post(url.removeprefix(PUBLIC_URL), params)


@pytest.fixture
def twilio(client: FlaskClient) -> Twilio:
    return Twilio(client)


def call_params(**extra: str) -> dict[str, str]:
    params = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": "CA" + "1" * 32,
        "From": "+31612345678",
        "To": "+31455000000",
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    return params | extra


def sms_params(body: str, **extra: str) -> dict[str, str]:
    params = {
        "AccountSid": "AC" + "0" * 32,
        "MessageSid": "SM" + "2" * 32,
        "From": "+31612345678",
        "To": "+31455000000",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    return params | extra


def parse_twiml(response: TestResponse) -> ElementTree.Element:
    """Parse a TwiML answer, checking it is XML with a <Response> root."""
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == "Response"
    return root


def sms_text(response: TestResponse) -> str:
    messages = parse_twiml(response).findall("Message")
    assert len(messages) == 1
    return messages[0].text or ""


@pytest.fixture(scope="session")
def gtts_server() -> Iterator[GttsStandIn]:
    stand_in = GttsStandIn()
    server = start_gtts_server(stand_in)
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def gtts(gtts_server: GttsStandIn) -> Iterator[GttsStandIn]:
    """The gTTS stand-in, reset to answering every request with audio after each test."""
    yield gtts_server
    gtts_server.requests.clear()
    gtts_server.statuses.clear()
    gtts_server.retry_after = None
    gtts_server.no_audio_for.clear()
