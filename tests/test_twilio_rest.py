"""Outgoing texts through the Twilio REST API, against a local stand-in."""

from __future__ import annotations

import base64
import dataclasses

import pytest

from phoneline.config import Settings
from phoneline.twilio_rest import SendFailed, make_sms_sender
from tests.conftest import AUTH_TOKEN
from tests.twilio_server import TwilioStandIn

ACCOUNT_SID = "AC" + "a" * 32


def rest_settings(settings: Settings, api: TwilioStandIn, **changes: str) -> Settings:
    values = {
        "twilio_account_sid": ACCOUNT_SID,
        "sms_from": "+3197010000001",
        "twilio_api_url": api.url,
    } | changes
    return dataclasses.replace(settings, **values)


def test_no_account_no_sender(settings: Settings) -> None:
    assert make_sms_sender(settings) is None


def test_send_from_number(settings: Settings, twilio_api: TwilioStandIn) -> None:
    sender = make_sms_sender(rest_settings(settings, twilio_api))
    assert sender is not None

    sid = sender.send("+31612345678", "Hallo")

    assert sid.startswith("SM")
    request = twilio_api.requests[0]
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.form == {"To": "+31612345678", "From": "+3197010000001", "Body": "Hallo"}
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.authorization == f"Basic {expected}"


def test_send_through_messaging_service(settings: Settings, twilio_api: TwilioStandIn) -> None:
    service = "MG" + "b" * 32
    sender = make_sms_sender(rest_settings(settings, twilio_api, messaging_service_sid=service))
    assert sender is not None
    sender.send("+31612345678", "Hallo")
    assert twilio_api.requests[0].form["MessagingServiceSid"] == service
    assert "From" not in twilio_api.requests[0].form


def test_rejected_message_raises(settings: Settings, twilio_api: TwilioStandIn) -> None:
    twilio_api.fail_with = (400, 21610)
    sender = make_sms_sender(rest_settings(settings, twilio_api))
    assert sender is not None
    with pytest.raises(SendFailed) as raised:
        sender.send("+31612345678", "Hallo")
    assert raised.value.code == 21610


def test_unreachable_api_raises(settings: Settings) -> None:
    sender = make_sms_sender(
        dataclasses.replace(
            settings,
            twilio_account_sid=ACCOUNT_SID,
            sms_from="+3197010000001",
            twilio_api_url="http://127.0.0.1:9",
        )
    )
    assert sender is not None
    with pytest.raises(SendFailed, match="unreachable"):
        sender.send("+31612345678", "Hallo")
