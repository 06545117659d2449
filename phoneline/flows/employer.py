"""The employer check: facts from the KVK register, as an SMS text and as spoken items.

The SMS handler replies to a message with a 7- or 8-digit number. The voice
screens (`flows/voice_lookups.py`) use `check_employer`, `employer_text` and
`spoken_result` for the same facts. With no KVK API key, the free open dataset
answers: only BV and NV companies, without name or address, and the reply says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from phoneline.catalog import Catalog
from phoneline.flows.budget import Line, fit
from phoneline.flows.replies import Writer, format_partial_date, value_slug
from phoneline.flows.sources import kvk_client
from phoneline.lookups.errors import InvalidQuery, LookupFailed, SourceAccessDenied
from phoneline.lookups.kvk import Company, find_kvk_number, kvk_page_url
from phoneline.webhook import note

if TYPE_CHECKING:
    from phoneline.flows.sms import Message

log = logging.getLogger(__name__)

# Priorities for `fit`: 0 always stays; higher numbers are dropped first.
DETAIL, EXTRA, LINK = 1, 2, 9
MAX_TRADE_NAMES = 2
MAX_ACTIVITY_CHARS = 70


class Outcome(Enum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class EmployerCheck:
    """The result of looking up one KVK number; `company` is set when `outcome` is FOUND."""

    kvk_number: str
    outcome: Outcome
    from_open_data: bool
    company: Company | None = None


@dataclass(frozen=True)
class Spoken:
    """One item of a spoken result: a catalog prompt, or a value from the register.

    A value is spoken as text: names and places with the Dutch voice, because
    they are Dutch; dates in the caller's language.
    """

    key: str | None = None
    value: str | None = None
    dutch: bool = False


def check_employer(kvk_number: str, sid: str) -> EmployerCheck:
    """Look up `kvk_number` (8 digits) and classify the result; log failures under `sid`."""
    client = kvk_client()
    from_open_data = client.api_key is None
    try:
        company = client.company(kvk_number)
    except InvalidQuery as error:
        log.info("%s KVK called the number invalid: %s", sid, error.reason)
        return EmployerCheck(kvk_number, Outcome.INVALID, from_open_data)
    except SourceAccessDenied as error:
        log.error("%s KVK rejected the API key (check PHONELINE_KVK_API_KEY): %s", sid, error)
        return EmployerCheck(kvk_number, Outcome.UNAVAILABLE, from_open_data)
    except LookupFailed as error:
        log.warning("%s KVK lookup failed: %s", sid, error)
        return EmployerCheck(kvk_number, Outcome.UNAVAILABLE, from_open_data)

    if company is None:
        return EmployerCheck(kvk_number, Outcome.NOT_FOUND, from_open_data)
    return EmployerCheck(kvk_number, Outcome.FOUND, from_open_data, company)


def employer_lookup(message: Message) -> list[str] | None:
    """Reply with KVK facts when the message contains a 7- or 8-digit number."""
    kvk_number = find_kvk_number(message.body)
    if kvk_number is None:
        return None
    check = check_employer(kvk_number, message.sid)
    note("employer", check.outcome.value)
    return [employer_text(Writer.for_catalog(message.catalog), check)]


def employer_text(writer: Writer, check: EmployerCheck) -> str:
    """Return the SMS text for an employer check within the language's budget."""
    number = check.kvk_number
    if check.outcome is Outcome.INVALID:
        return writer.text("sms.employer.invalid", number=number)
    if check.outcome is Outcome.UNAVAILABLE:
        return writer.text("sms.employer.unavailable")
    if check.outcome is Outcome.NOT_FOUND:
        key = "sms.employer.not_in_open_data" if check.from_open_data else "sms.employer.not_found"
        return writer.text(key, number=number)

    company = check.company
    assert company is not None  # FOUND always carries the company
    return fit(_found_lines(writer, company), writer.budget)


def _found_lines(writer: Writer, company: Company) -> list[Line]:
    number = company.kvk_number
    if company.name:
        header = writer.text(
            "sms.employer.header_name", number=number, name=writer.value(company.name)
        )
    else:
        header = writer.text("sms.employer.header", number=number)
    lines = [Line(header)]

    status = _status_text(writer, company)
    if status is not None:
        lines.append(Line(status))
    if company.insolvency is not None:
        lines.append(Line(writer.translated("insolvency", company.insolvency)))
    if company.legal_form is not None:
        form = writer.translated("legal_form", company.legal_form)
        lines.append(Line(writer.text("sms.employer.legal_form", form=form)))

    if company.city is not None:
        lines.append(
            Line(writer.text("sms.employer.city", city=writer.value(company.city)), DETAIL)
        )
    if company.main_activity is not None:
        activity = _shorten(writer.value(company.main_activity), MAX_ACTIVITY_CHARS)
        lines.append(Line(writer.text("sms.employer.activity", activity=activity), DETAIL))
    elif company.main_activity_code is not None:
        code = company.main_activity_code
        lines.append(Line(writer.text("sms.employer.activity_code", code=code), DETAIL))

    if company.registered is not None:
        registered = writer.partial_date(company.registered)
        lines.append(Line(writer.text("sms.employer.registered", date=registered), EXTRA))
    if company.employees is not None:
        employees = writer.number(company.employees)
        lines.append(Line(writer.text("sms.employer.employees", count=employees), EXTRA))
    if company.trade_names:
        names = ", ".join(writer.value(name) for name in company.trade_names[:MAX_TRADE_NAMES])
        more = len(company.trade_names) - MAX_TRADE_NAMES
        if more > 0:
            names += f" (+{more})"
        lines.append(Line(writer.text("sms.employer.trade_names", names=names), EXTRA))

    if company.from_open_data:
        lines.append(Line(writer.text("sms.employer.open_data_limits")))

    source = Line(writer.text("sms.employer.source"), DETAIL)
    link = writer.text("sms.employer.link", url=kvk_page_url(number))
    lines.append(Line(link, LINK, fallback=source))
    return lines


def _status_text(writer: Writer, company: Company) -> str | None:
    if company.active is None:
        return None
    if company.active:
        if company.started is None:
            return writer.text("sms.employer.active")
        return writer.text("sms.employer.active_since", date=writer.partial_date(company.started))
    if company.ended is None:
        return writer.text("sms.employer.inactive")
    return writer.text("sms.employer.ended_on", date=writer.partial_date(company.ended))


def spoken_result(catalog: Catalog, check: EmployerCheck) -> list[Spoken]:
    """Return the spoken items for an employer check, in the catalog's language."""
    if check.outcome is Outcome.INVALID:
        return [Spoken(key="employer.invalid")]
    if check.outcome is Outcome.UNAVAILABLE:
        return [Spoken(key="employer.unavailable")]
    if check.outcome is Outcome.NOT_FOUND:
        return [
            Spoken(
                key="employer.not_in_open_data" if check.from_open_data else "employer.not_found"
            )
        ]

    company = check.company
    assert company is not None  # FOUND always carries the company
    items: list[Spoken] = []
    if company.name:
        items += [Spoken(key="employer.result.name"), Spoken(value=company.name, dutch=True)]
    items += _spoken_status(catalog, company)
    if company.insolvency is not None:
        items.append(_spoken_value(catalog, "insolvency", company.insolvency))
    if company.legal_form is not None:
        items.append(Spoken(key="employer.result.legal_form"))
        items.append(_spoken_value(catalog, "legal_form", company.legal_form))
    if company.city is not None:
        items += [Spoken(key="employer.result.city"), Spoken(value=company.city, dutch=True)]
    if company.from_open_data:
        items.append(Spoken(key="employer.result.open_data_limits"))
    return items


def _spoken_status(catalog: Catalog, company: Company) -> list[Spoken]:
    if company.active is None:
        return []
    date = company.started if company.active else company.ended
    if date is None:
        return [
            Spoken(key="employer.result.active" if company.active else "employer.result.inactive")
        ]
    key = "employer.result.active_since" if company.active else "employer.result.ended_on"
    return [Spoken(key=key), Spoken(value=format_partial_date(catalog, date))]


def _spoken_value(catalog: Catalog, group: str, raw: str) -> Spoken:
    """Speak the catalog's translation of a register value, else the value itself in Dutch."""
    key = f"value.{group}.{value_slug(raw)}"
    return Spoken(key=key) if catalog.has(key) else Spoken(value=raw, dutch=True)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
