"""CBS (Statistics Netherlands) open data: a few facts about a municipality or neighbourhood.

Table 85984NED, "Kerncijfers wijken en buurten 2024", served over OData v3 at
`{cbs_url}/85984NED/TypedDataSet`. It has one row per municipality (key GM…),
district (WK…) and neighbourhood (BU…). Column names carry numeric suffixes that
differ between the yearly tables, so `COLUMNS` belongs to this table: moving to
a newer year means a new table id and a new mapping, read from the table's
`DataProperties`. Column names from public code that queries 85984NED.

Category keys and text columns are fixed-width and padded with trailing spaces
(`'GM0917    '`), so every text value is stripped and filters use `startswith`
instead of `eq`. Each lookup is one OData call with `$filter` and `$select`:

- A postcode (its four digits) selects the neighbourhoods whose most common
  postcode it is; the one with the most residents answers.
- A municipality name needs every municipality row (about 340, a few tens of
  kilobytes), cached as one entry and matched here, because OData's string
  comparison is case- and padding-sensitive.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import httpx

from phoneline.lookups import transport
from phoneline.lookups.cache import LookupCache
from phoneline.lookups.digits import ascii_digits
from phoneline.lookups.errors import SourceResponseInvalid

log = logging.getLogger(__name__)

SOURCE = "CBS"
TABLE = "85984NED"
TABLE_YEAR = 2024

# CBS column -> English name. Shares are percentages; income is in thousands of euros.
COLUMNS = {
    "WijkenEnBuurten": "code",
    "Gemeentenaam_1": "municipality",
    "AantalInwoners_5": "population",
    "HuurwoningenTotaal_48": "rented_share",
    "Nettoarbeidsparticipatie_71": "labour_participation",
    "GemiddeldInkomenPerInwoner_78": "income_per_resident",
    "MeestVoorkomendePostcode_118": "postcode",
}
POSTCODE_COLUMN = "MeestVoorkomendePostcode_118"
POSTCODE = re.compile(r"[1-9][0-9]{3}")

Row = dict[str, Any]


@dataclass(frozen=True)
class AreaFacts:
    """CBS figures for one area; None means CBS gives no figure (often for small areas).

    `kind` is "municipality" or "neighbourhood". `postcode` is the four-digit
    postcode asked about, for neighbourhoods.
    """

    code: str
    kind: str
    municipality: str | None
    population: int | None
    rented_share: float | None
    labour_participation: float | None
    income_per_resident: int | None
    postcode: str | None
    year: int = TABLE_YEAR


@dataclass(frozen=True)
class CbsClient:
    """Client for CBS OData; `deadline` is in seconds per lookup, retries included."""

    http: httpx.Client
    base_url: str
    deadline: float = 6.0
    cache: LookupCache | None = None

    def by_postcode(self, postcode: str) -> AreaFacts | None:
        """Return facts about the neighbourhood where `postcode` (four digits) is most common.

        Returns None when no neighbourhood has it as its most common postcode.

        Raises:
            LookupFailed: CBS gave no usable answer.
        """
        if not POSTCODE.fullmatch(postcode):
            raise ValueError("a postcode for CBS is four digits, the first not 0")
        rows = self._cached_rows(
            f"cache:cbs:{TABLE}:postcode:{postcode}",
            f"startswith(WijkenEnBuurten,'BU') and startswith({POSTCODE_COLUMN},'{postcode}')",
        )
        areas = [_parse_row(row, "neighbourhood", postcode) for row in rows]
        if not areas:
            return None
        return max(areas, key=lambda area: area.population or 0)

    def by_municipality(self, name: str) -> AreaFacts | None:
        """Return facts about the municipality called `name`, or None when none is called so.

        Case, accents, spaces and punctuation are ignored ("s-hertogenbosch" finds
        "'s-Hertogenbosch").

        Raises:
            LookupFailed: CBS gave no usable answer.
        """
        wanted = _name_key(name)
        if not wanted:
            return None
        rows = self._cached_rows(
            f"cache:cbs:{TABLE}:municipalities", "startswith(WijkenEnBuurten,'GM')"
        )
        for row in rows:
            area = _parse_row(row, "municipality", None)
            if area.municipality is not None and _name_key(area.municipality) == wanted:
                return area
        return None

    def _cached_rows(self, key: str, odata_filter: str) -> list[Row]:
        deadline = transport.Deadline.after(self.deadline)

        def load() -> list[Row] | None:
            return self._rows(odata_filter, deadline) or None

        if self.cache is None:
            return load() or []
        rows: list[Row] = self.cache.fetch(key, load).payload or []
        return rows

    def _rows(self, odata_filter: str, deadline: transport.Deadline) -> list[Row]:
        """Fetch the rows matching `odata_filter`; the one place that talks HTTP to CBS.

        Raises:
            SourceUnavailable: CBS timed out, could not be reached, or returned 429 or 5xx twice.
            SourceResponseInvalid: CBS returned something other than OData JSON rows.
        """
        response = transport.get(
            self.http,
            f"{self.base_url}/{TABLE}/TypedDataSet",
            source=SOURCE,
            label=TABLE,
            deadline=deadline,
            params={
                "$filter": odata_filter,
                "$select": ",".join(COLUMNS),
                "$format": "json",
            },
            headers={"Accept": "application/json"},
        )
        if response.status_code != 200:
            raise SourceResponseInvalid(SOURCE, f"{TABLE} returned HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as error:
            raise SourceResponseInvalid(SOURCE, f"{TABLE} returned non-JSON") from error

        rows = body.get("value") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise SourceResponseInvalid(SOURCE, f"{TABLE} returned JSON without a list of rows")
        if any(column not in row for row in rows for column in REQUIRED_COLUMNS):
            raise SourceResponseInvalid(SOURCE, f"{TABLE} returned rows without their key columns")
        return rows


# Columns every row must have: without them a row names no area (the schema changed).
REQUIRED_COLUMNS = tuple(
    column for column, english in COLUMNS.items() if english in {"code", "municipality"}
)


def cbs_page_url() -> str:
    """Return the StatLine page of the table the figures come from."""
    return f"https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{TABLE}/table"


def find_postcode(message: str) -> str | None:
    """Return the four digits of the first Dutch postcode in `message` ("6411", "6411 AB")."""
    text = ascii_digits(message)
    match = re.search(r"(?<![0-9A-Za-z])([1-9][0-9]{3})(?: ?[A-Za-z]{2})?(?![0-9A-Za-z])", text)
    return None if match is None else match.group(1)


def _parse_row(row: Row, kind: str, postcode: str | None) -> AreaFacts:
    values = {english: row.get(column) for column, english in COLUMNS.items()}
    income = _number(values["income_per_resident"])
    population = _number(values["population"])
    return AreaFacts(
        code=_text(values["code"]) or "",
        kind=kind,
        municipality=_text(values["municipality"]),
        population=None if population is None else round(population),
        rented_share=_share(values["rented_share"]),
        labour_participation=_share(values["labour_participation"]),
        income_per_resident=None if income is None else round(income * 1000),
        postcode=postcode,
    )


def _share(value: Any) -> float | None:
    """Read a percentage, which CBS gives from 0 to 100."""
    share = _number(value)
    return share if share is not None and share <= 100 else None


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    return None if stripped in {"", "."} else stripped


def _number(value: Any) -> float | None:
    """Read a TypedDataSet figure; CBS sends null (or "." in untyped data) when it has none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _text(value)
        if text is None:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    # No CBS figure read here is negative or infinite; such a value is a broken answer.
    return number if math.isfinite(number) and number >= 0 else None
