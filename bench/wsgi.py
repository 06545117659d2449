"""The app under benchmark, plus a bare route that returns fixed TwiML: the floor.

The floor route runs in the same gunicorn server as the real webhooks, so the
ratio between a webhook and the floor shows what phoneline's own work costs
(signature check, catalog lookups, TwiML building, logging) on top of Flask,
gunicorn and the network stack.
"""

from __future__ import annotations

import os

from flask import Response

from phoneline import create_app

app = create_app()

FLOOR_TWIML = os.environ.get("BENCH_FLOOR_TWIML", "<Response/>")


@app.post("/bench/floor")
def floor() -> Response:
    return Response(FLOOR_TWIML, mimetype="text/xml")
