"""FORGET by text, the privacy notice on a first call and what is stored about a number."""

from __future__ import annotations

import dataclasses
import sqlite3
import time

import pytest
import redis
from flask.testing import FlaskClient

from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.keywords import keyword_index
from phoneline.privacy import number_key
from tests.conftest import AppFactory, Twilio, call_params, parse_twiml, sms_params, sms_text
from tests.rdw_server import RdwStandIn, recorded
from tests.test_voice import said

CALLER = "+31612345678"
OTHER = "+31687654321"
VEHICLES = "m9d7-ebf2"


def walk_call(twilio: Twilio, content: Content, caller: str, call_sid: str) -> None:
    """Call, choose Arabic and the first guide, hear two steps, then hang up."""
    params = call_params(From=caller, CallSid=call_sid)
    root = parse_twiml(twilio.post("/voice", params))
    action = root.find("Gather").get("action", "")  # type: ignore[union-attr]
    ar_key = content.menu.choice_keys[content.menu.languages.index("ar")]
    topics = parse_twiml(twilio.follow(action, params | {"Digits": ar_key}))
    action = topics.find("Gather").get("action", "")  # type: ignore[union-attr]
    step = parse_twiml(twilio.follow(action, params | {"Digits": "1"}))
    action = step.find("Gather").get("action", "")  # type: ignore[union-attr]
    twilio.follow(action, params | {"Digits": content.menu.nav_keys["next"]})


def leave_traces(twilio: Twilio, content: Content, rdw: RdwStandIn, caller: str) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    walk_call(twilio, content, caller, "CA" + caller[-8:].rjust(32, "0"))
    for _ in range(2):
        twilio.post("/sms", sms_params("11-zkz-3", From=caller))


def sqlite_rows(settings: Settings) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(settings.data_dir / "state.sqlite3") as db:
        rows = db.execute("SELECT key, value, subject FROM kv").fetchall()
    return [(str(k), str(v), s) for k, v, s in rows]


def test_forget_clears_sqlite(
    twilio: Twilio, content: Content, rdw: RdwStandIn, settings: Settings
) -> None:
    key = number_key(settings.secret_key, CALLER)
    other = number_key(settings.secret_key, OTHER)
    leave_traces(twilio, content, rdw, CALLER)
    leave_traces(twilio, content, rdw, OTHER)
    before = sqlite_rows(settings)
    assert any(subject == key for _, _, subject in before)
    assert any(key in stored for stored, _, _ in before)

    reply = sms_text(twilio.post("/sms", sms_params("FORGET", From=CALLER)))

    # The reply is in the language the caller chose during the call.
    assert reply == content.catalog("ar").text("sms.forget.done")
    after = sqlite_rows(settings)
    assert [row for row in after if row[2] == key] == []
    assert [row for row in after if key in row[0] or key in row[1]] == []
    assert any(subject == other for _, _, subject in after)
    # What is left about nobody in particular: usage counters and cached lookups,
    # whose keys hold a plate, never a number.
    left = {stored.split(":")[0] for stored, _, subject in after if subject is None}
    assert left == {"stats", "cache"}


def test_forget_clears_redis(
    make_app: AppFactory, settings: Settings, content: Content, rdw: RdwStandIn, redis_url: str
) -> None:
    app = make_app(dataclasses.replace(settings, redis_url=redis_url))
    twilio = Twilio(app.test_client())
    key = number_key(settings.secret_key, CALLER)
    leave_traces(twilio, content, rdw, CALLER)
    leave_traces(twilio, content, rdw, OTHER)
    raw = redis.Redis.from_url(redis_url, decode_responses=True)
    assert any(key in name for name in raw.keys("*"))

    reply = sms_text(twilio.post("/sms", sms_params("VERGEET", From=CALLER)))

    assert reply == content.catalog("ar").text("sms.forget.done")
    names = raw.keys("*")
    assert [name for name in names if key in name] == []
    for name in names:
        if raw.type(name) == "hash":
            assert raw.hget(name, "s") != key
        else:
            assert key not in raw.smembers(name)
    assert any(number_key(settings.secret_key, OTHER) in name for name in names)
    raw.close()


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        ("FORGET", "en"),
        ("forget me.", "en"),
        ("  Vergeet mij!  ", "nl"),
        ("VERGEET", "nl"),
        ("انسني", "ar"),
        ("انْسَني", "ar"),
    ],
)
def test_forget_keyword_in_each_language(content: Content, body: str, lang: str) -> None:
    keyword = keyword_index(content).lookup(body)
    assert keyword is not None
    assert keyword.action == "forget"
    assert keyword.lang == lang


@pytest.mark.parametrize("body", ["forget about it", "please forget", "", "11-zkz-3 forget"])
def test_other_text_is_no_forget(content: Content, body: str) -> None:
    keyword = keyword_index(content).lookup(body)
    assert keyword is None or keyword.action != "forget"


def test_forget_keywords_from_every_catalog(content: Content) -> None:
    index = keyword_index(content)
    for code, catalog in content.catalogs.items():
        words = catalog.keywords.get("forget", ())
        assert words, code
        for word in words:
            keyword = index.lookup(word)
            assert keyword is not None, (code, word)
            assert keyword.action == "forget", (code, word)


def notice_spoken(client: FlaskClient, content: Content, caller: str) -> bool:
    root = parse_twiml(Twilio(client).post("/voice", call_params(From=caller)))
    return content.catalog("en").text("privacy.notice") in said(root)


def test_notice_only_on_first_call(client: FlaskClient, content: Content) -> None:
    assert notice_spoken(client, content, CALLER)
    assert not notice_spoken(client, content, CALLER)
    assert notice_spoken(client, content, OTHER)


def test_notice_in_dutch_and_english(twilio: Twilio, content: Content) -> None:
    root = parse_twiml(twilio.post("/voice", call_params(From=CALLER)))
    texts = said(root)
    assert content.catalog("nl").text("privacy.notice") in texts
    assert content.catalog("en").text("privacy.notice") in texts
    assert texts.index(content.catalog("en").text("privacy.notice")) > texts.index(
        content.catalog("en").text("welcome")
    )


@pytest.mark.parametrize("caller", ["anonymous", "", "+266696687"])
def test_hidden_number_always_hears_notice(
    client: FlaskClient, content: Content, settings: Settings, caller: str
) -> None:
    assert notice_spoken(client, content, caller)
    assert notice_spoken(client, content, caller)
    assert [row for row in sqlite_rows(settings) if row[0].startswith("seen:")] == []


def test_forget_brings_notice_back(client: FlaskClient, content: Content) -> None:
    assert notice_spoken(client, content, CALLER)
    Twilio(client).post("/sms", sms_params("FORGET", From=CALLER))
    assert notice_spoken(client, content, CALLER)


def test_seen_marker_expires_with_retention(twilio: Twilio, settings: Settings) -> None:
    twilio.post("/voice", call_params(From=CALLER))
    key = number_key(settings.secret_key, CALLER)
    with sqlite3.connect(settings.data_dir / "state.sqlite3") as db:
        expires = db.execute("SELECT expires FROM kv WHERE key = ?", (f"seen:{key}",)).fetchone()
    lifetime = expires[0] - time.time()
    assert settings.retention_days * 86400 - 60 < lifetime <= settings.retention_days * 86400


def test_numbers_never_stored_in_clear(
    twilio: Twilio, content: Content, rdw: RdwStandIn, settings: Settings
) -> None:
    leave_traces(twilio, content, rdw, CALLER)
    for stored, value, subject in sqlite_rows(settings):
        for text in (stored, value, subject or ""):
            assert "612345678" not in text
