"""Speech engines that turn one prompt text into MP3 bytes.

Only `phoneline prompts build` uses them; the service never renders speech
while it handles a call.

- `GttsEngine` asks Google Translate's speech endpoint, as gTTS does. gTTS
  2.5.4 checks the language and packs each request body; this module sends the
  bodies itself, because gTTS opens a new connection per request with TLS
  verification switched off and offers no way to change the host, throttle or
  retry. Text is split at sentence ends first (see `phoneline.audio.split`).
- `EspeakEngine` runs espeak-ng and lame (Debian packages), offline. espeak-ng
  writes 22.05 kHz WAV; lame turns it into 32 kbit/s mono MP3, about an eighth
  of the size, close to gTTS's own 24 kHz 32 kbit/s MP3.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import subprocess
import time
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import httpx
from gtts import gTTS

from phoneline.audio.library import (
    ESPEAK_WORDS_PER_MINUTE,
    GTTS_TLD,
    MP3_KBITS_PER_SECOND,
    RenderSpec,
)
from phoneline.audio.split import split_for_requests

log = logging.getLogger("phoneline.audio")

GTTS_PATH = "/_/TranslateWebserverUi/data/batchexecute"
GTTS_INTERVAL_SECONDS = 1.0


class RenderError(Exception):
    """The engine could not render one prompt; the message gives the reason."""


class EngineUnavailable(RenderError):
    """The engine cannot render anything now: it is missing, rate-limited or unreachable."""


class Engine(Protocol):
    name: str

    def render(self, text: str, spec: RenderSpec) -> bytes:
        """Return `text` spoken with `spec` as MP3 bytes.

        Raises:
            RenderError: this text could not be rendered.
            EngineUnavailable: no text can be rendered now.
        """
        ...


def gtts_request_count(text: str) -> int:
    """Return the number of requests `GttsEngine` sends for `text`."""
    return len(split_for_requests(text))


class GttsEngine:
    """Render with Google Translate's speech endpoint, one throttled request per text piece.

    Requests are at least `interval` seconds apart. A 429, a 5xx or a failed
    connection is retried `retries` times, waiting `backoff` seconds and then
    twice as long each time, or as long as a `Retry-After` header requests, but at
    most `max_delay` seconds. When 429s or failed connections outlast the
    retries, or the endpoint redirects (Google sends clients it blocks to a
    "sorry" page), `EngineUnavailable` tells the build to stop sending.
    """

    name = "gtts"

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        *,
        interval: float = GTTS_INTERVAL_SECONDS,
        retries: int = 4,
        backoff: float = 2.0,
        max_delay: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + GTTS_PATH
        self.interval = interval
        self.retries = retries
        self.backoff = backoff
        self.max_delay = max_delay
        self.sleep = sleep
        self.clock = clock
        self._next_request = 0.0

    def render(self, text: str, spec: RenderSpec) -> bytes:
        audio = bytearray()
        for piece in split_for_requests(text):
            for body in self._bodies(piece, spec):
                audio += self._send(body)
        if not audio:
            raise RenderError("the text has nothing to speak")
        return bytes(audio)

    def _bodies(self, piece: str, spec: RenderSpec) -> list[str]:
        # The pieces are already split, so gTTS's own text pre-processing is
        # switched off and each piece within the limit becomes one request body.
        try:
            tts = gTTS(piece, lang=spec.voice, slow=spec.slow, tld=GTTS_TLD, pre_processor_funcs=[])
            bodies: list[str] = tts.get_bodies()
        except ValueError as error:
            raise RenderError(f"gTTS does not support the language {spec.voice!r}") from error
        except AssertionError:
            # gTTS raises AssertionError when only punctuation is left to speak.
            return []
        return bodies

    def _send(self, body: str) -> bytes:
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            self._wait_turn()
            response: httpx.Response | None = None
            try:
                response = self.http.post(self.url, content=body, headers=gTTS.GOOGLE_TTS_HEADERS)
            except httpx.TransportError as error:
                problem = f"request failed ({type(error).__name__}: {error})"
            else:
                status = response.status_code
                if status == 200:
                    return audio_from_batchexecute(response.text)
                if response.is_redirect:
                    location = response.headers.get("Location", "")
                    raise EngineUnavailable(
                        f"gTTS endpoint redirected to {location!r}; Google may be blocking "
                        "requests from this address for a while"
                    )
                if status != 429 and status < 500:
                    raise RenderError(f"gTTS endpoint responded with HTTP {status}")
                problem = f"gTTS endpoint responded with HTTP {status}"

            if attempt == attempts:
                break
            delay = self._delay(attempt, response)
            log.warning(
                "%s; retry %d of %d in %.1f s", problem, attempt, self.retries, delay
            )
            self.sleep(delay)

        if response is None or response.status_code == 429:
            raise EngineUnavailable(f"failed {attempts} times: {problem}")
        raise RenderError(f"failed {attempts} times: {problem}")

    def _wait_turn(self) -> None:
        wait = self._next_request - self.clock()
        if wait > 0:
            self.sleep(wait)
        self._next_request = self.clock() + self.interval

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        delay = self.backoff * 2.0 ** (attempt - 1)
        if response is not None:
            requested = _retry_after_seconds(response.headers.get("Retry-After"))
            if requested is not None:
                delay = requested
        return min(delay, self.max_delay)


def audio_from_batchexecute(body: str) -> bytes:
    """Return the MP3 bytes in a batchexecute answer of the speech endpoint.

    The answer starts with `)]}'` and carries JSON arrays, one per line. The
    audio is in the entry `["wrb.fr", "jQ1olc", "<JSON list holding base64>", ...]`.

    NOTE: Google does not document this format. It was written to match what
    gTTS 2.5.4 reads from the same endpoint and is tested only against a local
    stand-in.

    Raises:
        RenderError: the answer holds no audio.
    """
    for line in body.splitlines():
        if gTTS.GOOGLE_TTS_RPC not in line:
            continue
        try:
            envelope = json.loads(line)
        except ValueError:
            continue
        for entry in envelope if isinstance(envelope, list) else []:
            if _is_speech_entry(entry):
                return _decode_audio(entry[2])
    raise RenderError("the gTTS endpoint responded without audio")


def _is_speech_entry(entry: Any) -> bool:
    return isinstance(entry, list) and entry[:2] == ["wrb.fr", gTTS.GOOGLE_TTS_RPC]


def _decode_audio(payload: Any) -> bytes:
    try:
        inner = json.loads(payload)
        audio = base64.b64decode(inner[0], validate=True)
    except (TypeError, ValueError, IndexError, KeyError, binascii.Error):
        raise RenderError("the gTTS endpoint responded without audio") from None
    if not audio:
        raise RenderError("the gTTS endpoint responded with empty audio")
    return audio


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    remaining: float = moment.timestamp() - time.time()
    return max(0.0, remaining)


class EspeakEngine:
    """Render offline with espeak-ng, converted to MP3 by lame."""

    name = "espeak-ng"

    def __init__(self, espeak: str = "espeak-ng", lame: str = "lame", timeout: float = 60.0):
        self.espeak = espeak
        self.lame = lame
        self.timeout = timeout

    def render(self, text: str, spec: RenderSpec) -> bytes:
        speed = str(ESPEAK_WORDS_PER_MINUTE[spec.slow])
        # --stdin keeps a text that starts with "-" from being read as an option.
        espeak = [self.espeak, "-v", spec.voice, "-s", speed, "-b", "1", "--stdin", "--stdout"]
        wav = self._run(espeak, text.encode("utf-8"))
        lame = [self.lame, "--quiet", "-m", "m", "-b", str(MP3_KBITS_PER_SECOND), "-", "-"]
        return self._run(lame, wav)

    def _run(self, command: Sequence[str], data: bytes) -> bytes:
        program = command[0]
        try:
            done = subprocess.run(  # noqa: S603  (fixed program, text passed on stdin)
                command, input=data, capture_output=True, timeout=self.timeout, check=False
            )
        except FileNotFoundError:
            raise EngineUnavailable(
                f"{program} is not installed; install the Debian packages espeak-ng and lame"
            ) from None
        except subprocess.TimeoutExpired:
            raise RenderError(f"{program} took longer than {self.timeout:.0f} s") from None

        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or "no message"
            raise RenderError(f"{program} exited with status {done.returncode}: {message}")
        if not done.stdout:
            raise RenderError(f"{program} wrote no audio")
        return done.stdout
