"""RDW open data (Socrata SODA API at opendata.rdw.nl): vehicle facts by plate.

One report combines three datasets, fetched at the same time so that a lookup
takes one round trip of wall time:

- m9d7-ebf2 (Gekentekende_voertuigen): one row per plate with the vehicle.
- 8ys7-d773 (Gekentekende_voertuigen_brandstof): one row per fuel, so a hybrid
  has two; rows come unordered and are sorted by `brandstof_volgnummer`.
- t49b-isb7 (Terugroep_actie_status): one row per recall that concerns the
  plate; `code_status` O means open, P means the maker reported it repaired.

Every value is a string: dates are "YYYYMMDD" (the current schema adds ISO
`*_dt` twins), booleans "Ja"/"Nee", and "Niet geregistreerd", "Geen verstrekking
in Open Data" or "N.v.t." mean the value is unknown. In March 2022 RDW renamed
`datum_eerste_afgifte_nederland` to `datum_eerste_tenaamstelling_in_nederland`;
both parse. An unknown plate is answered with HTTP 200 and `[]`. All Dutch field
names are mapped to English names in the `_parse_*` functions and nowhere else.

The three requests run on threads that share the app's pooled `httpx.Client`,
which keeps connections to RDW open between webhooks. An asyncio client would
need its own event loop per webhook in the synchronous Flask workers and would
reconnect every time.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import httpx

from phoneline.lookups import transport
from phoneline.lookups.cache import LookupCache
from phoneline.lookups.errors import LookupFailed, SourceResponseInvalid, SourceUnavailable
from phoneline.lookups.plates import Plate

log = logging.getLogger(__name__)

SOURCE = "RDW"
VEHICLES = "m9d7-ebf2"
FUELS = "8ys7-d773"
RECALLS = "t49b-isb7"
DATASETS = (VEHICLES, FUELS, RECALLS)
OPEN_RECALL_STATUS = "O"
UNKNOWN_VALUES = {"", "Niet geregistreerd", "Geen verstrekking in Open Data", "N.v.t."}
PLATE_TEXT = re.compile(r"[A-Z0-9]{6}")

Row = dict[str, Any]


@dataclass(frozen=True)
class Vehicle:
    """Facts about one vehicle; None means RDW does not give the value.

    `kind`, `colour` and `odometer_verdict` are RDW's Dutch values as given
    ("Personenauto", "GRIJS", "Logisch"); flows translate the ones they know.
    """

    plate: str
    kind: str | None
    make: str | None
    model: str | None
    colour: str | None
    first_admission: dt.date | None
    first_registration_nl: dt.date | None
    apk_expiry: dt.date | None
    wam_insured: bool | None
    open_recall: bool | None
    exported: bool | None
    taxi: bool | None
    odometer_verdict: str | None
    catalogue_price: int | None


@dataclass(frozen=True)
class VehicleReport:
    """A vehicle with its fuels and open recalls.

    `fuels` and `open_recalls` are None when that dataset did not answer in
    time or failed, so the reply can say that part is unknown.
    """

    vehicle: Vehicle
    fuels: tuple[str, ...] | None
    open_recalls: int | None


@dataclass(frozen=True)
class RdwClient:
    """Client for RDW open data.

    `deadline` is in seconds and covers a whole report, retries included.
    With a `cache`, each dataset's answer for a plate is cached on its own.
    """

    http: httpx.Client
    base_url: str
    app_token: str | None = None
    deadline: float = 6.0
    cache: LookupCache | None = None

    def report(self, plate: Plate) -> VehicleReport | None:
        """Return the vehicle registered under `plate`, or None when RDW has no row.

        Raises:
            LookupFailed: the vehicles dataset gave no usable answer (the fuel
                and recall datasets failing only leaves their parts unknown).
        """
        parts = self._fetch_all(plate, transport.Deadline.after(self.deadline))

        vehicles = parts[VEHICLES]
        if isinstance(vehicles, LookupFailed):
            raise vehicles
        if not vehicles:
            return None

        fuels = parts[FUELS]
        recalls = parts[RECALLS]
        for dataset, part in ((FUELS, fuels), (RECALLS, recalls)):
            if isinstance(part, LookupFailed):
                log.warning("RDW %s left out of the reply: %s", dataset, part.reason)

        return VehicleReport(
            vehicle=_parse_vehicle(vehicles[0], plate),
            fuels=None if isinstance(fuels, LookupFailed) else _parse_fuels(fuels),
            open_recalls=None if isinstance(recalls, LookupFailed) else _count_open(recalls),
        )

    def _fetch_all(
        self, plate: Plate, deadline: transport.Deadline
    ) -> dict[str, list[Row] | LookupFailed]:
        """Return each dataset's rows for `plate`, or the failure, from cache or from RDW."""
        results: dict[str, list[Row] | LookupFailed] = {}
        stale = {}
        for dataset in DATASETS:
            entry = self.cache.read(_cache_key(dataset, plate)) if self.cache else None
            if entry is not None and self.cache is not None and self.cache.is_fresh(entry):
                results[dataset] = entry.payload or []
            else:
                stale[dataset] = entry
        if not stale:
            return results

        executor = ThreadPoolExecutor(max_workers=len(stale), thread_name_prefix="rdw")
        futures = {executor.submit(self._rows, ds, plate, deadline): ds for ds in stale}
        done, _ = wait(futures, timeout=deadline.remaining())
        # A request still running finishes on its own thread once its httpx timeout
        # (the time that was left when it started) fires; nobody waits for it.
        executor.shutdown(wait=False, cancel_futures=True)

        for future, dataset in futures.items():
            outcome: list[Row] | LookupFailed
            if future in done:
                try:
                    outcome = future.result()
                except LookupFailed as error:
                    outcome = error
            else:
                outcome = SourceUnavailable(SOURCE, f"{dataset} did not answer before the deadline")
            results[dataset] = self._settle(dataset, plate, stale[dataset], outcome)
        return results

    def _settle(
        self, dataset: str, plate: Plate, previous: Any, outcome: list[Row] | LookupFailed
    ) -> list[Row] | LookupFailed:
        if self.cache is None:
            return outcome
        try:
            if isinstance(outcome, LookupFailed):
                entry = self.cache.recover(previous, outcome)
            else:
                entry = self.cache.settle(_cache_key(dataset, plate), outcome or None)
        except LookupFailed as error:
            return error
        rows: list[Row] = entry.payload or []
        return rows

    def _rows(self, dataset: str, plate: Plate, deadline: transport.Deadline) -> list[Row]:
        """Fetch the rows of `dataset` for `plate`; the one place that talks HTTP to RDW.

        Raises:
            SourceUnavailable: RDW timed out, could not be reached, or returned 429
                or 5xx twice.
            SourceResponseInvalid: RDW returned something other than a JSON
                array of objects.
        """
        if not PLATE_TEXT.fullmatch(plate.text):
            raise ValueError("only a normalised six-character plate may be sent to RDW")
        headers = {"Accept": "application/json"}
        if self.app_token:
            headers["X-App-Token"] = self.app_token

        response = transport.get(
            self.http,
            f"{self.base_url}/resource/{dataset}.json",
            source=SOURCE,
            label=dataset,
            deadline=deadline,
            params={"kenteken": plate.text},
            headers=headers,
        )
        if response.status_code != 200:
            raise SourceResponseInvalid(SOURCE, f"{dataset} returned HTTP {response.status_code}")

        try:
            rows = response.json()
        except ValueError as error:
            raise SourceResponseInvalid(SOURCE, f"{dataset} returned non-JSON") from error
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise SourceResponseInvalid(
                SOURCE, f"{dataset} returned JSON that is not a list of rows"
            )
        known = KNOWN_COLUMNS[dataset]
        if any(not row.keys() & known for row in rows):
            # A row without any column read here means the schema changed: read as
            # facts, it would say "no open recall" or "no fuel" where the truth is unknown.
            raise SourceResponseInvalid(SOURCE, f"{dataset} returned rows without known columns")
        return rows


# Per dataset, columns of which every row must have at least one, so a renamed
# column fails that dataset (its line says "unknown") instead of passing as "none".
KNOWN_COLUMNS = {
    VEHICLES: frozenset(
        {"kenteken", "voertuigsoort", "merk", "handelsbenaming", "vervaldatum_apk", "wam_verzekerd"}
    ),
    FUELS: frozenset({"brandstof_omschrijving"}),
    RECALLS: frozenset({"code_status"}),
}


def rdw_page_url(plate: Plate) -> str:
    """Return the RDW's public page about `plate` (its "Overzicht Voertuiginformatie")."""
    return f"https://ovi.rdw.nl/default.aspx?kenteken={plate.text}"


def _cache_key(dataset: str, plate: Plate) -> str:
    return f"cache:rdw:{dataset}:{plate.text}"


def _parse_vehicle(row: Row, plate: Plate) -> Vehicle:
    return Vehicle(
        plate=plate.text,
        kind=_text(row.get("voertuigsoort")),
        make=_text(row.get("merk")),
        model=_text(row.get("handelsbenaming")),
        colour=_text(row.get("eerste_kleur")),
        first_admission=_date(row, "datum_eerste_toelating"),
        first_registration_nl=(
            _date(row, "datum_eerste_tenaamstelling_in_nederland")
            or _date(row, "datum_eerste_afgifte_nederland")
        ),
        apk_expiry=_date(row, "vervaldatum_apk"),
        wam_insured=_yes_no(row.get("wam_verzekerd")),
        open_recall=_yes_no(row.get("openstaande_terugroepactie_indicator")),
        exported=_yes_no(row.get("export_indicator")),
        taxi=_yes_no(row.get("taxi_indicator")),
        odometer_verdict=_text(row.get("tellerstandoordeel")),
        catalogue_price=_euros(row.get("catalogusprijs")),
    )


def _parse_fuels(rows: list[Row]) -> tuple[str, ...]:
    """Return the fuel descriptions in RDW's order (`brandstof_volgnummer`), each once."""
    fuels: list[str] = []
    for row in sorted(rows, key=lambda row: _number(row.get("brandstof_volgnummer")) or 99):
        fuel = _text(row.get("brandstof_omschrijving"))
        if fuel is not None and fuel not in fuels:
            fuels.append(fuel)
    return tuple(fuels)


def _count_open(rows: list[Row]) -> int:
    """Return how many distinct recalls are open (`code_status` O) for the plate."""
    open_recalls = set()
    for index, row in enumerate(rows):
        status = _text(row.get("code_status"))
        if status is not None and status.upper() == OPEN_RECALL_STATUS:
            open_recalls.add(_text(row.get("referentiecode_rdw")) or f"row {index}")
    return len(open_recalls)


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return None if value in UNKNOWN_VALUES else value


def _date(row: Row, field: str) -> dt.date | None:
    """Read `field` as "YYYYMMDD", else its ISO twin `<field>_dt`; None when neither parses."""
    text = _text(row.get(field))
    if text is not None:
        try:
            return dt.datetime.strptime(text[:8], "%Y%m%d").date()
        except ValueError:
            log.warning("RDW %s %r does not have the form YYYYMMDD", field, text)

    iso = _text(row.get(f"{field}_dt"))
    if iso is not None:
        try:
            return dt.date.fromisoformat(iso[:10])
        except ValueError:
            log.warning("RDW %s_dt %r is not an ISO date", field, iso)
    return None


def _yes_no(value: Any) -> bool | None:
    text = _text(value)
    if text == "Ja":
        return True
    if text == "Nee":
        return False
    return None


def _number(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return int(float(text))
    except (ValueError, OverflowError):  # "abc", "nan", "inf"
        return None


def _euros(value: Any) -> int | None:
    """Read a whole-euro amount; RDW writes "0" where the amount is unknown."""
    amount = _number(value)
    return amount if amount is not None and amount > 0 else None
