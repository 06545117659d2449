"""Serve prompt audio to Twilio's `<Play>`: `GET /prompts/<audio|recordings>/<lang>/<file>`.

This route is no webhook: Twilio fetches `<Play>` URLs without a signature or
its request parameters, so nothing is checked but the path. Only audio files
directly inside a language folder of `prompts/audio` or `prompts/recordings`
are served. A URL names fixed content (a rendering's name is a hash of its text
and settings, and a recording's URL carries a hash of its bytes), so responses
may be cached for a year. Twilio obeys HTTP caching headers when it caches audio.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, send_file

from phoneline.audio.library import AUDIO_FOLDER, MIME_TYPES, RECORDINGS_FOLDER, URL_PREFIX
from phoneline.webhook import services

CACHE_SECONDS = 365 * 24 * 3600
FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.(?:mp3|wav)")

bp = Blueprint("prompt_audio", __name__, url_prefix=URL_PREFIX)


@bp.get(f"/<any({AUDIO_FOLDER}, {RECORDINGS_FOLDER}):folder>/<lang>/<name>")
def audio_file(folder: str, lang: str, name: str) -> Response:
    content = services().content
    if lang not in content.catalogs or not FILE_NAME.fullmatch(name):
        abort(404)

    directory = (content.directory / folder / lang).resolve()
    path = _inside(directory, directory / name)
    if path is None:
        abort(404)

    response = send_file(
        path,
        mimetype=MIME_TYPES[Path(name).suffix],
        max_age=CACHE_SECONDS,
        conditional=True,
        etag=True,
    )
    response.cache_control.immutable = True
    return response


def _inside(directory: Path, candidate: Path) -> Path | None:
    """Return `candidate` resolved if it is a regular file directly in `directory`.

    Resolving follows symbolic links, so a link that points elsewhere is rejected.
    """
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if resolved.parent != directory or not resolved.is_file():
        return None
    return resolved
