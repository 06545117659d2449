"""Turn catalog prompts into TwiML speech verbs.

Every spoken utterance is one whole catalog entry without placeholders, so the
set of everything the line can say is finite and can be rendered to audio ahead
of time. A menu line such as "For English, press 2" is two utterances:
`language.offer` and `press.2`.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

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
    """Add utterances to TwiML with the voice of their language."""

    def __init__(self, content: Content) -> None:
        self.content = content

    def can_speak(self, lang: str) -> bool:
        """Return whether every prompt of `lang` can be spoken."""
        catalog = self.content.catalogs.get(lang)
        return catalog is not None and catalog.language.say_language is not None

    def add(self, target: VoiceResponse | Gather, utterance: Utterance, slow: bool = False) -> None:
        catalog = self.content.catalog(utterance.lang)
        language = catalog.language
        text = catalog.text(utterance.key)

        if slow:
            say = target.say(voice=language.say_voice, language=language.say_language)
            say.prosody(text, rate="slow")
        else:
            target.say(text, voice=language.say_voice, language=language.say_language)
