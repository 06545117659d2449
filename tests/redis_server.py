"""A real redis-server on 127.0.0.1 for the tests, started once per test session.

`backend_store` runs a test once with each `Store` backend: SQLite and Redis.
`redis_process` is a redis-server of one test's own, which it may kill and start again.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from phoneline.redis_store import RedisStore
from phoneline.state import SqliteStore, Store

STARTUP_DEADLINE_SECONDS = 20
RETENTION = 90 * 86400.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """Start redis-server (Debian package redis-server) on 127.0.0.1:`port` and wait for PING."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: run scripts/system-deps (Debian package redis-server)"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder), "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis.from_url(f"redis://127.0.0.1:{port}/0")
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert process.poll() is None, "redis-server exited at start"
            assert time.monotonic() < deadline, "redis-server did not answer PING"
            time.sleep(0.05)
    client.close()
    return process


class RedisProcess:
    """A redis-server on a fixed port of 127.0.0.1 that a test can kill and start again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = start_redis(self.folder, self.port)

    def kill(self) -> None:
        """Stop Redis at once, as a crash or an out-of-memory kill would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start redis-server and return its URL."""
    port = free_port()
    process = start_redis(tmp_path_factory.mktemp("redis"), port)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server of the test's own, for tests that stop and start it."""
    server = RedisProcess(tmp_path / "redis")
    server.folder.mkdir()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The test Redis, emptied before each test."""
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server


@pytest.fixture(params=["sqlite", "redis"])
def backend_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened: Store
    if request.param == "sqlite":
        opened = SqliteStore(tmp_path / "state.sqlite3", subject_ttl=RETENTION)
    else:
        opened = RedisStore.connect(request.getfixturevalue("redis_url"), subject_ttl=RETENTION)
    yield opened
    opened.close()
