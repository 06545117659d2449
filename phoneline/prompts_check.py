"""`phoneline prompts check`: find what would make the line say or text something wrong.

Errors (the command exits non-zero) name the file and the key:
- a catalog lacks a key or a keyword list that another catalog or the menu has;
- a guide step names no source, or no date it was checked;
- a spoken prompt has a {placeholder}, or a template's placeholders differ from English;
- a language's metadata is missing or inconsistent;
- an SMS text, menu or texted-guide message is over the segment budget;
- one SMS keyword means different things in different catalogs.

Warnings: guide steps checked longer ago than the maximum age, and spoken steps
of more than `MAX_STEP_WORDS` words in Dutch or English. The report lists the
segment count of every SMS text per language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from phoneline.catalog import (
    DEFAULT_PROMPTS_DIR,
    Catalog,
    CatalogError,
    Content,
    load_content,
    placeholders,
)
from phoneline.guide_text import (
    MAX_SEGMENTS,
    category_menu_text,
    guide_messages,
    root_menu_text,
    written_form,
)
from phoneline.keywords import KeywordIndex
from phoneline.sms_segments import count_segments

DEFAULT_MAX_AGE_DAYS = 180
MAX_STEP_WORDS = 25
TEMPLATE_PREFIXES = ("sms.", "date.")
REVIEW_STATUSES = {"reviewed", "unreviewed"}
# Example values for SMS placeholders: as long as real values get.
SAMPLE_DATE = dt.date(2026, 9, 28)
SAMPLE_VALUES = {"plate": "AB-123-C", "name": "Politie, geen spoed", "number": "050 599 96 00"}


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)


def check_prompts(
    prompts_dir: Path = DEFAULT_PROMPTS_DIR,
    today: dt.date | None = None,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Report:
    """Check the menu file and every catalog in `prompts_dir` and return what was found."""
    report = Report()
    try:
        content = load_content(prompts_dir)
    except CatalogError as error:
        report.errors.append(str(error))
        return report

    _check_keys(content, report)
    _check_steps(content, report, today or dt.date.today(), max_age_days)
    _check_placeholders(content, report)
    _check_languages(content, report)
    _check_keywords(content, report)
    if not report.errors:
        # Rendering texts needs every key, so budgets are checked on complete catalogs.
        _check_segments(content, report)
    return report


def _check_keys(content: Content, report: Report) -> None:
    required = content.required_keys()
    keywords = content.required_keywords()
    for catalog in content.catalogs.values():
        name = catalog.path.name
        for key in sorted(required - set(catalog.prompts)):
            report.errors.append(f"{name}: missing key {key}")
        for key in sorted(key for key in keywords if not catalog.keywords.get(key)):
            report.errors.append(f"{name}: missing keywords {key}")
        for key, text in sorted(catalog.prompts.items()):
            if not text:
                report.errors.append(f"{name}: empty key {key}")


def _check_steps(content: Content, report: Report, today: dt.date, max_age_days: int) -> None:
    menu_file = "menu.yaml"
    for topic in content.menu.topics:
        if not topic.steps:
            report.errors.append(f"{menu_file}: topic {topic.id} has no steps")
        for step in topic.steps:
            if not step.sources:
                report.errors.append(f"{menu_file}: {step.key} has no source")
            for source in step.sources:
                if not source.startswith("https://"):
                    report.errors.append(f"{menu_file}: {step.key} source {source!r} is not https")
            if step.checked is None:
                report.errors.append(f"{menu_file}: {step.key} has no checked date")
            elif (today - step.checked).days > max_age_days:
                age = (today - step.checked).days
                report.warnings.append(
                    f"{menu_file}: {step.key} was checked {age} days ago ({step.checked}); "
                    f"check it against {step.source} again"
                )

    for code in ("nl", "en"):
        catalog = content.catalogs.get(code)
        for topic in content.menu.topics if catalog else ():
            for step in topic.steps:
                # A phone number spoken digit by digit counts as one word.
                text = written_form(catalog.prompts.get(step.key, "")) if catalog else ""
                words = len(text.split())
                if words > MAX_STEP_WORDS:
                    report.warnings.append(
                        f"{code}.yaml: {step.key} has {words} words; keep spoken steps short"
                    )


def _check_placeholders(content: Content, report: Report) -> None:
    english = content.catalogs.get("en")
    for catalog in content.catalogs.values():
        name = catalog.path.name
        for key, text in sorted(catalog.prompts.items()):
            try:
                used = placeholders(text)
            except ValueError as error:
                report.errors.append(f"{name}: {key} is not a valid template: {error}")
                continue
            if not key.startswith(TEMPLATE_PREFIXES) and used:
                report.errors.append(f"{name}: spoken key {key} has placeholders {sorted(used)}")
            if english is not None and key in english.prompts:
                expected = placeholders(english.prompts[key])
                if used != expected:
                    report.errors.append(
                        f"{name}: {key} has placeholders {sorted(used)}, en.yaml has "
                        f"{sorted(expected)}"
                    )


def _check_languages(content: Content, report: Report) -> None:
    for catalog in content.catalogs.values():
        name = catalog.path.name
        language = catalog.language
        if not language.name:
            report.errors.append(f"{name}: language.name is missing")
        if not language.bcp47:
            report.errors.append(f"{name}: language.bcp47 is missing")
        if language.direction not in {"ltr", "rtl"}:
            report.errors.append(f"{name}: language.direction must be ltr or rtl")
        if (language.say_voice is None) != (language.say_language is None):
            report.errors.append(f"{name}: language.say needs both voice and language, or none")
        if language.review_status not in REVIEW_STATUSES:
            report.errors.append(
                f"{name}: language.review.status must be reviewed or unreviewed"
            )
        if language.reviewed and not (language.reviewed_by and language.reviewed_on):
            report.errors.append(f"{name}: a reviewed language needs review.by and review.date")


def _check_keywords(content: Content, report: Report) -> None:
    for phrase, meanings in KeywordIndex(content).conflicts():
        described = ", ".join(
            f"{keyword.action} {keyword.value}".strip() + f" ({keyword.lang or 'menu.yaml'})"
            for keyword in meanings
        )
        report.errors.append(f"keyword {phrase!r} means several things: {described}")


def _check_segments(content: Content, report: Report) -> None:
    report.segments.append(f"SMS segments per text (budget: {MAX_SEGMENTS} per message)")
    for code in content.menu.languages:
        catalog = content.catalog(code)
        report.segments.append(f"{code}:")
        for key, text in _sms_texts(content, catalog):
            count = count_segments(text)
            report.segments.append(f"  {key}: {count.segments} ({count.encoding})")
            if count.segments > MAX_SEGMENTS:
                report.errors.append(
                    f"{catalog.path.name}: {key} is {count.segments} segments "
                    f"({count.encoding}, {count.units} units), over the budget of {MAX_SEGMENTS}"
                )
        for topic in content.menu.topics:
            counts = [count_segments(text) for text in guide_messages(catalog, topic)]
            sizes = "+".join(str(count.segments) for count in counts)
            report.segments.append(f"  guide {topic.id}: {len(counts)} messages, {sizes} segments")
            if any(count.segments > MAX_SEGMENTS for count in counts):
                report.errors.append(
                    f"{catalog.path.name}: guide {topic.id} has a message over the budget "
                    f"of {MAX_SEGMENTS} segments"
                )


def _sms_texts(content: Content, catalog: Catalog) -> list[tuple[str, str]]:
    """Return every single SMS text of a catalog, rendered with sample values."""
    texts = []
    for key, template in sorted(catalog.prompts.items()):
        if key.startswith("sms."):
            values = {name: _sample(catalog, name) for name in placeholders(template)}
            texts.append((key, template.format(**values)))
    texts.append(("menu (categories)", root_menu_text(content, catalog)))
    for category in content.menu.categories:
        texts.append((f"menu {category.id}", category_menu_text(content, catalog, category)))
    return texts


def _sample(catalog: Catalog, name: str) -> str:
    if name == "date":
        month = catalog.text(f"month.{SAMPLE_DATE.month}")
        return catalog.text("date.format", day=SAMPLE_DATE.day, month=month, year=SAMPLE_DATE.year)
    return SAMPLE_VALUES.get(name, "X" * 12)
