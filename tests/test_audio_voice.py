"""Prompt audio in calls: built with espeak-ng, played by the voice flow, served by the app."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.twiml.voice_response import VoiceResponse

from phoneline.audio.build import build_command
from phoneline.audio.library import AudioIndex
from phoneline.catalog import Content, load_content
from phoneline.cli import main
from phoneline.config import Settings, SpeechSettings
from phoneline.speech import Speaker, Utterance
from phoneline.webhook import apology_voice_response
from tests.conftest import PUBLIC_URL, AppFactory, Twilio, call_params, parse_twiml
from tests.gtts_server import GttsStandIn
from tests.prompt_dirs import add_language, copy_prompts, set_prompt
from tests.test_audio_build import FakeEngine
from tests.voice_helpers import (
    choose_language,
    gather_of,
    open_topic,
    press,
    said,
    stay_silent,
)

AUDIO_URL = PUBLIC_URL + "/prompts/audio/"
YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prompts folder after `PHONELINE_TTS_ENGINE=espeak-ng phoneline prompts build --lang ar`."""
    prompts = copy_prompts(tmp_path_factory.mktemp("built") / "prompts")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PHONELINE_TTS_ENGINE", "espeak-ng")
        status = main(["prompts", "build", "--lang", "ar", "--prompts-dir", str(prompts)])
    assert status == 0
    return prompts


@pytest.fixture
def built_app(make_app: AppFactory, settings: Settings, built: Path) -> Flask:
    speech = SpeechSettings(tts_engine="espeak-ng")
    with_speech = dataclasses.replace(settings, speech=speech)
    return make_app(settings=with_speech, content=load_content(built))


@pytest.fixture
def caller(built_app: Flask) -> Twilio:
    return Twilio(built_app.test_client())


def played(element: ElementTree.Element) -> list[str]:
    return [play.text or "" for play in element.iter("Play")]


def start(caller: Twilio) -> ElementTree.Element:
    return parse_twiml(caller.post("/voice", call_params()))


def choose(caller: Twilio, content: Content, code: str) -> ElementTree.Element:
    return choose_language(caller, content, code)


def first_guide(
    caller: Twilio, content: Content, topics: ElementTree.Element
) -> ElementTree.Element:
    """From a topic menu, open the first step of the first topic."""
    return open_topic(caller, content, topics, content.menu.topics[0].id)


def test_language_menu_plays_arabic_says_others(caller: Twilio, built: Path) -> None:
    content = load_content(built)
    gather = gather_of(start(caller))

    urls = played(gather)
    assert len(urls) == 2  # the name "Arabic" and "press 2", each in the Arabic voice
    assert all(url.startswith(AUDIO_URL + "ar/") for url in urls)
    texts = said(gather)
    assert content.catalog("nl").text("language.offer") in texts
    assert content.catalog("uk").text("language.offer") in texts
    assert content.catalog("ar").text("language.offer") not in texts


def test_arabic_call_has_no_say(caller: Twilio, built: Path) -> None:
    content = load_content(built)
    keys = content.menu.nav_keys
    topics = choose(caller, content, "ar")
    screens = [topics]
    step = first_guide(caller, content, topics)
    screens.append(step)
    for _ in content.menu.topics[0].steps:
        step = press(caller, step, keys["next"])
        screens.append(step)
    screens.append(press(caller, screens[1], keys["slower"]))
    screens.append(press(caller, screens[1], "5"))

    for screen in screens:
        assert said(screen) == [], ElementTree.tostring(screen, encoding="unicode")
        assert played(screen), ElementTree.tostring(screen, encoding="unicode")
        assert all(url.startswith(AUDIO_URL + "ar/") for url in played(screen))

    normal, slow = played(screens[1])[0], played(screens[-2])[0]
    assert normal != slow


def test_english_call_still_says(caller: Twilio, built: Path) -> None:
    content = load_content(built)
    topics = choose(caller, content, "en")
    assert played(topics) == []
    assert content.catalog("en").text("menu.choose_topic") in said(topics)


def test_every_arabic_prompt_has_audio(built_app: Flask, built: Path) -> None:
    content = load_content(built)
    speaker = Speaker(content, built_app.extensions["phoneline"].audio)
    for key in content.catalog("ar").spoken_keys():
        for slow in (False, True):
            response = VoiceResponse()
            speaker.add(response, Utterance("ar", key), slow)
            root = ElementTree.fromstring(str(response))
            assert [child.tag for child in root] == ["Play"], (key, slow)


def test_played_urls_served_with_cache_headers(caller: Twilio, built: Path) -> None:
    content = load_content(built)
    topics = choose(caller, content, "ar")
    step = first_guide(caller, content, topics)
    urls = played(topics) + played(step) + played(press(caller, step, "8"))
    assert len(set(urls)) > 10

    for url in set(urls):
        path = url.removeprefix(PUBLIC_URL)
        with caller.client.get(path) as response:
            data = response.data
        assert response.status_code == 200, path
        assert response.mimetype == "audio/mpeg"
        assert response.cache_control.public
        assert response.cache_control.max_age == YEAR
        assert response.cache_control.immutable
        assert response.get_etag()[0]
        name = path.rsplit("/", 1)[1]
        assert data == (built / "audio" / "ar" / name).read_bytes()


def test_audio_revalidates_with_etag(caller: Twilio) -> None:
    url = played(gather_of(start(caller)))[0]
    path = url.removeprefix(PUBLIC_URL)
    with caller.client.get(path) as first:
        etag = first.headers["ETag"]

    with caller.client.get(path, headers={"If-None-Match": etag}) as again:
        assert again.data == b""

    assert again.status_code == 304


def test_built_audio_plays_with_default_engine(
    make_app: AppFactory, settings: Settings, built: Path
) -> None:
    app = make_app(settings=settings, content=load_content(built))
    assert settings.speech.tts_engine == "gtts"
    urls = played(gather_of(start(Twilio(app.test_client()))))
    assert len(urls) == 2


def test_second_cli_build_renders_nothing(
    built: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PHONELINE_TTS_ENGINE", "espeak-ng")
    assert main(["prompts", "build", "--lang", "ar", "--prompts-dir", str(built)]) == 0
    spoken = len(load_content(built).catalog("ar").spoken_keys())
    assert f"rendered 0, already present {2 * spoken}" in capsys.readouterr().out


def test_cli_build_names_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = copy_prompts(tmp_path / "prompts")
    add_language(prompts, "xx", name="Broken", say=None, gtts=None, espeak="xx-nonexistent")
    monkeypatch.setenv("PHONELINE_TTS_ENGINE", "espeak-ng")

    status = main(["prompts", "build", "--lang", "xx", "--prompts-dir", str(prompts)])

    err = capsys.readouterr().err
    assert status == 1
    spoken = len(load_content(prompts).catalog("xx").spoken_keys())
    assert f"{2 * spoken} prompts could not be rendered" in err
    assert "xx welcome (normal, espeak-ng voice xx-nonexistent): espeak-ng exited" in err


def test_cli_check_reports_coverage(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "check", "--prompts-dir", str(built)]) == 0
    out = capsys.readouterr().out.splitlines()
    lines = out[next(i for i, line in enumerate(out) if line.startswith("lang ")) :]
    assert lines[0].split() == [
        "lang", "prompts", "recorded", "rendered", "say", "only", "nothing", "slow", "audio",
        "by", "voice",
    ]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    spoken = str(len(load_content(built).catalog("ar").spoken_keys()))
    assert rows["ar"] == [spoken, "0", spoken, "0", "0", spoken, "yes"]
    assert rows["en"] == [spoken, "0", "0", spoken, "0", "0", "yes"]


def test_webhooks_never_call_gtts(
    make_app: AppFactory, settings: Settings, built: Path, gtts: GttsStandIn
) -> None:
    speech = SpeechSettings(tts_engine="gtts", gtts_url=gtts.url)
    with_speech = dataclasses.replace(settings, speech=speech)
    app = make_app(settings=with_speech, content=load_content(built))
    caller = Twilio(app.test_client())
    content = load_content(built)
    for code in ("nl", "ar"):
        step = first_guide(caller, content, choose(caller, content, code))
        press(caller, step, "8")
    assert gtts.requests == []


# --- Which audio plays: recording, rendering, <Say> ---


@pytest.fixture
def faked(tmp_path: Path) -> Path:
    """A prompts folder with fake renderings of every Arabic and English prompt."""
    prompts = copy_prompts(tmp_path / "prompts")
    for lang in ("ar", "en"):
        status = build_command(
            prompts, SpeechSettings(), lang=lang, engines={"gtts": FakeEngine("gtts")},
            out=io.StringIO(), err=io.StringIO(),
        )
        assert status == 0
    return prompts


def record(prompts: Path, lang: str, name: str, data: bytes = b"RIFF-recording") -> Path:
    folder = prompts / "recordings" / lang
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def speak(prompts: Path, lang: str, key: str, slow: bool = False) -> ElementTree.Element:
    content = load_content(prompts)
    speaker = Speaker(content, AudioIndex.scan(content, "gtts", PUBLIC_URL))
    response = VoiceResponse()
    speaker.add(response, Utterance(lang, key), slow)
    verbs = list(ElementTree.fromstring(str(response)))
    assert len(verbs) == 1
    return verbs[0]


def test_recording_wins_over_rendering(faked: Path) -> None:
    record(faked, "ar", "welcome.mp3")
    verb = speak(faked, "ar", "welcome")
    assert verb.tag == "Play"
    assert (verb.text or "").startswith(PUBLIC_URL + "/prompts/recordings/ar/welcome.mp3?v=")
    assert speak(faked, "ar", "goodbye").text.startswith(AUDIO_URL + "ar/")  # type: ignore[union-attr]


def test_rendering_wins_over_say(faked: Path) -> None:
    verb = speak(faked, "en", "welcome")
    assert verb.tag == "Play"
    assert (verb.text or "").startswith(AUDIO_URL + "en/")


def test_say_without_audio(faked: Path) -> None:
    verb = speak(faked, "nl", "welcome")
    assert verb.tag == "Say"
    assert verb.get("voice") == "Polly.Lotte"


def test_slow_order_with_say_voice(faked: Path) -> None:
    slow_rendering = speak(faked, "en", "welcome", slow=True)
    assert slow_rendering.text != speak(faked, "en", "welcome").text
    assert (slow_rendering.text or "").startswith(AUDIO_URL + "en/")

    record(faked, "en", "welcome.mp3")
    assert "/recordings/en/welcome.mp3?" in (speak(faked, "en", "welcome", slow=True).text or "")

    record(faked, "en", "welcome.slow.mp3")
    slow_recording = speak(faked, "en", "welcome", slow=True).text or ""
    assert "/recordings/en/welcome.slow.mp3?" in slow_recording


def test_slow_falls_back_to_say_then_normal_audio(faked: Path) -> None:
    for path in (faked / "audio" / "en").iterdir():
        path.unlink()
    record(faked, "en", "welcome.wav")
    content = load_content(faked)
    # Only the normal recording exists: it beats <Say> for the slower version too.
    assert speak(faked, "en", "welcome", slow=True).tag == "Play"
    # No audio at all: <Say> at a slow rate.
    slow_say = speak(faked, "en", "goodbye", slow=True)
    assert slow_say.tag == "Say"
    assert slow_say.find("prosody") is not None
    assert content.catalog("en").language.say_language is not None


def test_wav_recording_served_as_wav(make_app: AppFactory, settings: Settings, faked: Path) -> None:
    record(faked, "en", "goodbye.wav", b"RIFF....WAVEfmt ")
    app = make_app(settings=settings, content=load_content(faked))
    url = speak(faked, "en", "goodbye").text or ""

    with app.test_client().get(url.removeprefix(PUBLIC_URL)) as response:
        data = response.data

    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    assert data == b"RIFF....WAVEfmt "
    assert response.cache_control.max_age == YEAR


def test_changed_recording_gets_new_url(faked: Path) -> None:
    record(faked, "en", "goodbye.mp3", b"first take")
    first = speak(faked, "en", "goodbye").text
    record(faked, "en", "goodbye.mp3", b"second take")
    assert speak(faked, "en", "goodbye").text != first


# --- Languages without a <Say> voice ---


@pytest.fixture
def farsi(tmp_path: Path) -> Path:
    prompts = copy_prompts(tmp_path / "prompts")
    add_language(
        prompts, "fa", name="فارسی", say=None, gtts=None, tts_engine="espeak-ng", espeak="fa"
    )
    set_prompt(prompts, "fa", "language.offer", "برای فارسی،")
    return prompts


def build_fake(prompts: Path, lang: str, engine: FakeEngine) -> int:
    return build_command(
        prompts, SpeechSettings(), lang=lang, engines={engine.name: engine},
        out=io.StringIO(), err=io.StringIO(),
    )


def offered(make_app: AppFactory, settings: Settings, prompts: Path) -> list[str]:
    """Return the languages of every page of the language menu, once per spoken prompt."""
    app = make_app(settings=settings, content=load_content(prompts))
    caller = Twilio(app.test_client())
    root = start(caller)
    texts: list[str] = []
    urls: list[str] = []
    pages: set[str] = set()
    while root.find("Gather") is not None:
        gather = gather_of(root)
        page = parse_qs(urlsplit(gather.get("action", "")).query).get("page", ["0"])[0]
        if page in pages:
            break
        pages.add(page)
        texts += said(gather)
        urls += played(gather)
        root = stay_silent(caller, root)
    languages = [
        code for code, catalog in load_content(prompts).catalogs.items()
        if catalog.text("language.offer") in texts
    ]
    # A played URL's path is /prompts/<audio or recordings>/<lang>/<file>.
    return languages + [urlsplit(url).path.split("/")[3] for url in urls]


def test_slow_without_say_plays_normal_rendering(farsi: Path) -> None:
    assert build_fake(farsi, "fa", FakeEngine("espeak-ng")) == 0
    slow = speak(farsi, "fa", "welcome", slow=True)
    normal = speak(farsi, "fa", "welcome")
    assert slow.text != normal.text

    # Without its slow rendering the normal one plays, since Farsi has no <Say> voice.
    (farsi / "audio" / "fa" / (slow.text or "").rsplit("/", 1)[1]).unlink()
    assert speak(farsi, "fa", "welcome", slow=True).text == normal.text


def test_language_without_say_needs_all_audio(
    make_app: AppFactory, settings: Settings, farsi: Path
) -> None:
    assert "fa" not in offered(make_app, settings, farsi)

    assert build_fake(farsi, "fa", FakeEngine("espeak-ng", fail_on={"Goodbye"})) == 1
    assert "fa" not in offered(make_app, settings, farsi)

    assert build_fake(farsi, "fa", FakeEngine("espeak-ng")) == 0
    languages = offered(make_app, settings, farsi)
    assert languages.count("fa") == 2  # the name "Farsi" and its "press" key, both played


def test_recordings_alone_offer_language(
    make_app: AppFactory, settings: Settings, farsi: Path
) -> None:
    catalog = load_content(farsi).catalog("fa")
    for key in catalog.spoken_keys():
        record(farsi, "fa", f"{key}.mp3", key.encode())
    assert offered(make_app, settings, farsi).count("fa") == 2


def test_apology_plays_audio(built_app: Flask) -> None:
    with built_app.test_request_context("/voice/topics?lang=ar"):
        root = ElementTree.fromstring(str(apology_voice_response("ar")))
    assert [child.tag for child in root] == ["Play", "Hangup"]


# --- What the audio route refuses ---


@pytest.fixture
def audio_client(built_app: Flask) -> FlaskClient:
    return built_app.test_client()


@pytest.fixture
def outside_link(built: Path) -> Iterator[Path]:
    link = built / "audio" / "ar" / "outside.mp3"
    link.symlink_to(built / "ar.yaml")
    yield link
    link.unlink()


@pytest.mark.parametrize(
    "path",
    [
        "/prompts/audio/xx/a.mp3",
        "/prompts/audio/ar/missing.mp3",
        "/prompts/audio/ar/..%2Far.yaml",
        "/prompts/audio/ar/../../ar.yaml",
        "/prompts/audio/..%2F..%2Fmenu.yaml",
        "/prompts/audio/ar/.hidden.mp3",
        "/prompts/audio/ar/notes.txt",
        "/prompts/menu.yaml",
        "/prompts/ar.yaml",
        "/prompts/other/ar/a.mp3",
    ],
)
def test_audio_route_refuses(audio_client: FlaskClient, path: str) -> None:
    assert audio_client.get(path).status_code == 404


def test_audio_route_refuses_link_outside(audio_client: FlaskClient, outside_link: Path) -> None:
    assert outside_link.is_file()
    assert audio_client.get("/prompts/audio/ar/outside.mp3").status_code == 404


def test_audio_route_refuses_partial_file(audio_client: FlaskClient, built: Path) -> None:
    partial = built / "audio" / "ar" / ".abc.mp3.123.partial"
    partial.write_bytes(b"half")
    try:
        assert audio_client.get(f"/prompts/audio/ar/{partial.name}").status_code == 404
    finally:
        partial.unlink()


def test_audio_route_needs_no_signature(audio_client: FlaskClient, built: Path) -> None:
    name = next((built / "audio" / "ar").glob("*.mp3")).name
    with audio_client.head(f"/prompts/audio/ar/{name}") as response:
        assert response.status_code == 200
