"""Settings read once from the environment when the app starts.

Every setting is listed in the README's settings table. A production start with
a missing or invalid setting raises `SettingsError` naming the variable, so the
process stops before it answers a single call.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from phoneline.catalog import TTS_ENGINES

log = logging.getLogger(__name__)

DEFAULT_RDW_URL = "https://opendata.rdw.nl"
DEFAULT_GTTS_URL = "https://translate.google.com"
DEFAULT_KVK_URL = "https://api.kvk.nl/api"
DEFAULT_KVK_OPEN_DATA_URL = "https://opendata.kvk.nl/api/v1/hvds"
DEFAULT_CBS_URL = "https://opendata.cbs.nl/ODataApi/odata"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable and the fix."""


@dataclass(frozen=True)
class SpeechSettings:
    """Settings of the speech engines, which `phoneline prompts build` reads without secrets."""

    tts_engine: str = "gtts"
    gtts_url: str = DEFAULT_GTTS_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SpeechSettings:
        """Read `PHONELINE_TTS_ENGINE` and `PHONELINE_GTTS_URL`.

        Raises:
            SettingsError: a variable is invalid.
        """
        return cls(
            tts_engine=_read_tts_engine(environ),
            gtts_url=_read_url(environ, "PHONELINE_GTTS_URL", DEFAULT_GTTS_URL),
        )


@dataclass(frozen=True)
class Settings:
    """All configuration the app uses, validated and typed."""

    twilio_auth_token: str
    public_url: str
    secret_key: str
    data_dir: Path
    production: bool = False
    trial_token: bool = False
    rdw_url: str = DEFAULT_RDW_URL
    rdw_app_token: str | None = None
    lookup_deadline: float = 6.0
    twilio_account_sid: str | None = None
    sms_from: str | None = None
    messaging_service_sid: str | None = None
    twilio_api_url: str | None = None
    speech: SpeechSettings = SpeechSettings()
    redis_url: str | None = None
    retention_days: int = 90
    lookups_per_hour: int = 10
    lookups_per_day: int = 50
    kvk_calls_per_day: int = 500
    admin_user: str | None = None
    admin_password: str | None = None
    proxy_hops: int = 0
    kvk_api_key: str | None = None
    kvk_url: str = DEFAULT_KVK_URL
    kvk_open_data_url: str = DEFAULT_KVK_OPEN_DATA_URL
    cbs_url: str = DEFAULT_CBS_URL
    cache_found_ttl: float = 12 * 3600.0
    cache_not_found_ttl: float = 10 * 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str], instance_dir: Path) -> Settings:
        """Build settings from environment variables.

        Outside production, a missing auth token or secret key is generated once
        and kept in `instance_dir`, so a local trial starts without a Twilio
        account. Requests signed by real Twilio are then rejected, which is logged.

        Raises:
            SettingsError: a variable is missing or invalid.
        """
        production = _read_env_name(environ) == "production"
        if production:
            _require(environ, ("TWILIO_AUTH_TOKEN", "PHONELINE_SECRET_KEY", "PHONELINE_PUBLIC_URL"))
        data_dir = Path(environ.get("PHONELINE_DATA_DIR") or instance_dir)

        token = environ.get("TWILIO_AUTH_TOKEN", "").strip()
        trial_token = False
        if not token:
            if production:
                raise SettingsError(
                    "TWILIO_AUTH_TOKEN is missing: set it to the auth token of the Twilio "
                    "account that owns the phone number."
                )
            token = _load_or_create_secret(data_dir / "dev-twilio-auth-token")
            trial_token = True

        secret_key = environ.get("PHONELINE_SECRET_KEY", "").strip()
        if not secret_key:
            if production:
                raise SettingsError(
                    "PHONELINE_SECRET_KEY is missing: set it to a long random string "
                    "(for example the output of `python3 -c 'import secrets; "
                    "print(secrets.token_hex(32))'`). It keys the hashes of phone numbers."
                )
            secret_key = _load_or_create_secret(data_dir / "dev-secret-key")

        public_url = _read_public_url(environ, production)
        rdw_url = _read_url(environ, "PHONELINE_RDW_URL", DEFAULT_RDW_URL)
        deadline = _read_seconds(environ, "PHONELINE_LOOKUP_DEADLINE", 6.0)
        account_sid, sms_from, service_sid = _read_rest_sender(environ)
        api_url = environ.get("PHONELINE_TWILIO_API_URL", "").strip()
        found_hours = _read_positive(environ, "PHONELINE_CACHE_FOUND_HOURS", 12.0, "hours")
        not_found_minutes = _read_positive(
            environ, "PHONELINE_CACHE_NOT_FOUND_MINUTES", 10.0, "minutes"
        )

        return cls(
            twilio_auth_token=token,
            public_url=public_url,
            secret_key=secret_key,
            data_dir=data_dir,
            production=production,
            trial_token=trial_token,
            rdw_url=rdw_url,
            rdw_app_token=environ.get("PHONELINE_RDW_APP_TOKEN") or None,
            lookup_deadline=deadline,
            twilio_account_sid=account_sid,
            sms_from=sms_from,
            messaging_service_sid=service_sid,
            twilio_api_url=_read_url(environ, "PHONELINE_TWILIO_API_URL", "") if api_url else None,
            speech=SpeechSettings.from_env(environ),
            kvk_api_key=environ.get("PHONELINE_KVK_API_KEY", "").strip() or None,
            kvk_url=_read_url(environ, "PHONELINE_KVK_URL", DEFAULT_KVK_URL),
            kvk_open_data_url=_read_url(
                environ, "PHONELINE_KVK_OPEN_DATA_URL", DEFAULT_KVK_OPEN_DATA_URL
            ),
            cbs_url=_read_url(environ, "PHONELINE_CBS_URL", DEFAULT_CBS_URL),
            cache_found_ttl=found_hours * 3600,
            cache_not_found_ttl=not_found_minutes * 60,
            **_read_operations(environ),
        )


def _require(environ: Mapping[str, str], names: tuple[str, ...]) -> None:
    """Raise one error naming every variable in `names` that is missing, when more than one is."""
    missing = [name for name in names if not environ.get(name, "").strip()]
    if len(missing) > 1:
        raise SettingsError(
            f"{', '.join(missing)} are missing: a production start needs all of them "
            "(see the settings table in README.md)."
        )


def _read_env_name(environ: Mapping[str, str]) -> str:
    name = environ.get("PHONELINE_ENV", "development").strip().lower()
    if name not in {"development", "production"}:
        raise SettingsError(f"PHONELINE_ENV is {name!r}: set it to 'production' or 'development'.")
    return name


def _read_public_url(environ: Mapping[str, str], production: bool) -> str:
    raw = environ.get("PHONELINE_PUBLIC_URL", "").strip()
    if not raw:
        if production:
            raise SettingsError(
                "PHONELINE_PUBLIC_URL is missing: set it to the https base URL that "
                "Twilio calls, for example https://line.example.org."
            )
        port = environ.get("FLASK_RUN_PORT") or environ.get("PORT") or "5000"
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"PORT is {port!r}: it must be a TCP port number (1-65535).")
        return f"http://127.0.0.1:{port}"

    parts = urlsplit(raw)
    local = parts.hostname in LOCAL_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise SettingsError(
            f"PHONELINE_PUBLIC_URL is {raw!r}: Twilio signs the https URL it calls, so "
            "the value must start with https:// (http:// is accepted only for 127.0.0.1)."
        )
    if parts.query or parts.fragment:
        raise SettingsError(
            f"PHONELINE_PUBLIC_URL is {raw!r}: remove the query string or fragment."
        )
    return raw.rstrip("/")


def _read_rest_sender(environ: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """Read the REST API account and the sender of outgoing texts; all None when unset."""
    account_sid = environ.get("TWILIO_ACCOUNT_SID", "").strip() or None
    sms_from = environ.get("PHONELINE_SMS_FROM", "").strip() or None
    service_sid = environ.get("PHONELINE_MESSAGING_SERVICE_SID", "").strip() or None
    if account_sid is None:
        return None, None, None

    if not (account_sid.startswith("AC") and len(account_sid) == 34):
        raise SettingsError(
            f"TWILIO_ACCOUNT_SID is {account_sid!r}: it must be the 34-character account SID "
            "that starts with AC, from the Twilio Console."
        )
    if sms_from is None and service_sid is None:
        raise SettingsError(
            "PHONELINE_SMS_FROM is missing: with TWILIO_ACCOUNT_SID set, give the number that "
            "sends texts (E.164, e.g. +3197010000000) or PHONELINE_MESSAGING_SERVICE_SID."
        )
    return account_sid, sms_from, service_sid


def _read_tts_engine(environ: Mapping[str, str]) -> str:
    engine = environ.get("PHONELINE_TTS_ENGINE", "").strip().lower() or "gtts"
    if engine not in TTS_ENGINES:
        raise SettingsError(
            f"PHONELINE_TTS_ENGINE is {engine!r}: set it to one of {', '.join(TTS_ENGINES)}."
        )
    return engine


def _read_url(environ: Mapping[str, str], name: str, default: str) -> str:
    raw = environ.get(name, "").strip() or default
    if urlsplit(raw).scheme not in {"http", "https"}:
        raise SettingsError(f"{name} is {raw!r}: it must be an http or https URL.")
    return raw.rstrip("/")


def _read_seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    value = _read_positive(environ, name, default, "seconds")
    if value > 14:
        raise SettingsError(
            f"{name} is {environ[name].strip()!r}: it must be above 0 and at most 14 seconds, "
            "because Twilio gives up on a webhook after 15 seconds."
        )
    return value


def _read_positive(environ: Mapping[str, str], name: str, default: float, unit: str) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} is {raw!r}: it must be a number of {unit}.") from None
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{name} is {raw!r}: it must be a number of {unit} above 0.")
    return value


def _load_or_create_secret(path: Path) -> str:
    """Return the secret stored in `path`, creating it with owner-only access first."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()

    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    log.warning("Created a development secret in %s for a local trial", path)
    return value


def _read_operations(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read the settings for shared state, retention, limits, the stats page and proxies."""
    admin_user = environ.get("PHONELINE_ADMIN_USER", "").strip() or None
    admin_password = environ.get("PHONELINE_ADMIN_PASSWORD", "").strip() or None
    if (admin_user is None) != (admin_password is None):
        raise SettingsError(
            "PHONELINE_ADMIN_USER and PHONELINE_ADMIN_PASSWORD must be set together: set "
            "both to open /admin/stats, or neither to leave it switched off."
        )
    if admin_password is not None and len(admin_password) < 12:
        raise SettingsError(
            "PHONELINE_ADMIN_PASSWORD is too short: use at least 12 characters."
        )

    return {
        "redis_url": _read_redis_url(environ),
        "retention_days": _read_int(environ, "PHONELINE_RETENTION_DAYS", 90, 1, 3650),
        "lookups_per_hour": _read_int(environ, "PHONELINE_LOOKUPS_PER_HOUR", 10, 1, 10_000),
        "lookups_per_day": _read_int(environ, "PHONELINE_LOOKUPS_PER_DAY", 50, 1, 100_000),
        "kvk_calls_per_day": _read_int(environ, "PHONELINE_KVK_CALLS_PER_DAY", 500, 0, 1_000_000),
        "admin_user": admin_user,
        "admin_password": admin_password,
        "proxy_hops": _read_int(environ, "PHONELINE_PROXY_HOPS", 0, 0, 5),
    }


def _read_redis_url(environ: Mapping[str, str]) -> str | None:
    raw = environ.get("REDIS_URL", "").strip()
    if not raw:
        return None
    if urlsplit(raw).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError(
            f"REDIS_URL starts with {urlsplit(raw).scheme or raw[:10]!r}: it must be a "
            "redis://, rediss:// or unix:// URL, for example redis://127.0.0.1:6379/0."
        )
    return raw


def _read_int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} is {raw!r}: it must be a whole number.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} is {raw!r}: it must be from {low} to {high}.")
    return value
