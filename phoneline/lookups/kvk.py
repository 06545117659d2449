"""KVK (Kamer van Koophandel) company register: facts about a company by KVK number.

With an API key (`PHONELINE_KVK_API_KEY`, sent as the `apikey` header):
- Basisprofiel API v1, `GET {kvk_url}/v1/basisprofielen/{kvkNummer}`: name,
  trade names, legal form (`_embedded.eigenaar.rechtsvorm`), start and end of
  the registration (`materieleRegistratie`), registration date, SBI activities,
  employees and the main branch (`_embedded.hoofdvestiging`) with its address.
  KVK charges per Basisprofiel call.
- Zoeken API v2, `GET {kvk_url}/v2/zoeken?kvkNummer=…`, free of charge, only when
  the profile names no city, as for an association of owners (VvE) without a
  main branch. One number can give several results (legal entity, main branch,
  other branches); the main branch (`type` hoofdvestiging) is preferred.

Without a key, the free open dataset "Basis Bedrijfsgegevens",
`GET {open_data_url}/basisbedrijfsgegevens/kvknummer/{kvkNummer}`: only BV and
NV companies, no name and no address, by design; other numbers give 404.

KVK numbers are 8-digit strings with leading zeros kept; KVK publishes no check
digit, so no 11-check is done. Errors come as `{"fout": [{"code": "IPD…",
"omschrijving": …}]}`; `IPD_NOT_FOUND`, `IPD_INVALID` and `IPD_TEMPORARY` give
their meaning (codes from KVK's developer documentation). The `links` and
`_links` fields are never read: their shape changed between recordings of the
same API version. Dutch field names are mapped to English in the `_parse_*`
functions only.

NOTE: KVK's API documentation says api.kvk.nl uses the "Staat der Nederlanden
Private Root CA - G1" chain, which certifi may not contain; the live test
(`make test-live`) shows whether TLS verification succeeds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from phoneline.lookups import transport
from phoneline.lookups.cache import LookupCache
from phoneline.lookups.digits import ascii_digits
from phoneline.lookups.errors import (
    InvalidQuery,
    LookupFailed,
    SourceAccessDenied,
    SourceResponseInvalid,
)

log = logging.getLogger(__name__)

SOURCE = "KVK"
IPD_NOT_FOUND = {"IPD0005", "IPD0007", "IPD5200"}
IPD_INVALID = {"IPD0004", "IPD0006", "IPD0010", "IPD1998", "IPD1999", "IPD5203"}
IPD_TEMPORARY = {"IPD1002", "IPD1003", "IPD9999"}
KVK_NUMBER_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{7,8}(?![0-9])")

Json = dict[str, Any]


@dataclass(frozen=True)
class PartialDate:
    """A KVK date; KVK writes unknown parts as zeros (20150600, 20150000)."""

    year: int
    month: int | None = None
    day: int | None = None

    def as_date(self) -> dt.date | None:
        """Return the full date, or None when the month or day is unknown."""
        if self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)


@dataclass(frozen=True)
class Company:
    """Facts from the register about one KVK number; None means not given.

    `legal_form` is KVK's Dutch value ("Eenmanszaak", "BV"); `main_activity` is
    the SBI description in Dutch, or None with only `main_activity_code` when
    the open dataset answered. `insolvency` is the open dataset's code: FAIL
    (bankruptcy), SSAN (debt restructuring) or SURS (suspension of payments).
    """

    kvk_number: str
    from_open_data: bool
    name: str | None = None
    trade_names: tuple[str, ...] = ()
    legal_form: str | None = None
    active: bool | None = None
    started: PartialDate | None = None
    ended: PartialDate | None = None
    registered: PartialDate | None = None
    city: str | None = None
    main_activity: str | None = None
    main_activity_code: str | None = None
    employees: int | None = None
    insolvency: str | None = None


# Per resource, fields of which an answer must have at least one.
EXPECTED_FIELDS = {
    "basisprofiel": {"kvkNummer"},
    "open dataset": {"actief", "rechtsvormCode", "datumAanvang", "activiteiten"},
    "zoeken": {"resultaten", "totaal"},
}


class _BudgetSpent(Exception):
    """The line's daily budget of paid KVK calls is spent."""


@dataclass(frozen=True)
class KvkClient:
    """Client for the KVK APIs, or the open dataset when `api_key` is None.

    `deadline` is in seconds and covers one lookup, retries and the Zoeken call included.
    """

    http: httpx.Client
    base_url: str
    open_data_url: str
    api_key: str | None = None
    deadline: float = 6.0
    cache: LookupCache | None = None
    # Called before each paid Basisprofiel request (not for cache hits); False
    # means the line's daily budget is spent, and the free open dataset answers.
    allow_paid_call: Callable[[], bool] | None = None

    def company(self, kvk_number: str) -> Company | None:
        """Return the company registered under `kvk_number` (8 digits), or None when not found.

        Raises:
            InvalidQuery: KVK called the number invalid.
            SourceAccessDenied: KVK rejected the API key.
            SourceUnavailable: KVK timed out, throttled us, failed or is temporarily
                unavailable (raised by `transport.get`).
            SourceResponseInvalid: KVK responded with something this client cannot read.
        """
        if not re.fullmatch(r"[0-9]{8}", kvk_number):
            raise ValueError("a KVK number has exactly 8 digits")
        deadline = transport.Deadline.after(self.deadline)

        if self.api_key is None:
            return self._open_data_company(kvk_number, deadline)

        try:
            profile = self._cached(
                f"cache:kvk:basisprofiel:{kvk_number}",
                f"{self.base_url}/v1/basisprofielen/{kvk_number}",
                "basisprofiel",
                deadline,
                paid=True,
            )
        except _BudgetSpent:
            log.warning("KVK daily budget of paid calls is spent; the open dataset answers")
            return self._open_data_company(kvk_number, deadline)
        if profile is None:
            return None
        company = _parse_profile(profile, kvk_number)
        if company.city is not None:
            return company

        try:
            search = self._cached(
                f"cache:kvk:zoeken:{kvk_number}",
                f"{self.base_url}/v2/zoeken",
                "zoeken",
                deadline,
                params={"kvkNummer": kvk_number},
            )
        except LookupFailed as error:
            log.warning("KVK city left out of the reply: %s", error.reason)
            return company
        city = None if search is None else _city_from_search(search)
        return company if city is None else dataclasses.replace(company, city=city)

    def _open_data_company(self, kvk_number: str, deadline: transport.Deadline) -> Company | None:
        data = self._cached(
            f"cache:kvk:opendata:{kvk_number}",
            f"{self.open_data_url}/basisbedrijfsgegevens/kvknummer/{kvk_number}",
            "open dataset",
            deadline,
        )
        return None if data is None else _parse_open_data(data, kvk_number)

    def _cached(
        self,
        key: str,
        url: str,
        label: str,
        deadline: transport.Deadline,
        params: dict[str, str] | None = None,
        *,
        paid: bool = False,
    ) -> Json | None:
        def load() -> Json | None:
            if paid and self.allow_paid_call is not None and not self.allow_paid_call():
                raise _BudgetSpent
            return self._request(url, label, deadline, params)

        if self.cache is None:
            return load()
        data: Json | None = self.cache.fetch(key, load).payload
        return data

    def _request(
        self,
        url: str,
        label: str,
        deadline: transport.Deadline,
        params: dict[str, str] | None = None,
    ) -> Json | None:
        """GET one KVK resource; the one place that talks HTTP to KVK.

        Returns the JSON object, or None when KVK reports "not found".
        """
        headers = {"Accept": "application/json"}
        if self.api_key is not None:
            headers["apikey"] = self.api_key

        response = transport.get(
            self.http,
            url,
            source=SOURCE,
            label=label,
            deadline=deadline,
            params=params,
            headers=headers,
            transient=_is_transient,
        )
        status = response.status_code
        codes = _ipd_codes(response)
        described = f"{label} returned HTTP {status} {','.join(sorted(codes))}".rstrip()

        # 429, 5xx and IPD_TEMPORARY codes never get here: transport.get raises for them.
        if status in (401, 403):
            raise SourceAccessDenied(SOURCE, described)
        if codes & IPD_NOT_FOUND or (status == 404 and not codes & IPD_INVALID):
            return None
        if codes & IPD_INVALID or status == 400:
            raise InvalidQuery(SOURCE, described)
        if status != 200:
            raise SourceResponseInvalid(SOURCE, described)

        try:
            data = response.json()
        except ValueError as error:
            raise SourceResponseInvalid(SOURCE, f"{label} returned non-JSON") from error
        if not isinstance(data, dict):
            raise SourceResponseInvalid(SOURCE, f"{label} returned JSON that is not an object")
        if not data.keys() & EXPECTED_FIELDS.get(label, data.keys()):
            # An object without any field this client reads means the schema changed;
            # parsed anyway, a missing end date would report the company as active.
            raise SourceResponseInvalid(SOURCE, f"{label} returned an object without known fields")
        return data


def normalise_kvk_number(raw: str) -> str | None:
    """Return `raw` as an 8-digit KVK number (7 digits get a leading zero), or None.

    Digits of any script count, so Arabic-Indic and Persian digits are read too.
    """
    digits = ascii_digits(raw.strip())
    if not re.fullmatch(r"[0-9]{7,8}", digits):
        return None
    return digits.zfill(8)


def find_kvk_number(message: str) -> str | None:
    """Return the first 7- or 8-digit number standing alone in `message`, as 8 digits."""
    text = ascii_digits(message)
    match = KVK_NUMBER_IN_TEXT.search(text)
    return None if match is None else match.group().zfill(8)


def kvk_page_url(kvk_number: str) -> str:
    """Return the public KVK search page for `kvk_number`."""
    return f"https://www.kvk.nl/zoeken/?source=all&q={kvk_number}"


def _is_transient(response: httpx.Response) -> bool:
    return transport.is_throttled_or_failed(response) or bool(_ipd_codes(response) & IPD_TEMPORARY)


def _ipd_codes(response: httpx.Response) -> set[str]:
    """Return the IPD codes in an error body, or an empty set for any other body."""
    if response.status_code == 200:
        return set()
    try:
        body = response.json()
    except ValueError:
        return set()
    errors = body.get("fout") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return set()
    return {str(error["code"]) for error in errors if isinstance(error, dict) and "code" in error}


def _parse_profile(data: Json, kvk_number: str) -> Company:
    embedded = _object(data.get("_embedded"))
    main_branch = _object(embedded.get("hoofdvestiging"))
    owner = _object(embedded.get("eigenaar"))
    registration = _object(data.get("materieleRegistratie"))
    name = _text(data.get("naam")) or _text(data.get("statutaireNaam"))
    activity = _main_activity(data.get("sbiActiviteiten"))
    ended = _partial_date(registration.get("datumEinde"))

    return Company(
        kvk_number=kvk_number,
        from_open_data=False,
        name=name,
        trade_names=_trade_names(data.get("handelsnamen"), name),
        legal_form=_text(owner.get("rechtsvorm")) or _text(owner.get("uitgebreideRechtsvorm")),
        active=ended is None,
        started=_partial_date(registration.get("datumAanvang")),
        ended=ended,
        registered=_partial_date(data.get("formeleRegistratiedatum")),
        city=_city(main_branch.get("adressen")) or _city(owner.get("adressen")),
        main_activity=_text(activity.get("sbiOmschrijving")),
        main_activity_code=_text(activity.get("sbiCode")),
        employees=_count(data.get("totaalWerkzamePersonen")),
    )


def _parse_open_data(data: Json, kvk_number: str) -> Company:
    activities = data.get("activiteiten")
    main_code = None
    if isinstance(activities, list):
        for activity in activities:
            item = _object(activity)
            if _text(item.get("soortActiviteit")) == "Hoofdactiviteit":
                main_code = _text(item.get("sbiCode"))
                break
    active = _text(data.get("actief"))

    return Company(
        kvk_number=kvk_number,
        from_open_data=True,
        legal_form=_text(data.get("rechtsvormCode")),
        active={"J": True, "N": False}.get(active or ""),
        started=_partial_date(data.get("datumAanvang")),
        main_activity_code=main_code,
        insolvency=_text(data.get("insolventieCode")),
    )


def _city_from_search(data: Json) -> str | None:
    """Return the city of the main branch among Zoeken results, else of the first result."""
    results = [_object(item) for item in data.get("resultaten") or [] if isinstance(item, dict)]
    rank = {"hoofdvestiging": 0, "rechtspersoon": 1}
    results.sort(key=lambda item: rank.get(str(item.get("type")), len(rank)))
    for item in results:
        address = _object(_object(item.get("adres")).get("binnenlandsAdres"))
        city = _text(address.get("plaats"))
        if city is not None:
            return city
    return None


def _main_activity(value: Any) -> Json:
    activities = [_object(item) for item in value] if isinstance(value, list) else []
    for activity in activities:
        if activity.get("indHoofdactiviteit") == "Ja":
            return activity
    return activities[0] if activities else {}


def _trade_names(value: Any, name: str | None) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    items = sorted(
        (_object(item) for item in value), key=lambda item: _count(item.get("volgorde")) or 0
    )
    names: list[str] = []
    for item in items:
        trade_name = _text(item.get("naam"))
        if trade_name is not None and trade_name != name and trade_name not in names:
            names.append(trade_name)
    return tuple(names)


def _city(addresses: Any) -> str | None:
    """Return the city of the visiting address (bezoekadres), else of any address."""
    if not isinstance(addresses, list):
        return None
    items = [_object(item) for item in addresses]
    items.sort(key=lambda item: item.get("type") != "bezoekadres")
    for item in items:
        city = _text(item.get("plaats"))
        if city is not None:
            return city
    return None


def _partial_date(value: Any) -> PartialDate | None:
    text = _text(value)
    if text is None or not re.fullmatch(r"[0-9]{8}", text):
        return None
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    if year == 0 or month > 12:
        return None
    if month == 0:
        return PartialDate(year)
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return None
    return PartialDate(year, month, day or None)


def _object(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
