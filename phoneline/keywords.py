"""SMS keywords: which words ask for a topic, the menu, a language, STOP or START.

Keywords come from the catalogs (`keywords:` in prompts/<code>.yaml), from the
topics in prompts/menu.yaml (the Dutch names, valid in every language) and from
each language's name, aliases and code. A message matches when, after
normalising, the whole message equals a keyword: "DigiD" asks for the DigiD
guide, "rdw 11-zkz-3" does not ask for a topic.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from phoneline.catalog import KEYWORD_ACTIONS, Content

_NOT_WORD = re.compile(r"[^\w]+")

# Precedence when one phrase means several things: stopping and starting
# messages must never be shadowed by a topic word.
_PRECEDENCE = ("stop", "start", "forget", "language", "help", "topic")


@dataclass(frozen=True)
class Keyword:
    """What a keyword asks for.

    `action` is one of `_PRECEDENCE`; `value` is the topic id or language code
    it names ("" for the others); `lang` is the language whose catalog lists the
    word, or None for words valid in every language and for words that several
    languages share (such as "stop" or "меню").
    """

    action: str
    value: str
    lang: str | None


def normalise(text: str) -> str:
    """Return `text` folded for matching: no accents or vowel marks, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return " ".join(_NOT_WORD.sub(" ", bare.casefold()).split())


class KeywordIndex:
    """All keywords of the loaded content, by normalised phrase."""

    def __init__(self, content: Content) -> None:
        self._entries: dict[str, list[Keyword]] = {}

        for code in content.menu.languages:
            catalog = content.catalog(code)
            language = catalog.language
            for name in (language.name, code, *language.aliases):
                self._add(name, Keyword("language", code, code))
            for action in KEYWORD_ACTIONS:
                for word in catalog.keywords.get(action, ()):
                    self._add(word, Keyword(action, "", code))
            for topic in content.menu.topics:
                for word in catalog.keywords.get(topic.title_key, ()):
                    self._add(word, Keyword("topic", topic.id, code))

        for topic in content.menu.topics:
            for word in topic.keywords:
                self._add(word, Keyword("topic", topic.id, None))

    def lookup(self, message: str) -> Keyword | None:
        """Return what the whole message asks for, or None when it is no keyword."""
        found = self._entries.get(normalise(message))
        if not found:
            return None
        chosen = min(found, key=lambda keyword: _PRECEDENCE.index(keyword.action))
        same = [k for k in found if (k.action, k.value) == (chosen.action, chosen.value)]
        if len({keyword.lang for keyword in same}) > 1:
            return Keyword(chosen.action, chosen.value, None)
        return chosen

    def conflicts(self) -> list[tuple[str, list[Keyword]]]:
        """Return phrases that mean different things (other action or other topic or language)."""
        clashes = []
        for phrase, found in sorted(self._entries.items()):
            meanings = {(keyword.action, keyword.value) for keyword in found}
            if len(meanings) > 1:
                clashes.append((phrase, found))
        return clashes

    def _add(self, word: str, keyword: Keyword) -> None:
        phrase = normalise(word)
        if phrase:
            entries = self._entries.setdefault(phrase, [])
            if keyword not in entries:
                entries.append(keyword)


_indexes: dict[int, tuple[Content, KeywordIndex]] = {}


def keyword_index(content: Content) -> KeywordIndex:
    """Return the keyword index of `content`, built once per loaded content."""
    cached = _indexes.get(id(content))
    if cached is None or cached[0] is not content:
        cached = (content, KeywordIndex(content))
        _indexes[id(content)] = cached
    return cached[1]
