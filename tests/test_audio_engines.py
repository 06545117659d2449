"""Speech engines: gTTS against a local stand-in of its endpoint, and espeak-ng for real."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from gtts import gTTS

from phoneline.audio.engines import (
    EngineUnavailable,
    EspeakEngine,
    GttsEngine,
    RenderError,
    audio_from_batchexecute,
)
from phoneline.audio.library import RenderSpec
from tests.gtts_server import GttsStandIn, batchexecute_body, fake_audio

ARABIC = (
    "هل ستعيش في هولندا أربعة أشهر أو أكثر؟ "
    "عليك إذن التسجيل في بلدية هيرلن خلال خمسة أيام من وصولك؛ "
    "هل تحتاج إلى موعد في البلدية لتحصل على رقم الخدمة المدنية؟"
)


class FakeTime:
    """A clock that moves only when slept on, recording every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def engine_for(
    http: httpx.Client, url: str, fake_time: FakeTime, interval: float = 0.0
) -> GttsEngine:
    return GttsEngine(
        http, url, interval=interval, retries=3, backoff=2.0, max_delay=10.0,
        sleep=fake_time.sleep, clock=fake_time.clock,
    )


def is_mp3(data: bytes) -> bool:
    return data.startswith(b"ID3") or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


def test_gtts_sends_whole_sentences_in_order(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    engine = engine_for(http, gtts.url, fake_time)

    audio = engine.render(ARABIC, RenderSpec("gtts", "ar"))

    texts = gtts.texts()
    assert len(texts) == 2
    assert texts[0].endswith("؛")
    assert texts[1].endswith("؟")
    assert " ".join(texts) == ARABIC
    assert audio == b"".join(fake_audio(text, "ar", False) for text in texts)
    assert all(request.lang == "ar" for request in gtts.requests)
    assert gtts.requests[0].user_agent == gTTS.GOOGLE_TTS_HEADERS["User-Agent"]


def test_gtts_slow_rendering_asks_slow(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    engine = engine_for(http, gtts.url, fake_time)
    audio = engine.render("Choose a topic.", RenderSpec("gtts", "en", slow=True))
    assert [request.slow for request in gtts.requests] == [True]
    assert audio == fake_audio("Choose a topic.", "en", True)


def test_gtts_throttles_requests(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    engine = engine_for(http, gtts.url, fake_time, interval=1.5)
    for text in ("One.", "Two.", "Three."):
        engine.render(text, RenderSpec("gtts", "en"))
    assert gtts.texts() == ["One.", "Two.", "Three."]
    assert fake_time.sleeps == [1.5, 1.5]


def test_gtts_retries_429_with_backoff(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    gtts.statuses.extend([429, 429])
    engine = engine_for(http, gtts.url, fake_time)

    audio = engine.render("Goodbye.", RenderSpec("gtts", "en"))

    assert audio == fake_audio("Goodbye.", "en", False)
    assert len(gtts.requests) == 3
    assert fake_time.sleeps == [2.0, 4.0]


def test_gtts_honours_retry_after(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    gtts.statuses.extend([429, 503])
    gtts.retry_after = "7"
    engine = engine_for(http, gtts.url, fake_time)
    engine.render("Goodbye.", RenderSpec("gtts", "en"))
    assert fake_time.sleeps == [7.0, 7.0]


def test_gtts_caps_retry_delay(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    gtts.statuses.append(429)
    gtts.retry_after = "3600"
    engine = engine_for(http, gtts.url, fake_time)
    engine.render("Goodbye.", RenderSpec("gtts", "en"))
    assert fake_time.sleeps == [10.0]


def test_gtts_persistent_5xx_fails_prompt(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    gtts.statuses.extend([500, 502, 503, 503])
    engine = engine_for(http, gtts.url, fake_time)

    expected = "failed 4 times: gTTS endpoint responded with HTTP 503"
    with pytest.raises(RenderError, match=expected) as caught:
        engine.render("Goodbye.", RenderSpec("gtts", "en"))

    assert not isinstance(caught.value, EngineUnavailable)
    assert len(gtts.requests) == 4
    assert fake_time.sleeps == [2.0, 4.0, 8.0]


def test_gtts_persistent_429_stops_engine(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    gtts.statuses.extend([429] * 4)
    engine = engine_for(http, gtts.url, fake_time)
    with pytest.raises(EngineUnavailable, match="HTTP 429"):
        engine.render("Goodbye.", RenderSpec("gtts", "en"))
    assert len(gtts.requests) == 4


def test_gtts_redirect_stops_engine(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    gtts.statuses.append(302)
    engine = engine_for(http, gtts.url, fake_time)
    with pytest.raises(EngineUnavailable, match=r"redirected to 'https://www\.google\.com/sorry/"):
        engine.render("Goodbye.", RenderSpec("gtts", "en"))
    assert len(gtts.requests) == 1


def test_gtts_403_not_retried(gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime) -> None:
    gtts.statuses.append(403)
    engine = engine_for(http, gtts.url, fake_time)
    with pytest.raises(RenderError, match="HTTP 403"):
        engine.render("Goodbye.", RenderSpec("gtts", "en"))
    assert len(gtts.requests) == 1
    assert fake_time.sleeps == []


def test_gtts_answer_without_audio_fails(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    gtts.no_audio_for.add("Goodbye")
    engine = engine_for(http, gtts.url, fake_time)
    with pytest.raises(RenderError, match="responded without audio"):
        engine.render("Goodbye.", RenderSpec("gtts", "en"))
    assert len(gtts.requests) == 1


def test_gtts_unsupported_language_sends_nothing(
    gtts: GttsStandIn, http: httpx.Client, fake_time: FakeTime
) -> None:
    engine = engine_for(http, gtts.url, fake_time)
    with pytest.raises(RenderError, match="does not support the language 'fa'"):
        engine.render("سلام", RenderSpec("gtts", "fa"))
    assert gtts.requests == []


def test_gtts_unreachable_stops_engine(http: httpx.Client, fake_time: FakeTime) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    engine = engine_for(http, f"http://127.0.0.1:{port}", fake_time)

    with pytest.raises(EngineUnavailable, match="ConnectError"):
        engine.render("Goodbye.", RenderSpec("gtts", "en"))

    assert fake_time.sleeps == [2.0, 4.0, 8.0]


def test_batchexecute_audio_decoded() -> None:
    assert audio_from_batchexecute(batchexecute_body(b"\xff\xf3mp3")) == b"\xff\xf3mp3"


@pytest.mark.parametrize(
    "body",
    [
        "",
        "<html>sorry</html>",
        batchexecute_body(None),
        ')]}\'\n\n9\n[["wrb.fr","jQ1olc","[\\"!!notbase64\\"]"]]\n',
        ')]}\'\n\n9\n[["wrb.fr","jQ1olc","[]"]]\n',
    ],
    ids=["empty", "html", "null payload", "bad base64", "empty list"],
)
def test_batchexecute_without_audio_rejected(body: str) -> None:
    with pytest.raises(RenderError):
        audio_from_batchexecute(body)


def test_espeak_renders_mp3() -> None:
    engine = EspeakEngine()
    normal = engine.render("Choose a topic.", RenderSpec("espeak-ng", "en-gb"))
    slow = engine.render("Choose a topic.", RenderSpec("espeak-ng", "en-gb", slow=True))
    assert is_mp3(normal)
    assert is_mp3(slow)
    # Same bit rate, so the slower speech makes the longer file.
    assert len(slow) > len(normal)


@pytest.mark.parametrize(
    ("voice", "text"), [("ar", "هذا ليس خيارًا."), ("fa", "سلام. خوش آمدید."), ("am", "ሰላም።")]
)
def test_espeak_speaks_other_scripts(voice: str, text: str) -> None:
    assert is_mp3(EspeakEngine().render(text, RenderSpec("espeak-ng", voice)))


def test_espeak_text_starting_with_dash() -> None:
    assert is_mp3(EspeakEngine().render("-v is no option here", RenderSpec("espeak-ng", "en-gb")))


def test_espeak_unknown_voice_fails_prompt() -> None:
    with pytest.raises(RenderError, match="espeak-ng exited with status 1") as caught:
        EspeakEngine().render("Hello.", RenderSpec("espeak-ng", "xx-nonexistent"))
    assert not isinstance(caught.value, EngineUnavailable)


def test_espeak_missing_program_stops_engine() -> None:
    engine = EspeakEngine(espeak="espeak-ng-not-installed")
    with pytest.raises(EngineUnavailable, match="espeak-ng-not-installed is not installed"):
        engine.render("Hello.", RenderSpec("espeak-ng", "en-gb"))
