"""No phone number, SMS body or plate next to a person in any log line, at DEBUG for every logger.

The scenarios cover calls, texted lookups (plates, KVK numbers with and without
an API key, postcodes, a municipality), STOP, START and FORGET, the rate
limit, a failing data source, a failing text during a call, a rejected
signature, garbage input and Redis stopping mid-run. One more scenario runs the
Procfile's gunicorn at its debug log level and reads its whole output,
access log included. The rules are in tests/log_privacy.py.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.lookups.cbs import TABLE
from phoneline.lookups.rdw import FUELS, VEHICLES
from tests.conftest import AppFactory, Twilio, call_params, parse_twiml, sms_params
from tests.log_privacy import Person, leaks, record_lines
from tests.rdw_server import Canned, RdwStandIn, recorded, stored
from tests.redis_server import RedisProcess
from tests.source_server import SourceStandIn, fixture
from tests.test_deployment import app_server, signed_post
from tests.twilio_server import TwilioStandIn
from tests.voice_helpers import choose_language, open_topic, press

SECRET_KEY = "test-secret-key"
LOGGERS = ("", "phoneline", "httpx", "httpcore", "werkzeug", "urllib3", "twilio", "redis")
PROFILE = "/kvk/api/v1/basisprofielen/69599084"
OPEN_DATA = "/kvk/hvds/basisbedrijfsgegevens/kvknummer/96332751"
CBS_DATA = f"/cbs/{TABLE}/TypedDataSet"
# Every way the looked-up values of these scenarios are written.
PLATES = ["11-zkz-3", "11 zkz 3", "11-ZKZ-3", "11ZKZ3", "P-987-ZX", "P987ZX", "XX-99-ZZ", "XX99ZZ"]
LOOKED_UP = [*PLATES, "69599084", "96332751", "6411"]


def person(number: str, *bodies: str) -> Person:
    return Person(number, SECRET_KEY, bodies=list(bodies), looked_up=LOOKED_UP)


def capture_everything(caplog: pytest.LogCaptureFixture) -> None:
    """Capture DEBUG records from every logger.

    Call it after building the apps, because `create_app` sets the levels of
    the phoneline and httpx loggers.
    """
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)


def serve_sources(rdw: RdwStandIn, sources: SourceStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    rdw.set(VEHICLES, "P987ZX", stored("m9d7-ebf2_P987ZX_current-schema.json"))
    rdw.set(FUELS, "P987ZX", Canned(status=500))
    sources.add(PROFILE, fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))
    sources.add(OPEN_DATA, fixture("kvk", "opendata-hvds-basisbedrijfsgegevens_96332751.json"))
    sources.add(CBS_DATA, fixture("cbs", "85984NED_postcode-6411.json"))
    sources.add(
        CBS_DATA,
        fixture("cbs", "85984NED_municipalities.json"),
        **{"$filter": "startswith(WijkenEnBuurten,'GM')"},
    )


def text(twilio: Twilio, sender: Person, body: str, number: int) -> None:
    parse_twiml(twilio.post("/sms", sms_params(body, From=sender.number, MessageSid=sid(number))))


def sid(number: int, prefix: str = "SM") -> str:
    return f"{prefix}{number:032x}"


@pytest.fixture
def texting(
    settings: Settings, twilio_api: TwilioStandIn, rdw: RdwStandIn, sources: SourceStandIn
) -> Settings:
    """Settings with a KVK key, a low rate limit and REST credentials for texts during calls.

    The RDW, KVK and CBS stand-ins serve the scenario's recorded answers.
    """
    serve_sources(rdw, sources)
    return dataclasses.replace(
        settings,
        secret_key=SECRET_KEY,
        kvk_api_key="test-key",
        lookups_per_hour=4,
        twilio_account_sid="AC" + "d" * 32,
        sms_from="+3197010000003",
        twilio_api_url=twilio_api.url,
    )


def test_calls_and_texts_log_no_one(
    make_app: AppFactory,
    texting: Settings,
    content: Content,
    twilio_api: TwilioStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    keyed = Twilio(make_app(settings=texting).test_client())
    without_key = dataclasses.replace(texting, kvk_api_key=None)
    open_data = Twilio(make_app(settings=without_key).test_client())
    capture_everything(caplog)

    buyer = person(
        "+31687654321",
        "Zwaantje",
        "Kroonenberg",
        "Hoi, ik ben Zwaantje Kroonenberg en wil 11-zkz-3",
    )
    worker = person(
        "+48601234567",
        "Brzęczyszczykiewicz",
        "Bartholomeus",
        "firma 69599084 dzień dobry, Grzegorz Brzęczyszczykiewicz",
    )
    busy = person("+31611122233", "Hendrikus")
    caller = person("+31644455566")
    odd = person("+31655566677", "Omaatje")
    people = [buyer, worker, busy, caller, odd]

    for number, body in enumerate(
        [buyer.bodies[2], "Polski", "P-987-ZX", "XX-99-ZZ", "STOPPEN", "hulp", "START", "VERGEET"]
    ):
        text(keyed, buyer, body, number)
    for number, body in enumerate(
        [worker.bodies[2], "Postcode 6411 AB, Brzęczyszczykiewicz?", "Heerlen", "help", "2"], 20
    ):
        text(keyed, worker, body, number)
    for number in range(40, 47):
        text(keyed, busy, "11 zkz 3 voor Hendrikus", number)
    text(open_data, worker, "kvk 96332751 van oom Bartholomeus", 47)
    text(keyed, odd, "\x00\x0bOmaatje\ufffe" + "Omaatje " * 190, 50)
    rejected = keyed.client.post("/sms", data=sms_params("Omaatje", From=odd.number))
    assert rejected.status_code == 403

    # A call: the employer check by phone, its result texted, then a text that fails.
    call = {"From": caller.number, "CallSid": sid(60, "CA")}
    screen = open_topic(
        keyed, content, choose_language(keyed, content, "en", **call), "check_employer", **call
    )
    result = press(keyed, screen, "69599084", **call)
    redirect = result.find("Redirect")
    assert redirect is not None and redirect.text
    parse_twiml(keyed.follow(redirect.text, call_params(**call)))
    twilio_api.fail_with = (400, 21211)
    parse_twiml(keyed.follow(redirect.text, call_params(**call)))
    after = parse_twiml(keyed.follow(redirect.text, call_params(**call)))
    press(keyed, after, "0", **call)
    parse_twiml(keyed.post("/voice/status", call_params(CallStatus="completed", **call)))

    assert [message["To"] for message in twilio_api.messages()][:1] == [caller.number]
    lines = record_lines(caplog.records)
    assert leaks(lines, people) == []
    # The capture saw the lines where a leak would be: requests with plates, sids, REST calls.
    requested = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("11ZKZ3" in line for line in requested)
    assert any(OPEN_DATA in line for line in requested)
    assert any(r.name.startswith("twilio") for r in caplog.records)
    assert any(sid(60, "CA") in line and "sent" in line for line in lines)
    assert any(sid(46) in line and "rate_limit" in line for line in lines)
    assert any("Rejected POST '/sms'" in line for line in lines)


def test_redis_failure_logs_no_one(
    make_app: AppFactory,
    settings: Settings,
    rdw: RdwStandIn,
    redis_process: RedisProcess,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    configured = dataclasses.replace(settings, secret_key=SECRET_KEY, redis_url=redis_process.url)
    twilio = Twilio(make_app(settings=configured).test_client())
    capture_everything(caplog)
    sender = person("+31699988877", "Ayşegül", "11-zkz-3 lütfen Ayşegül")

    text(twilio, sender, "Türkçe", 1)
    text(twilio, sender, sender.bodies[1], 2)
    redis_process.kill()
    text(twilio, sender, sender.bodies[1], 3)
    text(twilio, sender, "VERGEET", 4)
    parse_twiml(twilio.post("/voice", call_params(From=sender.number, CallSid=sid(5, "CA"))))

    records = caplog.records
    assert any(r.name == "phoneline.state" and r.levelno == logging.ERROR for r in records)
    assert any(r.exc_info for r in records), "the failed FORGET was logged with its traceback"
    assert leaks(record_lines(records), [sender]) == []


def test_gunicorn_output_logs_no_one(
    tmp_path: Path, rdw: RdwStandIn, sources: SourceStandIn, content: Content
) -> None:
    """The Procfile's server at --log-level debug: its access log and the app's own lines."""
    serve_sources(rdw, sources)
    texter = person("+31622233344", "Wilhelmina", "Wilhelmina zoekt 11-zkz-3")
    environ = {
        "GUNICORN_CMD_ARGS": "--log-level debug",
        "PHONELINE_SECRET_KEY": SECRET_KEY,
        "PHONELINE_KVK_URL": f"{sources.url}/kvk/api",
        "PHONELINE_KVK_API_KEY": "test-key",
        "PHONELINE_CBS_URL": f"{sources.url}/cbs",
    }
    with app_server(tmp_path, rdw, **environ) as server:
        for number, body in enumerate([texter.bodies[1], "kvk 69599084", "6411", "VERGEET"]):
            params = sms_params(body, From=texter.number, MessageSid=sid(number))
            assert signed_post(server, "/sms", params).status_code == 200
        call = call_params(From=texter.number, CallSid=sid(9, "CA"), Digits="69599084")
        assert signed_post(server, "/voice", call).status_code == 200
        assert signed_post(server, "/voice/employer?lang=en&tries=0", call).status_code == 200
        after = "/voice/employer/after?lang=en&kvk=69599084"
        assert signed_post(server, after, call | {"Digits": "0"}).status_code == 200
    lines = next(tmp_path.glob("gunicorn-*.log")).read_text(encoding="utf-8").splitlines()

    assert leaks(lines, [texter]) == []
    # The access log prints each request line with its query string: KVK numbers
    # typed on the employer screen appear there, never the caller's number.
    access = [line for line in lines if '"POST /' in line]
    assert len(access) == 7
    assert any("kvk=69599084" in line for line in access)
    assert any("[DEBUG]" in line for line in lines)
