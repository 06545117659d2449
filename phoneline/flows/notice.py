"""The privacy notice, spoken once to each number: the first time it calls the line.

A number that has called is remembered under `seen:<number hash>`, linked to
that hash, for the retention period after its latest call. A caller whose
number is hidden or not a valid number hears the notice on every call, because
there is nothing to remember them by.
"""

from __future__ import annotations

from flask import request
from twilio.twiml.voice_response import Gather, VoiceResponse

from phoneline.privacy import is_phone_number, number_key
from phoneline.speech import Speaker, Utterance
from phoneline.webhook import services


def add_privacy_notice(
    response: VoiceResponse | Gather, speaker: Speaker, languages: tuple[str, ...]
) -> None:
    """Speak the privacy notice in `languages` unless the calling number has called before."""
    found = services()
    caller = request.form.get("From", "")

    if is_phone_number(caller):
        key = number_key(found.settings.secret_key, caller)
        seen = found.store.get(f"seen:{key}") is not None
        found.store.set(
            f"seen:{key}", "1", ttl=found.settings.retention_days * 86400.0, subject=key
        )
        if seen:
            return

    for code in languages:
        speaker.add(response, Utterance(code, "privacy.notice"))
