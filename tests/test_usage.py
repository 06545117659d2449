"""Usage statistics counted from real webhook requests, with no personal data in them."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

import pytest
from flask import Flask

from phoneline.catalog import Content
from phoneline.usage import Count, GuidePosition, read_counts, total
from phoneline.webhook import Services
from tests.conftest import Twilio, call_params, parse_twiml, sms_params
from tests.rdw_server import Canned, RdwStandIn, recorded
from tests.voice_helpers import open_topic

VEHICLES = "m9d7-ebf2"
CALL = "CA" + "7" * 32


def store_of(app: Flask) -> Services:
    found: Services = app.extensions["phoneline"]
    return found


def counts(app: Flask) -> list[Count]:
    return read_counts(store_of(app).store)


def action(root: ElementTree.Element) -> str:
    gather = root.find("Gather")
    assert gather is not None
    return gather.get("action", "")


def arabic_guide(twilio: Twilio, content: Content) -> tuple[ElementTree.Element, dict[str, str]]:
    """Call, choose Arabic and the first guide; return its first step."""
    params = call_params(CallSid=CALL)
    root = parse_twiml(twilio.post("/voice", params))
    ar_key = content.menu.choice_keys[content.menu.languages.index("ar")]
    topics = parse_twiml(twilio.follow(action(root), params | {"Digits": ar_key}))
    return open_topic(twilio, content, topics, content.menu.topics[0].id, **params), params


def test_completed_guide_counted(app: Flask, twilio: Twilio, content: Content) -> None:
    step, params = arabic_guide(twilio, content)
    topic = content.menu.topics[0]
    for _ in range(len(topic.steps)):
        step = parse_twiml(twilio.follow(action(step), params | {"Digits": "#"}))

    found = counts(app)
    assert total(found, channel="voice", outcome="call") == 1
    assert total(found, channel="voice", language="ar", outcome="language") == 1
    assert total(found, language="ar", topic=topic.id, outcome="started") == 1
    assert total(found, language="ar", topic=topic.id, outcome="completed") == 1
    assert [c for c in found if c.outcome.startswith("left_at_")] == []
    assert {c.day for c in found} == {dt.datetime.now(dt.UTC).date()}


def test_leaving_by_menu_key_counted(app: Flask, twilio: Twilio, content: Content) -> None:
    step, params = arabic_guide(twilio, content)
    step = parse_twiml(twilio.follow(action(step), params | {"Digits": "#"}))
    twilio.follow(action(step), params | {"Digits": content.menu.nav_keys["topics"]})

    found = counts(app)
    topic = content.menu.topics[0].id
    assert total(found, language="ar", topic=topic, outcome="left_at_2") == 1
    assert total(found, outcome="completed") == 0


def test_hang_up_in_guide_counted(app: Flask, twilio: Twilio, content: Content) -> None:
    step, params = arabic_guide(twilio, content)
    for _ in range(2):
        step = parse_twiml(twilio.follow(action(step), params | {"Digits": "#"}))

    ended = twilio.post("/voice/status", params | {"CallStatus": "completed", "CallDuration": "40"})
    assert parse_twiml(ended).findall("*") == []

    found = counts(app)
    assert total(found, language="ar", topic=content.menu.topics[0].id, outcome="left_at_3") == 1
    assert store_of(app).store.get(f"call:{CALL}") is None


def test_silence_through_guide_completes(app: Flask, twilio: Twilio, content: Content) -> None:
    step, params = arabic_guide(twilio, content)
    for _ in range(len(content.menu.topics[0].steps)):
        redirect = step.find("Redirect")
        assert redirect is not None and redirect.text
        step = parse_twiml(twilio.follow(redirect.text, params))
    twilio.post("/voice/status", params | {"CallStatus": "completed"})

    found = counts(app)
    assert total(found, outcome="completed") == 1
    assert [c for c in found if c.outcome.startswith("left_at_")] == []


def test_status_callback_needs_signature(app: Flask) -> None:
    response = app.test_client().post("/voice/status", data=call_params(CallStatus="completed"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("canned", "outcome"),
    [
        (recorded(VEHICLES, "11ZKZ3"), "found"),
        (Canned(body=b"[]"), "not_found"),
        (Canned(status=503), "failed"),
    ],
)
def test_lookup_outcomes_counted(
    app: Flask, twilio: Twilio, rdw: RdwStandIn, canned: Canned, outcome: str
) -> None:
    rdw.set(VEHICLES, "11ZKZ3", canned)
    twilio.post("/sms", sms_params("kenteken 11-zkz-3"))
    found = counts(app)
    assert total(found, channel="sms", language="nl", topic="vehicle", outcome=outcome) == 1


def test_counters_hold_no_personal_data(app: Flask, twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    twilio.post("/sms", sms_params("11-zkz-3"))
    twilio.post("/voice", call_params())
    for key, _ in store_of(app).store.items("stats:"):
        assert "11ZKZ3" not in key.upper().replace("-", "")
        assert "612345678" not in key
        assert CALL not in key


def test_broken_store_still_answers(app: Flask, twilio: Twilio, content: Content) -> None:
    store_of(app).store.close()
    response = twilio.post("/sms", sms_params("hello"))
    texts = [m.text or "" for m in parse_twiml(response).findall("Message")]
    assert len(texts) == 1
    assert texts[0].startswith(content.catalog("en").text("sms.help"))


@pytest.mark.parametrize(
    "raw", [None, "", "ar|digid_get|x|8", "ar|digid_get|2", "ar|digid_get|2|8|extra"]
)
def test_garbled_position_ignored(raw: str | None) -> None:
    assert GuidePosition.decode(raw) is None


def test_position_round_trip() -> None:
    position = GuidePosition("ar", "digid_get", 3, 8)
    assert GuidePosition.decode(position.encode()) == position
