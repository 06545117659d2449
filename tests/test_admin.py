"""The operators' statistics page: absent when unset, basic auth, https, and real rendering."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from phoneline.config import Settings
from phoneline.operator_cli import serving
from phoneline.state import Store
from phoneline.usage import increment
from tests.conftest import AppFactory

USER = "team"
PASSWORD = "correct horse battery"
# The first colour of the chart palette, used for the first language's bars.
FIRST_SERIES_RGB = (0x00, 0x72, 0xB2)


def auth_header(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def admin_app(make_app: AppFactory, settings: Settings) -> Flask:
    return make_app(dataclasses.replace(settings, admin_user=USER, admin_password=PASSWORD))


def seed(store: Store) -> None:
    today = dt.datetime.now(dt.UTC).date()
    for _ in range(6):
        increment(store, today, channel="voice", lang="-", topic="-", outcome="call")
    for _ in range(4):
        increment(store, today, channel="voice", lang="ar", topic="-", outcome="language")
    yesterday = today - dt.timedelta(days=1)
    for _ in range(3):
        increment(store, yesterday, channel="voice", lang="-", topic="-", outcome="call")
        increment(store, yesterday, channel="voice", lang="nl", topic="-", outcome="language")
    increment(store, today, channel="voice", lang="ar", topic="digid_get", outcome="started")
    increment(store, today, channel="voice", lang="ar", topic="digid_get", outcome="left_at_3")
    increment(store, today, channel="sms", lang="en", topic="vehicle", outcome="found")
    increment(store, today, channel="sms", lang="en", topic="vehicle", outcome="failed")


def test_absent_without_settings(app: Flask) -> None:
    assert app.test_client().get("/admin/stats", headers=auth_header()).status_code == 404


def test_401_without_auth(admin_app: Flask) -> None:
    response = admin_app.test_client().get("/admin/stats")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


@pytest.mark.parametrize(
    ("user", "password"), [(USER, "wrong password!"), ("other", PASSWORD), (USER, "")]
)
def test_401_with_wrong_auth(admin_app: Flask, user: str, password: str) -> None:
    response = admin_app.test_client().get("/admin/stats", headers=auth_header(user, password))
    assert response.status_code == 401


def test_page_with_auth(admin_app: Flask) -> None:
    seed(admin_app.extensions["phoneline"].store)
    response = admin_app.test_client().get("/admin/stats", headers=auth_header())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for title in ("Calls per day by language", "Lookups by outcome", "Where callers leave"):
        assert title in page
    assert page.count("<svg") >= 4
    assert ", ar: 4</title>" in page  # today's bar for Arabic, with its count
    assert "<script" not in page


def test_plain_http_refused_from_afar(admin_app: Flask) -> None:
    client = admin_app.test_client()
    response = client.get(
        "/admin/stats", headers=auth_header(), environ_base={"REMOTE_ADDR": "198.51.100.7"}
    )
    assert response.status_code == 403


def test_proxy_hops_trust_forwarded_https(make_app: AppFactory, settings: Settings) -> None:
    app = make_app(
        dataclasses.replace(settings, admin_user=USER, admin_password=PASSWORD, proxy_hops=1)
    )
    client = app.test_client()
    forwarded = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    response = client.get(
        "/admin/stats", headers=auth_header() | forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert response.status_code == 200

    # Without a trusted hop the same headers are ignored: the request came from afar over http.
    untrusted = make_app(dataclasses.replace(settings, admin_user=USER, admin_password=PASSWORD))
    response = untrusted.test_client().get(
        "/admin/stats", headers=auth_header() | forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert response.status_code == 403


def test_days_argument_bounded(admin_app: Flask) -> None:
    client = admin_app.test_client()
    for days in ("0", "-3", "abc", "100000"):
        response = client.get(f"/admin/stats?days={days}", headers=auth_header())
        assert response.status_code == 200, days


def chromium_screenshot(url: str, out: Path, profile: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    assert binary, "chromium is missing: run scripts/system-deps (Debian package chromium)"
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1000,1400",
            f"--screenshot={out}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_page_renders_in_chromium(admin_app: Flask, tmp_path: Path) -> None:
    seed(admin_app.extensions["phoneline"].store)
    shot = tmp_path / "stats.png"
    profile = tmp_path / "profile"
    profile.mkdir()

    with serving(admin_app) as base:
        credentials = f"{USER}:{PASSWORD.replace(' ', '%20')}@"
        url = base.replace("http://", "http://" + credentials) + "/admin/stats"
        result = chromium_screenshot(url, shot, profile)

    assert result.returncode == 0, result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None
    assert len(colours) > 10, "the screenshot is blank"
    bar_pixels = sum(count for count, rgb in colours if rgb == FIRST_SERIES_RGB)
    assert bar_pixels > 500, "no chart bars in the screenshot"

