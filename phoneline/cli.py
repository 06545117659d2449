"""The `phoneline` command: run the service and help operators test it."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from twilio.request_validator import RequestValidator

from phoneline import operator_cli
from phoneline.catalog import DEFAULT_PROMPTS_DIR, CatalogError
from phoneline.config import Settings, SettingsError, SpeechSettings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="phoneline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service with Flask's server (local trials)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT") or 5000),
        help="TCP port to listen on (default: $PORT, else 5000)",
    )

    sign = commands.add_parser(
        "sign",
        help="print a curl command for a request signed as Twilio would sign it",
    )
    sign.add_argument("path", help="webhook path with any query string, e.g. /voice")
    sign.add_argument("params", nargs="*", metavar="NAME=VALUE", help="form parameters")
    operator_cli.add_commands(commands)
    _add_prompts_commands(commands)

    args = parser.parse_args(argv)
    try:
        if args.command in operator_cli.COMMANDS:
            return operator_cli.run(args, read_settings)
        if args.command == "serve":
            return _serve(args.host, args.port)
        if args.command == "prompts":
            return _prompts(args)
        return _sign(args.path, args.params)
    except (SettingsError, CatalogError) as error:
        print(f"phoneline: {error}", file=sys.stderr)
        return 2


def read_settings() -> Settings:
    """Read settings as the app does, with the same instance folder for trial secrets."""
    return Settings.from_env(os.environ, instance_folder())


def instance_folder() -> Path:
    """Return the folder where the app keeps trial secrets when PHONELINE_DATA_DIR is unset."""
    return Path(Flask("phoneline").instance_path)


def _add_prompts_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    prompts = commands.add_parser("prompts", help="check the catalogs and build prompt audio")
    actions = prompts.add_subparsers(dest="prompts_command", required=True)

    build = actions.add_parser(
        "build", help="render every voice prompt that has no audio yet (PHONELINE_TTS_ENGINE)"
    )
    build.add_argument("--lang", help="render only this language, by catalog code (e.g. ar)")
    build.add_argument(
        "--dry-run", action="store_true", help="list what would be rendered; render nothing"
    )
    build.add_argument(
        "--prune", action="store_true", help="delete rendered files that no current prompt uses"
    )

    check = actions.add_parser(
        "check",
        help="check every catalog for missing keys, sources and SMS texts over budget, and "
        "count per language the prompts with a recording, audio, Say or nothing",
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
    for action in (build, check):
        action.add_argument(
            "--prompts-dir",
            "--dir",
            dest="prompts_dir",
            type=Path,
            default=DEFAULT_PROMPTS_DIR,
            help="folder with menu.yaml and the catalogs (default: the project's prompts/)",
        )


def _prompts(args: argparse.Namespace) -> int:
    from phoneline.audio import build, coverage  # noqa: PLC0415  (keeps other commands light)

    speech = SpeechSettings.from_env(os.environ)
    if args.prompts_command == "check":
        status = _prompts_check(args.prompts_dir, args.max_age_days, args.today)
        coverage.check_command(args.prompts_dir, speech)
        return status
    return build.build_command(
        args.prompts_dir, speech, lang=args.lang, dry_run=args.dry_run, prune=args.prune
    )


def _serve(host: str, port: int) -> int:
    from phoneline import create_app  # noqa: PLC0415  (keeps `phoneline sign` light)

    os.environ.setdefault("FLASK_RUN_PORT", str(port))
    create_app().run(host=host, port=port)
    return 0


def _prompts_check(prompts_dir: Path, max_age_days: int | None, today: dt.date | None) -> int:
    from phoneline import prompts_check  # noqa: PLC0415  (keeps `phoneline sign` light)

    report = prompts_check.check_prompts(
        prompts_dir,
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
    path = "/" + path.lstrip("/")
    # Twilio requests percent-encoded URLs, and signs them in that form.
    url = settings.public_url + quote(path, safe="/?&=%:@!$'()*+,;-._~")
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(url, params)

    words = ["curl", "-sS", "-X", "POST", url, "-H", f"X-Twilio-Signature: {signature}"]
    for name, value in params.items():
        words += ["--data-urlencode", f"{name}={value}"]
    print(shlex.join(words))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
