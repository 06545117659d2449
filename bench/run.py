"""Measure phoneline side by side in one run and write docs/benchmarks.md.

Starts local stand-ins for the data sources (with a settable delay) and the
service under gunicorn, all on 127.0.0.1, then measures:

- a voice menu step against a bare Flask route returning the same TwiML;
- an SMS plate lookup with a cold cache (three upstream requests of DELAY
  seconds each) and with a warm cache;
- memory (RSS) per worker and start-up time;
- SMS cost: segments per reply for every language and every recorded or built
  response (bench/sms_cost.py).

Run it with `make bench`; `python -m bench.run --help` lists the options. It
rewrites the part of docs/benchmarks.md between the `bench:run` markers and
leaves the rest of that page alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from twilio.request_validator import RequestValidator

from bench import sms_cost

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-auth-token"
PLATE_LETTERS = "BDFGHJKLNPRSTXZ"


@dataclass
class Sample:
    """Latencies of one measured endpoint, in seconds, and the wall time they took."""

    name: str
    latencies: list[float]
    wall: float
    errors: int

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
        return ordered[index]


def vehicle_rows(plate: str) -> list[dict[str, str]]:
    return [
        {
            "kenteken": plate,
            "voertuigsoort": "Personenauto",
            "merk": "SKODA",
            "handelsbenaming": "CITIGO",
            "vervaldatum_apk": "20300104",
            "datum_eerste_toelating": "20130104",
            "wam_verzekerd": "Ja",
            "openstaande_terugroepactie_indicator": "Nee",
        }
    ]


KVK_OPEN_DATA = (
    ROOT / "tests" / "fixtures" / "kvk" / "opendata-hvds-basisbedrijfsgegevens_96332751.json"
)


@contextmanager
def stand_in(delay: float) -> Iterator[str]:
    """Serve RDW answers for any plate and KVK open data for any number after `delay` seconds."""
    company = json.loads(KVK_OPEN_DATA.read_text(encoding="utf-8"))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as opendata.rdw.nl offers
        # Headers and body go out as two writes. With Nagle's algorithm the second
        # waits for the client's delayed ACK (about 40 ms), which a real server avoids.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            time.sleep(delay)
            query = parse_qs(urlsplit(self.path).query)
            path = urlsplit(self.path).path
            if "/kvknummer/" in path:
                number = path.rsplit("/", 1)[1]
                answer: object = company | {"kvkNummer": number}
            else:
                plate = (query.get("kenteken") or [""])[0]
                answer = vehicle_rows(plate) if "m9d7-ebf2" in path else []
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(port: int, data_dir: str, rdw_url: str) -> dict[str, str]:
    return os.environ | {
        "PHONELINE_ENV": "production",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PHONELINE_SECRET_KEY": "bench-secret",
        "PHONELINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PHONELINE_DATA_DIR": data_dir,
        "PHONELINE_RDW_URL": rdw_url,
        "PHONELINE_KVK_OPEN_DATA_URL": rdw_url + "/kvk",
        # The bench sends far more lookups per sender than a person would.
        "PHONELINE_LOOKUPS_PER_HOUR": "10000",
        "PHONELINE_LOOKUPS_PER_DAY": "10000",
    }


def expected_voice_twiml(env: dict[str, str], path: str, params: dict[str, str]) -> str:
    """Render the voice step in-process, so the floor route can return the same bytes."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from phoneline import create_app

        app = create_app()
        url = env["PHONELINE_PUBLIC_URL"] + path
        signature = RequestValidator(TOKEN).compute_signature(url, params)
        response = app.test_client().post(
            path, data=params, headers={"X-Twilio-Signature": signature}
        )
        return response.get_data(as_text=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int
) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    """Start gunicorn serving bench.wsgi and yield it with its start-up time in seconds."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "bench.wsgi:app",
    ]
    started = time.perf_counter()
    # The service logs one line per request: a pipe nobody reads would fill up and block it.
    log_path = Path(env["PHONELINE_DATA_DIR"]) / "gunicorn.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file)
    try:
        deadline = started + 30
        while time.perf_counter() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("gunicorn did not answer /healthz within 30 s")
        yield process, time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log_file.close()


def worker_rss_mb(master_pid: int) -> list[float]:
    """Return the resident memory of each gunicorn worker (children of the master), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid):
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sizes


def load(
    name: str,
    base_url: str,
    make_request: Callable[[int], tuple[str, dict[str, str]]],
    *,
    clients: int,
    seconds: float,
    max_requests: int,
) -> Sample:
    """Send signed POSTs from `clients` threads for `seconds` (at most `max_requests`)."""
    validator = RequestValidator(TOKEN)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(max_requests))
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=base_url, timeout=20) as client:
            while time.perf_counter() < stop_at:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                path, params = make_request(number)
                signature = validator.compute_signature(base_url + path, params)
                began = time.perf_counter()
                try:
                    response = client.post(
                        path, data=params, headers={"X-Twilio-Signature": signature}
                    )
                except httpx.TransportError as error:
                    print(f"{name}: request {number} failed: {error!r}", file=sys.stderr)
                    with lock:
                        errors += 1
                    continue
                elapsed = time.perf_counter() - began
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Sample(name, latencies, time.perf_counter() - began, errors)


def plate(number: int) -> str:
    """Return a distinct sidecode-9 plate (XX-999-X) for each number below 15*15*1000*15."""
    letters = PLATE_LETTERS
    first, rest = divmod(number, 1000)
    a, b = divmod(first, len(letters))
    return f"{letters[a % 15]}{letters[b % 15]}{rest:03d}{letters[(number // 7) % 15]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--delay", type=float, default=0.3, help="seconds each upstream request takes"
    )
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each load run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument(
        "--single-requests", type=int, default=500, help="requests in each one-client run"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="report to write"
    )
    args = parser.parse_args(argv)

    port = free_port()
    call = {"CallSid": "CA" + "0" * 32, "From": "+31600000000", "To": "+31450000000"}
    voice_path = "/voice/topics?lang=en&page=0"
    voice_params = call | {"Digits": "1"}

    with tempfile.TemporaryDirectory() as data_dir, stand_in(args.delay) as rdw_url:
        env = service_env(port, data_dir, rdw_url)
        env["BENCH_FLOOR_TWIML"] = expected_voice_twiml(env, voice_path, voice_params)
        base = f"http://127.0.0.1:{port}"

        budget: dict[str, Any] = {
            "clients": args.clients,
            "seconds": args.seconds,
            "max_requests": 10**6,
        }
        with gunicorn(env, port, args.workers, args.threads) as (process, startup):
            voice = load(
                "voice step",
                base,
                lambda n: (voice_path, voice_params),
                **budget,
            )
            floor = load(
                "floor",
                base,
                lambda n: ("/bench/floor", voice_params),
                **budget,
            )

            def sms(body: str) -> dict[str, str]:
                return {
                    "MessageSid": "SM" + "0" * 32,
                    "From": "+31600000000",
                    "To": "+31450000000",
                    "Body": body,
                }

            miss = load(
                "plate, cold cache",
                base,
                lambda n: ("/sms", sms(plate(n))),
                **budget,
            )
            load(
                "warm-up",
                base,
                lambda n: ("/sms", sms("AB-123-C")),
                **(budget | {"max_requests": 1}),
            )
            hit = load(
                "plate, warm cache",
                base,
                lambda n: ("/sms", sms("AB-123-C")),
                **budget,
            )
            employer = load(
                "KVK number, cold cache",
                base,
                lambda n: ("/sms", sms(f"{10_000_000 + n}")),
                **budget,
            )
            rss = worker_rss_mb(process.pid)

            # One client at a time: latency without queueing behind other requests.
            single = budget | {"clients": 1, "max_requests": args.single_requests}
            voice_alone = load(
                "voice step, one client", base, lambda n: (voice_path, voice_params), **single
            )
            floor_alone = load(
                "floor, one client", base, lambda n: ("/bench/floor", voice_params), **single
            )
            hit_alone = load(
                "plate, warm cache, one client", base, lambda n: ("/sms", sms("AB-123-C")), **single
            )

    report = render(
        args,
        startup,
        rss,
        [voice, floor, miss, hit, employer],
        [voice_alone, floor_alone, hit_alone],
    )
    report += "\n".join(["", "### SMS cost", "", *sms_cost.render(sms_cost.measure()), ""])
    write_section(args.out, report)
    print(report)
    return 0


START_MARK = "<!-- bench:run start -->"
END_MARK = "<!-- bench:run end -->"


def write_section(path: Path, section: str) -> None:
    """Replace the text between the markers in `path` (or add it at the end) with `section`."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{START_MARK}\n{section}\n{END_MARK}"
    if START_MARK in old and END_MARK in old:
        before = old[: old.index(START_MARK)]
        after = old[old.index(END_MARK) + len(END_MARK) :]
        new = before + block + after
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")


def render(
    args: argparse.Namespace,
    startup: float,
    rss: list[float],
    loaded: list[Sample],
    alone: list[Sample],
) -> str:
    voice, floor, miss, _, _ = loaded
    voice_alone, floor_alone, hit_alone = alone
    ms = 1000

    def row(sample: Sample) -> str:
        return (
            f"| {sample.name} | {len(sample.latencies)} | {sample.errors} | {sample.rps:.0f} | "
            f"{sample.percentile(0.5) * ms:.1f} | {sample.percentile(0.99) * ms:.1f} |"
        )

    ratio = floor.rps / voice.rps
    ratio_alone = statistics.mean(voice_alone.latencies) / statistics.mean(floor_alone.latencies)
    miss_ratio = statistics.median(miss.latencies) / args.delay
    lines = [
        "## Side by side: `make bench`",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.node()}: {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.platform()}.",
        f"Command: `make bench` (`python -m bench.run --delay {args.delay} "
        f"--seconds {args.seconds} --clients {args.clients} --workers {args.workers} "
        f"--threads {args.threads}`).",
        "Client, stand-ins and server share the machine, so absolute numbers include the load",
        "generator's own CPU use; ratios measured in the same run are the numbers to compare.",
        "",
        f"Under load: {args.clients} clients at once for {args.seconds:.0f} s per endpoint.",
        "",
        "| endpoint | requests | errors | requests/s | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|",
        *(row(sample) for sample in loaded),
        "",
        f"One client, {args.single_requests} requests in a row: latency without queueing.",
        "",
        "| endpoint | requests | errors | requests/s | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|",
        *(row(sample) for sample in alone),
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| voice step within 1.3x the floor's time per request, under load | {ratio:.2f}x | "
        f"{'yes' if ratio <= 1.3 else 'no'} |",
        f"| voice step within 1.3x the floor's time per request, one client | "
        f"{ratio_alone:.2f}x | {'yes' if ratio_alone <= 1.3 else 'no'} |",
        f"| cold-cache lookup within 1.2x the slowest upstream call ({args.delay * ms:.0f} ms) | "
        f"{miss_ratio:.2f}x (median) | {'yes' if miss_ratio <= 1.2 else 'no'} |",
        f"| warm-cache p99 under 10 ms, one client | {hit_alone.percentile(0.99) * ms:.1f} ms | "
        f"{'yes' if hit_alone.percentile(0.99) < 0.010 else 'no'} |",
        f"| under 100 MB RSS per worker | {', '.join(f'{size:.0f} MB' for size in rss)} | "
        f"{'yes' if rss and max(rss) < 100 else 'no'} |",
        f"| start-up time (gunicorn until /healthz answers) | {startup:.2f} s | n/a |",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
