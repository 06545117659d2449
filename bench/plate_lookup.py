"""Benchmark: a plate lookup by SMS while each RDW dataset takes 300 ms to respond.

The three RDW requests of one lookup (vehicles, fuel, recalls) run at the same
time, so the webhook should respond in about one upstream delay, not three.
This starts a stand-in for RDW on 127.0.0.1 that responds to every request
after `--delay` seconds. It then sends signed SMS webhooks to the app in this
process, with a new plate each time so that no answer comes from the cache, and
prints the minimum, median and maximum wall time.

Run from the repository root, after `make test` or any target built .venv:
    .venv/bin/python -m bench.plate_lookup
It exits with status 1 when the slowest lookup takes `--limit` ms or more.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from twilio.request_validator import RequestValidator

from bench.run import stand_in
from phoneline import create_app
from phoneline.config import Settings

AUTH_TOKEN = "bench-auth-token"
PUBLIC_URL = "https://line.example.org"


def machine() -> str:
    """Return the CPU model (from /proc/cpuinfo on Linux), core count and operating system."""
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="lookups to time (default 20)")
    parser.add_argument("--delay", type=float, default=0.3, help="seconds before each RDW response")
    parser.add_argument("--limit", type=float, default=450, help="ms the slowest may take")
    args = parser.parse_args()

    validator = RequestValidator(AUTH_TOKEN)
    timings = []
    with tempfile.TemporaryDirectory() as data_dir, stand_in(args.delay) as rdw_url:
        settings = Settings(
            twilio_auth_token=AUTH_TOKEN,
            public_url=PUBLIC_URL,
            secret_key="bench-secret",
            data_dir=Path(data_dir),
            rdw_url=rdw_url,
            # One sender makes every lookup here, far more than the per-sender limits allow.
            lookups_per_hour=10_000,
            lookups_per_day=10_000,
        )
        client = create_app(settings=settings).test_client()

        # One lookup more than timed: the first opens the connections to the stand-in.
        for run in range(args.runs + 1):
            plate = f"{10 + run % 90:02d}ZKZ{run % 10}"
            params = {"MessageSid": f"SM{run:032d}", "From": "+31612345678", "Body": plate}
            signature = validator.compute_signature(PUBLIC_URL + "/sms", params)
            started = time.perf_counter()
            response = client.post("/sms", data=params, headers={"X-Twilio-Signature": signature})
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.data
            assert b"SKODA" in response.data, response.data
            if run:
                timings.append(elapsed)

    print(f"machine: {machine()}, Python {platform.python_version()}")
    delay_ms = args.delay * 1000
    print(f"{args.runs} plate lookups, 3 RDW datasets each answering after {delay_ms:.0f} ms")
    print(
        f"min {min(timings):.0f} ms, median {statistics.median(timings):.0f} ms, "
        f"max {max(timings):.0f} ms (limit {args.limit:.0f} ms)"
    )
    return 0 if max(timings) < args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
