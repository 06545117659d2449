"""The SMS flow: plate lookups against a local RDW stand-in, help and failures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest

from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.lookups.rdw import DATASETS
from tests.conftest import AppFactory, Twilio, sms_params, sms_text
from tests.rdw_server import Canned, RdwStandIn, recorded, rows

VEHICLES = "m9d7-ebf2"


def test_recorded_plate_reply(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))

    text = sms_text(twilio.post("/sms", sms_params("rdw 11-zkz-3")))

    assert "11-ZKZ-3" in text
    assert "skoda citigo" in text.lower()
    assert "4 January 2022" in text
    assert "EXPIRED" in text
    assert "NOT registered" in text
    assert "Open recalls: none" in text
    assert "First admission: 4 January 2013" in text


def test_only_normalised_plate_sent(twilio: Twilio, rdw: RdwStandIn) -> None:
    twilio.post("/sms", sms_params("Kenteken 11.zkz.3 graag"))
    assert sorted(dataset for dataset, _, _ in rdw.requests) == sorted(DATASETS)
    assert all(query == {"kenteken": ["11ZKZ3"]} for _, query, _ in rdw.requests)


def test_dutch_message_gets_dutch_reply(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    text = sms_text(twilio.post("/sms", sms_params("wat is de apk van 11-zkz-3")))
    assert "4 januari 2022" in text
    assert "WA-verzekering: NIET geregistreerd" in text


def test_arabic_message_gets_arabic_reply(
    twilio: Twilio, rdw: RdwStandIn, content: Content
) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    text = sms_text(twilio.post("/sms", sms_params("سيارة 11-ZKZ-3")))
    assert content.catalog("ar").text("sms.vehicle.wam_no") in text
    assert "يناير" in text


def test_valid_apk_and_open_recall(twilio: Twilio, rdw: RdwStandIn) -> None:
    next_year = dt.date.today().year + 1
    rdw.set(
        VEHICLES,
        "AB123C",
        rows(
            {
                "kenteken": "AB123C",
                "merk": "TOYOTA",
                "handelsbenaming": "YARIS",
                "vervaldatum_apk": f"{next_year}0301",
                "wam_verzekerd": "Ja",
                "openstaande_terugroepactie_indicator": "Ja",
            }
        ),
    )
    text = sms_text(twilio.post("/sms", sms_params("AB-123-C")))
    assert f"valid until 1 March {next_year}" in text
    assert "WAM insurance: registered" in text
    assert "Open recall: YES" in text


def test_missing_fields_drop_lines(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(
        VEHICLES,
        "AB123C",
        rows(
            {
                "kenteken": "AB123C",
                "wam_verzekerd": "Niet geregistreerd",
                "vervaldatum_apk": "garbage",
            }
        ),
    )
    text = sms_text(twilio.post("/sms", sms_params("AB-123-C")))
    assert text.splitlines() == [
        "AB-123-C",
        "Open recalls: none",
        "RDW: https://ovi.rdw.nl/default.aspx?kenteken=AB123C",
    ]


def test_unknown_plate_not_in_open_data(twilio: Twilio, rdw: RdwStandIn) -> None:
    text = sms_text(twilio.post("/sms", sms_params("XX-999-X")))
    assert "not in RDW open data yet" in text
    assert "XX-999-X" in text
    assert "does not exist" not in text


@pytest.mark.parametrize(
    "canned",
    [
        pytest.param(Canned(status=429, body=b'{"message": "throttled"}'), id="429"),
        pytest.param(Canned(status=500, body=b"oops", content_type="text/plain"), id="500"),
        pytest.param(Canned(status=503, body=b""), id="503"),
        pytest.param(
            Canned(body=b"<html><body>Maintenance</body></html>", content_type="text/html"),
            id="html-200",
        ),
        pytest.param(Canned(body=b'{"rows": []}'), id="json-not-a-list"),
        pytest.param(Canned(status=404, body=b'{"message": "Cannot find resource"}'), id="404"),
    ],
)
def test_rdw_failure_says_try_later(twilio: Twilio, rdw: RdwStandIn, canned: Canned) -> None:
    rdw.set(VEHICLES, "11ZKZ3", canned)
    text = sms_text(twilio.post("/sms", sms_params("11-ZKZ-3")))
    assert text == "The vehicle service cannot be reached. Please try again later."


def test_rdw_timeout_answers_within_deadline(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", Canned(delay=3.0))

    started = time.monotonic()
    text = sms_text(twilio.post("/sms", sms_params("11-ZKZ-3")))
    elapsed = time.monotonic() - started

    assert "try again later" in text
    assert elapsed < 2.5  # the test settings give RDW a 1-second deadline


def test_app_token_sent_when_set(make_app: AppFactory, settings: Settings, rdw: RdwStandIn) -> None:
    app = make_app(settings=dataclasses.replace(settings, rdw_app_token="app-token"))
    Twilio(app.test_client()).post("/sms", sms_params("11-ZKZ-3"))

    headers = {name.lower(): value for name, value in rdw.requests[0][2].items()}
    assert headers["x-app-token"] == "app-token"


def test_app_token_absent_by_default(twilio: Twilio, rdw: RdwStandIn) -> None:
    twilio.post("/sms", sms_params("11-ZKZ-3"))
    headers = {name.lower() for name in rdw.requests[0][2]}
    assert "x-app-token" not in headers


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("hello", id="plain"),
        pytest.param("", id="empty"),
        pytest.param("\x00\x01\x02", id="control-characters"),
        pytest.param("😀" * 500, id="emoji-flood"),
        pytest.param("A" * 20000, id="huge"),
    ],
)
def test_other_text_gets_help(twilio: Twilio, rdw: RdwStandIn, body: str) -> None:
    text = sms_text(twilio.post("/sms", sms_params(body)))
    assert "licence plate" in text
    assert rdw.requests == []


def test_missing_body_field_gets_help(twilio: Twilio) -> None:
    params = sms_params("x")
    del params["Body"]
    assert "licence plate" in sms_text(twilio.post("/sms", params))


def test_sms_fallback_apologises(twilio: Twilio, content: Content) -> None:
    text = sms_text(twilio.post("/sms/fallback", sms_params("11-ZKZ-3", ErrorCode="11200")))
    assert content.catalog("en").text("error.apology_sms") in text
