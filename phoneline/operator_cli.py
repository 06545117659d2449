"""The operators' commands of `phoneline`: terminal phone, statistics, FORGET and Twilio set-up."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
from flask import Flask
from werkzeug.serving import make_server

from phoneline.config import LOCAL_HOSTS, Settings, SettingsError
from phoneline.phone import Keypad, PhoneError, TerminalPhone
from phoneline.privacy import is_phone_number, mask_number, normalise_number, number_key
from phoneline.state import open_store
from phoneline.twilio_rest import make_client
from phoneline.twilio_setup import SetupFailed, configure_number
from phoneline.usage import read_counts

COMMANDS = frozenset({"call", "sms", "stats", "forget", "purge", "twilio"})
TEST_CALLER = "+31612345678"
SettingsReader = Callable[[], Settings]


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the operators' subcommands to the `phoneline` parser."""
    url_help = (
        "base URL where the service listens (default http://127.0.0.1:$PORT, 5000 when PORT is "
        "unset); when nothing answers there, the command starts the service in this process"
    )
    call = commands.add_parser("call", help="call the line from the terminal and press keys")
    call.add_argument("--url", help=url_help)
    call.add_argument("--from", dest="caller", default=TEST_CALLER, help="the calling number")
    call.add_argument("--no-audio", action="store_true", help="print <Play> URLs, play nothing")

    sms = commands.add_parser("sms", help="send the line one text message and print the reply")
    sms.add_argument("text", help="the message body")
    sms.add_argument("--url", help=url_help)
    sms.add_argument("--from", dest="caller", default=TEST_CALLER, help="the sending number")

    stats = commands.add_parser("stats", help="print the usage counters of recent days")
    stats.add_argument("--days", type=int, default=7, help="how many days back, today included")

    forget = commands.add_parser("forget", help="delete everything stored about a phone number")
    forget.add_argument("number", help="the phone number, e.g. +31612345678")

    commands.add_parser("purge", help="delete expired state now (it also happens hourly)")

    twilio = commands.add_parser("twilio", help="set up a Twilio phone number")
    twilio_commands = twilio.add_subparsers(dest="twilio_command", required=True)
    configure = twilio_commands.add_parser(
        "configure",
        help="point the number's webhooks, fallbacks and status callback at PHONELINE_PUBLIC_URL",
    )
    configure.add_argument("--number", required=True, help="the Twilio number, E.164")
    configure.add_argument("--dry-run", action="store_true", help="show changes, make none")


def run(args: argparse.Namespace, read_settings: SettingsReader) -> int:
    """Run one operator command and return the exit status."""
    try:
        if args.command == "call":
            return _call(args, read_settings)
        if args.command == "sms":
            return _sms(args, read_settings)
        if args.command == "stats":
            return _stats(args.days, read_settings())
        if args.command == "forget":
            return _forget(args.number, read_settings())
        if args.command == "purge":
            return _purge(read_settings())
        return _configure(args.number, args.dry_run)
    except (PhoneError, SetupFailed) as error:
        print(f"phoneline: {error}", file=sys.stderr)
        return 1


def _call(args: argparse.Namespace, read_settings: SettingsReader) -> int:
    settings = read_settings()
    with _phone(args.url, settings, play_audio=not args.no_audio) as phone:
        phone.call(Keypad(sys.stdin, sys.stdout), caller=args.caller)
    return 0


def _sms(args: argparse.Namespace, read_settings: SettingsReader) -> int:
    settings = read_settings()
    with _phone(args.url, settings, play_audio=False) as phone:
        phone.text(args.text, sender=args.caller)
    return 0


@contextmanager
def _phone(url: str | None, settings: Settings, play_audio: bool) -> Iterator[TerminalPhone]:
    """Yield a terminal phone connected to a running service, starting one when none responds."""
    server_url = (url or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}").rstrip("/")
    with httpx.Client(timeout=20) as http:

        def connect(to: str) -> TerminalPhone:
            return TerminalPhone(
                public_url=settings.public_url,
                server_url=to,
                auth_token=settings.twilio_auth_token,
                out=sys.stdout,
                http=http,
                play_audio=play_audio,
            )

        if _answers(http, server_url):
            yield connect(server_url)
            return

        parts = urlsplit(server_url)
        if parts.hostname not in LOCAL_HOSTS or parts.port is None:
            raise PhoneError(f"no phoneline service responds at {server_url}/healthz")
        print(
            f"No service responds at {server_url}; starting one in this process.", file=sys.stderr
        )
        with _in_process(settings, parts.port) as started:
            yield connect(started)


@contextmanager
def _in_process(settings: Settings, port: int) -> Iterator[str]:
    from phoneline import create_app  # noqa: PLC0415  (only needed when no service runs)

    app = create_app(settings=settings)
    # The call transcript is the output here; request logs would interleave with it.
    logging.getLogger("phoneline").setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        with serving(app, port) as url:
            yield url
    finally:
        app.extensions["phoneline"].store.close()
        app.extensions["phoneline"].http.close()


@contextmanager
def serving(app: Flask, port: int = 0) -> Iterator[str]:
    """Serve `app` with Werkzeug's threaded server on 127.0.0.1 and yield its base URL.

    Port 0 picks a free port.
    """
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _answers(http: httpx.Client, server_url: str) -> bool:
    try:
        return http.get(server_url + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stats(days: int, settings: Settings) -> int:
    if days < 1:
        print("phoneline: --days must be 1 or more", file=sys.stderr)
        return 2
    since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days - 1)
    store = open_store(settings)
    try:
        counts = read_counts(store, since=since)
    finally:
        store.close()

    header = ("day", "channel", "language", "topic", "outcome", "count")
    rows = [
        (c.day.isoformat(), c.channel, c.language, c.topic, c.outcome, str(c.count))
        for c in sorted(counts, key=lambda c: (c.day, c.channel, c.language, c.topic, c.outcome))
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        print("  ".join([*cells, row[-1].rjust(widths[-1])]))
    if not rows:
        print(f"(no counters since {since.isoformat()})")
    return 0


def _forget(number: str, settings: Settings) -> int:
    if not is_phone_number(number):
        print(
            f"phoneline: {mask_number(number)} is not a valid phone number; give it in "
            "international form, for example +31612345678.",
            file=sys.stderr,
        )
        return 2
    store = open_store(settings)
    try:
        deleted = store.forget(number_key(settings.secret_key, number))
    finally:
        store.close()
    print(f"Deleted {deleted} stored values linked to {mask_number(number)}.")
    return 0


def _purge(settings: Settings) -> int:
    store = open_store(settings)
    try:
        removed = store.purge_expired()
    finally:
        store.close()
    print(f"Purged {removed} expired entries.")
    return 0


def _configure(number: str, dry_run: bool) -> int:
    from phoneline.cli import instance_folder  # noqa: PLC0415  (cli imports this module)

    environ = dict(os.environ)
    # The number being set up is the line's own, so it is the sender of texts too
    # unless the operator has chosen another.
    if not environ.get("PHONELINE_MESSAGING_SERVICE_SID"):
        environ.setdefault("PHONELINE_SMS_FROM", normalise_number(number))
    settings = Settings.from_env(environ, instance_folder())

    if settings.trial_token:
        raise SettingsError(
            "TWILIO_AUTH_TOKEN is missing: set it to the auth token of the account that owns "
            f"{number}, found in the Twilio Console."
        )
    if urlsplit(settings.public_url).hostname in LOCAL_HOSTS:
        raise SettingsError(
            f"PHONELINE_PUBLIC_URL is {settings.public_url}: Twilio cannot reach this machine's "
            "own address; set the public https URL of the service."
        )
    client = make_client(settings)
    if client is None:
        raise SettingsError(
            "TWILIO_ACCOUNT_SID is missing: set it to the account SID (AC…) from the Twilio "
            "Console."
        )

    changes = configure_number(client, number, settings.public_url, dry_run=dry_run)
    for change in changes:
        print(f"  {change.field}: {change.current or '(none)'} -> {change.wanted}")
    if not changes:
        print(f"{normalise_number(number)} already points at {settings.public_url}.")
    elif dry_run:
        print(f"Dry run: {len(changes)} settings of {normalise_number(number)} would change.")
    else:
        print(f"Updated {len(changes)} settings of {normalise_number(number)}.")
    return 0

