"""Count per language how each voice prompt is spoken: recording, rendering, `<Say>` or nothing.

`audio_coverage` gives the numbers, `format_coverage` a table for operators.
A language with prompts that have nothing is not offered by voice.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from phoneline.audio.library import AudioIndex
from phoneline.catalog import Content, load_content
from phoneline.config import SpeechSettings


@dataclass(frozen=True)
class LanguageCoverage:
    """Counts of the sources that speak one language's prompts at normal speed.

    `slow_audio` counts prompts with a slower recording or a slow rendering;
    `unmatched` lists recordings whose file name is no spoken prompt's key.
    """

    lang: str
    prompts: int
    recorded: int
    rendered: int
    say_only: int
    nothing: int
    slow_audio: int
    unmatched: tuple[Path, ...]

    @property
    def offered(self) -> bool:
        """Whether callers can choose the language: every prompt can be spoken."""
        return self.nothing == 0


def audio_coverage(content: Content, audio: AudioIndex) -> list[LanguageCoverage]:
    """Count, per catalog, the prompts played from a recording, from a rendering,
    spoken only with `<Say>`, or not speakable at all, in the order the line uses."""
    rows = []
    for lang, catalog in content.catalogs.items():
        has_say = catalog.language.say_language is not None
        counts = {"recording": 0, "rendered": 0, "say": 0, "nothing": 0}
        slow_audio = 0
        keys = catalog.spoken_keys()
        for key in keys:
            found = audio.find(lang, key)
            if found is not None:
                counts[found.kind] += 1
            else:
                counts["say" if has_say else "nothing"] += 1
            if (lang, key, True) in audio.recordings or (lang, key, True) in audio.renderings:
                slow_audio += 1
        rows.append(
            LanguageCoverage(
                lang=lang,
                prompts=len(keys),
                recorded=counts["recording"],
                rendered=counts["rendered"],
                say_only=counts["say"],
                nothing=counts["nothing"],
                slow_audio=slow_audio,
                unmatched=audio.unmatched.get(lang, ()),
            )
        )
    return rows


def format_coverage(rows: Sequence[LanguageCoverage]) -> str:
    """Return the coverage as a text table, followed by recordings that match no prompt."""
    lines = ["lang  prompts  recorded  rendered  say only  nothing  slow audio  by voice"]
    for row in rows:
        lines.append(
            f"{row.lang:<5} {row.prompts:>7}  {row.recorded:>8}  {row.rendered:>8}  "
            f"{row.say_only:>8}  {row.nothing:>7}  {row.slow_audio:>10}  "
            f"{'yes' if row.offered else 'no'}"
        )
    for row in rows:
        for path in row.unmatched:
            lines.append(f"{row.lang}: recording {path} matches no spoken prompt key")
    return "\n".join(lines)


def check_command(prompts_dir: Path, speech: SpeechSettings, out: TextIO | None = None) -> int:
    """Print the audio coverage of the catalogs in `prompts_dir` and return 0.

    NOTE: this `phoneline prompts check` only reports audio coverage; it does
    not check the catalogs themselves.
    """
    content = load_content(prompts_dir)
    audio = AudioIndex.scan(content, speech.tts_engine, public_url="")
    print(format_coverage(audio_coverage(content, audio)), file=sys.stdout if out is None else out)
    return 0
