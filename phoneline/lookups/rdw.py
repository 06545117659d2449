"""RDW open data (Socrata SODA API at opendata.rdw.nl): vehicle facts by plate.

Dataset m9d7-ebf2 (Gekentekende_voertuigen) has one row per plate. Every value
is a string: dates are "YYYYMMDD", booleans "Ja"/"Nee", and "Niet geregistreerd"
or "Geen verstrekking in Open Data" mean the value is unknown. An unknown plate
is answered with HTTP 200 and `[]`. All Dutch field names are mapped to English
names in `_parse_vehicle` and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from phoneline.lookups.errors import SourceResponseInvalid, SourceUnavailable
from phoneline.lookups.plates import Plate

log = logging.getLogger(__name__)

SOURCE = "RDW"
VEHICLES = "m9d7-ebf2"
UNKNOWN_VALUES = {"", "Niet geregistreerd", "Geen verstrekking in Open Data", "N.v.t."}


@dataclass(frozen=True)
class Vehicle:
    """Facts about one vehicle; None means RDW does not give the value."""

    plate: str
    make: str | None
    model: str | None
    first_admission: dt.date | None
    apk_expiry: dt.date | None
    wam_insured: bool | None
    open_recall: bool | None


@dataclass(frozen=True)
class RdwClient:
    """Client for RDW open data.

    `timeout` is in seconds and applies to each request as a whole.
    """

    http: httpx.Client
    base_url: str
    app_token: str | None = None
    timeout: float = 5.0

    def vehicle(self, plate: Plate) -> Vehicle | None:
        """Return the vehicle registered under `plate`, or None when RDW has no row.

        Raises:
            SourceUnavailable: RDW timed out, could not be reached, or answered 429 or 5xx.
            SourceResponseInvalid: RDW answered with something other than a JSON array.
        """
        rows = self._rows(VEHICLES, plate)

        if not rows:
            return None

        return _parse_vehicle(rows[0], plate)

    def _rows(self, dataset: str, plate: Plate) -> list[dict[str, Any]]:
        """Fetch the rows of `dataset` for `plate`; the one place that talks HTTP to RDW."""
        headers = {"Accept": "application/json"}
        if self.app_token:
            headers["X-App-Token"] = self.app_token
        url = f"{self.base_url}/resource/{dataset}.json"

        try:
            response = self.http.get(
                url, params={"kenteken": plate.text}, headers=headers, timeout=self.timeout
            )
        except httpx.TimeoutException as error:
            raise SourceUnavailable(SOURCE, f"{dataset} timed out") from error
        except httpx.TransportError as error:
            raise SourceUnavailable(
                SOURCE, f"{dataset} unreachable: {type(error).__name__}"
            ) from error

        if response.status_code == 429 or response.status_code >= 500:
            raise SourceUnavailable(SOURCE, f"{dataset} answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise SourceResponseInvalid(SOURCE, f"{dataset} answered HTTP {response.status_code}")

        try:
            rows = response.json()
        except ValueError as error:
            raise SourceResponseInvalid(SOURCE, f"{dataset} answered with non-JSON") from error
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise SourceResponseInvalid(
                SOURCE, f"{dataset} answered JSON that is not a list of rows"
            )
        return rows


def _parse_vehicle(row: dict[str, Any], plate: Plate) -> Vehicle:
    return Vehicle(
        plate=plate.text,
        make=_text(row.get("merk")),
        model=_text(row.get("handelsbenaming")),
        first_admission=_date(row.get("datum_eerste_toelating")),
        apk_expiry=_date(row.get("vervaldatum_apk")),
        wam_insured=_yes_no(row.get("wam_verzekerd")),
        open_recall=_yes_no(row.get("openstaande_terugroepactie_indicator")),
    )


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return None if value in UNKNOWN_VALUES else value


def _date(value: Any) -> dt.date | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return dt.datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        log.warning("RDW date %r does not have the form YYYYMMDD; treated as unknown", text)
        return None


def _yes_no(value: Any) -> bool | None:
    text = _text(value)
    if text == "Ja":
        return True
    if text == "Nee":
        return False
    return None
