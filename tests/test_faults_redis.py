"""Redis stopped during a run: the line keeps answering without stored state, and logs it.

Each test starts its own redis-server (`redis_process`) because it kills it.
The line is built with REDIS_URL pointing there, as app servers that share
state are.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import time

import pytest
from flask import Flask

from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.lookups.rdw import VEHICLES
from phoneline.state import RETRY_PAUSE_SECONDS
from tests.conftest import AppFactory, Twilio, call_params, parse_twiml, sms_params
from tests.rdw_server import RdwStandIn, recorded
from tests.redis_server import RedisProcess
from tests.voice_helpers import said

STORE_FAILED = "State store"
# Twilio gives up on a webhook after 15 seconds and plays or sends its own error.
TWILIO_TIMEOUT_SECONDS = 15


@pytest.fixture
def line(
    make_app: AppFactory, settings: Settings, redis_process: RedisProcess, rdw: RdwStandIn
) -> Flask:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    return make_app(settings=dataclasses.replace(settings, redis_url=redis_process.url))


def texts(twilio: Twilio, body: str, **extra: str) -> list[str]:
    root = parse_twiml(twilio.post("/sms", sms_params(body, **extra)))
    return [message.text or "" for message in root.iter("Message")]


def call(twilio: Twilio, number: int) -> list[str]:
    return said(parse_twiml(twilio.post("/voice", call_params(CallSid=f"CA{number:032d}"))))


def store_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == "phoneline.state"
        and record.levelno == logging.ERROR
        and record.getMessage().startswith(STORE_FAILED)
    ]


def test_line_answers_while_redis_is_down(
    line: Flask,
    redis_process: RedisProcess,
    content: Content,
    caplog: pytest.LogCaptureFixture,
) -> None:
    twilio = Twilio(line.test_client())
    polish = content.catalog("pl")
    english = content.catalog("en")
    caplog.set_level(logging.INFO, logger="phoneline")

    # Before: the line remembers the chosen language for texts and calls.
    assert texts(twilio, "Polski") == [polish.text("sms.language.set")]
    assert polish.text("sms.vehicle.wam_no") in texts(twilio, "11-zkz-3")[0].splitlines()
    assert polish.text("language.continuing") in call(twilio, 1)
    assert store_errors(caplog) == []

    redis_process.kill()

    # During: every webhook still answers TwiML, without the remembered language.
    menu = call(twilio, 2)
    assert polish.text("language.continuing") not in menu
    assert english.text("privacy.notice") in menu
    step = parse_twiml(twilio.post("/voice/language?page=0", call_params(Digits="1")))
    assert step.find("Gather") is not None
    vehicle = texts(twilio, "11-zkz-3")[0].splitlines()
    assert english.text("sms.vehicle.wam_no") in vehicle
    assert texts(twilio, "help") != []
    for _ in range(15):  # Rate-limit counters cannot count, so lookups are let through.
        assert texts(twilio, "11-zkz-3")[0].startswith("11-ZKZ-3")
    parse_twiml(twilio.post("/voice/status", call_params(CallStatus="completed")))

    # FORGET cannot be done, so it must not be confirmed.
    forget = texts(twilio, "FORGET")
    assert english.text("sms.forget.done") not in "\n".join(forget)
    assert forget == [content.catalog("nl").text("error.apology_sms") + "\n"
                      + english.text("error.apology_sms")]

    errors = store_errors(caplog)
    assert len(errors) == 1, [record.getMessage() for record in errors]
    assert "ConnectionError" in errors[0].getMessage()

    # After: Redis is back (empty, as it keeps no data on disk here) and, once the
    # store's pause after a failure has passed, state works again.
    redis_process.start()
    time.sleep(RETRY_PAUSE_SECONDS + 0.1)
    assert texts(twilio, "Polski") == [polish.text("sms.language.set")]
    assert polish.text("sms.vehicle.wam_no") in texts(twilio, "11-zkz-3")[0].splitlines()
    assert polish.text("language.continuing") in call(twilio, 3)
    assert texts(twilio, "FORGET") == [polish.text("sms.forget.done")]
    assert len(store_errors(caplog)) == 1


def test_stop_not_confirmed_while_redis_is_down(
    line: Flask, redis_process: RedisProcess, content: Content
) -> None:
    twilio = Twilio(line.test_client())
    dutch = content.catalog("nl")
    redis_process.kill()

    reply = texts(twilio, "STOPPEN")

    assert dutch.text("sms.stop.done") not in "\n".join(reply), reply


@pytest.mark.slow
def test_line_answers_in_time_while_redis_hangs(
    line: Flask, redis_process: RedisProcess, content: Content
) -> None:
    """A Redis that accepts connections but never answers (paused, or a lost network path)."""
    twilio = Twilio(line.test_client())
    assert redis_process.process is not None
    redis_process.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        reply = texts(twilio, "11-zkz-3")
        elapsed = time.monotonic() - started
    finally:
        redis_process.process.send_signal(signal.SIGCONT)

    assert reply[0].startswith("11-ZKZ-3"), reply
    assert elapsed < TWILIO_TIMEOUT_SECONDS, f"answered after {elapsed:.1f} s"
