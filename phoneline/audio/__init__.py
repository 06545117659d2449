"""Prompt audio: human recordings and renderings by a speech engine.

`library` decides where audio files live and which one plays for a prompt,
`routes` serves them to Twilio, `build` renders missing audio with an engine
from `engines` (gTTS, or espeak-ng offline) and `coverage` counts per language
how each prompt is spoken. Only `phoneline prompts build` calls an engine; the
service itself only reads files.
"""
