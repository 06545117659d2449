"""Point a Twilio phone number at this service in one step, through the REST API.

`configure_number` finds the number among the account's IncomingPhoneNumbers
and sets its voice and messaging webhooks, both fallback URLs and the call
status callback, all with POST, from the public URL. It changes only the
fields that differ and can show the changes without making them.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from phoneline.privacy import normalise_number


class SetupFailed(Exception):
    """The number could not be found or updated; the message says why and what to do."""


@dataclass(frozen=True)
class Change:
    field: str
    current: str | None
    wanted: str


def wanted_settings(public_url: str) -> dict[str, str]:
    """Return the IncomingPhoneNumber fields (REST API names) that route the number here."""
    return {
        "voice_url": f"{public_url}/voice",
        "voice_method": "POST",
        "voice_fallback_url": f"{public_url}/voice/fallback",
        "voice_fallback_method": "POST",
        "status_callback": f"{public_url}/voice/status",
        "status_callback_method": "POST",
        "sms_url": f"{public_url}/sms",
        "sms_method": "POST",
        "sms_fallback_url": f"{public_url}/sms/fallback",
        "sms_fallback_method": "POST",
    }


def configure_number(
    client: Client, number: str, public_url: str, dry_run: bool = False
) -> list[Change]:
    """Set the number's webhooks to this service and return the changes (made or, dry, planned).

    Raises:
        SetupFailed: the account has no such number, or Twilio rejected the request.
    """
    wanted_number = normalise_number(number)
    try:
        found = [
            record
            for record in client.incoming_phone_numbers.list(phone_number=wanted_number)
            if record.phone_number == wanted_number
        ]
    except TwilioRestException as error:
        raise SetupFailed(_rest_error("listing the account's numbers", error)) from error
    except (TwilioException, OSError) as error:
        raise SetupFailed(f"the Twilio REST API could not be reached: {error}") from error

    if not found:
        raise SetupFailed(
            f"the account has no phone number {wanted_number}: check the number (E.164, e.g. "
            "+3197010000000) and that TWILIO_ACCOUNT_SID is the account that owns it."
        )
    record = found[0]

    changes = [
        Change(name, getattr(record, name, None), value)
        for name, value in wanted_settings(public_url).items()
        if _differs(getattr(record, name, None), value)
    ]
    if dry_run or not changes:
        return changes

    try:
        record.update(**{change.field: change.wanted for change in changes})
    except TwilioRestException as error:
        raise SetupFailed(_rest_error(f"updating {wanted_number}", error)) from error
    except (TwilioException, OSError) as error:
        raise SetupFailed(f"the Twilio REST API could not be reached: {error}") from error
    return changes


def _differs(current: object, wanted: str) -> bool:
    if isinstance(current, str) and wanted in {"GET", "POST"}:
        return current.upper() != wanted
    return current != wanted


def _rest_error(action: str, error: TwilioRestException) -> str:
    return (
        f"Twilio returned HTTP {error.status} while {action} (error {error.code}): {error.msg}. "
        "Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN."
    )
