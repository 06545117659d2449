"""Caller-facing text and menu structure, loaded from `prompts/`.

`prompts/menu.yaml` contains what does not depend on the language: the order of
the language menu, the navigation key table and the topics with the source of
every step. `prompts/<code>.yaml` contains one language: its metadata and every
prompt text, looked up by key. Python code never contains caller-facing text.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
NAV_ACTIONS = (
    "repeat",
    "previous",
    "next",
    "topics",
    "language",
    "slower",
    "send_by_text",
)

# Keys that are never spoken: SMS templates, the parts of a written date, and
# the SMS version of the apology. Every other key is a voice prompt, spoken as
# one whole utterance, so it is the unit that audio is rendered and recorded for.
UNSPOKEN_PREFIXES = ("sms.", "date.", "month.", "keywords.")
UNSPOKEN_KEYS = frozenset({"error.apology_sms"})
TTS_ENGINES = ("gtts", "espeak-ng")


class CatalogError(Exception):
    """A catalog or the menu file is malformed; the message names the file and key."""


@dataclass(frozen=True)
class Language:
    """Metadata a catalog declares about its language."""

    code: str
    name: str
    bcp47: str
    direction: str
    say_voice: str | None
    say_language: str | None
    gtts: str | None
    speech_recognition: str | None
    reviewed: bool
    reviewed_by: str | None
    reviewed_on: str | None
    script: str
    words: tuple[str, ...]
    tts_engine: str | None = None
    espeak: str | None = None


@dataclass(frozen=True)
class Catalog:
    """All prompt texts of one language, by key."""

    language: Language
    prompts: Mapping[str, str]
    path: Path

    def text(self, key: str, **values: object) -> str:
        """Return the prompt `key` with `{name}` placeholders filled from `values`.

        Raises:
            KeyError: the catalog has no such key.
        """
        try:
            template = self.prompts[key]
        except KeyError:
            raise KeyError(f"{self.path.name} has no prompt {key!r}") from None
        return template.format(**values) if values else template

    def has(self, key: str) -> bool:
        return key in self.prompts

    def spoken_keys(self) -> list[str]:
        """Return the keys of every voice prompt, in catalog order."""
        return [key for key in self.prompts if is_spoken(key)]


@dataclass(frozen=True)
class Step:
    """One spoken step of a guide and where its fact comes from."""

    key: str
    source: str
    checked: dt.date | None


@dataclass(frozen=True)
class Topic:
    id: str
    steps: tuple[Step, ...]

    @property
    def title_key(self) -> str:
        return f"topic.{self.id}"


@dataclass(frozen=True)
class Menu:
    """Language-independent menu structure from `menu.yaml`."""

    languages: tuple[str, ...]
    nav_keys: Mapping[str, str]
    choice_keys: tuple[str, ...]
    topics: tuple[Topic, ...]

    def action_for(self, digit: str) -> str | None:
        """Return the navigation action bound to `digit`, if any."""
        for action, key in self.nav_keys.items():
            if key == digit:
                return action
        return None

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


@dataclass(frozen=True)
class Content:
    """The menu and every language catalog, loaded once at start."""

    menu: Menu
    catalogs: Mapping[str, Catalog]
    directory: Path = DEFAULT_PROMPTS_DIR

    def catalog(self, code: str) -> Catalog:
        return self.catalogs[code]

    def required_keys(self) -> set[str]:
        """Return the keys every catalog must define: the union over all catalogs."""
        keys: set[str] = set()
        for catalog in self.catalogs.values():
            keys.update(catalog.prompts)
        for topic in self.menu.topics:
            keys.add(topic.title_key)
            keys.update(step.key for step in topic.steps)
        return keys


def load_content(prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> Content:
    """Load `menu.yaml` and the catalog of every language it lists.

    Raises:
        CatalogError: a file is missing or malformed.
    """
    menu = _load_menu(prompts_dir / "menu.yaml")

    catalogs = {code: _load_catalog(prompts_dir / f"{code}.yaml", code) for code in menu.languages}

    return Content(menu=menu, catalogs=catalogs, directory=prompts_dir)


def is_spoken(key: str) -> bool:
    """Return whether the prompt `key` is spoken in calls (and so gets audio)."""
    return not key.startswith(UNSPOKEN_PREFIXES) and key not in UNSPOKEN_KEYS


def placeholders(template: str) -> set[str]:
    """Return the `{name}` placeholders used in a prompt template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise CatalogError(f"{path} is missing") from None
    except yaml.YAMLError as error:
        raise CatalogError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{path} must contain a mapping at the top level")
    return data


def _load_menu(path: Path) -> Menu:
    data = _read_yaml(path)

    languages = tuple(str(code) for code in data.get("languages", []))
    nav_keys = {str(k): str(v) for k, v in (data.get("nav_keys") or {}).items()}
    choice_keys = tuple(str(key) for key in data.get("choice_keys", []))

    missing = [action for action in NAV_ACTIONS if action not in nav_keys]
    if missing:
        raise CatalogError(f"{path}: nav_keys lacks {', '.join(missing)}")
    used = list(nav_keys.values()) + list(choice_keys)
    if len(used) != len(set(used)):
        raise CatalogError(f"{path}: a key is bound twice in nav_keys and choice_keys")
    if not languages or not choice_keys:
        raise CatalogError(f"{path}: languages and choice_keys must not be empty")

    topics = tuple(_parse_topic(path, entry) for entry in data.get("topics", []))
    return Menu(languages=languages, nav_keys=nav_keys, choice_keys=choice_keys, topics=topics)


def _parse_topic(path: Path, entry: Any) -> Topic:
    if not isinstance(entry, dict) or "id" not in entry:
        raise CatalogError(f"{path}: every topic needs an id")
    topic_id = str(entry["id"])

    steps = []
    for number, listed in enumerate(entry.get("steps") or [], start=1):
        raw = listed or {}
        checked = raw.get("checked")
        if checked is not None and not isinstance(checked, dt.date):
            raise CatalogError(f"{path}: topic {topic_id} step {number}: checked must be a date")
        steps.append(
            Step(
                key=f"guide.{topic_id}.{number}",
                source=str(raw.get("source") or ""),
                checked=checked,
            )
        )
    return Topic(id=topic_id, steps=tuple(steps))


def _load_catalog(path: Path, code: str) -> Catalog:
    data = _read_yaml(path)

    meta = data.get("language")
    if not isinstance(meta, dict):
        raise CatalogError(f"{path}: the 'language' block is missing")
    if meta.get("code") != code:
        raise CatalogError(f"{path}: language.code must be {code!r}")
    review = meta.get("review") or {}
    say = meta.get("say") or {}

    language = Language(
        code=code,
        name=str(meta.get("name", "")),
        bcp47=str(meta.get("bcp47", "")),
        direction=str(meta.get("direction", "ltr")),
        say_voice=say.get("voice"),
        say_language=say.get("language"),
        gtts=meta.get("gtts"),
        speech_recognition=meta.get("speech_recognition"),
        reviewed=review.get("status") == "reviewed",
        reviewed_by=review.get("by"),
        reviewed_on=str(review["date"]) if review.get("date") else None,
        script=str(meta.get("script", "Latin")),
        words=tuple(str(word).lower() for word in meta.get("words") or ()),
        tts_engine=_read_tts_engine(path, meta),
        espeak=meta.get("espeak"),
    )

    prompts = data.get("prompts")
    if not isinstance(prompts, dict):
        raise CatalogError(f"{path}: the 'prompts' block is missing")
    texts = {str(key): str(value).strip() for key, value in prompts.items()}
    return Catalog(language=language, prompts=texts, path=path)


def _read_tts_engine(path: Path, meta: Mapping[str, Any]) -> str | None:
    engine = meta.get("tts_engine")
    if engine is not None and engine not in TTS_ENGINES:
        raise CatalogError(
            f"{path}: language.tts_engine is {engine!r}: set it to one of {', '.join(TTS_ENGINES)}"
        )
    return None if engine is None else str(engine)
