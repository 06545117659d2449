"""A telephone and a text-message sender in the terminal, for trying the line without Twilio.

`TerminalPhone.call()` places a call the way Twilio does: it POSTs the call
parameters to `/voice`, signed with the service's auth token against the
public URL, and then follows the TwiML it gets back. It prints what `<Say>`
speaks, prints and plays what `<Play>` plays, reads key presses for
`<Gather>` (an empty line is silence), and follows `<Redirect>` and
`<Hangup>`. When the call ends it sends the status callback as Twilio would.
`TerminalPhone.text()` sends one text message and prints the replies.

Requests are signed for the URL Twilio would request (under the public URL)
but sent to `server_url`, where the service listens, so the phone also works
against a service that sits behind a tunnel or reverse proxy.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import urljoin
from xml.etree import ElementTree

import httpx
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
LINE_NUMBER = "+31450000000"
KEYPAD = frozenset("0123456789*#")
# A call that makes more requests than this is looping; Twilio would also stop it eventually.
MAX_REQUESTS_PER_CALL = 500
# Players tried in order, with the arguments that play a file once and exit.
PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mpg123", ("-q",)),
    ("ffplay", ("-nodisp", "-autoexit", "-loglevel", "quiet")),
    ("aplay", ("-q",)),
)

# A prompt is a few seconds long; a player still running after this is stuck.
PLAYER_TIMEOUT_SECONDS = 30



class PhoneError(Exception):
    """The service could not be reached or returned something a phone cannot follow."""


@dataclass
class Keypad:
    """Key presses typed as lines; keys typed ahead are kept for later `<Gather>`s."""

    lines: TextIO
    out: TextIO
    pending: deque[str] = field(default_factory=deque)

    def read(self, num_digits: int | None, finish_on_key: str) -> str | None:
        """Return the keys for one `<Gather>`: "" for silence, None when input has ended."""
        if not self.pending:
            print("keys> ", end="", file=self.out, flush=True)
            line = self.lines.readline()
            if not line:
                print("(end of input)", file=self.out)
                return None
            typed = "".join(line.split())
            ignored = "".join(char for char in typed if char not in KEYPAD)
            if ignored:
                print(f"(ignored {ignored!r}: a keypad has only 0-9, * and #)", file=self.out)
            self.pending.extend(char for char in typed if char in KEYPAD)
            if not self.pending:
                print("(no key pressed)", file=self.out)
                return ""

        digits = ""
        while self.pending:
            key = self.pending.popleft()
            if finish_on_key and key == finish_on_key:
                break
            digits += key
            if num_digits is not None and len(digits) >= num_digits:
                break
        print(f"(pressed {digits or finish_on_key})", file=self.out)
        return digits


@dataclass
class TerminalPhone:
    """Talks to a phoneline service as Twilio does, signing every request."""

    public_url: str
    server_url: str
    auth_token: str
    out: TextIO
    http: httpx.Client
    play_audio: bool = True
    clock: Callable[[], float] = time.monotonic

    def post(self, url: str, params: Mapping[str, str]) -> httpx.Response:
        """POST `params` to `url` (a URL under the public URL), signed as Twilio signs it.

        Raises:
            PhoneError: the URL is not the service's, or the service cannot be reached.
        """
        signature = RequestValidator(self.auth_token).compute_signature(url, dict(params))
        try:
            return self.http.post(
                self._server_side(url), data=dict(params), headers={"X-Twilio-Signature": signature}
            )
        except httpx.HTTPError as error:
            raise PhoneError(f"no response from {self.server_url}: {error}") from error

    def text(self, body: str, sender: str, to: str = LINE_NUMBER) -> list[str]:
        """Send one text message to `/sms`, print each reply and return the replies.

        Raises:
            PhoneError: the service failed to answer with TwiML.
        """
        params = {
            "AccountSid": ACCOUNT_SID,
            "MessageSid": "SM" + secrets.token_hex(16),
            "From": sender,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        root = self._twiml(self.post(self.public_url + "/sms", params))
        replies = [message.text or "".join(message.itertext()) for message in root.iter("Message")]
        for reply in replies:
            print(reply, file=self.out)
            print("--", file=self.out)
        if not replies:
            print("(no reply)", file=self.out)
        return replies

    def call(self, keypad: Keypad, caller: str, to: str = LINE_NUMBER) -> int:
        """Place a call and follow it until it ends; return the number of requests made.

        Raises:
            PhoneError: the service failed to answer a request with TwiML.
        """
        call_sid = "CA" + secrets.token_hex(16)
        base = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": call_sid,
            "From": caller,
            "To": to,
            "Caller": caller,
            "Called": to,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        started = self.clock()
        print(f"Calling {self.public_url}/voice from {caller} ({call_sid})", file=self.out)

        url: str | None = self.public_url + "/voice"
        params = dict(base)
        requests = 0
        try:
            while url is not None:
                if requests >= MAX_REQUESTS_PER_CALL:
                    print(f"(call stopped after {requests} requests)", file=self.out)
                    break
                requests += 1
                root = self._twiml(self.post(url, params))
                url, extra = self._follow(root, url, keypad)
                params = base | extra
        finally:
            print("(call ended)", file=self.out)
            self._send_status(base, int(self.clock() - started))
        return requests

    def _follow(
        self, root: ElementTree.Element, document_url: str, keypad: Keypad
    ) -> tuple[str | None, dict[str, str]]:
        """Run one TwiML document; return the next URL and its extra parameters, or None."""
        for verb in root:
            if verb.tag == "Gather":
                for nested in verb:
                    self._speak(nested, document_url)
                digits = keypad.read(_num_digits(verb), verb.get("finishOnKey", "#"))
                if digits is None:
                    return None, {}
                action = urljoin(document_url, verb.get("action") or document_url)
                if digits:
                    return action, {"Digits": digits}
                if verb.get("actionOnEmptyResult") == "true":
                    return action, {}
            elif verb.tag == "Redirect":
                return urljoin(document_url, (verb.text or "").strip()), {}
            elif verb.tag in {"Hangup", "Reject"}:
                return None, {}
            else:
                self._speak(verb, document_url)
        # Twilio ends the call when the document runs out of verbs.
        return None, {}

    def _speak(self, verb: ElementTree.Element, document_url: str) -> None:
        if verb.tag == "Say":
            text = " ".join("".join(verb.itertext()).split())
            slow = " (slowly)" if verb.find("prosody") is not None else ""
            print(f"[{verb.get('language') or '?'}]{slow} {text}", file=self.out)
        elif verb.tag == "Play":
            self._play(urljoin(document_url, (verb.text or "").strip()))
        elif verb.tag == "Pause":
            print(f"(pause {verb.get('length', '1')} s)", file=self.out)
        else:
            print(f"(skipped <{verb.tag}>: the terminal phone does not support it)", file=self.out)

    def _play(self, url: str) -> None:
        print(f"[audio] {url}", file=self.out)
        player = find_player() if self.play_audio else None
        if player is None:
            return
        try:
            # Twilio fetches <Play> audio with a plain GET, without a signature.
            response = self.http.get(self._server_side(url))
        except (httpx.HTTPError, PhoneError) as error:
            print(f"(audio not played: {error})", file=self.out)
            return
        if response.status_code != 200:
            print(f"(audio not played: HTTP {response.status_code})", file=self.out)
            return
        with tempfile.NamedTemporaryFile(suffix=Path(url).suffix or ".mp3") as handle:
            handle.write(response.content)
            handle.flush()
            # The player is an installed program found on PATH and the file is our own.
            try:
                subprocess.run(  # noqa: S603
                    [*player, handle.name],
                    check=False,
                    timeout=PLAYER_TIMEOUT_SECONDS,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired:
                # A player without a sound device can hang; the call goes on without sound.
                print(
                    f"(audio not played: {player[0]} did not finish within "
                    f"{PLAYER_TIMEOUT_SECONDS} s; use --no-audio to skip playing)",
                    file=self.out,
                )

    def _send_status(self, base: Mapping[str, str], seconds: int) -> None:
        params = dict(base) | {"CallStatus": "completed", "CallDuration": str(max(0, seconds))}
        try:
            self.post(self.public_url + "/voice/status", params)
        except PhoneError as error:
            print(f"(status callback not delivered: {error})", file=self.out)

    def _twiml(self, response: httpx.Response) -> ElementTree.Element:
        if response.status_code != 200:
            hint = (
                " The signature was rejected: run the phone with the same TWILIO_AUTH_TOKEN and "
                "PHONELINE_PUBLIC_URL as the service."
                if response.status_code == 403
                else ""
            )
            raise PhoneError(f"the service returned HTTP {response.status_code}.{hint}")
        try:
            # The TwiML comes from the operator's own service, and expat does not
            # fetch external entities, so the standard parser is safe enough here.
            root = ElementTree.fromstring(response.content)  # noqa: S314
        except ElementTree.ParseError as error:
            raise PhoneError(f"the service returned something other than TwiML: {error}") from None
        if root.tag != "Response":
            raise PhoneError(f"the service returned <{root.tag}> instead of <Response>")
        return root

    def _server_side(self, url: str) -> str:
        """Return where to send a request for `url`, which must lie under the public URL."""
        if url == self.public_url or url.startswith(self.public_url + "/"):
            return self.server_url + url.removeprefix(self.public_url)
        raise PhoneError(
            f"the TwiML points to {url}, outside the service's public URL {self.public_url}"
        )


def find_player() -> list[str] | None:
    """Return the command line of the first installed audio player, without the file."""
    for name, arguments in PLAYERS:
        path = shutil.which(name)
        if path:
            return [path, *arguments]
    return None


def _num_digits(gather: ElementTree.Element) -> int | None:
    raw = gather.get("numDigits")
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else None
