"""Caller-facing text and menu structure, loaded from `prompts/`.

`prompts/menu.yaml` contains what does not depend on the language: the order of
the language menu, the navigation key table, the topic categories and the
topics with the source of every step. `prompts/<code>.yaml` contains one
language: its metadata, every prompt text looked up by key, and the SMS
keywords of that language. Python code never contains caller-facing text.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
# SMS keyword lists every catalog defines besides one per topic (`topic.<id>`).
KEYWORD_ACTIONS = ("help", "stop", "start", "forget")
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
UNSPOKEN_PREFIXES = ("sms.", "date.", "month.", "number.", "keywords.")
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
    aliases: tuple[str, ...] = ()
    letters: str = ""
    review_status: str = "unreviewed"


@dataclass(frozen=True)
class Catalog:
    """All prompt texts of one language, by key."""

    language: Language
    prompts: Mapping[str, str]
    path: Path
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

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
    """One spoken step of a guide and where its fact comes from.

    `sources` lists the pages the step's facts were checked against, the main
    one first. `published` is the date (or year) the main page shows, None when
    it shows none. `secondary` names the fact that only a secondary source
    supports; the step text then tells the caller where to check it.
    """

    key: str
    sources: tuple[str, ...]
    checked: dt.date | None
    published: str | None = None
    secondary: str | None = None

    @property
    def source(self) -> str:
        """Return the main source URL, or "" when the step names none."""
        return self.sources[0] if self.sources else ""


@dataclass(frozen=True)
class Desk:
    """The closing block of a texted guide, for a desk: Dutch terms and an official number."""

    terms: tuple[str, ...]
    phone_name: str | None
    phone_number: str | None


@dataclass(frozen=True)
class Topic:
    id: str
    steps: tuple[Step, ...]
    desk: Desk = Desk(terms=(), phone_name=None, phone_number=None)
    keywords: tuple[str, ...] = ()

    @property
    def title_key(self) -> str:
        return f"topic.{self.id}"


@dataclass(frozen=True)
class Category:
    """A group of topics: the first menu lists categories, a category lists its topics."""

    id: str
    topic_ids: tuple[str, ...]

    @property
    def title_key(self) -> str:
        return f"category.{self.id}"


@dataclass(frozen=True)
class Menu:
    """Language-independent menu structure from `menu.yaml`."""

    languages: tuple[str, ...]
    nav_keys: Mapping[str, str]
    choice_keys: tuple[str, ...]
    topics: tuple[Topic, ...]
    categories: tuple[Category, ...] = ()
    country_languages: Mapping[str, str] = field(default_factory=dict)

    def action_for(self, digit: str) -> str | None:
        """Return the navigation action bound to `digit`, if any."""
        for action, key in self.nav_keys.items():
            if key == digit:
                return action
        return None

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def category_topics(self, category: Category) -> list[Topic]:
        return [topic for topic in self.topics if topic.id in category.topic_ids]


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
        keys.update(category.title_key for category in self.menu.categories)
        return keys

    def required_keywords(self) -> set[str]:
        """Return the keyword lists every catalog must define under `keywords:`."""
        return set(KEYWORD_ACTIONS) | {topic.title_key for topic in self.menu.topics}


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
    if len(set(languages)) != len(languages):
        raise CatalogError(f"{path}: a language code appears twice in languages")
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
    categories = _parse_categories(path, data.get("categories") or [], topics)
    country_languages = {
        str(region).upper(): str(code)
        for region, code in (data.get("country_languages") or {}).items()
    }
    unknown = sorted(set(country_languages.values()) - set(languages))
    if unknown:
        raise CatalogError(f"{path}: country_languages names unknown languages {unknown}")
    return Menu(
        languages=languages,
        nav_keys=nav_keys,
        choice_keys=choice_keys,
        topics=topics,
        categories=categories,
        country_languages=country_languages,
    )


def _parse_categories(path: Path, entries: Any, topics: tuple[Topic, ...]) -> tuple[Category, ...]:
    """Parse `categories`, checking that every topic sits in exactly one category."""
    categories = []
    for entry in entries:
        if not isinstance(entry, dict) or "id" not in entry:
            raise CatalogError(f"{path}: every category needs an id")
        topic_ids = tuple(str(topic_id) for topic_id in entry.get("topics") or ())
        categories.append(Category(id=str(entry["id"]), topic_ids=topic_ids))

    placed = [topic_id for category in categories for topic_id in category.topic_ids]
    known = {topic.id for topic in topics}
    if unknown := sorted(set(placed) - known):
        raise CatalogError(f"{path}: categories name unknown topics {unknown}")
    if len(placed) != len(set(placed)):
        raise CatalogError(f"{path}: a topic is listed in two categories")
    if categories and (homeless := sorted(known - set(placed))):
        raise CatalogError(f"{path}: topics {homeless} are in no category")
    return tuple(categories)


def _parse_topic(path: Path, entry: Any) -> Topic:
    if not isinstance(entry, dict) or "id" not in entry:
        raise CatalogError(f"{path}: every topic needs an id")
    topic_id = str(entry["id"])

    steps = []
    for number, listed in enumerate(entry.get("steps") or [], start=1):
        raw = listed or {}
        where = f"{path}: topic {topic_id} step {number}"
        checked = raw.get("checked")
        if checked is not None and not isinstance(checked, dt.date):
            raise CatalogError(f"{where}: checked must be a date")
        published = raw.get("published")
        if published is not None and not isinstance(published, dt.date | int):
            raise CatalogError(f"{where}: published must be a date, a year or null")
        steps.append(
            Step(
                key=f"guide.{topic_id}.{number}",
                sources=_as_strings(raw.get("source")),
                checked=checked,
                published=None if published is None else str(published),
                secondary=str(raw["secondary"]) if raw.get("secondary") else None,
            )
        )

    desk = entry.get("desk") or {}
    phone = desk.get("phone") or {}
    return Topic(
        id=topic_id,
        steps=tuple(steps),
        desk=Desk(
            terms=_as_strings(desk.get("terms")),
            phone_name=str(phone["name"]) if phone.get("name") else None,
            phone_number=str(phone["number"]) if phone.get("number") else None,
        ),
        keywords=_as_strings(entry.get("keywords")),
    )


def _as_strings(value: Any) -> tuple[str, ...]:
    """Return a YAML scalar or list as a tuple of non-empty strings."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(str(item) for item in items if item is not None and str(item).strip())


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
        aliases=_as_strings(meta.get("aliases")),
        letters=str(meta.get("letters") or ""),
        review_status=str(review.get("status") or ""),
    )

    prompts = data.get("prompts")
    if not isinstance(prompts, dict):
        raise CatalogError(f"{path}: the 'prompts' block is missing")
    texts = {str(key): str(value).strip() for key, value in prompts.items()}

    keywords = data.get("keywords") or {}
    if not isinstance(keywords, dict):
        raise CatalogError(f"{path}: 'keywords' must be a mapping of lists")
    words = {str(key): _as_strings(value) for key, value in keywords.items()}
    return Catalog(language=language, prompts=texts, path=path, keywords=words)


def _read_tts_engine(path: Path, meta: Mapping[str, Any]) -> str | None:
    engine = meta.get("tts_engine")
    if engine is not None and engine not in TTS_ENGINES:
        raise CatalogError(
            f"{path}: language.tts_engine is {engine!r}: set it to one of {', '.join(TTS_ENGINES)}"
        )
    return None if engine is None else str(engine)
