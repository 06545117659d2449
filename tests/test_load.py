"""Many senders at once against the Procfile's gunicorn: every answer is TwiML, limits hold.

Each sender texts a licence plate again and again (and now and then calls),
one request after the other, as a person with a fast phone would. With
PHONELINE_LOOKUPS_PER_HOUR at 3, each sender must get exactly three vehicle
replies, then one notice that the limit is reached, then empty answers. The
long version (50 senders for 30 seconds) runs in `make test-long`; `make test`
runs a short one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from twilio.request_validator import RequestValidator

from phoneline.catalog import Content
from phoneline.lookups.rdw import VEHICLES
from tests.conftest import AUTH_TOKEN, PUBLIC_URL, call_params, sms_params
from tests.log_privacy import Person, leaks
from tests.rdw_server import RdwStandIn, recorded, stored
from tests.test_deployment import app_server

LOOKUPS_PER_HOUR = 3
PLATES = {"11-zkz-3": "11-ZKZ-3", "P-987-ZX": "P-987-ZX"}
# Every fourth request of a sender is a call instead of a text.
CALL_EVERY = 4
SECRET_KEY = "test-secret-key"


@dataclass
class Sender:
    """One phone number sending requests in a loop, with what came back."""

    index: int
    number: str
    plate: str
    replies: list[list[str]] = field(default_factory=list)
    calls: int = 0
    problems: list[str] = field(default_factory=list)

    def run(self, server: str, until: float) -> None:
        validator = RequestValidator(AUTH_TOKEN)
        with httpx.Client(base_url=server, timeout=20) as http:
            sent = 0
            while time.monotonic() < until:
                sent += 1
                if sent % CALL_EVERY == 0:
                    path = "/voice"
                    sid = f"CA{self.index:016d}{sent:016d}"
                    params = call_params(From=self.number, CallSid=sid)
                else:
                    path = "/sms"
                    sid = f"SM{self.index:016d}{sent:016d}"
                    params = sms_params(self.plate, From=self.number, MessageSid=sid)
                signature = validator.compute_signature(PUBLIC_URL + path, params)
                try:
                    response = http.post(
                        path, data=params, headers={"X-Twilio-Signature": signature}
                    )
                except httpx.HTTPError as error:
                    self.problems.append(f"{path}: {type(error).__name__}: {error}")
                    continue
                self.record(path, response)

    def record(self, path: str, response: httpx.Response) -> None:
        if response.status_code != 200 or not response.headers.get(
            "Content-Type", ""
        ).startswith("text/xml"):
            self.problems.append(f"{path}: HTTP {response.status_code} {response.text[:200]!r}")
            return
        try:
            root = ElementTree.fromstring(response.content)
        except ElementTree.ParseError as error:
            self.problems.append(f"{path}: not XML ({error}): {response.text[:200]!r}")
            return
        if root.tag != "Response":
            self.problems.append(f"{path}: root <{root.tag}>")
        elif path == "/voice":
            self.calls += 1
            if root.find("Gather") is None:
                self.problems.append(f"/voice: no menu: {response.text[:200]!r}")
        else:
            self.replies.append([message.text or "" for message in root.iter("Message")])


def run_load(
    tmp_path: Path, rdw: RdwStandIn, content: Content, senders: int, seconds: float
) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    rdw.set(VEHICLES, "P987ZX", stored("m9d7-ebf2_P987ZX_current-schema.json"))
    people = [
        Sender(index, f"+3162{index:07d}", list(PLATES)[index % len(PLATES)])
        for index in range(senders)
    ]
    settings = {
        "WEB_CONCURRENCY": "2",
        "PHONELINE_LOOKUPS_PER_HOUR": str(LOOKUPS_PER_HOUR),
        "PHONELINE_SECRET_KEY": SECRET_KEY,
    }
    with app_server(tmp_path, rdw, **settings) as server:
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=person.run, args=(server, until)) for person in people
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 60)
    log = next(tmp_path.glob("gunicorn-*.log")).read_text(encoding="utf-8")

    notice = content.catalog("en").text("sms.rate_limited.hour")
    for person in people:
        assert person.problems == [], (person.number, person.problems[:5])
        assert len(person.replies) >= LOOKUPS_PER_HOUR + 2, person.number
        assert person.calls >= 1, person.number
        vehicle, limit, after = (
            person.replies[:LOOKUPS_PER_HOUR],
            person.replies[LOOKUPS_PER_HOUR],
            person.replies[LOOKUPS_PER_HOUR + 1 :],
        )
        plate = PLATES[person.plate]
        assert all(len(texts) == 1 and texts[0].startswith(plate) for texts in vehicle), vehicle
        assert limit == [notice], (person.number, limit)
        assert all(texts == [] for texts in after), person.number

    assert "Traceback" not in log
    assert "[ERROR]" not in log and " ERROR " not in log, log[-2000:]
    lines = log.splitlines()
    assert sum(1 for line in lines if '"POST /sms HTTP/1.1" 200' in line) >= senders * 5
    looked_up = [*PLATES, *PLATES.values(), *(plate.replace("-", "") for plate in PLATES.values())]
    people_in_log = [
        Person(person.number, SECRET_KEY, looked_up=looked_up) for person in people
    ]
    assert leaks(lines, people_in_log) == []


def test_five_senders_for_three_seconds(
    tmp_path: Path, rdw: RdwStandIn, content: Content
) -> None:
    run_load(tmp_path, rdw, content, senders=5, seconds=3)


@pytest.mark.slow
def test_fifty_senders_for_thirty_seconds(
    tmp_path: Path, rdw: RdwStandIn, content: Content
) -> None:
    run_load(tmp_path, rdw, content, senders=50, seconds=30)
