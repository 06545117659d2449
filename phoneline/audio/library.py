"""Locations of prompt audio files, and the choice of the file that plays for a prompt.

Two folders in the prompts folder hold audio, with one subfolder per language:

- `recordings/<lang>/<key>.mp3` (or `.wav`) is a human recording of the prompt
  `key`, added by hand; `<key>.slow.mp3` is an optional slower recording.
- `audio/<lang>/<hash>.mp3` is a rendering written by `phoneline prompts build`.
  `<hash>` is taken over the text, the language and every engine setting that
  shapes the sound. A changed text therefore gets a new file and a new URL, and
  audio of an old text is never played for the new one.

The service scans both folders once at start, so files added later play after
a restart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from phoneline.catalog import TTS_ENGINES, Content, Language

AUDIO_FOLDER = "audio"
RECORDINGS_FOLDER = "recordings"
URL_PREFIX = "/prompts"
MIME_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav"}
SLOW_SUFFIX = ".slow"

# Raise this to render every prompt again after a change in how audio is made.
RENDER_FORMAT = 1
HASH_DIGITS = 24

GTTS_TLD = "com"
GTTS_MAX_CHARS = 100  # gTTS 2.5.4 sends at most 100 characters per request.
ESPEAK_WORDS_PER_MINUTE = {False: 160, True: 120}
MP3_KBITS_PER_SECOND = 32


@dataclass(frozen=True)
class RenderSpec:
    """One engine's voice for one language, at normal or slow speed."""

    engine: str
    voice: str
    slow: bool = False

    def settings(self) -> dict[str, object]:
        """Return every setting that shapes the rendered sound; the content hash covers them."""
        if self.engine == "gtts":
            return {
                "engine": self.engine,
                "lang": self.voice,
                "tld": GTTS_TLD,
                "slow": self.slow,
                "max_chars": GTTS_MAX_CHARS,
            }
        return {
            "engine": self.engine,
            "voice": self.voice,
            "words_per_minute": ESPEAK_WORDS_PER_MINUTE[self.slow],
            "mp3_kbits_per_second": MP3_KBITS_PER_SECOND,
        }


def engine_of(language: Language, default_engine: str) -> str:
    """Return the engine that renders `language`: the catalog's choice, else the default."""
    return language.tts_engine or default_engine


def voice_of(language: Language, engine: str) -> str | None:
    """Return the voice `engine` uses for `language`, or None when the catalog declares none."""
    return language.gtts if engine == "gtts" else language.espeak


def render_specs(language: Language, default_engine: str, slow: bool) -> list[RenderSpec]:
    """Return the renderings that may play for `language`, its own engine's first."""
    own = engine_of(language, default_engine)
    specs = []
    for engine in (own, *(name for name in TTS_ENGINES if name != own)):
        voice = voice_of(language, engine)
        if voice:
            specs.append(RenderSpec(engine, voice, slow))
    return specs


def rendered_name(lang: str, text: str, spec: RenderSpec) -> str:
    """Return the file name of the rendering of `text` in `lang` with `spec`."""
    payload = json.dumps(
        {"format": RENDER_FORMAT, "lang": lang, "text": text, "settings": spec.settings()},
        sort_keys=True,
        ensure_ascii=False,
    )
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    return f"{digest[:HASH_DIGITS]}.mp3"


def recording_name_parts(name: str) -> tuple[str, bool] | None:
    """Return the prompt key and slowness a recording's file name stands for.

    Returns None for files that are not audio in a format Twilio plays.
    """
    path = Path(name)
    if path.suffix not in MIME_TYPES:
        return None
    stem = path.stem
    if stem.endswith(SLOW_SUFFIX):
        return stem.removesuffix(SLOW_SUFFIX), True
    return stem, False


@dataclass(frozen=True)
class AudioFile:
    """One audio file the service can play, and the absolute URL Twilio fetches it from."""

    kind: str  # "recording" or "rendered"
    path: Path
    url: str


PromptId = tuple[str, str, bool]  # language, key, slow


@dataclass(frozen=True)
class AudioIndex:
    """The recordings and renderings present for the current prompt texts."""

    recordings: Mapping[PromptId, AudioFile] = field(default_factory=dict)
    renderings: Mapping[PromptId, AudioFile] = field(default_factory=dict)
    covered: frozenset[str] = frozenset()
    unmatched: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)

    @classmethod
    def scan(cls, content: Content, default_engine: str, public_url: str) -> AudioIndex:
        """Find the audio for every spoken prompt of every catalog in `content`.

        A rendering by the language's own engine is preferred; a rendering by
        another engine of the same text plays when the own one is missing.
        """
        recordings: dict[PromptId, AudioFile] = {}
        renderings: dict[PromptId, AudioFile] = {}
        covered: set[str] = set()
        unmatched: dict[str, tuple[Path, ...]] = {}

        for lang, catalog in content.catalogs.items():
            spoken = catalog.spoken_keys()
            found, strays = _scan_recordings(content.directory, lang, set(spoken), public_url)
            recordings.update(found)
            if strays:
                unmatched[lang] = strays

            folder = content.directory / AUDIO_FOLDER / lang
            present = _file_names(folder)
            for key in spoken:
                for slow in (False, True):
                    specs = render_specs(catalog.language, default_engine, slow)
                    names = [rendered_name(lang, catalog.text(key), spec) for spec in specs]
                    name = next((name for name in names if name in present), None)
                    if name is not None:
                        url = _url(public_url, AUDIO_FOLDER, lang, name)
                        renderings[(lang, key, slow)] = AudioFile("rendered", folder / name, url)

            if all((lang, key, False) in recordings or (lang, key, False) in renderings
                   for key in spoken):
                covered.add(lang)

        return cls(recordings, renderings, frozenset(covered), unmatched)

    def find(self, lang: str, key: str, slow: bool = False, say: bool = True) -> AudioFile | None:
        """Return the audio to play for a prompt, or None to speak it with `<Say>`.

        At normal speed a recording wins over a rendering. The slower version
        plays the first of a slow recording, the recording and a slow rendering.
        Without any of those it is `<Say>` at a slow rate when `say` is true
        (the language has a Say voice), else the rendering at normal speed.
        """
        normal = self.recordings.get((lang, key, False)) or self.renderings.get((lang, key, False))
        if not slow:
            return normal

        slower = (
            self.recordings.get((lang, key, True))
            or self.recordings.get((lang, key, False))
            or self.renderings.get((lang, key, True))
        )
        if slower is not None or say:
            return slower
        return normal

    def covers(self, lang: str) -> bool:
        """Return whether every spoken prompt of `lang` has a recording or a rendering."""
        return lang in self.covered


def _scan_recordings(
    prompts_dir: Path, lang: str, spoken: set[str], public_url: str
) -> tuple[dict[PromptId, AudioFile], tuple[Path, ...]]:
    """Return the recordings of `lang` by prompt, and audio files named after no spoken prompt."""
    folder = prompts_dir / RECORDINGS_FOLDER / lang
    found: dict[PromptId, AudioFile] = {}
    strays: list[Path] = []

    # Sorted so that of two recordings of one prompt, the .mp3 wins over the .wav.
    for name in sorted(_file_names(folder)):
        parts = recording_name_parts(name)
        if parts is None:
            continue
        key, slow = parts
        if key not in spoken:
            strays.append(folder / name)
            continue
        path = folder / name
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        url = f"{_url(public_url, RECORDINGS_FOLDER, lang, name)}?v={version}"
        found.setdefault((lang, key, slow), AudioFile("recording", path, url))

    return found, tuple(strays)


def _file_names(folder: Path) -> set[str]:
    try:
        return {entry.name for entry in folder.iterdir() if entry.is_file()}
    except FileNotFoundError:
        return set()


def _url(public_url: str, folder: str, lang: str, name: str) -> str:
    return f"{public_url}{URL_PREFIX}/{folder}/{quote(lang)}/{quote(name)}"
