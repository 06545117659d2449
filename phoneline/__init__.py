"""phoneline: a telephone and SMS information line for newcomers to the Netherlands."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import httpx
from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from phoneline.audio import routes as audio_routes
from phoneline.audio.library import AudioIndex
from phoneline.catalog import Content, load_content
from phoneline.config import Settings, SettingsError
from phoneline.state import open_store
from phoneline.webhook import Services, register_fallback_errors

log = logging.getLogger("phoneline")

__all__ = ["create_app"]

MAX_REQUEST_BYTES = 256 * 1024


def create_app(settings: Settings | None = None, content: Content | None = None) -> Flask:
    """Build the Flask app: read settings once, load the catalogs, register the webhooks.

    Tests pass `settings` and `content`; a real start reads them from the
    environment and `prompts/`.

    Raises:
        SystemExit: a setting read from the environment is missing or invalid.
        SettingsError: Redis does not answer at `REDIS_URL`.
        CatalogError: a catalog or the menu file is malformed.
    """
    app = Flask(__name__)
    # Twilio's webhook bodies are a few kilobytes (an SMS body is at most 1,600
    # characters); anything far larger is rejected before it is parsed.
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    _configure_logging()

    if settings is None:
        try:
            settings = Settings.from_env(os.environ, Path(app.instance_path))
        except SettingsError as error:
            # Exit with the message alone: a traceback would bury the variable's name.
            log.critical("Cannot start: %s", error)
            raise SystemExit(f"phoneline: {error}") from None
    if content is None:
        content = load_content()

    http = httpx.Client(follow_redirects=False, headers={"User-Agent": "phoneline"})
    audio = AudioIndex.scan(content, settings.speech.tts_engine, settings.public_url)
    store = open_store(settings)
    app.extensions["phoneline"] = Services(
        settings=settings, content=content, http=http, store=store, audio=audio
    )

    from phoneline.flows import sms, voice, voice_lookups  # noqa: PLC0415  (blueprints need the app's services)

    app.register_blueprint(voice.bp)
    app.register_blueprint(voice_lookups.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(audio_routes.bp)
    register_fallback_errors(app)
    app.add_url_rule("/healthz", "healthz", _healthz)
    if settings.admin_user:
        from phoneline import admin  # noqa: PLC0415  (the page exists only when configured)

        app.register_blueprint(admin.bp)
    if settings.proxy_hops:
        _trust_proxies(app, settings.proxy_hops)

    if settings.trial_token:
        log.warning(
            "TWILIO_AUTH_TOKEN is not set: using a development token from %s. "
            "Requests from real Twilio will be rejected with 403.",
            settings.data_dir,
        )
    log.info(
        "phoneline ready at %s with languages %s",
        settings.public_url,
        ", ".join(content.menu.languages),
    )
    log.info(
        "Prompt audio: %d recordings, %d renderings; every prompt has audio in: %s",
        len(audio.recordings),
        len(audio.renderings),
        ", ".join(sorted(audio.covered)) or "no language",
    )
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Take the client address, scheme and host from the last `hops` proxies' X-Forwarded-* headers.

    Signatures do not depend on this, because they are checked against
    PHONELINE_PUBLIC_URL and the raw request path, but the stats page uses the
    scheme and client address to refuse passwords sent over plain http. The
    path prefix (X-Forwarded-Prefix) is not taken: it belongs in
    PHONELINE_PUBLIC_URL, from which every TwiML link is built.
    """
    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
        app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=0
    )


def _healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")


def _configure_logging() -> None:
    logger = logging.getLogger("phoneline")
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # httpx logs every request URL at INFO, and those URLs contain plates and KVK numbers.
    logging.getLogger("httpx").setLevel(logging.WARNING)
