"""SMS lookups end to end: vehicle, employer and area checks through signed webhooks."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from phoneline.catalog import Content
from phoneline.config import Settings
from phoneline.lookups.cbs import TABLE
from phoneline.lookups.rdw import FUELS, RECALLS, VEHICLES
from tests.conftest import AppFactory, Twilio, sms_params, sms_text
from tests.rdw_server import Canned, RdwStandIn, recorded, rows, stored
from tests.source_server import SourceStandIn, fixture

PROFILE = "/kvk/api/v1/basisprofielen/"
SEARCH = "/kvk/api/v2/zoeken"
OPEN_DATA = "/kvk/hvds/basisbedrijfsgegevens/kvknummer/"
CBS_DATA = f"/cbs/{TABLE}/TypedDataSet"


def send(twilio: Twilio, body: str) -> str:
    return sms_text(twilio.post("/sms", sms_params(body)))


def serve_p987zx(rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "P987ZX", stored("m9d7-ebf2_P987ZX_current-schema.json"))
    rdw.set(FUELS, "P987ZX", stored("8ys7-d773_P987ZX_hybrid.json"))
    rdw.set(RECALLS, "P987ZX", stored("t49b-isb7_P987ZX_open.json"))


@pytest.fixture
def keyed_twilio(make_app: AppFactory, settings: Settings) -> Twilio:
    """The app with a KVK API key, so Basisprofiel answers instead of the open dataset."""
    app = make_app(settings=dataclasses.replace(settings, kvk_api_key="test-key"))
    return Twilio(app.test_client())


def test_vehicle_reply_combines_datasets(twilio: Twilio, rdw: RdwStandIn) -> None:
    serve_p987zx(rdw)

    lines = send(twilio, "P-987-ZX").splitlines()

    assert lines[0] == "P-987-ZX: TOYOTA COROLLA"
    assert "Car, blue" in lines
    assert "First admission: 11 June 2021" in lines
    assert "In NL since: 20 November 2023" in lines
    assert "APK (car test) valid until 15 March 2028" in lines
    assert "WAM insurance: registered" in lines
    assert "Open recalls: 2, ask the seller or a dealer" in lines
    assert "Odometer: logical" in lines
    assert "Fuel: petrol + electricity" in lines


def test_vehicle_reply_in_dutch(twilio: Twilio, rdw: RdwStandIn) -> None:
    serve_p987zx(rdw)
    lines = send(twilio, "wat weet u van P-987-ZX").splitlines()
    assert "Personenauto, blauw" in lines
    assert "Brandstof: benzine + elektriciteit" in lines
    assert "APK geldig tot 15 maart 2028" in lines


def test_vehicle_reply_in_arabic(twilio: Twilio, rdw: RdwStandIn, content: Content) -> None:
    serve_p987zx(rdw)
    arabic = content.catalog("ar")
    lines = send(twilio, "سيارة P-987-ZX").splitlines()
    assert arabic.text("sms.vehicle.wam_yes") in lines
    assert arabic.text("sms.vehicle.recalls_open", count=2) in lines
    assert any("مارس 2028" in line for line in lines)


def test_recalls_timeout_says_unknown(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    rdw.set(RECALLS, "11ZKZ3", Canned(delay=3.0))
    text = send(twilio, "11-ZKZ-3")
    assert "Open recalls: unknown right now" in text
    assert "APK (car test) EXPIRED on 4 January 2022" in text


def test_recalls_failure_with_flag_says_yes(twilio: Twilio, rdw: RdwStandIn) -> None:
    serve_p987zx(rdw)
    rdw.set(RECALLS, "P987ZX", Canned(status=500, body=b""))
    assert "Open recall: YES, ask the seller or a dealer" in send(twilio, "P987ZX")


def test_fuel_failure_says_unknown(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    rdw.set(FUELS, "11ZKZ3", Canned(body=b"<html></html>", content_type="text/html"))
    assert "Fuel: unknown right now" in send(twilio, "11-ZKZ-3")


def test_repaired_recalls_say_none(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "11ZKZ3", recorded(VEHICLES, "11ZKZ3"))
    rdw.set(RECALLS, "11ZKZ3", stored("t49b-isb7_11ZKZ3_repaired-only.json"))
    assert "Open recalls: none" in send(twilio, "11-ZKZ-3").splitlines()


def test_new_car_says_no_apk_yet(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "X999ZZ", stored("m9d7-ebf2_X999ZZ_new-car.json"))
    lines = send(twilio, "X-999-ZZ").splitlines()
    assert "APK (car test): no date yet, new vehicle" in lines
    assert not any(line.startswith("First admission") for line in lines)
    assert not any(line.startswith("Odometer") for line in lines)


def test_old_car_without_apk_date(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(
        VEHICLES,
        "AB123C",
        rows({"voertuigsoort": "Personenauto", "datum_eerste_toelating": "19720113"}),
    )
    assert "APK (car test): no date in RDW data" in send(twilio, "AB-123-C")


def test_moped_lines(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "D123BC", stored("m9d7-ebf2_D123BC_moped.json"))
    lines = send(twilio, "D-123-BC").splitlines()
    assert "Moped, red" in lines
    assert "WAM insurance: registered" in lines
    assert not any(line.startswith("APK") for line in lines)
    assert not any(line.startswith("Odometer") for line in lines)
    assert not any(line.startswith("Catalogue price") for line in lines)


def test_motorcycle_lines(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "MX12AB", stored("m9d7-ebf2_MX12AB_motorcycle.json"))
    lines = send(twilio, "MX-12-AB").splitlines()
    assert "Motorcycle, black" in lines
    assert "Odometer: logical" in lines
    assert not any(line.startswith("APK") for line in lines)


def test_trailer_lines(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "WX12YZ", stored("m9d7-ebf2_WX12YZ_trailer.json"))
    lines = send(twilio, "WX-12-YZ").splitlines()
    assert "Trailer" in lines
    assert not any(line.startswith(("WAM", "APK", "Fuel", "Odometer")) for line in lines)
    assert "Open recalls: none" in lines


def test_semi_trailer_lines(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "OA12BC", stored("m9d7-ebf2_OA12BC_semi-trailer.json"))
    lines = send(twilio, "OA-12-BC").splitlines()
    assert "Semi-trailer, grey" in lines
    assert any(line.startswith("APK (car test)") for line in lines)
    assert not any(line.startswith("WAM") for line in lines)


def test_unknown_values_shown_as_given(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "12ABC3", stored("m9d7-ebf2_12ABC3_ex-taxi.json"))
    lines = send(twilio, "12-ABC-3").splitlines()
    assert "Car, ZILVERGRIJS" in lines
    assert "Registered as EXPORTED" in lines
    assert "Registered as a taxi" in lines
    assert "Odometer: NOT logical, the readings do not add up" in lines


def test_unknown_kind_shown_as_given(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "AB123C", rows({"voertuigsoort": "Hovercraft", "eerste_kleur": "GRIJS"}))
    assert "Hovercraft, grey" in send(twilio, "AB-123-C").splitlines()


def test_long_answer_keeps_essentials_and_drops_link(twilio: Twilio, rdw: RdwStandIn) -> None:
    serve_p987zx(rdw)
    lines = send(twilio, "P987ZX").splitlines()
    assert lines[-1] == "Source: RDW open data"


def test_short_answer_ends_with_link(twilio: Twilio, rdw: RdwStandIn) -> None:
    rdw.set(VEHICLES, "WX12YZ", stored("m9d7-ebf2_WX12YZ_trailer.json"))
    lines = send(twilio, "WX-12-YZ").splitlines()
    assert lines[-1] == "RDW: https://ovi.rdw.nl/default.aspx?kenteken=WX12YZ"


@pytest.mark.parametrize(
    ("body", "typed", "meant"),
    [
        pytest.param("1I-ZKZ-3", "1IZKZ3", "11-ZKZ-3", id="I-for-1"),
        pytest.param("o1 zkz 3", "O1ZKZ3", "01-ZKZ-3", id="O-for-0"),
    ],
)
def test_did_you_mean_for_look_alikes(
    twilio: Twilio, rdw: RdwStandIn, body: str, typed: str, meant: str
) -> None:
    text = send(twilio, body)
    assert text == (
        f"{typed} is not a Dutch licence plate. Did you mean {meant}? Send the plate again."
    )
    assert rdw.requests == []


def test_did_you_mean_for_extra_character(twilio: Twilio, rdw: RdwStandIn) -> None:
    text = send(twilio, "11-ZKZ-33")
    assert "Did you mean 11-ZKZ-3 / 1-ZKZ-33?" in text
    assert rdw.requests == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("АВ-123-С", id="cyrillic"),
        pytest.param("ΑΒ-123-C", id="greek"),
        pytest.param("ab\u2013123\u2014c", id="en-and-em-dash"),
    ],
)
def test_look_alike_input_looked_up(twilio: Twilio, rdw: RdwStandIn, body: str) -> None:
    send(twilio, body)
    assert {query["kenteken"][0] for _, query, _ in rdw.requests} == {"AB123C"}


def test_postcode_written_like_plate_goes_to_cbs(
    twilio: Twilio, rdw: RdwStandIn, sources: SourceStandIn
) -> None:
    sources.add(CBS_DATA, fixture("cbs", "85984NED_postcode-6411.json"))
    text = send(twilio, "6411 AB")
    assert text.startswith("Neighbourhood with postcode 6411, Heerlen (CBS 2024)")
    assert rdw.requests == []


def test_sidecode_2_with_dashes_is_a_plate(
    twilio: Twilio, rdw: RdwStandIn, sources: SourceStandIn
) -> None:
    send(twilio, "64-11-AB")
    assert {query["kenteken"][0] for _, query, _ in rdw.requests} == {"6411AB"}
    assert sources.requests == []


def test_employer_with_key(keyed_twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))

    lines = send(keyed_twilio, "kvk 69599084").splitlines()

    assert lines[0] == "KVK 69599084: Test EMZ Dagobert"
    assert "Active since 8 January 2017" in lines
    assert "Legal form: sole proprietorship" in lines
    assert "Main branch: Amsterdam" in lines
    assert any(line.startswith("Activity: Verwerking en conservering van vlees") for line in lines)


def test_employer_in_dutch(keyed_twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_2023-09.json"))
    lines = send(keyed_twilio, "welke firma is 69599084").splitlines()
    assert "Actief sinds 8 januari 2017" in lines
    assert "Rechtsvorm: eenmanszaak" in lines


def test_employer_seven_digits(keyed_twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "01234567", fixture("kvk", "basisprofiel-v1_01234567_leading-zero.json"))
    lines = send(keyed_twilio, "1234567").splitlines()
    assert sources.paths() == [PROFILE + "01234567"]
    assert lines[0] == "KVK 01234567: Test Bakkerij Nul"
    assert "DEREGISTERED on 15 March 2023" in lines


def test_employer_vve(keyed_twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "90000749", fixture("kvk", "basisprofiel-v1_90000749_vve.json"))
    sources.add(
        SEARCH, fixture("kvk", "zoeken-v2_kvkNummer-90000749_vve.json"), kvkNummer="90000749"
    )
    lines = send(keyed_twilio, "90000749").splitlines()
    assert "Legal form: owners' association (VvE)" in lines
    assert "Main branch: Heerlen" in lines
    assert "Active since June 2015" in lines
    assert not any(line.startswith("Also trades as") for line in lines)


def test_employer_not_found(keyed_twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(
        PROFILE + "12345678",
        fixture("kvk", "basisprofiel-v1_12345678_404-IPD0005.json", status=404),
    )
    assert send(keyed_twilio, "12345678") == (
        "No company with KVK number 12345678 was found. Check the number."
    )


def test_employer_invalid(keyed_twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "00000000", fixture("kvk", "error_400-IPD0004.json", status=400))
    assert send(keyed_twilio, "00000000").startswith("00000000 is not a valid KVK number.")


def test_employer_bad_key_logged(
    keyed_twilio: Twilio, sources: SourceStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "error_401.json", status=401))
    with caplog.at_level(logging.ERROR, logger="phoneline"):
        text = send(keyed_twilio, "69599084")
    assert text == "The KVK company register cannot be reached. Please try again later."
    assert any("PHONELINE_KVK_API_KEY" in record.getMessage() for record in caplog.records)


def test_employer_temporarily_unavailable(keyed_twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "error_404-IPD1003.json", status=404))
    assert "try again later" in send(keyed_twilio, "69599084")


def test_employer_open_data(twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(
        OPEN_DATA + "55344526",
        fixture("kvk", "opendata-hvds-basisbedrijfsgegevens_bankrupt.json"),
    )
    lines = send(twilio, "55344526").splitlines()
    assert lines[:3] == ["KVK 55344526", "NOT active", "BANKRUPT"]
    assert "Legal form: private limited company (BV)" in lines
    assert "Activity: SBI code 4711" in lines
    assert "The free KVK data covers only BV and NV companies, without name or address." in lines


def test_employer_not_in_open_data(twilio: Twilio, sources: SourceStandIn) -> None:
    text = send(twilio, "69599084")
    assert text.startswith("KVK 69599084 is not in the free KVK data.")
    assert sources.paths() == [OPEN_DATA + "69599084"]


def test_area_by_postcode(twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(CBS_DATA, fixture("cbs", "85984NED_postcode-6411.json"))
    lines = send(twilio, "6411").splitlines()
    assert lines == [
        "Neighbourhood with postcode 6411, Heerlen (CBS 2024)",
        "Residents: 2,830",
        "Rented homes: 57%",
        "Aged 15-75 in paid work: 56%",
        "Average income per resident: €21,700",
        "CBS: https://opendata.cbs.nl/statline/#/CBS/nl/dataset/85984NED/table",
    ]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("6411", id="only-digits"),
        pytest.param("6411AB!", id="with-letters"),
        pytest.param("Wat is er in 6411 AB te doen", id="with-letters-in-text"),
        pytest.param("postcode 6411", id="with-word"),
        pytest.param("\u0666\u0664\u0661\u0661", id="arabic-digits"),
    ],
)
def test_postcode_forms_recognised(twilio: Twilio, sources: SourceStandIn, body: str) -> None:
    sources.add(CBS_DATA, fixture("cbs", "85984NED_postcode-6411.json"))
    text = send(twilio, body)
    assert sources.requests[0].query["$filter"].endswith("'6411')")
    assert "6411" in text.splitlines()[0]


def test_number_in_sentence_not_a_postcode(twilio: Twilio, sources: SourceStandIn) -> None:
    text = send(twilio, "I paid 2500 for it")
    assert "licence plate" in text
    assert sources.requests == []


def test_area_by_municipality_name(twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(CBS_DATA, fixture("cbs", "85984NED_municipalities.json"))
    lines = send(twilio, "heerlen?").splitlines()
    assert lines[0] == "Heerlen (CBS 2024)"
    assert "Residents: 87,390" in lines


def test_area_without_figures(twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(CBS_DATA, fixture("cbs", "85984NED_municipalities.json"))
    lines = send(twilio, "Leegdorp").splitlines()
    assert lines[1] == "CBS has no figures for this area."


def test_area_unknown_postcode(twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(CBS_DATA, Canned(body=b'{"value": []}'))
    assert send(twilio, "9999") == (
        "CBS has no neighbourhood with postcode 9999. Check the postcode."
    )


def test_area_failure_for_postcode(twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(CBS_DATA, Canned(status=503, body=b""))
    assert send(twilio, "6411") == "CBS statistics cannot be reached. Please try again later."


def test_area_failure_for_name_gives_help(twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(CBS_DATA, Canned(status=503, body=b""))
    assert "licence plate" in send(twilio, "Heerlen")


def test_other_word_gives_help(twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(CBS_DATA, fixture("cbs", "85984NED_municipalities.json"))
    assert "licence plate" in send(twilio, "hello")


def test_municipality_list_fetched_once(twilio: Twilio, sources: SourceStandIn) -> None:
    sources.add(CBS_DATA, fixture("cbs", "85984NED_municipalities.json"))
    send(twilio, "hello")
    send(twilio, "Maastricht")
    assert sources.paths() == [CBS_DATA]
