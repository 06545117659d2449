"""Settings for shared state, retention, limits, the stats page and proxies."""

from __future__ import annotations

from pathlib import Path

import pytest

from phoneline.config import Settings, SettingsError
from tests.test_config import PRODUCTION


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env(PRODUCTION, tmp_path)
    assert settings.redis_url is None
    assert settings.retention_days == 90
    assert settings.lookups_per_hour == 10
    assert settings.lookups_per_day == 50
    assert settings.kvk_calls_per_day == 500
    assert settings.admin_user is None
    assert settings.admin_password is None
    assert settings.proxy_hops == 0


def test_values_read(tmp_path: Path) -> None:
    environ = PRODUCTION | {
        "REDIS_URL": "redis://cache.internal:6379/2",
        "PHONELINE_RETENTION_DAYS": "30",
        "PHONELINE_LOOKUPS_PER_HOUR": "5",
        "PHONELINE_LOOKUPS_PER_DAY": "20",
        "PHONELINE_KVK_CALLS_PER_DAY": "0",
        "PHONELINE_ADMIN_USER": "team",
        "PHONELINE_ADMIN_PASSWORD": "a long passphrase",
        "PHONELINE_PROXY_HOPS": "2",
    }
    settings = Settings.from_env(environ, tmp_path)
    assert settings.redis_url == "redis://cache.internal:6379/2"
    assert settings.retention_days == 30
    assert settings.lookups_per_hour == 5
    assert settings.lookups_per_day == 20
    assert settings.kvk_calls_per_day == 0
    assert settings.admin_user == "team"
    assert settings.admin_password == "a long passphrase"
    assert settings.proxy_hops == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PHONELINE_RETENTION_DAYS", "0"),
        ("PHONELINE_RETENTION_DAYS", "ninety"),
        ("PHONELINE_LOOKUPS_PER_HOUR", "0"),
        ("PHONELINE_LOOKUPS_PER_DAY", "-1"),
        ("PHONELINE_KVK_CALLS_PER_DAY", "1.5"),
        ("PHONELINE_PROXY_HOPS", "9"),
    ],
)
def test_invalid_number_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} is"):
        Settings.from_env(PRODUCTION | {name: value}, tmp_path)


def test_redis_url_scheme_checked(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^REDIS_URL") as raised:
        Settings.from_env(PRODUCTION | {"REDIS_URL": "http://user:secret@host"}, tmp_path)
    assert "secret" not in str(raised.value)


@pytest.mark.parametrize(
    "environ",
    [
        {"PHONELINE_ADMIN_USER": "team"},
        {"PHONELINE_ADMIN_PASSWORD": "a long passphrase"},
    ],
)
def test_admin_needs_both(tmp_path: Path, environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="must be set together"):
        Settings.from_env(PRODUCTION | environ, tmp_path)


def test_admin_password_length(tmp_path: Path) -> None:
    environ = PRODUCTION | {"PHONELINE_ADMIN_USER": "team", "PHONELINE_ADMIN_PASSWORD": "short"}
    with pytest.raises(SettingsError, match=r"^PHONELINE_ADMIN_PASSWORD is too short"):
        Settings.from_env(environ, tmp_path)
