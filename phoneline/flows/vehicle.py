"""The vehicle check by SMS: a licence plate gets RDW facts, a near-plate "did you mean".

Which lines a reply has depends on the kind of vehicle. Trailers are no motor
vehicles, so the WAM insurance duty and fuel do not apply to them. RDW records
no odometer readings for trailers and mopeds. Only cars, vans and buses are
expected to have an APK date, so only for them does a missing date get a line
("none yet" when the vehicle is new or its dates are missing).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import TYPE_CHECKING

from phoneline.flows.budget import Line, fit
from phoneline.flows.replies import Writer
from phoneline.flows.sources import rdw_client
from phoneline.lookups.digits import ascii_digits
from phoneline.lookups.errors import LookupFailed
from phoneline.lookups.plates import Plate, find_plate, suggest_plates
from phoneline.lookups.rdw import VehicleReport, rdw_page_url
from phoneline.webhook import note

if TYPE_CHECKING:
    from phoneline.flows.sms import Message

log = logging.getLogger(__name__)

TRAILER_KINDS = frozenset(
    {"Aanhangwagen", "Oplegger", "Middenasaanhangwagen", "Land- of bosb aanhw of getr uitr stuk"}
)
NO_ODOMETER_KINDS = TRAILER_KINDS | {"Bromfiets"}
APK_EXPECTED_KINDS = frozenset({"Personenauto", "Bedrijfsauto", "Bus"})
# A car, van or bus this young may not have had its first APK yet.
NEW_VEHICLE_YEARS = 4

# A Dutch postcode as people write it ("6411 AB", "6411AB"). A plate of sidecode 2
# (12-34-AB) written this way is read as a postcode instead.
POSTCODE_WRITING = re.compile(r"(?<![0-9A-Za-z.-])[1-9][0-9]{3} ?[A-Za-z]{2}(?![0-9A-Za-z.-])")

# Priorities for `fit`: 0 always stays; higher numbers are dropped first.
DETAIL, FACT, EXTRA, PRICE, LINK = 1, 2, 3, 4, 9


def vehicle_lookup(message: Message) -> list[str] | None:
    """Reply with RDW facts when the message contains a licence plate."""
    plate = find_plate(message.body)
    if plate is None:
        return None
    if plate.sidecode == 2 and POSTCODE_WRITING.search(ascii_digits(message.body)):
        return None

    writer = Writer.for_catalog(message.catalog)
    try:
        report = rdw_client().report(plate)
    except LookupFailed as error:
        log.warning("%s RDW lookup failed: %s", message.sid, error)
        note("vehicle", "failed")
        return [writer.text("sms.vehicle.unavailable")]

    if report is None:
        note("vehicle", "not_found")
        return [writer.text("sms.vehicle.not_found", plate=plate.formatted)]

    note("vehicle", "found" if _complete(report) else "found_partly")
    return [vehicle_reply(writer, report, plate, dt.date.today())]


def plate_suggestion(message: Message) -> list[str] | None:
    """Reply "did you mean …?" when the message contains something that is nearly a plate."""
    suggestion = suggest_plates(message.body)
    if suggestion is None:
        return None
    typed, plates = suggestion
    note("vehicle", "did_you_mean")
    writer = Writer.for_catalog(message.catalog)
    candidates = " / ".join(plate.formatted for plate in plates)
    return [writer.text("sms.vehicle.did_you_mean", typed=typed, candidates=candidates)]


def vehicle_reply(writer: Writer, report: VehicleReport, plate: Plate, today: dt.date) -> str:
    """Return the SMS text describing a vehicle report within the language's budget."""
    vehicle = report.vehicle
    kind = vehicle.kind
    name = " ".join(writer.value(part) for part in (vehicle.make, vehicle.model) if part)
    lines = [Line(f"{plate.formatted}: {name}" if name else plate.formatted)]

    if kind is not None and vehicle.colour is not None:
        kind_text = writer.translated("kind", kind)
        colour = writer.translated("colour", vehicle.colour)
        described = writer.text("sms.vehicle.kind_colour", kind=kind_text, colour=colour)
        lines.append(Line(described, EXTRA))
    elif kind is not None:
        lines.append(Line(writer.translated("kind", kind), EXTRA))
    elif vehicle.colour is not None:
        lines.append(Line(writer.translated("colour", vehicle.colour), EXTRA))

    first = vehicle.first_admission
    if first is not None:
        lines.append(
            Line(writer.text("sms.vehicle.first_admission", date=writer.date(first)), FACT)
        )
    in_nl = vehicle.first_registration_nl
    if in_nl is not None and in_nl != first:
        lines.append(Line(writer.text("sms.vehicle.registered_nl", date=writer.date(in_nl)), FACT))

    apk = _apk_line(writer, report, today)
    if apk is not None:
        lines.append(Line(apk))

    if vehicle.wam_insured is not None and kind not in TRAILER_KINDS:
        lines.append(
            Line(
                writer.text("sms.vehicle.wam_yes" if vehicle.wam_insured else "sms.vehicle.wam_no")
            )
        )

    lines.append(Line(_recall_line(writer, report)))

    if vehicle.odometer_verdict is not None and kind not in NO_ODOMETER_KINDS:
        verdict = writer.translated("odometer", vehicle.odometer_verdict)
        lines.append(Line(writer.text("sms.vehicle.odometer", verdict=verdict), DETAIL))
    if vehicle.exported:
        lines.append(Line(writer.text("sms.vehicle.exported"), DETAIL))
    if vehicle.taxi:
        lines.append(Line(writer.text("sms.vehicle.taxi"), DETAIL))

    if kind not in TRAILER_KINDS:
        if report.fuels is None:
            # Saying a part is unknown outranks optional facts: a missing line would
            # read as "no fuel", so it goes only after them.
            lines.append(Line(writer.text("sms.vehicle.fuel_unknown"), DETAIL))
        elif report.fuels:
            fuels = " + ".join(writer.translated("fuel", fuel) for fuel in report.fuels)
            lines.append(Line(writer.text("sms.vehicle.fuel", fuels=fuels), EXTRA))

    if vehicle.catalogue_price is not None:
        price = writer.number(vehicle.catalogue_price)
        lines.append(Line(writer.text("sms.vehicle.price", price=price), PRICE))

    source = Line(writer.text("sms.vehicle.source"), DETAIL)
    link = writer.text("sms.vehicle.link", url=rdw_page_url(plate))
    lines.append(Line(link, LINK, fallback=source))
    return fit(lines, writer.budget)


def _apk_line(writer: Writer, report: VehicleReport, today: dt.date) -> str | None:
    vehicle = report.vehicle
    expiry = vehicle.apk_expiry
    if expiry is not None:
        key = "sms.vehicle.apk_expired" if expiry < today else "sms.vehicle.apk_valid"
        return writer.text(key, date=writer.date(expiry))
    if vehicle.kind not in APK_EXPECTED_KINDS:
        return None

    first = vehicle.first_admission
    if first is None or today - first < dt.timedelta(days=round(365.25 * NEW_VEHICLE_YEARS)):
        return writer.text("sms.vehicle.apk_new")
    return writer.text("sms.vehicle.apk_unknown")


def _recall_line(writer: Writer, report: VehicleReport) -> str:
    """Return the open-recall line from the recall dataset and the vehicle's own flag.

    When the two disagree, or the recall dataset failed, a "yes" from the flag
    wins, because telling a buyer to ask about a recall costs less than missing one.
    """
    count = report.open_recalls
    if count:
        return writer.text("sms.vehicle.recalls_open", count=count)
    if report.vehicle.open_recall:
        return writer.text("sms.vehicle.recall_open")
    if count is None:
        return writer.text("sms.vehicle.recalls_unknown")
    return writer.text("sms.vehicle.recall_none")


def _complete(report: VehicleReport) -> bool:
    return report.fuels is not None and report.open_recalls is not None
