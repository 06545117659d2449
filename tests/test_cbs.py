"""The CBS client against a local stand-in: padded keys, the OData query and failures."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from phoneline.lookups.cbs import COLUMNS, TABLE, CbsClient, find_postcode
from phoneline.lookups.errors import SourceResponseInvalid, SourceUnavailable
from tests.source_server import Canned, SourceStandIn, fixture, json_body

DATA = f"/cbs/{TABLE}/TypedDataSet"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def client(http: httpx.Client, sources: SourceStandIn) -> CbsClient:
    return CbsClient(http=http, base_url=f"{sources.url}/cbs", deadline=3.0)


def test_postcode_query(client: CbsClient, sources: SourceStandIn) -> None:
    sources.add(DATA, fixture("cbs", "85984NED_postcode-6411.json"))

    client.by_postcode("6411")

    query = sources.requests[0].query
    assert query["$filter"] == (
        "startswith(WijkenEnBuurten,'BU') and startswith(MeestVoorkomendePostcode_118,'6411')"
    )
    assert query["$select"].split(",") == list(COLUMNS)
    assert query["$format"] == "json"


def test_postcode_picks_largest_neighbourhood(client: CbsClient, sources: SourceStandIn) -> None:
    sources.add(DATA, fixture("cbs", "85984NED_postcode-6411.json"))

    facts = client.by_postcode("6411")

    assert facts is not None
    assert facts.code == "BU09170101"  # padding stripped
    assert facts.municipality == "Heerlen"
    assert facts.kind == "neighbourhood"
    assert facts.population == 2830
    assert facts.rented_share == 57.0
    assert facts.labour_participation == 55.8
    assert facts.income_per_resident == 21700
    assert facts.postcode == "6411"
    assert facts.year == 2024


def test_postcode_without_rows(client: CbsClient, sources: SourceStandIn) -> None:
    sources.add(DATA, json_body({"value": []}))
    assert client.by_postcode("9999") is None


def test_postcode_must_be_four_digits(client: CbsClient) -> None:
    with pytest.raises(ValueError, match="four digits"):
        client.by_postcode("0123")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        pytest.param("Heerlen", "GM0917", id="exact"),
        pytest.param("heerlen", "GM0917", id="lower-case"),
        pytest.param("s-hertogenbosch", "GM0796", id="apostrophe-missing"),
        pytest.param("Sudwest Fryslan", "GM1900", id="accents-missing"),
    ],
)
def test_municipality_by_name(
    client: CbsClient, sources: SourceStandIn, name: str, code: str
) -> None:
    sources.add(DATA, fixture("cbs", "85984NED_municipalities.json"))
    facts = client.by_municipality(name)
    assert facts is not None
    assert facts.code == code
    assert facts.kind == "municipality"
    assert sources.requests[0].query["$filter"] == "startswith(WijkenEnBuurten,'GM')"


def test_missing_figures_are_none(client: CbsClient, sources: SourceStandIn) -> None:
    sources.add(DATA, fixture("cbs", "85984NED_municipalities.json"))
    facts = client.by_municipality("Leegdorp")
    assert facts is not None
    assert (facts.population, facts.rented_share, facts.income_per_resident) == (None, None, None)


def test_unknown_name_is_none(client: CbsClient, sources: SourceStandIn) -> None:
    sources.add(DATA, fixture("cbs", "85984NED_municipalities.json"))
    assert client.by_municipality("Hello") is None


def test_server_error_unavailable(client: CbsClient, sources: SourceStandIn) -> None:
    sources.add(DATA, Canned(status=500, body=b""))
    with pytest.raises(SourceUnavailable, match="HTTP 500"):
        client.by_postcode("6411")
    assert len(sources.requests) == 2


def test_html_invalid(client: CbsClient, sources: SourceStandIn) -> None:
    sources.add(DATA, Canned(body=b"<html></html>", content_type="text/html"))
    with pytest.raises(SourceResponseInvalid):
        client.by_postcode("6411")


def test_json_without_rows_invalid(client: CbsClient, sources: SourceStandIn) -> None:
    sources.add(DATA, json_body({"odata.error": {"message": {"value": "bad filter"}}}))
    with pytest.raises(SourceResponseInvalid, match="without a list"):
        client.by_postcode("6411")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        pytest.param("6411", "6411", id="four-digits"),
        pytest.param("6411 AB", "6411", id="with-letters"),
        pytest.param("postcode 6411ab?", "6411", id="in-text"),
        pytest.param("\u0666\u0664\u0661\u0661", "6411", id="arabic-digits"),
        pytest.param("0411", None, id="leading-zero"),
        pytest.param("64115", None, id="five-digits"),
        pytest.param("AB-12-34", None, id="plate"),
    ],
)
def test_find_postcode(message: str, expected: str | None) -> None:
    assert find_postcode(message) == expected


def test_timeout_unavailable(client: CbsClient, sources: SourceStandIn) -> None:
    sources.add(DATA, Canned(delay=2.0))
    hurried = CbsClient(http=client.http, base_url=client.base_url, deadline=0.5)
    with pytest.raises(SourceUnavailable, match="timed out"):
        hurried.by_postcode("6411")
