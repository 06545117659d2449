"""Turn catalog prompts into TwiML speech verbs.

Every spoken utterance is one whole catalog entry without placeholders, so the
set of everything the line can say is finite and can be rendered to audio ahead
of time. A menu line such as "For English, press 2" is two utterances:
`language.offer` and `press.2`. An utterance with audio (a human recording or a
rendering, see `phoneline.audio.library`) is played; any other is spoken with
`<Say>` in the language's voice.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

from phoneline.audio.library import AudioIndex
from phoneline.catalog import Content

KEY_NAMES = {"*": "star", "#": "hash"}


def press_key(key: str) -> str:
    """Return the catalog key of the "press <key>" prompt, e.g. `press.star` for "*"."""
    return f"press.{KEY_NAMES.get(key, key)}"


@dataclass(frozen=True)
class Utterance:
    """One prompt to speak: the language and the catalog key it comes from."""

    lang: str
    key: str


class Speaker:
    """Add utterances to TwiML: `<Play>` of their audio, else `<Say>` in their language's voice."""

    def __init__(self, content: Content, audio: AudioIndex | None = None) -> None:
        self.content = content
        self.audio = audio if audio is not None else AudioIndex()

    def can_speak(self, lang: str) -> bool:
        """Return whether every prompt of `lang` has audio or a `<Say>` voice."""
        catalog = self.content.catalogs.get(lang)
        if catalog is None:
            return False
        return catalog.language.say_language is not None or self.audio.covers(lang)

    def add(self, target: VoiceResponse | Gather, utterance: Utterance, slow: bool = False) -> None:
        catalog = self.content.catalog(utterance.lang)
        language = catalog.language

        has_say = language.say_language is not None
        audio = self.audio.find(utterance.lang, utterance.key, slow, say=has_say)
        if audio is not None:
            target.play(audio.url)
            return

        text = catalog.text(utterance.key)
        if slow:
            say = target.say(voice=language.say_voice, language=language.say_language)
            say.prosody(text, rate="slow")
        else:
            target.say(text, voice=language.say_voice, language=language.say_language)
