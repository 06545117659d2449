"""The RDW client against a local stand-in: both schemas, every part, failures and retries."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from phoneline.lookups.cache import LookupCache
from phoneline.lookups.errors import SourceResponseInvalid, SourceUnavailable
from phoneline.lookups.plates import Plate, parse_plate
from phoneline.lookups.rdw import FUELS, RECALLS, VEHICLES, RdwClient
from phoneline.state import SqliteStore
from tests.conftest import Clock
from tests.rdw_server import Canned, RdwStandIn, recorded, rows, stored


def plate(text: str) -> Plate:
    parsed = parse_plate(text)
    assert parsed is not None
    return parsed


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def client(http: httpx.Client, rdw: RdwStandIn) -> RdwClient:
    return RdwClient(http=http, base_url=rdw.url, deadline=1.0)


def test_old_schema_recorded(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))

    report = client.report(plate("11-ZKZ-3"))

    assert report is not None
    vehicle = report.vehicle
    assert (vehicle.make, vehicle.model, vehicle.kind) == ("SKODA", "CITIGO", "Personenauto")
    assert vehicle.colour == "GRIJS"
    assert vehicle.first_admission == dt.date(2013, 1, 4)
    assert vehicle.first_registration_nl == dt.date(2013, 1, 4)
    assert vehicle.apk_expiry == dt.date(2022, 1, 4)
    assert vehicle.wam_insured is False
    assert vehicle.open_recall is False
    assert vehicle.exported is False
    assert vehicle.taxi is None
    assert vehicle.odometer_verdict == "Logisch"
    assert vehicle.catalogue_price == 10697


def test_current_schema_built(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "P987ZX", stored("m9d7-ebf2_P987ZX_current-schema.json"))

    report = client.report(plate("P-987-ZX"))

    assert report is not None
    vehicle = report.vehicle
    assert vehicle.first_admission == dt.date(2021, 6, 11)
    assert vehicle.first_registration_nl == dt.date(2023, 11, 20)
    assert vehicle.apk_expiry == dt.date(2028, 3, 15)
    assert vehicle.taxi is False
    assert vehicle.open_recall is True


def test_iso_twin_used_without_number_date(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(
        VEHICLES,
        "P987ZX",
        rows({"kenteken": "P987ZX", "vervaldatum_apk_dt": "2027-07-25T00:00:00.000"}),
    )
    report = client.report(plate("P987ZX"))
    assert report is not None
    assert report.vehicle.apk_expiry == dt.date(2027, 7, 25)


def test_new_car_without_dates(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "X999ZZ", stored("m9d7-ebf2_X999ZZ_new-car.json"))
    report = client.report(plate("X-999-ZZ"))
    assert report is not None
    vehicle = report.vehicle
    assert vehicle.first_admission is None
    assert vehicle.apk_expiry is None
    assert vehicle.odometer_verdict is None  # "Niet geregistreerd"


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        pytest.param("m9d7-ebf2_D123BC_moped.json", "D123BC", "Bromfiets", id="moped"),
        pytest.param("m9d7-ebf2_MX12AB_motorcycle.json", "MX12AB", "Motorfiets", id="motorcycle"),
        pytest.param("m9d7-ebf2_WX12YZ_trailer.json", "WX12YZ", "Aanhangwagen", id="trailer"),
        pytest.param("m9d7-ebf2_OA12BC_semi-trailer.json", "OA12BC", "Oplegger", id="semi-trailer"),
    ],
)
def test_other_kinds_parse(
    client: RdwClient, rdw: RdwStandIn, name: str, text: str, kind: str
) -> None:
    rdw.set(VEHICLES, text, stored(name))
    report = client.report(plate(text))
    assert report is not None
    assert report.vehicle.kind == kind


def test_zero_price_is_unknown(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "D123BC", stored("m9d7-ebf2_D123BC_moped.json"))
    report = client.report(plate("D123BC"))
    assert report is not None
    assert report.vehicle.catalogue_price is None


def test_hybrid_fuels_in_rdw_order(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "P987ZX", stored("m9d7-ebf2_P987ZX_current-schema.json"))
    rdw.set(FUELS, "P987ZX", stored("8ys7-d773_P987ZX_hybrid.json"))
    report = client.report(plate("P987ZX"))
    assert report is not None
    assert report.fuels == ("Benzine", "Elektriciteit")


def test_recorded_fuel_row(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "L369JR", rows({"kenteken": "L369JR"}))
    rdw.set(FUELS, "L369JR", recorded(FUELS, "L369JR"))
    report = client.report(plate("L-369-JR"))
    assert report is not None
    assert report.fuels == ("Benzine",)


def test_open_recalls_counted(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "P987ZX", stored("m9d7-ebf2_P987ZX_current-schema.json"))
    rdw.set(RECALLS, "P987ZX", stored("t49b-isb7_P987ZX_open.json"))
    report = client.report(plate("P987ZX"))
    assert report is not None
    assert report.open_recalls == 2


def test_repaired_recalls_not_open(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    rdw.set(RECALLS, "11ZKZ3", stored("t49b-isb7_11ZKZ3_repaired-only.json"))
    report = client.report(plate("11ZKZ3"))
    assert report is not None
    assert report.open_recalls == 0


def test_unknown_plate_is_none(client: RdwClient, rdw: RdwStandIn) -> None:
    assert client.report(plate("XX-999-X")) is None
    assert {dataset for dataset, _, _ in rdw.requests} == {VEHICLES, FUELS, RECALLS}


def test_three_requests_in_flight_together(client: RdwClient, rdw: RdwStandIn) -> None:
    for dataset in (VEHICLES, FUELS, RECALLS):
        rdw.set(dataset, "11ZKZ3", Canned(delay=0.3))
    client.report(plate("11ZKZ3"))
    assert rdw.max_in_flight == 3


def test_only_plate_text_sent(client: RdwClient, rdw: RdwStandIn) -> None:
    client.report(plate("1ＡＢＣ23"))
    assert {tuple(query["kenteken"]) for _, query, _ in rdw.requests} == {("1ABC23",)}


def test_unnormalised_plate_refused(client: RdwClient, rdw: RdwStandIn) -> None:
    with pytest.raises(ValueError, match="normalised"):
        client.report(Plate(text="ab123c", sidecode=9))
    assert rdw.requests == []


@pytest.fixture
def patient_client(http: httpx.Client, rdw: RdwStandIn) -> RdwClient:
    """A client whose deadline always leaves time for the retry, whatever the jitter."""
    return RdwClient(http=http, base_url=rdw.url, deadline=3.0)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_failure_retried_once(
    patient_client: RdwClient, rdw: RdwStandIn, status: int
) -> None:
    rdw.set(VEHICLES, "11ZKZ3", Canned(status=status, body=b"{}"), recorded(VEHICLES, "11ZKZ3"))

    report = patient_client.report(plate("11ZKZ3"))

    assert report is not None
    vehicle_requests = [r for r in rdw.requests if r[0] == VEHICLES]
    assert len(vehicle_requests) == 2


@pytest.mark.parametrize("status", [429, 500])
def test_transient_failure_twice_raises(
    patient_client: RdwClient, rdw: RdwStandIn, status: int
) -> None:
    rdw.set(VEHICLES, "11ZKZ3", Canned(status=status, body=b"{}"))
    with pytest.raises(SourceUnavailable, match=f"HTTP {status}"):
        patient_client.report(plate("11ZKZ3"))
    assert len([r for r in rdw.requests if r[0] == VEHICLES]) == 2


def test_retry_after_beyond_deadline_not_waited(patient_client: RdwClient, rdw: RdwStandIn) -> None:
    throttled = Canned(status=429, body=b"{}", headers={"Retry-After": "5"})
    rdw.set(VEHICLES, "11ZKZ3", throttled, recorded(VEHICLES, "11ZKZ3"))
    with pytest.raises(SourceUnavailable, match="HTTP 429"):
        patient_client.report(plate("11ZKZ3"))
    assert len([r for r in rdw.requests if r[0] == VEHICLES]) == 1


def test_html_with_200_invalid(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", Canned(body=b"<html>Onderhoud</html>", content_type="text/html"))
    with pytest.raises(SourceResponseInvalid, match="non-JSON"):
        client.report(plate("11ZKZ3"))
    assert len([r for r in rdw.requests if r[0] == VEHICLES]) == 1


def test_vehicle_timeout_raises_by_deadline(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", Canned(delay=3.0))
    started = time.monotonic()
    with pytest.raises(SourceUnavailable):
        client.report(plate("11ZKZ3"))
    assert time.monotonic() - started < 2.0  # the deadline is 1 second


def test_recalls_timeout_leaves_part_unknown(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    rdw.set(RECALLS, "11ZKZ3", Canned(delay=3.0))
    report = client.report(plate("11ZKZ3"))
    assert report is not None
    assert report.open_recalls is None
    assert report.fuels == ()


def test_fuel_failure_leaves_part_unknown(client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    rdw.set(FUELS, "11ZKZ3", Canned(status=500, body=b""))
    report = client.report(plate("11ZKZ3"))
    assert report is not None
    assert report.fuels is None
    assert report.open_recalls == 0


@pytest.fixture
def cached_client(
    http: httpx.Client, rdw: RdwStandIn, tmp_path: Path, clock: Clock
) -> Iterator[RdwClient]:
    store = SqliteStore(tmp_path / "state.sqlite3", clock=clock)
    cache = LookupCache(store, found_ttl=3600, not_found_ttl=60, clock=clock)
    yield RdwClient(http=http, base_url=rdw.url, deadline=1.0, cache=cache)
    store.close()


def test_found_answer_cached(cached_client: RdwClient, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    first = cached_client.report(plate("11ZKZ3"))
    rdw.requests.clear()

    second = cached_client.report(plate("11ZKZ3"))

    assert second == first
    assert rdw.requests == []


def test_not_found_cached_for_minutes(
    cached_client: RdwClient, rdw: RdwStandIn, clock: Clock
) -> None:
    assert cached_client.report(plate("11ZKZ3")) is None
    rdw.requests.clear()
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))

    assert cached_client.report(plate("11ZKZ3")) is None
    assert rdw.requests == []

    clock.now += 61
    assert cached_client.report(plate("11ZKZ3")) is not None


def test_found_wins_over_fresh_empty(
    cached_client: RdwClient, rdw: RdwStandIn, clock: Clock
) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    assert cached_client.report(plate("11ZKZ3")) is not None

    clock.now += 3601  # no longer fresh, still kept
    rdw.set(VEHICLES, "11ZKZ3", rows())
    report = cached_client.report(plate("11ZKZ3"))

    assert report is not None
    assert report.vehicle.make == "SKODA"
    assert any(dataset == VEHICLES for dataset, _, _ in rdw.requests[-3:])


def test_stale_found_served_when_rdw_fails(
    cached_client: RdwClient, rdw: RdwStandIn, clock: Clock
) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    assert cached_client.report(plate("11ZKZ3")) is not None

    clock.now += 3601
    rdw.set(VEHICLES, "11ZKZ3", Canned(status=503, body=b""))
    report = cached_client.report(plate("11ZKZ3"))
    assert report is not None

    clock.now += 3600  # beyond twice the found lifetime: nothing is kept
    with pytest.raises(SourceUnavailable):
        cached_client.report(plate("11ZKZ3"))
