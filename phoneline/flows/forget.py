"""The SMS keyword FORGET: delete everything the line stores about the sender's number.

The keywords come from each catalog's `keywords.forget` entry (comma-separated),
so a new language brings its own word. A message matches when, apart from case,
accents, spaces and punctuation at either end, it is exactly one of them. The
reply is in the language of the keyword that matched.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import TYPE_CHECKING

from phoneline.catalog import Content
from phoneline.webhook import note, services

if TYPE_CHECKING:
    from phoneline.flows.sms import Message

log = logging.getLogger(__name__)

KEYWORDS_KEY = "keywords.forget"


def forget_request(message: Message) -> list[str] | None:
    """Forget the sender when the message is a FORGET keyword in any language."""
    found = services()
    lang = forget_keyword_language(found.content, message.body)
    if lang is None:
        return None

    deleted = found.store.forget(message.sender_key)
    log.info("%s forgot a number: %d stored values deleted", message.sid, deleted)
    note("forget", "done")
    return [found.content.catalog(lang).text("sms.forget.done")]


def forget_keyword_language(content: Content, body: str) -> str | None:
    """Return the language whose FORGET keyword `body` is, or None when it is none."""
    text = normalise_keyword(body)
    if not text:
        return None
    for code in content.menu.languages:
        catalog = content.catalog(code)
        keywords = {normalise_keyword(word) for word in catalog.text(KEYWORDS_KEY).split(",")}
        if text in keywords:
            return code
    return None


def normalise_keyword(text: str) -> str:
    """Fold case, drop accents and Arabic vowel marks, trim punctuation, collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    words = letters.split()
    return " ".join(words).strip(".,!?;:'\"()؟،")
