"""Text messages built from the menus and guides: numbered SMS menus and texted guides.

A guide sent by text holds the topic title, every step numbered, and then the
desk block from `prompts/menu.yaml`: the Dutch names of the key things and the
official phone number, so the caller can show the message at a desk. The whole
text is split into numbered messages ("1/3", "2/3", ...) of at most
`MAX_SEGMENTS` segments each, so one message never costs more than that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from phoneline.catalog import Catalog, Category, Content, Topic
from phoneline.sms_segments import count_segments

MAX_SEGMENTS = 3

# Voice prompts write phone numbers digit by digit in comma-separated groups
# ("0 8 8, 0 4 3, 0 4 3 0") so that every voice reads digits. In a text the
# same number reads better as "088 043 0430". A group is two or more single
# digits separated by spaces; groups are separated by a comma and a space (Latin
# or Arabic comma).
_SPOKEN_NUMBER = re.compile(r"(?<![\d,،])\d(?: \d)+(?:[,،] \d(?: \d)+)*(?!\d)")
_GROUP_SEPARATOR = re.compile(r"[,،] ")


def written_form(text: str) -> str:
    """Return `text` with spoken digit-by-digit phone numbers written as usual."""

    def join(match: re.Match[str]) -> str:
        groups = _GROUP_SEPARATOR.split(match.group(0))
        return " ".join(group.replace(" ", "") for group in groups)

    return _SPOKEN_NUMBER.sub(join, text)


def menu_label(text: str) -> str:
    """Return a voice menu title ("Get your DigiD,") without its trailing comma."""
    return text.rstrip(" ,،、")


def root_menu_text(content: Content, catalog: Catalog) -> str:
    """Return the numbered SMS list of categories with the reply and language hints."""
    return _numbered(catalog, list(content.menu.categories), footer=True)


def category_menu_text(content: Content, catalog: Catalog, category: Category) -> str:
    """Return the numbered SMS list of one category's topics."""
    return _numbered(catalog, content.menu.category_topics(category), footer=False)


def _numbered(catalog: Catalog, items: Sequence[Category | Topic], footer: bool) -> str:
    lines = [catalog.text("sms.menu.reply")]
    for number, item in enumerate(items, start=1):
        lines.append(f"{number} {menu_label(catalog.text(item.title_key))}")
    if footer:
        lines.append(catalog.text("sms.menu.footer"))
    return "\n".join(lines)


def guide_lines(catalog: Catalog, topic: Topic) -> list[str]:
    """Return the lines of the texted guide: title, numbered steps, desk block."""
    lines = [menu_label(catalog.text(topic.title_key))]
    for number, step in enumerate(topic.steps, start=1):
        lines.append(f"{number}. {written_form(catalog.text(step.key))}")

    desk = topic.desk
    if desk.terms or desk.phone_number:
        # One line, so that the heading never ends up in another message than the terms.
        block = [catalog.text("sms.guide.desk")]
        if desk.terms:
            block.append(", ".join(desk.terms))
        if desk.phone_name and desk.phone_number:
            block.append(
                catalog.text("sms.guide.phone", name=desk.phone_name, number=desk.phone_number)
            )
        lines.append("\n".join(block))
    return lines


def guide_messages(catalog: Catalog, topic: Topic) -> list[str]:
    """Return the texted guide as numbered messages of at most `MAX_SEGMENTS` segments."""
    return split_messages(guide_lines(catalog, topic))


def split_messages(lines: list[str], max_segments: int = MAX_SEGMENTS) -> list[str]:
    """Pack `lines` into as few messages as fit `max_segments` each, numbered "k/n".

    Lines stay whole unless one line alone is too long; such a line is cut at
    spaces (or, without spaces, anywhere).
    """
    # Reserve room for the longest possible counter, "99/99\n", while packing.
    reserve = "99/99\n"
    pieces: list[str] = []
    for line in lines:
        pieces.extend(_cut(line, reserve, max_segments))

    bodies: list[str] = []
    current: list[str] = []
    for piece in pieces:
        candidate = "\n".join([*current, piece])
        if current and not _fits(reserve + candidate, max_segments):
            bodies.append("\n".join(current))
            current = [piece]
        else:
            current.append(piece)
    if current:
        bodies.append("\n".join(current))

    if len(bodies) == 1:
        return bodies
    total = len(bodies)
    return [f"{index}/{total}\n{body}" for index, body in enumerate(bodies, start=1)]


def _fits(text: str, max_segments: int) -> bool:
    return count_segments(text).segments <= max_segments


def _cut(line: str, reserve: str, max_segments: int) -> list[str]:
    """Split one line that does not fit a message on its own into pieces that do."""
    if _fits(reserve + line, max_segments):
        return [line]

    pieces: list[str] = []
    rest = line
    while rest and not _fits(reserve + rest, max_segments):
        # Longest prefix that fits, found by bisection over character positions.
        low, high = 1, len(rest)
        while low < high:
            middle = (low + high + 1) // 2
            if _fits(reserve + rest[:middle], max_segments):
                low = middle
            else:
                high = middle - 1
        cut = rest.rfind(" ", 0, low + 1)
        if cut <= 0:
            cut = low
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
