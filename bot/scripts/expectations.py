"""Matching what the bot sent against a step's ``expect`` items, and finding buttons.

Text checks ignore case, treat any run of spaces and line breaks as one space,
and read curly quotes as straight ones, so a script need not copy the bot's
typography to the letter.
"""

from __future__ import annotations

import re

from bot.scripts.channels import ScriptReply
from bot.scripts.model import Expectation

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
_WORDS = re.compile(r"[^\w\s&]+", re.UNICODE)


def fold(text: str) -> str:
    """Text as the checks compare it: case, spacing and quote style ignored."""
    return " ".join(text.translate(_QUOTES).casefold().split())


def label_core(label: str) -> str:
    """A label without its emoji and punctuation: ``"✅ Save"`` -> ``"save"``."""
    return " ".join(_WORDS.sub(" ", label.casefold()).split())


def _missing(item: Expectation, reply: ScriptReply) -> list[str]:
    """The positive checks of ``item`` that ``reply`` misses, as "contain ..." phrases."""
    text = fold(reply.text)
    labels = [fold(label) for label in reply.buttons]
    missing = [f'contain "{wanted}"' for wanted in item.text if fold(wanted) not in text]
    if item.regex is not None and not re.search(item.regex, reply.text, re.IGNORECASE):
        missing.append(f"match the pattern {item.regex}")
    missing += [
        f'have a button with "{wanted}"'
        for wanted in item.buttons or ()
        if not any(fold(wanted) in label for label in labels)
    ]
    return missing


def _unwanted(item: Expectation, reply: ScriptReply, number: int) -> list[str]:
    """The negative checks of ``item`` that ``reply`` breaks, each naming the reply."""
    text = fold(reply.text)
    line = item.where.line
    problems = [
        f'line {line}: reply {number} should not contain "{unwanted}"'
        for unwanted in item.not_text
        if fold(unwanted) in text
    ]
    if item.buttons == () and reply.buttons:
        problems.append(f"line {line}: reply {number} should have no buttons at all")
    for unwanted in item.no_buttons:
        hits = [label for label in reply.buttons if fold(unwanted) in fold(label)]
        if hits:
            problems.append(
                f'line {line}: reply {number} should have no button with "{unwanted}" '
                f"(it has [{hits[0]}])"
            )
    return problems


def _has_positive(item: Expectation) -> bool:
    return bool(item.text or item.regex is not None or item.buttons)


def check_replies(expect: tuple[Expectation, ...], replies: list[ScriptReply]) -> list[str]:
    """Every way ``replies`` miss ``expect``; empty when they match.

    Items are matched in order: each item is checked against the first reply, at or
    after the one the previous item matched, that has its text, pattern and buttons;
    ``not_text``/``no_buttons`` then apply to that reply. An item with only those
    negative checks applies them to every reply from there on.
    """
    problems: list[str] = []
    position = 0
    for item in expect:
        candidates = range(position, len(replies))
        if not _has_positive(item):
            for index in candidates:
                problems += _unwanted(item, replies[index], index + 1)
            continue
        found = next((i for i in candidates if not _missing(item, replies[i])), None)
        if found is None:
            problems.append(_not_found(item, replies, candidates))
            break  # later items are matched after this one, so they cannot be checked
        position = found
        problems += _unwanted(item, replies[found], found + 1)
    return problems


def _not_found(item: Expectation, replies: list[ScriptReply], candidates: range) -> str:
    line = item.where.line
    if len(candidates) == 1:
        missing = " and ".join(_missing(item, replies[candidates.start]))
        return f"line {line}: reply {candidates.start + 1} should {missing}"
    wanted = " and ".join(_missing(item, ScriptReply("", [])))
    if not candidates:
        return f"line {line}: expected a reply to {wanted}, but the bot sent nothing"
    return (
        f"line {line}: expected a reply to {wanted}; "
        f"none of replies {candidates.start + 1}–{candidates.stop} does"
    )


class NoSuchButton(LookupError):
    """``press`` matched no button, or more than one; the message says which were there."""


def find_button(wanted: str, labels: list[str]) -> str:
    """The one label containing ``wanted`` (case ignored); an exact label wins a tie."""
    if not labels:
        raise NoSuchButton(f'there was no button to press (wanted one with "{wanted}")')
    matches = [label for label in labels if fold(wanted) in fold(label)]
    if len(matches) > 1:
        exact = [label for label in matches if label_core(label) == label_core(wanted)]
        matches = exact if len(exact) == 1 else matches
    if len(matches) == 1:
        return matches[0]
    on_screen = ", ".join(f"[{label}]" for label in labels)
    if not matches:
        raise NoSuchButton(f'no button has "{wanted}" in its label; the buttons were: {on_screen}')
    raise NoSuchButton(
        f'{len(matches)} buttons have "{wanted}" in their label, so it is unclear which to '
        f"press; the buttons were: {on_screen}. Write more of the label."
    )
