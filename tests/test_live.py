"""Checks against the real public APIs: run with `make test-live`, never part of `make test`.

They show whether the recorded shapes still hold: RDW's datasets, KVK's test
environment (fictitious companies, public test key) and CBS table 85984NED with
the column names `phoneline/lookups/cbs.py` selects. Each test is skipped
unless PHONELINE_LIVE_TESTS=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from phoneline.config import DEFAULT_CBS_URL, DEFAULT_KVK_OPEN_DATA_URL, DEFAULT_RDW_URL
from phoneline.lookups.cbs import CbsClient
from phoneline.lookups.kvk import KvkClient
from phoneline.lookups.plates import parse_plate
from phoneline.lookups.rdw import RdwClient

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        os.environ.get("PHONELINE_LIVE_TESTS") != "1",
        reason="talks to the real APIs; run `make test-live`",
    ),
]

# KVK's test environment and the test key it publishes for everyone
# (developers.kvk.nl, "Testing"); it serves fictitious companies only.
KVK_TEST_URL = "https://api.kvk.nl/test/api"
KVK_TEST_KEY = "l7xx1f2691f2520d487b902f4e0b57a0b197"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(headers={"User-Agent": "phoneline live test"}) as client:
        yield client


def test_rdw_datasets_answer(http: httpx.Client) -> None:
    plate = parse_plate("11-ZKZ-3")
    assert plate is not None
    client = RdwClient(
        http=http, base_url=DEFAULT_RDW_URL, app_token=os.environ.get("PHONELINE_RDW_APP_TOKEN")
    )

    report = client.report(plate)

    # The plate may have left the register since it was recorded; the parts must still parse.
    if report is not None:
        assert report.fuels is not None
        assert report.open_recalls is not None


def test_kvk_test_environment(http: httpx.Client) -> None:
    client = KvkClient(
        http=http,
        base_url=KVK_TEST_URL,
        open_data_url=DEFAULT_KVK_OPEN_DATA_URL,
        api_key=KVK_TEST_KEY,
    )
    company = client.company("69599084")
    assert company is not None
    assert company.name == "Test EMZ Dagobert"
    assert company.legal_form == "Eenmanszaak"
    assert company.city is not None
    assert client.company("12345678") is None


def test_kvk_open_dataset(http: httpx.Client) -> None:
    client = KvkClient(http=http, base_url=KVK_TEST_URL, open_data_url=DEFAULT_KVK_OPEN_DATA_URL)
    # A number used in public client documentation of the dataset. Whether it is a BV or NV
    # today is not known here, so "found" and "not found" both pass if the response parses.
    company = client.company("96332751")
    if company is not None:
        assert company.from_open_data
        assert company.legal_form in {"BV", "NV"}


def test_cbs_columns_and_rows(http: httpx.Client) -> None:
    client = CbsClient(http=http, base_url=DEFAULT_CBS_URL)

    heerlen = client.by_municipality("Heerlen")
    assert heerlen is not None
    assert heerlen.code == "GM0917"
    assert heerlen.population is not None
    assert heerlen.population > 50_000

    neighbourhood = client.by_postcode("6411")
    assert neighbourhood is not None
    assert neighbourhood.municipality == "Heerlen"
