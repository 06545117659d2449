"""`phoneline twilio configure` against a local stand-in for the Twilio REST API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from phoneline.cli import main
from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.twilio_server import TwilioStandIn, start

ACCOUNT_SID = "AC" + "c" * 32
NUMBER = "+3197010000001"
WANTED = {
    "voice_url": f"{PUBLIC_URL}/voice",
    "voice_method": "POST",
    "voice_fallback_url": f"{PUBLIC_URL}/voice/fallback",
    "voice_fallback_method": "POST",
    "status_callback": f"{PUBLIC_URL}/voice/status",
    "status_callback_method": "POST",
    "sms_url": f"{PUBLIC_URL}/sms",
    "sms_method": "POST",
    "sms_fallback_url": f"{PUBLIC_URL}/sms/fallback",
    "sms_fallback_method": "POST",
}


@pytest.fixture
def twilio_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn()
    server = start(stand_in)
    for name in ("PHONELINE_SMS_FROM", "PHONELINE_MESSAGING_SERVICE_SID", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("PHONELINE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("PHONELINE_TWILIO_API_URL", stand_in.url)
    monkeypatch.setenv("PHONELINE_DATA_DIR", str(tmp_path))
    yield stand_in
    server.shutdown()
    server.server_close()


def posts(stand_in: TwilioStandIn) -> list[dict[str, str]]:
    return [r.form for r in stand_in.requests if r.method == "POST"]


def test_configure_sets_every_url(
    twilio_api: TwilioStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = twilio_api.add_number(ACCOUNT_SID, NUMBER, voice_url="https://old.example/voice")

    assert main(["twilio", "configure", "--number", NUMBER]) == 0

    number = twilio_api.numbers[sid]
    for field, value in WANTED.items():
        assert number[field] == value, field
    out = capsys.readouterr().out
    assert "voice_url: https://old.example/voice -> https://line.example.org/voice" in out
    assert "Updated 8 settings" in out
    # The methods that were already POST are not sent again.
    assert "VoiceMethod" not in posts(twilio_api)[0]
    assert posts(twilio_api)[0]["StatusCallback"] == f"{PUBLIC_URL}/voice/status"


def test_configure_accepts_national_form(twilio_api: TwilioStandIn) -> None:
    sid = twilio_api.add_number(ACCOUNT_SID, NUMBER)
    assert main(["twilio", "configure", "--number", "097010000001"]) == 0
    assert twilio_api.numbers[sid]["sms_url"] == f"{PUBLIC_URL}/sms"


def test_dry_run_changes_nothing(
    twilio_api: TwilioStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    sid = twilio_api.add_number(ACCOUNT_SID, NUMBER)

    assert main(["twilio", "configure", "--number", NUMBER, "--dry-run"]) == 0

    assert posts(twilio_api) == []
    assert twilio_api.numbers[sid]["voice_url"] is None
    out = capsys.readouterr().out
    assert "sms_url: (none) -> https://line.example.org/sms" in out
    assert "Dry run: 8 settings" in out


def test_second_run_changes_nothing(
    twilio_api: TwilioStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    twilio_api.add_number(ACCOUNT_SID, NUMBER)
    assert main(["twilio", "configure", "--number", NUMBER]) == 0
    capsys.readouterr()

    assert main(["twilio", "configure", "--number", NUMBER]) == 0

    assert len(posts(twilio_api)) == 1
    assert "already points at https://line.example.org" in capsys.readouterr().out


def test_other_numbers_untouched(twilio_api: TwilioStandIn) -> None:
    other = twilio_api.add_number(ACCOUNT_SID, "+3197010000002")
    twilio_api.add_number(ACCOUNT_SID, NUMBER)
    assert main(["twilio", "configure", "--number", NUMBER]) == 0
    assert twilio_api.numbers[other]["voice_url"] is None


def test_unknown_number_reported(
    twilio_api: TwilioStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    twilio_api.add_number("AC" + "d" * 32, NUMBER)  # another account's number
    assert main(["twilio", "configure", "--number", NUMBER]) == 1
    assert f"the account has no phone number {NUMBER}" in capsys.readouterr().err


def test_rejected_update_reported(
    twilio_api: TwilioStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    twilio_api.add_number(ACCOUNT_SID, NUMBER)
    twilio_api.fail_with = (401, 20003)
    assert main(["twilio", "configure", "--number", NUMBER]) == 1
    err = capsys.readouterr().err
    assert "HTTP 401" in err
    assert "20003" in err


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TWILIO_ACCOUNT_SID", None, "TWILIO_ACCOUNT_SID is missing"),
        ("TWILIO_AUTH_TOKEN", None, "TWILIO_AUTH_TOKEN is missing"),
        ("PHONELINE_PUBLIC_URL", "http://127.0.0.1:5000", "Twilio cannot reach"),
    ],
)
def test_settings_checked_first(
    twilio_api: TwilioStandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    name: str,
    value: str | None,
    message: str,
) -> None:
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    assert main(["twilio", "configure", "--number", NUMBER]) == 2
    assert message in capsys.readouterr().err
    assert twilio_api.requests == []
