"""Outgoing calls to the Twilio REST API, such as texting a caller during a call.

TwiML can only answer the request in hand, so a message sent while a call is
running goes through the REST API (Twilio deprecated the `<Sms>` voice verb).
`PHONELINE_TWILIO_API_URL` points the client elsewhere, which is how the tests
use a local stand-in for api.twilio.com.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from phoneline.config import Settings

log = logging.getLogger(__name__)

# Sends run here so that a timeout bounds the whole exchange (see SmsSender.send).
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="twilio-rest")


class SendFailed(Exception):
    """Twilio did not accept the message; `code` is Twilio's error code when it gave one."""

    def __init__(self, reason: str, code: int | None = None) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class SmsSender:
    """Sends text messages from the line's number or Messaging Service."""

    client: Client
    from_number: str | None
    messaging_service_sid: str | None
    timeout: float = 6.0

    def send(self, to: str, body: str, timeout: float | None = None) -> str:
        """Send `body` to the number `to` and return the message SID.

        The whole exchange with Twilio must end within `timeout` seconds
        (default: the sender's own), whatever the library's per-read timeout.

        Raises:
            SendFailed: Twilio rejected the message, could not be reached, or did
                not answer in time (the message may then still be sent).
        """
        sender = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number}
        )
        seconds = self.timeout if timeout is None else timeout
        future = _POOL.submit(self.client.messages.create, to=to, body=body, **sender)
        try:
            message = future.result(timeout=seconds)
        except FutureTimeout:
            future.cancel()
            raise SendFailed(f"Twilio REST API did not answer within {seconds:.1f} s") from None
        except TwilioRestException as error:
            raise SendFailed(f"Twilio returned HTTP {error.status}", code=error.code) from error
        except (TwilioException, OSError) as error:
            raise SendFailed(f"Twilio REST API unreachable: {type(error).__name__}") from error
        return str(message.sid)


def make_client(settings: Settings) -> Client | None:
    """Build a Twilio REST client, or return None when no account SID is set."""
    if not settings.twilio_account_sid:
        return None
    # A timeout, because the twilio library waits forever by default and a text
    # sent during a call must not hold the webhook past Twilio's 15 seconds.
    http_client = TwilioHttpClient(timeout=settings.lookup_deadline)
    client = Client(
        settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client
    )
    if settings.twilio_api_url:
        client.api.base_url = settings.twilio_api_url
    return client


def make_sms_sender(settings: Settings) -> SmsSender | None:
    """Build the sender for outgoing texts, or return None when REST credentials are not set."""
    client = make_client(settings)
    if client is None:
        return None
    return SmsSender(
        timeout=settings.lookup_deadline,
        client=client,
        from_number=settings.sms_from,
        messaging_service_sid=settings.messaging_service_sid,
    )
