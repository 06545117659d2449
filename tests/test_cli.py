"""The `phoneline` command line."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from phoneline.cli import main
from phoneline.privacy import number_key
from phoneline.state import SqliteStore
from tests.conftest import AUTH_TOKEN, PUBLIC_URL


def test_sign_prints_valid_curl(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("PHONELINE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("PHONELINE_DATA_DIR", str(tmp_path))

    assert main(["sign", "/sms", "Body=rdw 11-zkz-3", "From=+31600000000"]) == 0

    words = shlex.split(capsys.readouterr().out)
    assert words[:5] == ["curl", "-sS", "-X", "POST", PUBLIC_URL + "/sms"]
    signature = words[words.index("-H") + 1].removeprefix("X-Twilio-Signature: ")
    params = {"Body": "rdw 11-zkz-3", "From": "+31600000000"}
    assert RequestValidator(AUTH_TOKEN).validate(PUBLIC_URL + "/sms", params, signature)


def test_sign_adds_slash_and_encodes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("PHONELINE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("PHONELINE_DATA_DIR", str(tmp_path))

    assert main(["sign", "voice/é"]) == 0

    words = shlex.split(capsys.readouterr().out)
    assert words[4] == PUBLIC_URL + "/voice/%C3%A9"


def test_sign_rejects_malformed_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sign", "/sms", "Body"]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err


def test_production_setting_error_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PHONELINE_ENV", "production")
    monkeypatch.setenv("PHONELINE_SECRET_KEY", "secret")
    monkeypatch.setenv("PHONELINE_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    assert main(["sign", "/voice"]) == 2
    assert "TWILIO_AUTH_TOKEN is missing" in capsys.readouterr().err


def test_forget_deletes_linked_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("PHONELINE_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("PHONELINE_DATA_DIR", str(tmp_path))
    store = SqliteStore(tmp_path / "state.sqlite3")
    key = number_key("test-secret-key", "+31612345678")
    store.set(f"lang:{key}", "ar", subject=key)
    store.close()

    assert main(["forget", "+31612345678"]) == 0

    out = capsys.readouterr().out
    assert "Deleted 1 stored values" in out
    assert "612345678" not in out


def test_forget_rejects_non_number(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("PHONELINE_DATA_DIR", str(tmp_path))
    assert main(["forget", "garbage"]) == 2
    assert "not a valid phone number" in capsys.readouterr().err
