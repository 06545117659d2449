"""Settings are read once, validated, and name the variable that is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from phoneline.config import Settings, SettingsError

PRODUCTION = {
    "PHONELINE_ENV": "production",
    "TWILIO_AUTH_TOKEN": "token",
    "PHONELINE_SECRET_KEY": "secret",
    "PHONELINE_PUBLIC_URL": "https://line.example.org/",
}


def test_production_settings_read(tmp_path: Path) -> None:
    settings = Settings.from_env(PRODUCTION, tmp_path)
    assert settings.production
    assert settings.public_url == "https://line.example.org"
    assert settings.rdw_url == "https://opendata.rdw.nl"
    assert settings.rdw_app_token is None
    assert not settings.trial_token


@pytest.mark.parametrize(
    "name", ["TWILIO_AUTH_TOKEN", "PHONELINE_SECRET_KEY", "PHONELINE_PUBLIC_URL"]
)
def test_production_missing_variable_named(tmp_path: Path, name: str) -> None:
    environ = {key: value for key, value in PRODUCTION.items() if key != name}
    with pytest.raises(SettingsError, match=f"^{name} is missing"):
        Settings.from_env(environ, tmp_path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PHONELINE_PUBLIC_URL", "http://line.example.org"),
        ("PHONELINE_PUBLIC_URL", "https://line.example.org/?a=1"),
        ("PHONELINE_RDW_URL", "ftp://rdw"),
        ("PHONELINE_LOOKUP_DEADLINE", "soon"),
        ("PHONELINE_LOOKUP_DEADLINE", "20"),
        ("PHONELINE_ENV", "staging"),
    ],
)
def test_invalid_value_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} is"):
        Settings.from_env(PRODUCTION | {name: value}, tmp_path)


def test_trial_creates_token_once(tmp_path: Path) -> None:
    first = Settings.from_env({}, tmp_path)
    second = Settings.from_env({}, tmp_path)

    assert first.trial_token
    assert first.twilio_auth_token == second.twilio_auth_token
    assert len(first.twilio_auth_token) == 64
    assert first.secret_key == second.secret_key
    assert first.public_url == "http://127.0.0.1:5000"
    token_file = tmp_path / "dev-twilio-auth-token"
    assert token_file.stat().st_mode & 0o777 == 0o600


def test_trial_accepts_local_http(tmp_path: Path) -> None:
    settings = Settings.from_env({"PHONELINE_PUBLIC_URL": "http://127.0.0.1:8080"}, tmp_path)
    assert settings.public_url == "http://127.0.0.1:8080"


def test_app_token_read(tmp_path: Path) -> None:
    settings = Settings.from_env(PRODUCTION | {"PHONELINE_RDW_APP_TOKEN": "abc"}, tmp_path)
    assert settings.rdw_app_token == "abc"


def test_rest_sender_read(tmp_path: Path) -> None:
    settings = Settings.from_env(
        PRODUCTION
        | {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "PHONELINE_SMS_FROM": "+3197010000001"},
        tmp_path,
    )
    assert settings.twilio_account_sid == "AC" + "1" * 32
    assert settings.sms_from == "+3197010000001"


def test_rest_sender_needs_from(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^PHONELINE_SMS_FROM is missing"):
        Settings.from_env(PRODUCTION | {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32}, tmp_path)


def test_invalid_account_sid_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^TWILIO_ACCOUNT_SID is"):
        Settings.from_env(
            PRODUCTION | {"TWILIO_ACCOUNT_SID": "12", "PHONELINE_SMS_FROM": "+31"}, tmp_path
        )


def test_production_all_missing_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"PHONELINE_ENV": "production"}, tmp_path)
    message = str(raised.value)
    assert "TWILIO_AUTH_TOKEN" in message
    assert "PHONELINE_SECRET_KEY" in message
    assert "PHONELINE_PUBLIC_URL" in message


def test_invalid_port_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^PORT is 'abc'"):
        Settings.from_env({"PORT": "abc"}, tmp_path)


def test_lookup_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env(PRODUCTION, tmp_path)
    assert settings.kvk_api_key is None
    assert settings.kvk_url == "https://api.kvk.nl/api"
    assert settings.kvk_open_data_url == "https://opendata.kvk.nl/api/v1/hvds"
    assert settings.cbs_url == "https://opendata.cbs.nl/ODataApi/odata"
    assert settings.cache_found_ttl == 12 * 3600
    assert settings.cache_not_found_ttl == 10 * 60


def test_lookup_settings_read(tmp_path: Path) -> None:
    settings = Settings.from_env(
        PRODUCTION
        | {
            "PHONELINE_KVK_API_KEY": " l7xx-test ",
            "PHONELINE_KVK_URL": "https://api.kvk.nl/test/api/",
            "PHONELINE_KVK_OPEN_DATA_URL": "http://127.0.0.1:9000/hvds",
            "PHONELINE_CBS_URL": "http://127.0.0.1:9000/cbs",
            "PHONELINE_CACHE_FOUND_HOURS": "1.5",
            "PHONELINE_CACHE_NOT_FOUND_MINUTES": "2",
        },
        tmp_path,
    )
    assert settings.kvk_api_key == "l7xx-test"
    assert settings.kvk_url == "https://api.kvk.nl/test/api"
    assert settings.kvk_open_data_url == "http://127.0.0.1:9000/hvds"
    assert settings.cbs_url == "http://127.0.0.1:9000/cbs"
    assert settings.cache_found_ttl == 5400
    assert settings.cache_not_found_ttl == 120


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PHONELINE_KVK_URL", "api.kvk.nl"),
        ("PHONELINE_KVK_OPEN_DATA_URL", "file:///tmp/x"),
        ("PHONELINE_CBS_URL", "opendata.cbs.nl"),
        ("PHONELINE_CACHE_FOUND_HOURS", "0"),
        ("PHONELINE_CACHE_FOUND_HOURS", "long"),
        ("PHONELINE_CACHE_NOT_FOUND_MINUTES", "-5"),
        ("PHONELINE_CACHE_NOT_FOUND_MINUTES", "nan"),
        ("PHONELINE_CACHE_NOT_FOUND_MINUTES", "inf"),
    ],
)
def test_invalid_lookup_setting_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} is"):
        Settings.from_env(PRODUCTION | {name: value}, tmp_path)
