"""Time the state store and a full webhook request on SQLite and on a local Redis.

Run: `.venv/bin/python -m bench.state_store` (needs redis-server on PATH). It starts its own
redis-server on a free port on 127.0.0.1 and prints median microseconds per operation.
"""

from __future__ import annotations

import dataclasses
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import redis
from twilio.request_validator import RequestValidator

from phoneline import create_app
from phoneline.config import Settings
from phoneline.redis_store import RedisStore
from phoneline.state import SqliteStore, Store

ROUNDS = 2000
REQUESTS = 300
TOKEN = "bench-token"
PUBLIC_URL = "https://line.example.org"


def median_microseconds(action: Callable[[int], object], rounds: int) -> float:
    samples = []
    for number in range(rounds):
        started = time.perf_counter()
        action(number)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def time_store(name: str, store: Store) -> None:
    operations: dict[str, Callable[[int], object]] = {
        "set": lambda n: store.set(f"lang:{n}", "ar", subject=str(n)),
        "get": lambda n: store.get(f"lang:{n}"),
        "incr": lambda n: store.incr("rate:x", ttl=3600, subject="x"),
        "forget": lambda n: store.forget(str(n)),
    }
    for operation, action in operations.items():
        print(f"{name}: {operation} {median_microseconds(action, ROUNDS):.0f} us")
    store.close()


def time_requests(name: str, settings: Settings) -> None:
    app = create_app(settings)
    client = app.test_client()
    validator = RequestValidator(TOKEN)

    def call(number: int) -> None:
        params = {"CallSid": f"CA{number:032d}", "From": f"+316{number:08d}", "To": "+31450000000"}
        signature = validator.compute_signature(PUBLIC_URL + "/voice", params)
        response = client.post("/voice", data=params, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200

    print(f"{name}: POST /voice (first call) {median_microseconds(call, REQUESTS):.0f} us")
    app.extensions["phoneline"].store.close()
    app.extensions["phoneline"].http.close()


def main() -> None:
    binary = shutil.which("redis-server")
    assert binary, "install the Debian package redis-server"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = Path(tempfile.mkdtemp())
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(200):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        time_store("sqlite", SqliteStore(folder / "bench.sqlite3"))
        time_store("redis", RedisStore.connect(url))
        base = Settings(
            twilio_auth_token=TOKEN, public_url=PUBLIC_URL, secret_key="k", data_dir=folder / "app"
        )
        time_requests("sqlite", base)
        time_requests("redis", dataclasses.replace(base, redis_url=url))
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
