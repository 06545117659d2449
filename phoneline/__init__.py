"""phoneline: a telephone and SMS information line for newcomers to the Netherlands."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import httpx
from flask import Flask, Response

from phoneline.catalog import Content, load_content
from phoneline.config import Settings
from phoneline.state import SqliteStore
from phoneline.webhook import Services, register_fallback_errors

log = logging.getLogger("phoneline")

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, content: Content | None = None) -> Flask:
    """Build the Flask app: read settings once, load the catalogs, register the webhooks.

    Tests pass `settings` and `content`; a real start reads them from the
    environment and `prompts/`.

    Raises:
        SettingsError: a setting is missing or invalid (production start).
        CatalogError: a catalog or the menu file is malformed.
    """
    app = Flask(__name__)
    _configure_logging()

    if settings is None:
        settings = Settings.from_env(os.environ, Path(app.instance_path))
    if content is None:
        content = load_content()

    http = httpx.Client(follow_redirects=False, headers={"User-Agent": "phoneline"})
    store = SqliteStore(settings.data_dir / "state.sqlite3")
    app.extensions["phoneline"] = Services(
        settings=settings, content=content, http=http, store=store
    )

    from phoneline.flows import sms, voice, voice_lookups  # noqa: PLC0415  (blueprints need the app's services)

    app.register_blueprint(voice.bp)
    app.register_blueprint(voice_lookups.bp)
    app.register_blueprint(sms.bp)
    register_fallback_errors(app)
    app.add_url_rule("/healthz", "healthz", _healthz)

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
    return app


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
