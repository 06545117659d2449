"""The shipped catalogs and menu file are complete and consistent."""

from __future__ import annotations

import re

import pytest

from phoneline.catalog import NAV_ACTIONS, Content, load_content, placeholders
from phoneline.speech import press_key

# Keys filled in with values when an SMS is built; every other prompt is spoken as is.
TEMPLATE_PREFIXES = ("sms.", "date.")


def test_every_language_has_every_key(content: Content) -> None:
    required = content.required_keys()
    for code, catalog in content.catalogs.items():
        missing = sorted(required - set(catalog.prompts))
        assert missing == [], f"{code}.yaml lacks {missing}"


def test_no_empty_prompts(content: Content) -> None:
    for code, catalog in content.catalogs.items():
        empty = [key for key, text in catalog.prompts.items() if not text.strip()]
        assert empty == [], f"{code}.yaml has empty prompts {empty}"


def test_spoken_prompts_have_no_placeholders(content: Content) -> None:
    for code, catalog in content.catalogs.items():
        for key, text in catalog.prompts.items():
            if not key.startswith(TEMPLATE_PREFIXES):
                assert placeholders(text) == set(), f"{code}.yaml {key} has a placeholder"


def test_templates_use_same_placeholders(content: Content) -> None:
    english = content.catalog("en")
    for code, catalog in content.catalogs.items():
        for key, text in catalog.prompts.items():
            assert placeholders(text) == placeholders(english.text(key)), f"{code}.yaml {key}"


def test_every_key_has_press_prompt(content: Content) -> None:
    keys = list(content.menu.nav_keys.values()) + list(content.menu.choice_keys)
    for code, catalog in content.catalogs.items():
        for key in keys:
            assert catalog.has(press_key(key)), f"{code}.yaml lacks {press_key(key)}"


def test_nav_actions_all_bound(content: Content) -> None:
    assert set(content.menu.nav_keys) == set(NAV_ACTIONS)


def test_every_step_names_source(content: Content) -> None:
    for topic in content.menu.topics:
        for step in topic.steps:
            assert step.source.startswith("https://"), step.key
            assert step.checked is not None, step.key


def test_language_metadata_declared(content: Content) -> None:
    for code, catalog in content.catalogs.items():
        language = catalog.language
        assert language.name, code
        assert language.bcp47, code
        assert language.direction in {"ltr", "rtl"}, code


@pytest.mark.parametrize("code", ["nl", "en", "ar"])
def test_skeleton_languages_spoken(content: Content, code: str) -> None:
    assert content.catalog(code).language.say_language is not None


def test_missing_catalog_key_named(content: Content) -> None:
    catalog = content.catalog("en")
    with pytest.raises(KeyError, match=re.escape("en.yaml has no prompt 'nope'")):
        catalog.text("nope")


def test_loading_twice_gives_same_content() -> None:
    assert load_content().required_keys() == load_content().required_keys()
