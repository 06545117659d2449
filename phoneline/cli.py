"""The `phoneline` command: run the service and help operators test it."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from flask import Flask
from twilio.request_validator import RequestValidator

from phoneline.config import Settings, SettingsError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="phoneline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service with Flask's server (local trials)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=5000, help="TCP port to listen on")

    sign = commands.add_parser(
        "sign",
        help="print a curl command for a request signed as Twilio would sign it",
    )
    sign.add_argument("path", help="webhook path with any query string, e.g. /voice")
    sign.add_argument("params", nargs="*", metavar="NAME=VALUE", help="form parameters")

    prompts = commands.add_parser("prompts", help="work with the catalogs in prompts/")
    prompts_commands = prompts.add_subparsers(dest="prompts_command", required=True)
    check = prompts_commands.add_parser(
        "check",
        help="check every catalog for missing keys, sources and SMS texts over budget",
    )
    check.add_argument(
        "--dir", type=Path, default=None, help="folder with menu.yaml and the catalogs"
    )
    check.add_argument(
        "--max-age-days",
        type=int,
        default=None,
        help="warn about guide steps checked longer ago than this many days (default 180)",
    )
    check.add_argument(
        "--today", type=dt.date.fromisoformat, default=None, help="date to count ages from"
    )

    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args.host, args.port)
        if args.command == "prompts":
            return _prompts_check(args.dir, args.max_age_days, args.today)
        return _sign(args.path, args.params)
    except SettingsError as error:
        print(f"phoneline: {error}", file=sys.stderr)
        return 2


def read_settings() -> Settings:
    """Read settings as the app does, with the same instance folder for trial secrets."""
    instance = Path(Flask("phoneline").instance_path)
    return Settings.from_env(os.environ, instance)


def _serve(host: str, port: int) -> int:
    from phoneline import create_app  # noqa: PLC0415  (keeps `phoneline sign` light)

    os.environ.setdefault("FLASK_RUN_PORT", str(port))
    create_app().run(host=host, port=port)
    return 0


def _prompts_check(
    prompts_dir: Path | None, max_age_days: int | None, today: dt.date | None
) -> int:
    from phoneline import prompts_check  # noqa: PLC0415  (keeps `phoneline sign` light)
    from phoneline.catalog import DEFAULT_PROMPTS_DIR  # noqa: PLC0415

    report = prompts_check.check_prompts(
        prompts_dir or DEFAULT_PROMPTS_DIR,
        today=today,
        max_age_days=prompts_check.DEFAULT_MAX_AGE_DAYS if max_age_days is None else max_age_days,
    )
    for line in report.segments:
        print(line)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    print(
        f"prompts check: {len(report.errors)} errors, {len(report.warnings)} warnings",
        file=sys.stderr,
    )
    return 1 if report.errors else 0


def _sign(path: str, pairs: Sequence[str]) -> int:
    params: dict[str, str] = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator:
            print(f"phoneline: parameter {pair!r} must have the form NAME=VALUE", file=sys.stderr)
            return 2
        params[name] = value

    settings = read_settings()
    url = settings.public_url + path
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(url, params)

    words = ["curl", "-sS", "-X", "POST", url, "-H", f"X-Twilio-Signature: {signature}"]
    for name, value in params.items():
        words += ["--data-urlencode", f"{name}={value}"]
    print(shlex.join(words))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
