"""Twilio request signature check, run before anything else on every webhook."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from flask import Request, Response
from twilio.request_validator import RequestValidator
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def signed_url(public_url: str, request: Request) -> str:
    """Rebuild the URL that Twilio signed: the public base URL plus the raw path and query.

    The raw request target is used when the server provides it (gunicorn's
    RAW_URI, Werkzeug's REQUEST_URI), because Twilio signs the URL byte for byte
    as it requested it and a decoded path or re-encoded query would not match.
    """
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        if raw.startswith(("http://", "https://")):
            parts = urlsplit(raw)
            raw = parts.path + (f"?{parts.query}" if parts.query else "")
        return public_url + raw

    query = request.query_string.decode("latin-1")
    path = quote(request.path, safe="/:@!$&'()*+,;=-._~")
    return public_url + path + (f"?{query}" if query else "")


def reject_unsigned(
    request: Request, public_url: str, auth_token: str, trial: bool
) -> Response | None:
    """Return an empty 403 response unless the request carries a valid Twilio signature.

    Only the POST form parameters are signed: query arguments are part of the
    URL, so `request.form` is used and never `request.values`.
    """
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        log.warning(
            "Rejected %s %r: missing X-Twilio-Signature header", request.method, request.path
        )
        return Response(status=403, mimetype="text/plain")

    try:
        form = request.form
    except HTTPException as error:
        # Too large or too many parts to parse, so it cannot be checked: Twilio
        # never sends such a body.
        log.warning(
            "Rejected %s %r: unreadable form (HTTP %s)", request.method, request.path, error.code
        )
        return Response(status=403, mimetype="text/plain")

    url = signed_url(public_url, request)
    if RequestValidator(auth_token).validate(url, form, signature):
        return None

    hint = (
        " (a development auth token is in use, so requests from real Twilio fail; the URL"
        f" checked was {url!r}, which must match the URL the request was signed for)"
        if trial
        else ""
    )
    log.warning("Rejected %s %r: invalid Twilio signature%s", request.method, request.path, hint)
    return Response(status=403, mimetype="text/plain")
