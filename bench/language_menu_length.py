"""Measure how long the spoken language menu takes, with espeak-ng standing in for Twilio's voices.

Twilio's Polly and Google voices cannot be called from here, so every
utterance of the menu is synthesised with espeak-ng (Debian package
`espeak-ng`) in its language at espeak's default rate, and the WAV lengths are
added up. The menu plays: the welcome, page 1 of the languages, a pause of
`LANGUAGE_PAGE_PAUSE_SECONDS` while the line waits for a key, then page 2.

Run: .venv/bin/python bench/language_menu_length.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from phoneline.catalog import load_content
from phoneline.flows.voice import LANGUAGE_PAGE_PAUSE_SECONDS
from phoneline.speech import Speaker, press_key
from phoneline.webhook import APOLOGY_LANGUAGES

# espeak-ng voice per catalog language.
ESPEAK_VOICES = {
    "nl": "nl",
    "en": "en-gb",
    "ar": "ar",
    "uk": "uk",
    "ru": "ru",
    "pl": "pl",
    "tr": "tr",
    "ro": "ro",
    "bg": "bg",
}


def seconds(lang: str, text: str, folder: Path) -> float:
    path = folder / "utterance.wav"
    subprocess.run(
        ["espeak-ng", "-v", ESPEAK_VOICES[lang], "-w", str(path), text],
        check=True,
        capture_output=True,
    )
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()


def main() -> int:
    content = load_content()
    speaker = Speaker(content)
    languages = [code for code in content.menu.languages if speaker.can_speak(code)]
    size = len(content.menu.choice_keys)
    pages = [languages[start : start + size] for start in range(0, len(languages), size)]

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        welcome = sum(
            seconds(code, content.catalog(code).text("welcome"), folder)
            for code in APOLOGY_LANGUAGES
        )
        page_lengths = []
        for page in pages:
            total = 0.0
            for key, code in zip(content.menu.choice_keys, page, strict=False):
                catalog = content.catalog(code)
                line = catalog.text("language.offer") + " " + catalog.text(press_key(key))
                length = seconds(code, line, folder)
                print(f"  {code}: {line!r} {length:.1f} s")
                total += length
            page_lengths.append(total)

    pauses = LANGUAGE_PAGE_PAUSE_SECONDS * (len(pages) - 1)
    menu = sum(page_lengths) + pauses
    print(f"welcome ({' + '.join(APOLOGY_LANGUAGES)}): {welcome:.1f} s")
    for number, length in enumerate(page_lengths, start=1):
        print(f"page {number}: {length:.1f} s")
    print(f"pauses between pages: {pauses:.1f} s")
    print(f"full language menu: {menu:.1f} s; with the welcome: {menu + welcome:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
