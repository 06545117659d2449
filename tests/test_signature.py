"""Every webhook rejects requests that Twilio did not sign for the public URL."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN, PUBLIC_URL, Twilio, call_params, sms_params

WEBHOOKS = ["/voice", "/voice/language?page=0", "/voice/fallback", "/sms", "/sms/fallback"]


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


@pytest.mark.parametrize("path", WEBHOOKS)
def test_valid_signature_accepted(twilio: Twilio, path: str) -> None:
    response = twilio.post(path, sms_params("hello") | call_params())
    assert response.status_code == 200
    assert response.mimetype == "text/xml"


@pytest.mark.parametrize("path", WEBHOOKS)
def test_missing_header_rejected(client: FlaskClient, path: str) -> None:
    response = client.post(path, data=call_params())
    assert response.status_code == 403
    assert response.data == b""


@pytest.mark.parametrize("path", WEBHOOKS)
def test_wrong_token_rejected(client: FlaskClient, path: str) -> None:
    params = call_params()
    signature = sign(PUBLIC_URL + path, params, token="some-other-token")
    response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert response.data == b""


def test_changed_parameter_rejected(client: FlaskClient) -> None:
    params = sms_params("rdw 11-zkz-3")
    signature = sign(PUBLIC_URL + "/sms", params)
    tampered = params | {"Body": "rdw 22-zkz-3"}
    response = client.post("/sms", data=tampered, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_added_parameter_rejected(client: FlaskClient) -> None:
    params = call_params()
    signature = sign(PUBLIC_URL + "/voice", params)
    response = client.post(
        "/voice", data=params | {"Digits": "1"}, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403


def test_changed_query_string_rejected(client: FlaskClient) -> None:
    params = call_params(Digits="1")
    signature = sign(PUBLIC_URL + "/voice/topics?lang=en&page=0", params)
    response = client.post(
        "/voice/topics?lang=ar&page=0", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403


def test_http_instead_of_https_rejected(client: FlaskClient) -> None:
    params = call_params()
    url = PUBLIC_URL.replace("https://", "http://") + "/voice"
    response = client.post("/voice", data=params, headers={"X-Twilio-Signature": sign(url, params)})
    assert response.status_code == 403


def test_query_arguments_not_merged_into_params(client: FlaskClient) -> None:
    # Twilio signs the URL (with its query) plus the form fields only. A
    # validator fed request.values would add lang/page as parameters and fail.
    params = call_params()
    path = "/voice/language?page=1&miss=0"
    response = client.post(
        path, data=params, headers={"X-Twilio-Signature": sign(PUBLIC_URL + path, params)}
    )
    assert response.status_code == 200


def test_rejection_logged_once(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="phoneline"):
        client.post("/sms", data=sms_params("hello"))
    lines = [record for record in caplog.records if record.name.startswith("phoneline")]
    assert len(lines) == 1
    assert "missing X-Twilio-Signature" in lines[0].getMessage()
    assert "+3161234" not in lines[0].getMessage()


def test_healthz_needs_no_signature(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
