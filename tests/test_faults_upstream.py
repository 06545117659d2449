"""Data sources that fail: every lookup still answers, in the caller's language, by the deadline.

Each case lets one request of one lookup misbehave on a real socket (see
tests/fault_server.py) while the other requests succeed: it hangs past the
deadline, resets the connection mid-body, answers 429 or 500, answers 200 with
an HTML page, or answers 200 with JSON of the wrong shape. The lookup deadline
(`PHONELINE_LOOKUP_DEADLINE`, here one second) is the behaviour under test, so
each webhook must answer within it plus a margin for the test machine.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from werkzeug.test import TestResponse

from phoneline.catalog import Content, load_content
from phoneline.config import Settings
from phoneline.lookups.cbs import TABLE
from phoneline.lookups.rdw import FUELS, RECALLS, VEHICLES
from tests import fault_server
from tests.conftest import AppFactory, Twilio, call_params, parse_twiml, sms_params
from tests.fault_server import RESET, Answer, FaultStandIn
from tests.rdw_server import Canned, recorded, rows, stored
from tests.source_server import fixture
from tests.voice_helpers import said

DEADLINE = 1.0
# Room for the jittered retry pause, XML building and a busy two-core machine.
MARGIN = 1.0
HANG_SECONDS = 5.0

PLATE = "11ZKZ3"
KVK_NUMBER = "69599084"
OPEN_DATA_NUMBER = "96332751"
PROFILE = f"/kvk/api/v1/basisprofielen/{KVK_NUMBER}"
OPEN_DATA = f"/kvk/hvds/basisbedrijfsgegevens/kvknummer/{OPEN_DATA_NUMBER}"
CBS_DATA = f"/cbs/{TABLE}/TypedDataSet"


def rdw_path(dataset: str) -> str:
    return f"/rdw/resource/{dataset}.json"


def serve_good_answers(stand_in: FaultStandIn) -> None:
    """Answer every request the cases make with a recorded, usable response."""
    stand_in.answer(rdw_path(VEHICLES), recorded(VEHICLES, PLATE))
    stand_in.answer(
        rdw_path(FUELS),
        rows(
            {"kenteken": PLATE, "brandstof_omschrijving": "Benzine", "brandstof_volgnummer": "1"}
        ),
    )
    stand_in.answer(rdw_path(RECALLS), stored("t49b-isb7_11ZKZ3_repaired-only.json"))
    stand_in.answer(PROFILE, fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))
    stand_in.answer(OPEN_DATA, fixture("kvk", "opendata-hvds-basisbedrijfsgegevens_96332751.json"))
    stand_in.answer(CBS_DATA, fixture("cbs", "85984NED_postcode-6411.json"))


@dataclass(frozen=True)
class Lookup:
    """One lookup as a caller makes it, with the request that is made to fail.

    `ask` is an SMS body, or for `voice` the digits keyed in on the employer
    screen. With `remembered`, an earlier text makes the line remember `lang`.
    Otherwise the line detects the language from the body or falls back to
    English, and by phone it uses the language the caller chose. `partial` lookups still
    answer with the other datasets and say that the failed part is unknown.
    `found` is part of the reply when nothing fails. `wrong_fields` is a body of
    the right JSON type whose records lack every field the client reads, and
    `wrong_fields_bug` says why the line does not yet treat it as a failure.
    """

    name: str
    path: str
    ask: str
    lang: str
    failed_key: str
    found: str
    wrong_fields: bytes
    wrong_fields_bug: str
    remembered: bool = False
    kvk_key: bool = False
    voice: bool = False
    partial: bool = False


RDW_ROWS_WITHOUT_FIELDS = b'[{"unexpected": "shape"}]'
KVK_OBJECT_WITHOUT_FIELDS = b'{"unexpected": "shape"}'
CBS_ROWS_WITHOUT_FIELDS = b'{"value": [{"unexpected": "shape"}]}'
LOOKUPS = [
    Lookup(
        "plate",
        rdw_path(VEHICLES),
        "سيارة 11-ZKZ-3",
        "ar",
        "sms.vehicle.unavailable",
        "11-ZKZ-3",
        RDW_ROWS_WITHOUT_FIELDS,
        "a vehicle row without any known field is answered as a found vehicle without facts",
    ),
    Lookup(
        "plate-fuels",
        rdw_path(FUELS),
        "11-zkz-3",
        "nl",
        "sms.vehicle.fuel_unknown",
        "11-ZKZ-3",
        RDW_ROWS_WITHOUT_FIELDS,
        "fuel rows without brandstof_omschrijving give no fuel line instead of 'unknown'",
        remembered=True,
        partial=True,
    ),
    Lookup(
        "plate-recalls",
        rdw_path(RECALLS),
        "привіт 11 zkz 3",
        "uk",
        "sms.vehicle.recalls_unknown",
        "11-ZKZ-3",
        RDW_ROWS_WITHOUT_FIELDS,
        "recall rows without code_status are counted as no open recall: 'Open recalls: none'",
        partial=True,
    ),
    Lookup(
        "kvk-key",
        PROFILE,
        KVK_NUMBER,
        "pl",
        "sms.employer.unavailable",
        f"KVK {KVK_NUMBER}",
        KVK_OBJECT_WITHOUT_FIELDS,
        "a Basisprofiel without materieleRegistratie is answered as an ACTIVE company",
        remembered=True,
        kvk_key=True,
    ),
    Lookup(
        "kvk-open-data",
        OPEN_DATA,
        OPEN_DATA_NUMBER,
        "en",
        "sms.employer.unavailable",
        f"KVK {OPEN_DATA_NUMBER}",
        KVK_OBJECT_WITHOUT_FIELDS,
        "an open-data object without any known field is answered as a found company",
    ),
    Lookup(
        "cbs-postcode",
        CBS_DATA,
        "6411",
        "ro",
        "sms.area.unavailable",
        "6411, Heerlen",
        CBS_ROWS_WITHOUT_FIELDS,
        "a row without any known column is answered as a neighbourhood with no municipality",
        remembered=True,
    ),
    Lookup(
        "voice-kvk-key",
        PROFILE,
        KVK_NUMBER,
        "ar",
        "employer.unavailable",
        "Test EMZ Dagobert",
        KVK_OBJECT_WITHOUT_FIELDS,
        "a Basisprofiel without materieleRegistratie is spoken as an active company",
        kvk_key=True,
        voice=True,
    ),
]

HTML_PAGE = b"<!DOCTYPE html><html><body><h1>Onderhoud</h1><p>Probeer het later.</p></body></html>"
# None stands for the lookup's own `wrong_fields` body.
FAULTS: list[tuple[str, Answer | None]] = [
    ("timeout", Canned(body=b"[]", delay=HANG_SECONDS)),
    ("reset", RESET),
    ("429", Canned(status=429, body=b"", headers={"Retry-After": "120"})),
    ("500", Canned(status=500, body=HTML_PAGE, content_type="text/html")),
    ("html", Canned(body=HTML_PAGE, content_type="text/html")),
    ("json-wrong-type", Canned(body=b'[["unexpected"]]')),
    ("json-wrong-fields", None),
]


def case(lookup: Lookup, name: str, fault: Answer | None) -> object:
    answer = Canned(body=lookup.wrong_fields) if fault is None else fault
    return pytest.param(lookup, answer, id=f"{lookup.name}-{name}")


CASES = [case(lookup, name, fault) for lookup in LOOKUPS for name, fault in FAULTS]


@pytest.fixture(scope="module")
def fault_stand_in() -> Iterator[FaultStandIn]:
    stand_in = FaultStandIn()
    server = fault_server.start(stand_in)
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def faults(fault_stand_in: FaultStandIn) -> Iterator[FaultStandIn]:
    fault_stand_in.reset()
    serve_good_answers(fault_stand_in)
    yield fault_stand_in
    fault_stand_in.reset()


LineFactory = Callable[[Lookup], Twilio]


@pytest.fixture
def line_for(make_app: AppFactory, settings: Settings, faults: FaultStandIn) -> LineFactory:
    """Build the line for a lookup: every source at the fault stand-in, a one-second deadline."""

    def build(lookup: Lookup) -> Twilio:
        configured = dataclasses.replace(
            settings,
            lookup_deadline=DEADLINE,
            rdw_url=f"{faults.url}/rdw",
            kvk_url=f"{faults.url}/kvk/api",
            kvk_open_data_url=f"{faults.url}/kvk/hvds",
            cbs_url=f"{faults.url}/cbs",
            kvk_api_key="test-key" if lookup.kvk_key else None,
        )
        return Twilio(make_app(settings=configured).test_client())

    return build


def ask(twilio: Twilio, content: Content, lookup: Lookup) -> tuple[list[str], float]:
    """Make the lookup as a caller would; return the texts or spoken prompts and the seconds taken.

    A remembered language is set by a text sent before the clock starts.
    """
    if lookup.remembered:
        name = content.catalog(lookup.lang).language.name
        chosen = message_texts(twilio.post("/sms", sms_params(name)))
        assert chosen == [content.catalog(lookup.lang).text("sms.language.set")]

    started = time.monotonic()
    if lookup.voice:
        response = twilio.post(
            f"/voice/employer?lang={lookup.lang}&tries=0", call_params(Digits=lookup.ask)
        )
        elapsed = time.monotonic() - started
        return said(parse_twiml(response)), elapsed
    response = twilio.post("/sms", sms_params(lookup.ask))
    elapsed = time.monotonic() - started
    return message_texts(response), elapsed


def message_texts(response: TestResponse) -> list[str]:
    return [message.text or "" for message in parse_twiml(response).iter("Message")]


@pytest.mark.parametrize(("lookup", "fault"), CASES)
def test_failing_source_answers_in_language_by_deadline(
    line_for: LineFactory,
    content: Content,
    faults: FaultStandIn,
    lookup: Lookup,
    fault: Answer,
) -> None:
    twilio = line_for(lookup)
    faults.answer(lookup.path, fault)

    texts, elapsed = ask(twilio, content, lookup)

    expected = content.catalog(lookup.lang).text(lookup.failed_key)
    if lookup.partial:
        assert len(texts) == 1
        lines = texts[0].splitlines()
        assert lines[0].startswith("11-ZKZ-3"), texts
        assert expected in lines, texts
    else:
        assert texts[0] == expected, texts
    assert lookup.path in faults.paths
    assert elapsed < DEADLINE + MARGIN, f"answered after {elapsed:.2f} s"


@pytest.mark.parametrize("lookup", [pytest.param(lookup, id=lookup.name) for lookup in LOOKUPS])
def test_sources_answer_without_faults(
    line_for: LineFactory,
    content: Content,
    faults: FaultStandIn,
    lookup: Lookup,
) -> None:
    """The same lookups against good answers give facts, so the cases above test the faults."""
    twilio = line_for(lookup)

    texts, _ = ask(twilio, content, lookup)

    catalog = content.catalog(lookup.lang)
    assert catalog.text(lookup.failed_key) not in "\n".join(texts), texts
    if lookup.voice:
        assert catalog.text("employer.another") in texts
    assert any(lookup.found in text for text in texts), texts
    assert lookup.path in faults.paths


def test_two_failing_datasets_leave_vehicle(
    line_for: LineFactory, content: Content, faults: FaultStandIn
) -> None:
    """Both optional RDW datasets failing at once still give the vehicle facts."""
    twilio = line_for(LOOKUPS[1])
    faults.answer(rdw_path(FUELS), RESET)
    faults.answer(rdw_path(RECALLS), Canned(body=b"[]", delay=HANG_SECONDS))

    texts, elapsed = ask(twilio, content, dataclasses.replace(LOOKUPS[1], remembered=False))

    english = content.catalog("en")
    lines = texts[0].splitlines()
    assert lines[0].startswith("11-ZKZ-3")
    assert english.text("sms.vehicle.recalls_unknown") in lines
    assert english.text("sms.vehicle.fuel_unknown") in lines
    assert elapsed < DEADLINE + MARGIN


@pytest.mark.parametrize("lang", load_content().menu.languages)
def test_failed_fuels_said_in_every_language(
    line_for: LineFactory,
    content: Content,
    faults: FaultStandIn,
    lang: str,
) -> None:
    """README: "When only the fuel or recall dataset fails, the reply says that part is unknown"."""
    twilio = line_for(LOOKUPS[1])
    faults.answer(rdw_path(FUELS), Canned(body=HTML_PAGE, content_type="text/html"))
    lookup = dataclasses.replace(LOOKUPS[1], lang=lang)

    texts, _ = ask(twilio, content, lookup)

    assert content.catalog(lang).text("sms.vehicle.fuel_unknown") in texts[0].splitlines(), texts
