"""Rate limits on texts that cause a lookup: one notice, then silence, per window."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask

from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.flows import sms_limits
from phoneline.flows.sms import Message
from tests.conftest import AppFactory, Twilio, parse_twiml, sms_params, sms_text
from tests.rdw_server import RdwStandIn, recorded

VEHICLES = "m9d7-ebf2"


@pytest.fixture
def limited(make_app: AppFactory, settings: Settings, rdw: RdwStandIn) -> Flask:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    return make_app(dataclasses.replace(settings, lookups_per_hour=2, lookups_per_day=5))


def test_over_limit_notice_then_silence(limited: Flask, rdw: RdwStandIn, content: Content) -> None:
    twilio = Twilio(limited.test_client())
    for _ in range(2):
        assert "11-ZKZ-3" in sms_text(twilio.post("/sms", sms_params("11-zkz-3")))
    lookups = len(rdw.requests)

    notice = sms_text(twilio.post("/sms", sms_params("11-zkz-3")))
    assert notice == content.catalog("en").text("sms.rate_limited.hour")

    silent = parse_twiml(twilio.post("/sms", sms_params("11-zkz-3")))
    assert list(silent) == []
    assert len(rdw.requests) == lookups


def test_notice_in_sender_language(limited: Flask, content: Content) -> None:
    twilio = Twilio(limited.test_client())
    for _ in range(2):
        twilio.post("/sms", sms_params("سيارة 11-ZKZ-3"))
    notice = sms_text(twilio.post("/sms", sms_params("سيارة 11-ZKZ-3")))
    assert notice == content.catalog("ar").text("sms.rate_limited.hour")


def test_other_senders_unaffected(limited: Flask) -> None:
    twilio = Twilio(limited.test_client())
    for _ in range(4):
        twilio.post("/sms", sms_params("11-zkz-3"))
    reply = sms_text(twilio.post("/sms", sms_params("11-zkz-3", From="+31687654321")))
    assert "11-ZKZ-3" in reply


def test_help_and_forget_not_limited(limited: Flask, content: Content) -> None:
    twilio = Twilio(limited.test_client())
    for _ in range(4):
        twilio.post("/sms", sms_params("11-zkz-3"))
    help_text = sms_text(twilio.post("/sms", sms_params("hello")))
    assert help_text.startswith(content.catalog("en").text("sms.help"))
    forgot = sms_text(twilio.post("/sms", sms_params("FORGET")))
    assert forgot == content.catalog("en").text("sms.forget.done")
    # Forgetting the sender also forgets their counters.
    assert "11-ZKZ-3" in sms_text(twilio.post("/sms", sms_params("11-zkz-3")))


def test_detector_list_extends_limit(
    limited: Flask, content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    def is_kvk_number(message: Message) -> bool:
        return message.body.strip().isdigit() and len(message.body.strip()) == 8

    detectors = [*sms_limits.LOOKUP_DETECTORS, is_kvk_number]
    monkeypatch.setattr(sms_limits, "LOOKUP_DETECTORS", detectors)
    twilio = Twilio(limited.test_client())
    for _ in range(2):
        twilio.post("/sms", sms_params("69599084"))
    notice = sms_text(twilio.post("/sms", sms_params("69599084")))
    assert notice == content.catalog("en").text("sms.rate_limited.hour")
