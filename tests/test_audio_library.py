"""Which prompts get audio, how rendered files are named, and the engine settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from phoneline.audio.coverage import audio_coverage, format_coverage
from phoneline.audio.library import (
    AudioIndex,
    RenderSpec,
    recording_name_parts,
    render_specs,
    rendered_name,
)
from phoneline.catalog import CatalogError, Content, is_spoken, load_content
from phoneline.config import Settings, SettingsError, SpeechSettings
from tests.prompt_dirs import add_language, copy_prompts


@pytest.mark.parametrize(
    ("key", "spoken"),
    [
        ("welcome", True),
        ("press.star", True),
        ("guide.digid_get.1", True),
        ("error.apology", True),
        ("error.apology_sms", False),
        ("sms.help", False),
        ("sms.vehicle.apk_valid", False),
        ("month.3", False),
        ("date.format", False),
    ],
)
def test_spoken_keys_rule(key: str, spoken: bool) -> None:
    assert is_spoken(key) is spoken


def test_spoken_prompts_have_no_placeholders(content: Content) -> None:
    for catalog in content.catalogs.values():
        for key in catalog.spoken_keys():
            assert "{" not in catalog.text(key), key


def test_rendered_name_covers_text_language_and_settings() -> None:
    spec = RenderSpec("gtts", "en")
    name = rendered_name("en", "Goodbye.", spec)

    assert name == rendered_name("en", "Goodbye.", RenderSpec("gtts", "en"))
    assert name.endswith(".mp3")
    others = {
        rendered_name("en", "Goodbye!", spec),
        rendered_name("nl", "Goodbye.", spec),
        rendered_name("en", "Goodbye.", RenderSpec("gtts", "en", slow=True)),
        rendered_name("en", "Goodbye.", RenderSpec("gtts", "en-GB")),
        rendered_name("en", "Goodbye.", RenderSpec("espeak-ng", "en")),
    }
    assert name not in others
    assert len(others) == 5


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("welcome.mp3", ("welcome", False)),
        ("guide.digid_get.1.wav", ("guide.digid_get.1", False)),
        ("guide.digid_get.1.slow.mp3", ("guide.digid_get.1", True)),
        ("notes.txt", None),
        ("welcome.MP3", None),
        ("welcome.ogg", None),
    ],
)
def test_recording_names(name: str, parts: tuple[str, bool] | None) -> None:
    assert recording_name_parts(name) == parts


def test_own_engine_rendering_preferred(content: Content) -> None:
    english = content.catalog("en").language
    assert [spec.engine for spec in render_specs(english, "gtts", False)] == ["gtts", "espeak-ng"]
    assert [spec.engine for spec in render_specs(english, "espeak-ng", True)] == [
        "espeak-ng",
        "gtts",
    ]
    assert render_specs(english, "espeak-ng", True)[0] == RenderSpec("espeak-ng", "en-gb", True)


def test_catalog_engine_read(tmp_path: Path) -> None:
    prompts = copy_prompts(tmp_path / "prompts")
    add_language(prompts, "fa", say=None, gtts=None, tts_engine="espeak-ng", espeak="fa")
    language = load_content(prompts).catalog("fa").language
    assert language.tts_engine == "espeak-ng"
    assert language.espeak == "fa"
    assert [spec.engine for spec in render_specs(language, "gtts", False)] == ["espeak-ng"]


def test_unknown_catalog_engine_rejected(tmp_path: Path) -> None:
    prompts = copy_prompts(tmp_path / "prompts")
    add_language(prompts, "fa", tts_engine="piper")
    with pytest.raises(CatalogError, match=r"fa\.yaml: language\.tts_engine is 'piper'"):
        load_content(prompts)


def test_speech_settings_default() -> None:
    speech = SpeechSettings.from_env({})
    assert speech.tts_engine == "gtts"
    assert speech.gtts_url == "https://translate.google.com"


def test_speech_settings_read(tmp_path: Path) -> None:
    environ = {
        "PHONELINE_TTS_ENGINE": " eSpeak-NG ",
        "PHONELINE_GTTS_URL": "http://127.0.0.1:9999/",
    }
    settings = Settings.from_env(environ, tmp_path)
    assert settings.speech == SpeechSettings("espeak-ng", "http://127.0.0.1:9999")


@pytest.mark.parametrize(
    ("name", "value"),
    [("PHONELINE_TTS_ENGINE", "festival"), ("PHONELINE_GTTS_URL", "translate.google.com")],
)
def test_speech_settings_invalid_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} is "):
        SpeechSettings.from_env({name: value})


def test_coverage_lists_unmatched_recordings(tmp_path: Path) -> None:
    prompts = copy_prompts(tmp_path / "prompts")
    folder = prompts / "recordings" / "nl"
    folder.mkdir(parents=True)
    (folder / "welcome.mp3").write_bytes(b"take 1")
    (folder / "welcom.mp3").write_bytes(b"typo")
    (folder / "README.txt").write_text("not audio")
    content = load_content(prompts)

    rows = {row.lang: row for row in audio_coverage(content, AudioIndex.scan(content, "gtts", ""))}

    assert rows["nl"].recorded == 1
    assert rows["nl"].say_only == rows["nl"].prompts - 1
    assert rows["nl"].unmatched == (folder / "welcom.mp3",)
    text = format_coverage(list(rows.values()))
    assert f"nl: recording {folder / 'welcom.mp3'} matches no spoken prompt key" in text


def test_coverage_counts_language_without_say(tmp_path: Path) -> None:
    prompts = copy_prompts(tmp_path / "prompts")
    add_language(prompts, "ti", say=None, gtts=None, espeak=None)
    folder = prompts / "recordings" / "ti"
    folder.mkdir(parents=True)
    (folder / "welcome.wav").write_bytes(b"take 1")
    (folder / "welcome.slow.wav").write_bytes(b"slow take")
    content = load_content(prompts)

    rows = audio_coverage(content, AudioIndex.scan(content, "gtts", ""))

    tigrinya = next(row for row in rows if row.lang == "ti")
    assert (tigrinya.recorded, tigrinya.rendered, tigrinya.say_only) == (1, 0, 0)
    assert tigrinya.nothing == tigrinya.prompts - 1
    assert tigrinya.slow_audio == 1
    assert not tigrinya.offered
