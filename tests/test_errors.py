"""Unexpected failures inside a webhook still answer valid TwiML and are logged."""

from __future__ import annotations

import dataclasses
import logging
from xml.etree import ElementTree

import pytest
from flask import Flask

from phoneline.catalog import Content
from phoneline.flows.sms import _reply
from phoneline.sms_segments import count_segments
from tests.conftest import (
    PUBLIC_URL,
    AppFactory,
    Twilio,
    call_params,
    parse_twiml,
    sms_params,
    sms_text,
)
from tests.rdw_server import RdwStandIn, rows


@pytest.fixture
def broken_twilio(make_app: AppFactory, content: Content) -> Twilio:
    """An app whose English catalog lost the SMS help text and guide steps."""
    english = content.catalog("en")
    kept = {
        key: text
        for key, text in english.prompts.items()
        if key != "sms.help" and not key.startswith("guide.")
    }
    catalogs = dict(content.catalogs) | {"en": dataclasses.replace(english, prompts=kept)}
    broken = dataclasses.replace(content, catalogs=catalogs)
    return Twilio(make_app(content=broken).test_client())


def test_sms_exception_becomes_apology(
    broken_twilio: Twilio, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="phoneline"):
        response = broken_twilio.post("/sms", sms_params("hello"))

    root = parse_twiml(response)
    messages = [m.text for m in root.findall("Message")]
    expected = "\n".join(content.catalog(code).text("error.apology_sms") for code in ("nl", "en"))
    assert messages == [expected]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "SM" + "2" * 32 in errors[0].getMessage()
    assert errors[0].exc_info is not None


def test_voice_exception_becomes_apology(broken_twilio: Twilio, content: Content) -> None:
    root = parse_twiml(
        broken_twilio.post("/voice/guide?lang=en&topic=digid_get&step=1", call_params())
    )
    assert [say.text for say in root.findall("Say")] == [
        content.catalog("en").text("error.apology")
    ]
    assert root.find("Hangup") is not None


@pytest.mark.parametrize("path", ["/voice/nope", "/sms/nope"])
def test_unknown_webhook_path_answers_twiml(twilio: Twilio, path: str) -> None:
    response = twilio.post(path, call_params())
    root = parse_twiml(response)
    assert root.find("Say") is not None or root.find("Message") is not None


def test_signed_get_on_webhook_answers_twiml(twilio: Twilio) -> None:
    signature = twilio.validator.compute_signature(PUBLIC_URL + "/voice", {})
    response = twilio.client.get("/voice", headers={"X-Twilio-Signature": signature})
    parse_twiml(response)


@pytest.mark.parametrize("path", ["/voice/nope", "/sms/nope", "/voice/x\n2026 INFO forged"])
def test_unsigned_unknown_path_rejected(
    twilio: Twilio, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="phoneline"):
        response = twilio.client.post(path, data=call_params())

    assert response.status_code == 403
    assert response.data == b""
    for record in caplog.records:
        assert "\n" not in record.getMessage()


@pytest.mark.parametrize("path", ["/", "/healthz/x", "/SMS"])
def test_other_paths_answer_plain_text(twilio: Twilio, path: str) -> None:
    response = twilio.client.post(path)
    assert response.status_code == 404
    assert response.mimetype == "text/plain"


def test_control_characters_removed_from_twiml(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(
        "m9d7-ebf2",
        "AB123C",
        rows({"merk": "SK\u0001ODA\u0000", "handelsbenaming": "CIT\u000bIGO\ufffe"}),
    )
    text = sms_text(twilio.post("/sms", sms_params("AB-123-C")))
    assert text.startswith("AB-123-C: SKODA CITIGO")


def test_huge_values_keep_reply_in_budget(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set("m9d7-ebf2", "AB123C", rows({"merk": "A" * 5000, "handelsbenaming": "B" * 5000}))
    text = sms_text(twilio.post("/sms", sms_params("AB-123-C")))
    assert text.startswith("AB-123-C: AAA")
    assert count_segments(text).segments <= 2


def test_reply_cut_to_twilio_limit(app: Flask) -> None:
    with app.test_request_context("/sms"):
        response = _reply(["x" * 5000])
    text = ElementTree.fromstring(response.get_data()).findtext("Message") or ""
    assert len(text) == 1600
    assert text.endswith("…")


def test_webhook_log_line(twilio: Twilio, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="phoneline"):
        twilio.post("/sms", sms_params("hello 11-ZKZ-3", From="+31612345678"))

    lines = [r.getMessage() for r in caplog.records if r.name == "phoneline.webhook"]
    assert len(lines) == 1
    assert lines[0].startswith("SM" + "2" * 32 + " /sms step=vehicle outcome=not_found status=200")
    assert lines[0].endswith("ms")
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "612345678" not in everything
    assert "hello" not in everything
