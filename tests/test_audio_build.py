"""`phoneline prompts build`: what it renders, skips, names on failure and deletes."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from phoneline.audio.build import build_command, plan_build
from phoneline.audio.engines import EngineUnavailable, GttsEngine, RenderError
from phoneline.audio.library import AudioIndex, RenderSpec
from phoneline.catalog import load_content
from phoneline.config import SpeechSettings
from tests.gtts_server import GttsStandIn
from tests.prompt_dirs import add_language, copy_prompts, set_prompt

GTTS = SpeechSettings(tts_engine="gtts")


@dataclass
class FakeEngine:
    """Returns the text as "audio"; fails for texts containing a marker in `fail_on`."""

    name: str
    fail_on: set[str] = field(default_factory=set)
    unavailable: bool = False
    calls: list[tuple[str, RenderSpec]] = field(default_factory=list)

    def render(self, text: str, spec: RenderSpec) -> bytes:
        self.calls.append((text, spec))
        if self.unavailable:
            raise EngineUnavailable("fake engine is down")
        if any(marker in text for marker in self.fail_on):
            raise RenderError("fake engine cannot say this")
        return b"\xff\xf3" + text.encode()


@dataclass
class Run:
    status: int
    out: str
    err: str


def run_build(
    prompts_dir: Path,
    engine: FakeEngine | None = None,
    lang: str | None = None,
    dry_run: bool = False,
    prune: bool = False,
) -> Run:
    out, err = io.StringIO(), io.StringIO()
    engines = {"gtts": engine or FakeEngine("gtts"), "espeak-ng": FakeEngine("espeak-ng")}
    status = build_command(
        prompts_dir, GTTS, lang=lang, dry_run=dry_run, prune=prune, engines=engines,
        out=out, err=err,
    )
    return Run(status, out.getvalue(), err.getvalue())


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    return copy_prompts(tmp_path / "prompts")


def spoken_count(prompts_dir: Path, lang: str) -> int:
    return len(load_content(prompts_dir).catalog(lang).spoken_keys())


def test_build_renders_every_prompt_twice(prompts: Path) -> None:
    engine = FakeEngine("gtts")
    run = run_build(prompts, engine)

    content = load_content(prompts)
    by_gtts = [
        code
        for code, catalog in content.catalogs.items()
        if catalog.language.gtts and catalog.language.tts_engine in (None, "gtts")
    ]
    expected = sum(2 * spoken_count(prompts, code) for code in by_gtts)
    assert run.status == 0, run.err
    assert len(engine.calls) == expected
    assert sum(1 for _, spec in engine.calls if spec.slow) == expected // 2
    for lang in by_gtts:
        files = list((prompts / "audio" / lang).glob("*.mp3"))
        # Prompts with the same text share one file, since its name is a hash of the text.
        catalog = content.catalog(lang)
        texts = {catalog.text(key) for key in catalog.spoken_keys()}
        assert len(files) == 2 * len(texts)
    assert list((prompts / "audio").rglob(".*")) == []


def test_build_skips_unspoken_keys(prompts: Path) -> None:
    engine = FakeEngine("gtts")
    run_build(prompts, engine, lang="en")
    english = load_content(prompts).catalog("en")
    rendered = {text for text, _ in engine.calls}
    assert english.text("welcome") in rendered
    for key in ("sms.help", "month.1", "date.format", "error.apology_sms"):
        assert english.text(key) not in rendered, key


def test_second_build_renders_nothing(prompts: Path) -> None:
    assert run_build(prompts).status == 0

    engine = FakeEngine("gtts")
    again = run_build(prompts, engine)

    assert again.status == 0
    assert engine.calls == []
    assert "rendered 0," in again.out


def test_failed_prompts_named_and_exit_nonzero(prompts: Path) -> None:
    english = load_content(prompts).catalog("en")
    engine = FakeEngine("gtts", fail_on={english.text("guide.digid_get.3")})

    run = run_build(prompts, engine, lang="en")

    assert run.status == 1
    assert "2 prompts could not be rendered" in run.err
    assert "en guide.digid_get.3 (normal, gtts voice en): fake engine cannot say this" in run.err
    assert "en guide.digid_get.3 (slow, gtts voice en)" in run.err
    rendered = len(list((prompts / "audio" / "en").glob("*.mp3")))
    # Prompts with the same text share one file, since its name is a hash of the text.
    texts = {english.text(key) for key in english.spoken_keys()}
    assert rendered == 2 * len(texts) - 2

    retry = FakeEngine("gtts")
    assert run_build(prompts, retry, lang="en").status == 0
    assert [text for text, _ in retry.calls] == [english.text("guide.digid_get.3")] * 2


def test_unavailable_engine_stops_build(prompts: Path) -> None:
    engine = FakeEngine("gtts", unavailable=True)
    run = run_build(prompts, engine)

    assert run.status == 1
    assert len(engine.calls) == 1
    assert "fake engine is down" in run.err
    assert "were not attempted because gtts stopped working" in run.err


def test_changed_text_changes_only_its_url(prompts: Path) -> None:
    run_build(prompts)
    before = AudioIndex.scan(load_content(prompts), "gtts", "https://line.example.org")

    set_prompt(prompts, "en", "invalid", "Sorry, that key is not an option.")
    engine = FakeEngine("gtts")
    run_build(prompts, engine)
    after = AudioIndex.scan(load_content(prompts), "gtts", "https://line.example.org")

    assert [text for text, _ in engine.calls] == ["Sorry, that key is not an option."] * 2
    changed = {
        prompt for prompt, audio in after.renderings.items()
        if before.renderings[prompt].url != audio.url
    }
    assert changed == {("en", "invalid", False), ("en", "invalid", True)}
    assert set(after.renderings) == set(before.renderings)


def test_catalog_engine_overrides_default(prompts: Path) -> None:
    add_language(
        prompts, "fa", name="فارسی", say=None, gtts=None, tts_engine="espeak-ng", espeak="fa"
    )
    default = FakeEngine("gtts")
    espeak = FakeEngine("espeak-ng")
    out, err = io.StringIO(), io.StringIO()

    status = build_command(
        prompts, GTTS, engines={"gtts": default, "espeak-ng": espeak}, out=out, err=err
    )

    assert status == 0, err.getvalue()
    assert {spec.voice for _, spec in espeak.calls} == {"fa"}
    assert len(espeak.calls) == 2 * spoken_count(prompts, "fa")
    by_gtts = {
        catalog.language.gtts
        for catalog in load_content(prompts).catalogs.values()
        if catalog.language.gtts and catalog.language.tts_engine in (None, "gtts")
    }
    assert {spec.voice for _, spec in default.calls} == by_gtts
    assert "fa    espeak-ng  fa" in out.getvalue()


def test_language_without_voice_reported(prompts: Path) -> None:
    add_language(prompts, "ti", name="ትግርኛ", say=None, gtts=None, espeak=None)
    engine = FakeEngine("gtts")

    run = run_build(prompts, engine)

    assert run.status == 0
    assert "ti: the catalog declares no gtts voice (language.gtts)" in run.out
    assert not (prompts / "audio" / "ti").exists()


def test_dry_run_lists_and_renders_nothing(prompts: Path) -> None:
    engine = FakeEngine("gtts")
    run = run_build(prompts, engine, lang="ar", dry_run=True)

    assert run.status == 0
    assert engine.calls == []
    assert not (prompts / "audio").exists()
    listed = [line for line in run.out.splitlines() if line.startswith("would render ar ")]
    assert len(listed) == 2 * spoken_count(prompts, "ar")
    assert "would render ar welcome (slow, gtts voice ar) -> " in run.out
    assert "at one request per 1 s" in run.out


def test_prune_deletes_unused_renderings(prompts: Path) -> None:
    run_build(prompts, lang="en")
    old_files = set((prompts / "audio" / "en").iterdir())
    set_prompt(prompts, "en", "goodbye", "Goodbye, and thank you.")

    run = run_build(prompts, lang="en", prune=True)

    new_files = set((prompts / "audio" / "en").iterdir())
    assert run.status == 0
    assert len(old_files - new_files) == 2
    assert len(new_files - old_files) == 2
    assert run.out.count("deleted unused ") == 2


def test_unknown_language_rejected(prompts: Path) -> None:
    run = run_build(prompts, lang="xx")
    assert run.status == 2
    assert "unknown language 'xx'; the catalogs are nl, " in run.err


def test_gtts_build_matches_planned_requests(prompts: Path, gtts: GttsStandIn) -> None:
    plan = plan_build(load_content(prompts), "gtts", ["en"])
    dry = run_build(prompts, lang="en", dry_run=True)
    planned = int(dry.out.split("gTTS: ")[1].split()[0])

    with httpx.Client(timeout=5) as http:
        engine = GttsEngine(http, gtts.url, interval=0.0)
        out, err = io.StringIO(), io.StringIO()
        status = build_command(
            prompts, GTTS, lang="en", engines={"gtts": engine}, out=out, err=err
        )

    assert status == 0, err.getvalue()
    assert len(gtts.requests) == planned
    assert planned > len(plan[0].jobs)  # some English prompts are longer than 100 characters
    assert all(len(text) <= 100 for text in gtts.texts())
    assert {request.slow for request in gtts.requests} == {False, True}
