"""Generated webhook requests: every answer is valid TwiML (2xx) or an empty 403.

`make test` runs a short version; `make test-long` sets
PHONELINE_HYPOTHESIS_PROFILE=long for many more cases.
"""

from __future__ import annotations

import os
from xml.etree import ElementTree

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN, PUBLIC_URL

settings.register_profile(
    "short",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("PHONELINE_HYPOTHESIS_PROFILE", "short"))

PATHS = [
    "/voice",
    "/voice/language",
    "/voice/topics",
    "/voice/guide",
    "/voice/fallback",
    "/sms",
    "/sms/fallback",
]
KNOWN_FIELDS = ["Body", "From", "To", "Digits", "CallSid", "MessageSid", "AccountSid", "ErrorCode"]

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
huge = st.integers(min_value=1_000, max_value=20_000).map(lambda n: "Ω" * n)
values = st.one_of(text, huge, st.sampled_from(["", "1", "#", "*", "0", "11-ZKZ-3", "-1", "ar"]))
fields = st.dictionaries(
    st.one_of(st.sampled_from(KNOWN_FIELDS), st.text(min_size=1, max_size=20)),
    values,
    max_size=8,
)
query = st.dictionaries(
    st.sampled_from(["lang", "page", "miss", "topic", "step", "slow", "x"]),
    st.one_of(
        st.sampled_from(["en", "ar", "nl", "xx", "digid_get", "register_bsn", "-3", "99999999999"]),
        st.text(alphabet="abc0123456789-%", max_size=12),
    ),
    max_size=5,
)


def check_answer(status: int, mimetype: str, body: bytes) -> None:
    assert status < 500, body[:500]
    if status == 403:
        assert body == b""
        return
    assert 200 <= status < 300, (status, body[:500])
    assert mimetype == "text/xml"
    root = ElementTree.fromstring(body)
    assert root.tag == "Response"


def encode_query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


@given(path=st.sampled_from(PATHS), params=fields, args=query)
def test_signed_garbage_answers_twiml(
    client: FlaskClient, path: str, params: dict[str, str], args: dict[str, str]
) -> None:
    target = path + (f"?{encode_query(args)}" if args else "")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + target, params)

    response = client.post(target, data=params, headers={"X-Twilio-Signature": signature})

    check_answer(response.status_code, response.mimetype, response.data)


@given(
    path=st.sampled_from(PATHS),
    params=fields,
    signature=st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=40),
)
def test_unsigned_garbage_rejected(
    client: FlaskClient, path: str, params: dict[str, str], signature: str
) -> None:
    headers = {"X-Twilio-Signature": signature} if signature else {}
    response = client.post(path, data=params, headers=headers)
    assert response.status_code == 403
    assert response.data == b""


@given(
    body=st.binary(max_size=2_000),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "application/json",
            "text/plain",
            "",
        ]
    ),
)
def test_raw_bodies_never_fail(client: FlaskClient, body: bytes, content_type: str) -> None:
    response = client.post(
        "/sms", data=body, headers={"Content-Type": content_type, "X-Twilio-Signature": "abc"}
    )
    assert response.status_code == 403


def test_oversized_form_rejected(client: FlaskClient) -> None:
    params = {"Body": "x" * 600_000}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + "/sms", params)
    response = client.post("/sms", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
