"""The Procfile's gunicorn set-up: threads, proxies, and two app servers sharing Redis."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from twilio.request_validator import RequestValidator

from phoneline.catalog import Content
from phoneline.redis_store import RedisStore
from phoneline.usage import read_counts, total
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, call_params, sms_params
from tests.rdw_server import Canned, RdwStandIn, recorded
from tests.redis_server import free_port
from tests.voice_helpers import topic_keys

ROOT = Path(__file__).resolve().parent.parent
VEHICLES = "m9d7-ebf2"
STARTUP_DEADLINE_SECONDS = 30


def procfile_command() -> str:
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("the Procfile has no web process")


@contextmanager
def app_server(tmp_path: Path, rdw: RdwStandIn, **extra: str) -> Iterator[str]:
    """Run the Procfile's web command on a free port; yield its base URL."""
    port = free_port()
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PHONELINE_", "TWILIO_", "REDIS_", "WEB_"))
    }
    environ |= {
        "PATH": f"{Path(sys.executable).parent}:{environ.get('PATH', '')}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PHONELINE_PUBLIC_URL": PUBLIC_URL,
        "PHONELINE_SECRET_KEY": "test-secret-key",
        "PHONELINE_DATA_DIR": str(tmp_path / f"data-{port}"),
        "PHONELINE_RDW_URL": rdw.url,
    } | extra
    log = (tmp_path / f"gunicorn-{port}.log").open("w")
    process = subprocess.Popen(
        ["bash", "-c", procfile_command()], env=environ, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, (tmp_path / f"gunicorn-{port}.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def signed_post(
    server: str, path: str, params: dict[str, str], public_url: str = PUBLIC_URL, **headers: str
) -> httpx.Response:
    """POST as Twilio would to `public_url + path`, delivered to `server`."""
    signature = RequestValidator(AUTH_TOKEN).compute_signature(public_url + path, params)
    return httpx.post(
        server + path,
        data=params,
        headers={"X-Twilio-Signature": signature} | headers,
        timeout=30,
    )


def twiml(response: httpx.Response) -> ElementTree.Element:
    assert response.status_code == 200, response.text
    return ElementTree.fromstring(response.content)


def said(root: ElementTree.Element) -> list[str]:
    return ["".join(say.itertext()) for say in root.iter("Say")]


def test_thread_serves_call_while_lookup_waits(tmp_path: Path, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", Canned(body=b"[]", delay=4.0))
    with app_server(tmp_path, rdw, PHONELINE_LOOKUP_DEADLINE="10") as server:
        slow: list[httpx.Response] = []
        lookup = threading.Thread(
            target=lambda: slow.append(signed_post(server, "/sms", sms_params("11-zkz-3")))
        )
        lookup.start()
        waited = time.monotonic() + 10
        while not rdw.requests and time.monotonic() < waited:
            time.sleep(0.02)
        assert rdw.requests, "the lookup never reached the RDW stand-in"

        call = signed_post(server, "/voice", call_params())

        assert call.status_code == 200
        assert lookup.is_alive(), "the call was answered only after the slow lookup"
        lookup.join(timeout=30)
        assert slow[0].status_code == 200


def test_signature_valid_behind_proxy(tmp_path: Path, rdw: RdwStandIn) -> None:
    # The proxy serves the line under /line and strips that prefix; Twilio signs
    # the public URL, which therefore includes it.
    public = PUBLIC_URL + "/line"
    forwarded = {
        "X-Forwarded-For": "203.0.113.5, 10.0.0.2",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "line.example.org",
    }
    with app_server(
        tmp_path, rdw, PHONELINE_PUBLIC_URL=public, PHONELINE_PROXY_HOPS="2"
    ) as server:
        root = twiml(signed_post(server, "/voice", call_params(), public_url=public, **forwarded))
        action = root.find("Gather").get("action", "")  # type: ignore[union-attr]
        assert action.startswith(public + "/voice/language")

        path = action.removeprefix(public)
        step = signed_post(server, path, call_params(Digits="2"), public_url=public, **forwarded)
        assert step.status_code == 200

        forged = signed_post(server, "/voice", call_params(), public_url=PUBLIC_URL, **forwarded)
        assert forged.status_code == 403


@pytest.fixture
def two_servers(
    tmp_path: Path, rdw: RdwStandIn, redis_url: str
) -> Iterator[tuple[str, str]]:
    limits = {"REDIS_URL": redis_url, "PHONELINE_LOOKUPS_PER_HOUR": "3"}
    with (
        app_server(tmp_path, rdw, **limits) as first,
        app_server(tmp_path, rdw, **limits) as second,
    ):
        yield first, second


def test_rate_limit_counts_across_servers(
    two_servers: tuple[str, str], rdw: RdwStandIn, content: Content
) -> None:
    first, second = two_servers
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    replies = []
    for server in (first, second, first, second, first):
        root = twiml(signed_post(server, "/sms", sms_params("11-zkz-3")))
        replies.append([message.text for message in root.iter("Message")])

    assert all("11-ZKZ-3" in texts[0] for texts in replies[:3])
    assert replies[3] == [content.catalog("en").text("sms.rate_limited.hour")]
    assert replies[4] == []


def test_call_state_shared_across_servers(
    two_servers: tuple[str, str], content: Content, redis_url: str
) -> None:
    first, second = two_servers
    notice = content.catalog("en").text("privacy.notice")
    params = call_params()

    # The load balancer sends each webhook of one call to either server.
    root = twiml(signed_post(first, "/voice", params))
    assert notice in said(root)
    ar_key = content.menu.choice_keys[content.menu.languages.index("ar")]
    path = root.find("Gather").get("action", "").removeprefix(PUBLIC_URL)  # type: ignore[union-attr]
    topics = twiml(signed_post(second, path, params | {"Digits": ar_key}))
    step = topics
    for number, key in enumerate(topic_keys(content, content.menu.topics[0].id)):
        server = first if number % 2 == 0 else second
        path = step.find("Gather").get("action", "").removeprefix(PUBLIC_URL)  # type: ignore[union-attr]
        step = twiml(signed_post(server, path, params | {"Digits": key}))
    path = step.find("Gather").get("action", "").removeprefix(PUBLIC_URL)  # type: ignore[union-attr]
    twiml(signed_post(second, path, params | {"Digits": "#"}))
    twiml(signed_post(first, "/voice/status", params | {"CallStatus": "completed"}))

    # The second server finds that this number has already heard the privacy
    # notice, and continues in the language the caller chose through the first.
    again = twiml(signed_post(second, "/voice", call_params(CallSid="CA" + "9" * 32)))
    assert notice not in said(again)
    assert content.catalog("ar").text("language.continuing") in said(again)

    store = RedisStore.connect(redis_url)
    counts = read_counts(store)
    store.close()
    topic = content.menu.topics[0].id
    assert total(counts, channel="voice", outcome="call") == 2
    assert total(counts, language="ar", outcome="language") == 1
    assert total(counts, language="ar", topic=topic, outcome="left_at_2") == 1


def test_stats_command_reads_redis(
    two_servers: tuple[str, str], redis_url: str, tmp_path: Path
) -> None:
    first, second = two_servers
    signed_post(first, "/voice", call_params())
    signed_post(second, "/voice", call_params(CallSid="CA" + "8" * 32))
    environ = {
        key: value for key, value in os.environ.items() if not key.startswith("PHONELINE_")
    } | {"REDIS_URL": redis_url, "PHONELINE_DATA_DIR": str(tmp_path / "cli")}
    result = subprocess.run(
        [sys.executable, "-m", "phoneline.cli", "stats", "--days", "1"],
        capture_output=True, text=True, env=environ, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if " call " in line)
    assert shlex.split(row)[-1] == "2"
