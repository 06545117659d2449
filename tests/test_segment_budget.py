"""Every reply fits 2 segments in GSM-7 languages and 3 in UCS-2 languages.

The test loops over every catalog that exists and over every recorded and
built response in tests/fixtures (plus failure replies), so a new language or
fixture is covered without editing this file. Replies are built from the
fixtures through the real clients, over `httpx.MockTransport`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from phoneline.catalog import Catalog, Content
from phoneline.flows.area import area_text
from phoneline.flows.employer import EmployerCheck, Outcome, employer_text
from phoneline.flows.replies import Writer
from phoneline.flows.vehicle import vehicle_reply
from phoneline.lookups.cbs import AreaFacts, CbsClient
from phoneline.lookups.kvk import KvkClient
from phoneline.lookups.plates import parse_plate
from phoneline.lookups.rdw import FUELS, RECALLS, VEHICLES, RdwClient, VehicleReport
from phoneline.sms_segments import count_segments, is_gsm7

FIXTURES = Path(__file__).parent / "fixtures"
SMS_PREFIXES = ("sms.", "month.", "date.", "value.", "number.")

# A vehicle row with every line filled and long names, built to push the budget.
LONG_VEHICLE = {
    "kenteken": "AB123C",
    "voertuigsoort": "Personenauto",
    "merk": "MERCEDES-BENZ",
    "handelsbenaming": "E 220 CDI BLUEEFFICIENCY AVANTGARDE STATIONWAGEN",
    "eerste_kleur": "DIVERSEN",
    "datum_eerste_toelating": "20080117",
    "datum_eerste_tenaamstelling_in_nederland": "20190301",
    "vervaldatum_apk": "20270801",
    "wam_verzekerd": "Ja",
    "export_indicator": "Ja",
    "taxi_indicator": "Ja",
    "openstaande_terugroepactie_indicator": "Ja",
    "tellerstandoordeel": "Onlogisch",
    "catalogusprijs": "104500",
}


def rdw_rows(name: str) -> list[dict[str, object]]:
    data = json.loads((FIXTURES / "rdw" / name).read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def vehicle_files() -> list[str]:
    return sorted(path.name for path in (FIXTURES / "rdw").glob("m9d7-ebf2_*.json"))


def answering(route: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(route))


def vehicle_reports() -> Iterator[tuple[str, VehicleReport]]:
    """Yield a report for every vehicle fixture with every fuel and recall answer."""
    fuel_answers: dict[str, object] = {
        "recorded-fuel": rdw_rows("8ys7-d773_L369JR.json"),
        "hybrid": rdw_rows("8ys7-d773_P987ZX_hybrid.json"),
        "fuel-failed": None,
    }
    recall_answers: dict[str, object] = {
        "open-recalls": rdw_rows("t49b-isb7_P987ZX_open.json"),
        "repaired-recalls": rdw_rows("t49b-isb7_11ZKZ3_repaired-only.json"),
        "recalls-failed": None,
    }
    vehicles = {name: rdw_rows(name) for name in vehicle_files()} | {"long": [LONG_VEHICLE]}

    for vehicle_name, vehicle_rows in vehicles.items():
        text = str(vehicle_rows[0]["kenteken"])
        plate = parse_plate(text)
        assert plate is not None
        for fuel_name, fuels in fuel_answers.items():
            for recall_name, recalls in recall_answers.items():
                answers = {VEHICLES: vehicle_rows, FUELS: fuels, RECALLS: recalls}

                def route(
                    request: httpx.Request, answers: dict[str, object] = answers
                ) -> httpx.Response:
                    dataset = request.url.path.removeprefix("/resource/").removesuffix(".json")
                    body = answers[dataset]
                    if body is None:  # a failed part, without the pause of a retry
                        return httpx.Response(200, text="<html>maintenance</html>")
                    return httpx.Response(200, json=body)

                with answering(route) as http:
                    report = RdwClient(
                        http=http, base_url="https://rdw.invalid", deadline=5
                    ).report(plate)
                assert report is not None
                yield f"{vehicle_name}+{fuel_name}+{recall_name}", report


def companies() -> Iterator[tuple[str, EmployerCheck]]:
    """Yield an employer check for every KVK fixture that describes a company."""
    kvk = FIXTURES / "kvk"
    searches = {
        path.name.split("_")[1].removeprefix("kvkNummer-"): path
        for path in kvk.glob("zoeken-v2_*.json")
        if "404" not in path.name
    }
    for path in sorted(kvk.glob("basisprofiel-v1_*.json")):
        if "404" in path.name:
            continue
        number = path.name.split("_")[1]

        def route(
            request: httpx.Request, path: Path = path, number: str = number
        ) -> httpx.Response:
            if request.url.path.endswith("/zoeken") and number in searches:
                return httpx.Response(200, content=searches[number].read_bytes())
            if request.url.path.endswith("/zoeken"):
                return httpx.Response(404, json={"fout": [{"code": "IPD5200"}]})
            return httpx.Response(200, content=path.read_bytes())

        with answering(route) as http:
            client = KvkClient(http, "https://kvk.invalid", "https://open.invalid", "key", 5)
            company = client.company(number)
        assert company is not None
        yield path.name, EmployerCheck(number, Outcome.FOUND, False, company)

    for path in sorted(kvk.glob("opendata-*.json")):

        def open_route(request: httpx.Request, path: Path = path) -> httpx.Response:
            return httpx.Response(200, content=path.read_bytes())

        with answering(open_route) as http:
            client = KvkClient(http, "https://kvk.invalid", "https://open.invalid", None, 5)
            company = client.company("96332751")
        assert company is not None
        yield path.name, EmployerCheck("96332751", Outcome.FOUND, True, company)

    for outcome in (Outcome.NOT_FOUND, Outcome.INVALID, Outcome.UNAVAILABLE):
        for from_open_data in (False, True):
            yield (
                f"{outcome.value}-{from_open_data}",
                EmployerCheck("12345678", outcome, from_open_data),
            )


def areas() -> Iterator[tuple[str, AreaFacts]]:
    """Yield facts for every row of every CBS fixture, as postcode and as municipality answers."""
    for path in sorted((FIXTURES / "cbs").glob("*.json")):
        rows = json.loads(path.read_text(encoding="utf-8"))["value"]
        for index in range(len(rows)):

            def route(
                request: httpx.Request, rows: list[object] = rows, index: int = index
            ) -> httpx.Response:
                return httpx.Response(200, json={"value": [rows[index]]})

            with answering(route) as http:
                client = CbsClient(http=http, base_url="https://cbs.invalid", deadline=5)
                by_postcode = client.by_postcode("6411")
            assert by_postcode is not None
            yield f"{path.name}[{index}]-postcode", by_postcode


def municipality_areas() -> Iterator[tuple[str, AreaFacts]]:
    path = FIXTURES / "cbs" / "85984NED_municipalities.json"
    rows = json.loads(path.read_text(encoding="utf-8"))["value"]

    def route(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"value": rows})

    for row in rows:
        with answering(route) as http:
            facts = CbsClient(
                http=http, base_url="https://cbs.invalid", deadline=5
            ).by_municipality(row["Gemeentenaam_1"])
        assert facts is not None
        yield facts.code, facts


def uses_gsm7(catalog: Catalog) -> bool:
    return all(
        is_gsm7(text) for key, text in catalog.prompts.items() if key.startswith(SMS_PREFIXES)
    )


def assert_fits(catalog: Catalog, text: str, case: str) -> None:
    count = count_segments(text)
    code = catalog.language.code
    if uses_gsm7(catalog):
        assert count.encoding == "GSM-7", f"{code} {case}: reply is UCS-2\n{text}"
        assert count.segments <= 2, f"{code} {case}: {count.segments} segments\n{text}"
    else:
        assert count.segments <= 3, f"{code} {case}: {count.segments} segments\n{text}"


@pytest.fixture(scope="module")
def reports() -> list[tuple[str, VehicleReport]]:
    return list(vehicle_reports())


def test_vehicle_replies_fit(content: Content, reports: list[tuple[str, VehicleReport]]) -> None:
    assert len(reports) >= 9 * 9
    today = dt.date.today()
    for catalog in content.catalogs.values():
        writer = Writer.for_catalog(catalog)
        for case, report in reports:
            plate = parse_plate(report.vehicle.plate)
            assert plate is not None
            text = vehicle_reply(writer, report, plate, today)
            assert_fits(catalog, text, case)
            # The essentials survive every cut: the plate and the recall line.
            assert text.startswith(plate.formatted), case
            recall_keys = ("recall_none", "recall_open", "recalls_open", "recalls_unknown")
            recall_texts = [
                catalog.text(f"sms.vehicle.{key}", count=report.open_recalls) for key in recall_keys
            ]
            assert any(line in recall_texts for line in text.splitlines()), f"{case}\n{text}"


def test_vehicle_short_replies_fit(content: Content) -> None:
    plates = "1-ZKZ-33 / 11-ZKZ-3 / 112-KZ-3"
    for catalog in content.catalogs.values():
        writer = Writer.for_catalog(catalog)
        for text in (
            writer.text("sms.vehicle.not_found", plate="11-ZKZ-3"),
            writer.text("sms.vehicle.unavailable"),
            writer.text("sms.vehicle.did_you_mean", typed="11ZKZ33", candidates=plates),
            writer.text("sms.help"),
        ):
            assert_fits(catalog, text, text[:20])


def test_employer_replies_fit(content: Content) -> None:
    checks = list(companies())
    assert len(checks) >= 8
    for catalog in content.catalogs.values():
        writer = Writer.for_catalog(catalog)
        for case, check in checks:
            text = employer_text(writer, check)
            assert_fits(catalog, text, case)
            if check.outcome is Outcome.FOUND:
                assert f"KVK {check.kvk_number}" in text.splitlines()[0], case


def test_area_replies_fit(content: Content) -> None:
    facts = list(areas()) + list(municipality_areas())
    assert len(facts) >= 7
    for catalog in content.catalogs.values():
        writer = Writer.for_catalog(catalog)
        for case, area in facts:
            assert_fits(catalog, area_text(writer, area), case)
        for text in (
            writer.text("sms.area.not_found", postcode="6411"),
            writer.text("sms.area.unavailable"),
        ):
            assert_fits(catalog, text, text[:20])


def test_accented_value_keeps_gsm7(content: Content) -> None:
    facts = AreaFacts(
        code="GM1900",
        kind="municipality",
        municipality="Súdwest-Fryslân’s Gemeënte",
        population=1,
        rented_share=None,
        labour_participation=None,
        income_per_resident=None,
        postcode=None,
    )
    for catalog in content.catalogs.values():
        if uses_gsm7(catalog):
            text = area_text(Writer.for_catalog(catalog), facts)
            assert count_segments(text).encoding == "GSM-7", text
            assert "Sudwest-Fryslan's Gemeente" in text
