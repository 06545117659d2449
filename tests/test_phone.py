"""The terminal phone and `phoneline sms`, end to end against a real server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask

from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.operator_cli import serving
from phoneline.phone import Keypad, PhoneError, TerminalPhone
from phoneline.usage import read_counts, total
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, AppFactory
from tests.rdw_server import RdwStandIn, recorded
from tests.redis_server import free_port
from tests.source_server import SourceStandIn, fixture
from tests.voice_helpers import topic_keys

VEHICLES = "m9d7-ebf2"


def phone_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of an operator's shell with the same settings as the service."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PHONELINE_", "TWILIO_", "REDIS_")) and key != "PORT"
    }
    return environ | {
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PHONELINE_PUBLIC_URL": PUBLIC_URL,
        "PHONELINE_DATA_DIR": str(tmp_path / "phone"),
        "PHONELINE_SECRET_KEY": "test-secret-key",
    } | extra


def run_cli(
    args: list[str], environ: dict[str, str], keys: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "phoneline.cli", *args],
        input=keys,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


def test_call_completes_arabic_guide(
    app: Flask, live: str, content: Content, tmp_path: Path
) -> None:
    arabic = content.catalog("ar")
    topic = content.menu.topics[0]
    ar_key = content.menu.choice_keys[content.menu.languages.index("ar")]
    # Arabic, the first topic, then "next" through every step; after the guide
    # the topic menu hears silence twice, and the line says goodbye.
    opening = "".join(f"{key}\n" for key in topic_keys(content, topic.id))
    keys = f"{ar_key}\n{opening}" + "#\n" * len(topic.steps) + "\n\n"

    result = run_cli(["call", "--url", live, "--no-audio"], phone_env(tmp_path), keys)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    for step in topic.steps:
        assert arabic.text(step.key) in out, step.key
    assert arabic.text("guide.end") in out
    assert arabic.text("goodbye") in out
    assert out.rstrip().endswith("(call ended)")
    assert "[arb]" in out

    counts = read_counts(app.extensions["phoneline"].store)
    assert total(counts, language="ar", topic=topic.id, outcome="completed") == 1
    assert app.extensions["phoneline"].store.items("call:") == []


def test_sms_prints_reply(live: str, rdw: RdwStandIn, tmp_path: Path) -> None:
    rdw.set(VEHICLES, "AB123C", recorded(VEHICLES, "11ZKZ3"))
    result = run_cli(["sms", "ab-123-c", "--url", live], phone_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "AB-123-C: SKODA CITIGO" in result.stdout
    assert "RDW: https://ovi.rdw.nl/" in result.stdout


def test_sms_starts_service_when_none(rdw: RdwStandIn, tmp_path: Path) -> None:
    rdw.set(VEHICLES, "AB123C", recorded(VEHICLES, "11ZKZ3"))
    port = free_port()
    environ = phone_env(
        tmp_path,
        PORT=str(port),
        PHONELINE_PUBLIC_URL=f"http://127.0.0.1:{port}",
        PHONELINE_RDW_URL=rdw.url,
    )
    environ.pop("TWILIO_AUTH_TOKEN")  # a local trial: the token is generated in the data folder
    result = run_cli(["sms", "ab-123-c", "--from", "+31687654321"], environ)
    assert result.returncode == 0, result.stderr
    assert "starting one in this process" in result.stderr
    assert "AB-123-C: SKODA CITIGO" in result.stdout


def test_wrong_token_explained(live: str, tmp_path: Path) -> None:
    result = run_cli(["sms", "hello", "--url", live], phone_env(tmp_path, TWILIO_AUTH_TOKEN="x"))
    assert result.returncode == 1
    assert "HTTP 403" in result.stderr
    assert "TWILIO_AUTH_TOKEN" in result.stderr


def test_unreachable_remote_service(tmp_path: Path) -> None:
    result = run_cli(["sms", "hello", "--url", "https://line.example.org"], phone_env(tmp_path))
    assert result.returncode == 1
    assert "no phoneline service responds" in result.stderr


# The keypad and the TwiML verbs, against canned TwiML served through httpx.


def keypad(text: str) -> Keypad:
    return Keypad(io.StringIO(text), io.StringIO())


def test_keypad_typed_ahead_kept() -> None:
    pad = keypad("3 1#\n")
    assert pad.read(1, "") == "3"
    assert pad.read(1, "") == "1"
    assert pad.read(1, "") == "#"
    assert pad.read(1, "") is None


def test_keypad_empty_line_is_silence() -> None:
    pad = keypad("\n5\n")
    assert pad.read(1, "") == ""
    assert pad.read(1, "") == "5"


def test_keypad_finish_key_ends_entry() -> None:
    pad = keypad("1234#9\n")
    assert pad.read(None, "#") == "1234"
    assert pad.read(None, "#") == "9"


def test_keypad_ignores_other_characters() -> None:
    out = io.StringIO()
    pad = Keypad(io.StringIO("x7y\n"), out)
    assert pad.read(1, "") == "7"
    assert "ignored 'xy'" in out.getvalue()


class CannedLine:
    """Answers each path with canned TwiML and records what was posted."""

    def __init__(self, documents: dict[str, str]) -> None:
        self.documents = documents
        self.posted: list[tuple[str, dict[str, str]]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        query = request.url.query.decode()
        self.posted.append((request.url.path + (f"?{query}" if query else ""), form))
        if request.method == "GET":
            return httpx.Response(200, content=b"ID3audio", headers={"Content-Type": "audio/mpeg"})
        body = self.documents.get(request.url.path, "<Response/>")
        return httpx.Response(200, text=body, headers={"Content-Type": "text/xml"})


def canned_phone(line: CannedLine) -> tuple[TerminalPhone, io.StringIO]:
    out = io.StringIO()
    phone = TerminalPhone(
        public_url=PUBLIC_URL,
        server_url="http://127.0.0.1:1",
        auth_token=AUTH_TOKEN,
        out=out,
        http=httpx.Client(transport=httpx.MockTransport(line.handle)),
        play_audio=False,
    )
    return phone, out


def test_verbs_followed_in_order() -> None:
    line = CannedLine(
        {
            "/voice": (
                '<Response><Say language="en-GB">Hello</Say><Pause length="2"/>'
                "<Play>/audio/en/welcome.mp3</Play>"
                '<Gather numDigits="1" action="/voice/next" actionOnEmptyResult="true">'
                "<Say>Press a key</Say></Gather><Say>never</Say></Response>"
            ),
            "/voice/next": f"<Response><Redirect>{PUBLIC_URL}/voice/last</Redirect></Response>",
            "/voice/last": (
                "<Response><Dial>+31</Dial><Say>Bye</Say><Hangup/><Say>x</Say></Response>"
            ),
        }
    )
    phone, out = canned_phone(line)

    requests = phone.call(keypad("\n"), caller="+31612345678")

    text = out.getvalue()
    assert requests == 3
    assert "[en-GB] Hello" in text
    assert "(pause 2 s)" in text
    assert f"[audio] {PUBLIC_URL}/audio/en/welcome.mp3" in text
    assert "never" not in text
    assert "(skipped <Dial>" in text
    assert "Bye" in text
    assert "x\n" not in text
    paths = [path for path, _ in line.posted]
    assert paths == ["/voice", "/voice/next", "/voice/last", "/voice/status"]
    assert "Digits" not in line.posted[1][1]
    assert line.posted[3][1]["CallStatus"] == "completed"


def test_digits_sent_to_action() -> None:
    line = CannedLine(
        {"/voice": '<Response><Gather numDigits="1" action="/voice/pick?page=1"/></Response>'}
    )
    phone, _ = canned_phone(line)
    phone.call(keypad("4\n"), caller="+31612345678")
    assert line.posted[1][0] == "/voice/pick?page=1"
    assert line.posted[1][1]["Digits"] == "4"


def test_silence_without_redirect_ends_call() -> None:
    gather = '<Response><Gather numDigits="1" action="/voice/pick"/></Response>'
    line = CannedLine({"/voice": gather})
    phone, out = canned_phone(line)
    assert phone.call(keypad("\n"), caller="+31612345678") == 1
    assert "(call ended)" in out.getvalue()


def test_foreign_url_refused() -> None:
    line = CannedLine({"/voice": "<Response><Redirect>https://elsewhere.example/x</Redirect></Response>"})
    phone, _ = canned_phone(line)
    with pytest.raises(PhoneError, match="outside the service's public URL"):
        phone.call(keypad(""), caller="+31612345678")


def test_endless_redirects_stopped() -> None:
    line = CannedLine({"/voice": "<Response><Redirect>/voice</Redirect></Response>"})
    phone, out = canned_phone(line)
    assert phone.call(keypad(""), caller="+31612345678") == 500
    assert "(call stopped after 500 requests)" in out.getvalue()


def test_html_answer_is_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html><body>oops</body></html>")

    out = io.StringIO()
    phone = TerminalPhone(PUBLIC_URL, "http://127.0.0.1:1", AUTH_TOKEN, out,
                          httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(PhoneError, match="<html> instead of <Response>"):
        phone.text("hi", sender="+31612345678")


def test_audio_played_with_installed_player(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in "mpg123" on PATH that keeps a copy of the file it is asked to play.
    copy = tmp_path / "played.mp3"
    player = tmp_path / "bin" / "mpg123"
    player.parent.mkdir()
    player.write_text(f'#!/bin/sh\n/bin/cp "$2" {copy}\n', encoding="utf-8")
    player.chmod(0o755)
    monkeypatch.setenv("PATH", str(player.parent))

    line = CannedLine({"/voice": "<Response><Play>/audio/ar/welcome.mp3</Play></Response>"})
    phone, out = canned_phone(line)
    phone.play_audio = True
    phone.call(keypad(""), caller="+31612345678")

    assert copy.read_bytes() == b"ID3audio"
    assert ("/audio/ar/welcome.mp3", {}) in line.posted
    assert f"[audio] {PUBLIC_URL}/audio/ar/welcome.mp3" in out.getvalue()


def test_call_checks_employer_by_keys(
    make_app: AppFactory,
    settings: Settings,
    content: Content,
    sources: SourceStandIn,
    tmp_path: Path,
) -> None:
    sources.add(
        "/kvk/api/v1/basisprofielen/69599084",
        fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"),
    )
    app = make_app(settings=dataclasses.replace(settings, kvk_api_key="test-key"))
    arabic = content.catalog("ar")
    ar_key = content.menu.choice_keys[content.menu.languages.index("ar")]
    opening = "".join(f"{key}\n" for key in topic_keys(content, "check_employer"))
    # Arabic, the employer topic, the KVK number, back to the topics, then silence twice.
    keys = f"{ar_key}\n{opening}69599084\n{content.menu.nav_keys['topics']}\n\n\n"

    with serving(app) as url:
        result = run_cli(["call", "--url", url, "--no-audio"], phone_env(tmp_path), keys)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert arabic.text("employer.ask_number") in out
    assert arabic.text("employer.result.name") in out
    assert "Test EMZ Dagobert" in out
    assert arabic.text("goodbye") in out
    assert out.rstrip().endswith("(call ended)")
