"""The KVK client against a local stand-in: recorded and built answers, errors and numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from phoneline.lookups.errors import (
    InvalidQuery,
    SourceAccessDenied,
    SourceResponseInvalid,
    SourceUnavailable,
)
from phoneline.lookups.kvk import (
    KvkClient,
    PartialDate,
    find_kvk_number,
    normalise_kvk_number,
)
from tests.source_server import FIXTURES, Canned, SourceStandIn, fixture, json_body

PROFILE = "/kvk/api/v1/basisprofielen/"
SEARCH = "/kvk/api/v2/zoeken"
OPEN_DATA = "/kvk/hvds/basisbedrijfsgegevens/kvknummer/"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def client(http: httpx.Client, sources: SourceStandIn) -> KvkClient:
    return KvkClient(
        http=http,
        base_url=f"{sources.url}/kvk/api",
        open_data_url=f"{sources.url}/kvk/hvds",
        api_key="test-key",
        deadline=3.0,
    )


@pytest.fixture
def open_client(http: httpx.Client, sources: SourceStandIn) -> KvkClient:
    return KvkClient(
        http=http,
        base_url=f"{sources.url}/kvk/api",
        open_data_url=f"{sources.url}/kvk/hvds",
        deadline=3.0,
    )


@pytest.mark.parametrize("recording", ["2026-08", "2023-09"])
def test_recorded_profile(client: KvkClient, sources: SourceStandIn, recording: str) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", f"basisprofiel-v1_69599084_{recording}.json"))

    company = client.company("69599084")

    assert company is not None
    assert company.name == "Test EMZ Dagobert"
    assert company.legal_form == "Eenmanszaak"
    assert company.active is True
    assert company.started == PartialDate(2017, 1, 8)
    assert company.registered == PartialDate(2017, 7, 10)
    assert company.city == "Amsterdam"
    assert company.employees == 1
    assert company.trade_names[:3] == (
        "Tweede handelsnaam 1MZ",
        "Derde handelsnaam 1MZ",
        "Vierde handelsnaam 1MZ",
    )
    assert company.main_activity_code in {"1011", "10110"}
    assert sources.paths() == [PROFILE + "69599084"]


def test_api_key_sent(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))
    client.company("69599084")
    headers = {name.lower(): value for name, value in sources.requests[0].headers.items()}
    assert headers["apikey"] == "test-key"


def test_both_link_shapes_parse_alike(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"))
    with_hal_links = client.company("69599084")
    sources.reset()
    sources.add(PROFILE + "69599084", fixture("kvk", "basisprofiel-v1_69599084_links-array.json"))
    with_link_array = client.company("69599084")
    assert with_hal_links == with_link_array


def test_unknown_number_ipd0005(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(
        PROFILE + "12345678",
        fixture("kvk", "basisprofiel-v1_12345678_404-IPD0005.json", status=404),
    )
    assert client.company("12345678") is None


def test_vve_city_from_search(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "90000749", fixture("kvk", "basisprofiel-v1_90000749_vve.json"))
    sources.add(
        SEARCH, fixture("kvk", "zoeken-v2_kvkNummer-90000749_vve.json"), kvkNummer="90000749"
    )

    company = client.company("90000749")

    assert company is not None
    assert company.trade_names == ()
    assert company.legal_form == "Vereniging van Eigenaars"
    assert company.city == "Heerlen"
    assert company.started == PartialDate(2015, 6)
    assert sources.paths() == [PROFILE + "90000749", SEARCH]


def test_search_prefers_main_branch(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(
        PROFILE + "68750110", fixture("kvk", "basisprofiel-v1_68750110_shielded-address.json")
    )
    sources.add(
        SEARCH, fixture("kvk", "zoeken-v2_kvkNummer-68750110_branches.json"), kvkNummer="68750110"
    )
    company = client.company("68750110")
    assert company is not None
    assert company.city == "Utrecht"
    assert company.employees == 12


def test_search_without_results_keeps_profile(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "90000749", fixture("kvk", "basisprofiel-v1_90000749_vve.json"))
    sources.add(
        SEARCH,
        fixture("kvk", "zoeken-v2_kvkNummer-12345678_404-IPD5200.json", status=404),
        kvkNummer="90000749",
    )
    company = client.company("90000749")
    assert company is not None
    assert company.name == "Test VvE Duckstad"
    assert company.city is None


def test_search_failure_keeps_profile(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "90000749", fixture("kvk", "basisprofiel-v1_90000749_vve.json"))
    sources.add(SEARCH, Canned(status=500, body=b""), kvkNummer="90000749")
    company = client.company("90000749")
    assert company is not None
    assert company.city is None


def test_leading_zero_kept(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "01234567", fixture("kvk", "basisprofiel-v1_01234567_leading-zero.json"))
    company = client.company(normalise_kvk_number("1234567") or "")
    assert company is not None
    assert company.kvk_number == "01234567"
    assert company.active is False
    assert company.ended == PartialDate(2023, 3, 15)


def test_400_with_ipd0004_invalid(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "00000000", fixture("kvk", "error_400-IPD0004.json", status=400))
    with pytest.raises(InvalidQuery, match="IPD0004"):
        client.company("00000000")


def test_plain_400_invalid(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(
        PROFILE + "00000000", Canned(status=400, body=b"Bad Request", content_type="text/plain")
    )
    with pytest.raises(InvalidQuery, match="HTTP 400"):
        client.company("00000000")


def test_401_access_denied(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "error_401.json", status=401))
    with pytest.raises(SourceAccessDenied):
        client.company("69599084")
    assert len(sources.requests) == 1


def test_ipd1003_retried_then_unavailable(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", fixture("kvk", "error_404-IPD1003.json", status=404))
    with pytest.raises(SourceUnavailable, match="HTTP 404"):
        client.company("69599084")
    assert len(sources.requests) == 2


def test_ipd1003_then_success(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(
        PROFILE + "69599084",
        fixture("kvk", "error_404-IPD1003.json", status=404),
        fixture("kvk", "basisprofiel-v1_69599084_2026-08.json"),
    )
    assert client.company("69599084") is not None


def test_non_json_200_invalid(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", Canned(body=b"<html></html>", content_type="text/html"))
    with pytest.raises(SourceResponseInvalid):
        client.company("69599084")


def test_number_must_have_8_digits(client: KvkClient) -> None:
    with pytest.raises(ValueError, match="8 digits"):
        client.company("1234567")


def test_open_dataset_without_key(open_client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(
        OPEN_DATA + "96332751",
        fixture("kvk", "opendata-hvds-basisbedrijfsgegevens_96332751.json"),
    )

    company = open_client.company("96332751")

    assert company is not None
    assert company.from_open_data is True
    assert company.name is None
    assert company.legal_form == "BV"
    assert company.active is True
    assert company.started == PartialDate(2025, 2, 2)
    assert company.main_activity_code == "6201"
    assert "apikey" not in {name.lower() for name in sources.requests[0].headers}


def test_open_dataset_bankrupt(open_client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(
        OPEN_DATA + "55344526",
        fixture("kvk", "opendata-hvds-basisbedrijfsgegevens_bankrupt.json"),
    )
    company = open_client.company("55344526")
    assert company is not None
    assert company.active is False
    assert company.insolvency == "FAIL"
    assert company.main_activity_code == "4711"


def test_open_dataset_404_not_found(open_client: KvkClient, sources: SourceStandIn) -> None:
    assert open_client.company("69599084") is None
    assert sources.paths() == [OPEN_DATA + "69599084"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("69599084", "69599084", id="eight-digits"),
        pytest.param("1234567", "01234567", id="seven-digits-padded"),
        pytest.param(" 69599084 ", "69599084", id="spaces"),
        pytest.param("\u0666\u0669\u0665\u0669\u0669\u0660\u0668\u0664", "69599084", id="arabic"),
        pytest.param("123456", None, id="six-digits"),
        pytest.param("123456789", None, id="nine-digits"),
        pytest.param("6959908a", None, id="letter"),
    ],
)
def test_normalise_number(raw: str, expected: str | None) -> None:
    assert normalise_kvk_number(raw) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param("kvk 69599084", "69599084", id="with-word"),
        pytest.param("Is 1234567 ok?", "01234567", id="seven-digits"),
        pytest.param("bel 0612345678", None, id="phone-number"),
        pytest.param("AB-123-C", None, id="plate"),
        pytest.param("postcode 6411", None, id="postcode"),
    ],
)
def test_find_number_in_message(message: str, expected: str | None) -> None:
    assert find_kvk_number(message) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("20150600", PartialDate(2015, 6), id="day-unknown"),
        pytest.param("20150000", PartialDate(2015), id="month-unknown"),
        pytest.param("00000000", None, id="all-unknown"),
        pytest.param("20151301", None, id="bad-month"),
        pytest.param("20150230", None, id="bad-day"),
    ],
)
def test_zero_filled_dates(
    client: KvkClient, sources: SourceStandIn, raw: str, expected: PartialDate | None
) -> None:
    sources.add(
        OPEN_DATA + "96332751",
        Canned(body=f'{{"datumAanvang": "{raw}", "actief": "J"}}'.encode()),
    )
    open_client = KvkClient(
        http=client.http,
        base_url=client.base_url,
        open_data_url=client.open_data_url,
        deadline=3.0,
    )
    company = open_client.company("96332751")
    assert company is not None
    assert company.started == expected


def test_timeout_unavailable(client: KvkClient, sources: SourceStandIn) -> None:
    sources.add(PROFILE + "69599084", Canned(delay=2.0))
    hurried = KvkClient(
        http=client.http,
        base_url=client.base_url,
        open_data_url=client.open_data_url,
        api_key="test-key",
        deadline=0.5,
    )
    with pytest.raises(SourceUnavailable, match="timed out"):
        hurried.company("69599084")


def test_recorded_search_prefers_main_branch(client: KvkClient, sources: SourceStandIn) -> None:
    profile = json.loads(
        (FIXTURES / "kvk" / "basisprofiel-v1_69599084_2026-08.json").read_text(encoding="utf-8")
    )
    del profile["_embedded"]["hoofdvestiging"]["adressen"]
    sources.add(PROFILE + "69599084", json_body(profile))
    sources.add(
        SEARCH, fixture("kvk", "zoeken-v2_kvkNummer-69599084_2026-08.json"), kvkNummer="69599084"
    )

    company = client.company("69599084")

    # The recording lists the branch in Maastricht before the main branch in Amsterdam.
    assert company is not None
    assert company.city == "Amsterdam"
