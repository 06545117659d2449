"""`phoneline prompts build`: render every voice prompt that has no rendering yet.

Each spoken prompt of each language is rendered twice, at normal and at slow
speed, by the language's engine (`language.tts_engine` in its catalog, else
`PHONELINE_TTS_ENGINE`). A rendering whose file exists is skipped, so a second
build renders nothing and a changed text renders only that prompt. Files are
written under a temporary name and renamed, so an interrupted build leaves no
half-written file that the next build would skip.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import httpx

from phoneline.audio.engines import (
    GTTS_INTERVAL_SECONDS,
    Engine,
    EngineUnavailable,
    EspeakEngine,
    GttsEngine,
    RenderError,
    gtts_request_count,
)
from phoneline.audio.library import (
    AUDIO_FOLDER,
    RenderSpec,
    engine_of,
    render_specs,
    rendered_name,
    voice_of,
)
from phoneline.catalog import Content, load_content
from phoneline.config import SpeechSettings

GTTS_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Job:
    """One rendering to make: a prompt of one language at one speed."""

    lang: str
    key: str
    text: str
    spec: RenderSpec
    path: Path

    def label(self) -> str:
        speed = "slow" if self.spec.slow else "normal"
        return f"{self.lang} {self.key} ({speed}, {self.spec.engine} voice {self.spec.voice})"


@dataclass
class LanguagePlan:
    """The renderings a build makes for one language, and the files it finds there."""

    lang: str
    engine: str
    voice: str | None
    jobs: list[Job] = field(default_factory=list)
    present: int = 0
    stale: list[Path] = field(default_factory=list)


@dataclass
class BuildResult:
    rendered: list[Job] = field(default_factory=list)
    failed: list[tuple[Job, str]] = field(default_factory=list)
    not_attempted: list[Job] = field(default_factory=list)


def plan_build(content: Content, default_engine: str, langs: Iterable[str]) -> list[LanguagePlan]:
    """Return per language the missing renderings, the count present and unused files.

    A language whose engine has no voice declared in its catalog gets no jobs.
    """
    plans = []
    for lang in langs:
        catalog = content.catalog(lang)
        language = catalog.language
        engine = engine_of(language, default_engine)
        plan = LanguagePlan(lang, engine, voice_of(language, engine))
        folder = content.directory / AUDIO_FOLDER / lang

        in_use: set[str] = set()
        for key in catalog.spoken_keys():
            text = catalog.text(key)
            for slow in (False, True):
                in_use.update(
                    rendered_name(lang, text, spec)
                    for spec in render_specs(language, default_engine, slow)
                )
                if plan.voice is None:
                    continue
                spec = RenderSpec(engine, plan.voice, slow)
                path = folder / rendered_name(lang, text, spec)
                if path.exists():
                    plan.present += 1
                else:
                    plan.jobs.append(Job(lang, key, text, spec, path))

        if folder.is_dir():
            plan.stale = sorted(p for p in folder.iterdir() if p.is_file() and p.name not in in_use)
        plans.append(plan)
    return plans


def render_jobs(jobs: Sequence[Job], engines: Mapping[str, Engine], out: TextIO) -> BuildResult:
    """Render `jobs` one after another, writing each file as soon as it is ready.

    A job that fails is recorded and the build goes on. After an engine reports
    that it is unavailable, its remaining jobs are not attempted.
    """
    result = BuildResult()
    unavailable: set[str] = set()

    for number, job in enumerate(jobs, start=1):
        engine = job.spec.engine
        if engine in unavailable:
            result.not_attempted.append(job)
            continue
        try:
            audio = engines[engine].render(job.text, job.spec)
        except EngineUnavailable as error:
            unavailable.add(engine)
            result.failed.append((job, str(error)))
            print(f"failed: {job.label()}: {error}; stopping {engine}", file=out)
            continue
        except RenderError as error:
            result.failed.append((job, str(error)))
            print(f"failed: {job.label()}: {error}", file=out)
            continue

        _write_atomically(job.path, audio)
        result.rendered.append(job)
        print(f"[{number}/{len(jobs)}] rendered {job.label()} -> {job.path}", file=out)

    return result


def build_command(
    prompts_dir: Path,
    speech: SpeechSettings,
    *,
    lang: str | None = None,
    dry_run: bool = False,
    prune: bool = False,
    engines: Mapping[str, Engine] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run `phoneline prompts build` and return its exit status.

    Returns 0 when every missing rendering was made (or, with `dry_run`, was
    listed), 1 when some failed or were not attempted, and 2 for an unknown
    language. `out` and `err` default to the standard streams.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    content = load_content(prompts_dir)
    if lang is not None and lang not in content.catalogs:
        known = ", ".join(content.catalogs)
        print(f"phoneline: unknown language {lang!r}; the catalogs are {known}", file=err)
        return 2

    plans = plan_build(content, speech.tts_engine, [lang] if lang else content.catalogs)
    jobs = [job for plan in plans for job in plan.jobs]
    _print_plan(plans, out)

    if dry_run:
        for job in jobs:
            print(f"would render {job.label()} -> {job.path}", file=out)
        return 0

    if prune:
        for plan in plans:
            for path in plan.stale:
                path.unlink()
                print(f"deleted unused {path}", file=out)

    started = time.monotonic()
    with httpx.Client(timeout=GTTS_TIMEOUT_SECONDS) as http:
        chosen = engines or {
            "gtts": GttsEngine(http, speech.gtts_url),
            "espeak-ng": EspeakEngine(),
        }
        result = render_jobs(jobs, chosen, out)
    elapsed = time.monotonic() - started

    present = sum(plan.present for plan in plans)
    print(
        f"rendered {len(result.rendered)}, already present {present}, "
        f"failed {len(result.failed)}, not attempted {len(result.not_attempted)} "
        f"in {elapsed:.1f} s",
        file=out,
    )
    if result.failed or result.not_attempted:
        print(f"phoneline: {len(result.failed)} prompts could not be rendered:", file=err)
        for job, reason in result.failed:
            print(f"  {job.label()}: {reason}", file=err)
        if result.not_attempted:
            names = ", ".join(sorted({job.spec.engine for job in result.not_attempted}))
            print(
                f"phoneline: {len(result.not_attempted)} more were not attempted because "
                f"{names} stopped working; run the build again later",
                file=err,
            )
        return 1
    return 0


def _print_plan(plans: Sequence[LanguagePlan], out: TextIO) -> None:
    print("lang  engine     voice   present  to render  gTTS requests  unused files", file=out)
    requests = 0
    for plan in plans:
        count = sum(gtts_request_count(job.text) for job in plan.jobs if job.spec.engine == "gtts")
        requests += count
        voice = plan.voice or "-"
        print(
            f"{plan.lang:<5} {plan.engine:<10} {voice:<7} {plan.present:>7}  "
            f"{len(plan.jobs):>9}  {count:>13}  {len(plan.stale):>12}",
            file=out,
        )
    for plan in plans:
        if plan.voice is None:
            key = "gtts" if plan.engine == "gtts" else "espeak"
            print(
                f"{plan.lang}: the catalog declares no {plan.engine} voice (language.{key}), "
                "so its prompts need recordings or a Say voice",
                file=out,
            )
    if requests:
        # A lower bound: the requests themselves and any retries add to it.
        minutes = requests * GTTS_INTERVAL_SECONDS / 60
        print(
            f"gTTS: {requests} requests, at least {minutes:.1f} minutes "
            f"at one request per {GTTS_INTERVAL_SECONDS:g} s",
            file=out,
        )


def _write_atomically(path: Path, audio: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(audio)
    os.replace(partial, path)
