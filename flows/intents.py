"""Typed requests: map free text such as “chnage my email” to a flow, tolerating typos.

Each word is corrected against a small vocabulary with rapidfuzz, then the
intent with the strongest signal wins. Closing needs an explicit verb *and* the
word account, so a stray “close” never starts the destructive flow by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

CLOSE_VERBS = {"close", "delete", "terminate", "cancel", "remove", "shut", "deactivate"}
EDIT_VERBS = {"change", "edit", "update", "modify", "set", "correct", "fix"}
PACKAGE_WORDS = {
    "package",
    "plan",
    "usage",
    "use",
    "used",
    "quota",
    "limit",
    "limits",
    "tier",
    "balance",
    "subscription",
    "subscriptions",
    "compare",
    "included",
    "includes",
    "meter",
}
DETAIL_WORDS = {"details", "detail", "info", "information", "profile", "view", "show", "see"}
ACCOUNT_WORDS = {"account", "acount"}
FIELD_WORDS = {
    "email": "contact_email",
    "e-mail": "contact_email",
    "mail": "contact_email",
    "phone": "contact_phone",
    "telephone": "contact_phone",
    "mobile": "contact_phone",
    "address": "address",
    "country": "country",
    "timezone": "timezone",
    "zone": "timezone",
    "contact": "contact_name",
    "registration": "registration_number",
    "legal": "legal_name",
    "currency": "billing_currency",
    "name": "name",
}
HELP_WORDS = {"help", "how", "what", "can"}


@dataclass(frozen=True, slots=True)
class Intent:
    """A recognised request: which flow, with which arguments."""

    flow: str
    args: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _vocabulary() -> list[str]:
    words = CLOSE_VERBS | EDIT_VERBS | PACKAGE_WORDS | DETAIL_WORDS | ACCOUNT_WORDS
    return sorted(words | set(FIELD_WORDS) | {"time", "my"})


def _corrected(word: str) -> str:
    if len(word) < 4:
        return word
    match = process.extractOne(word, _vocabulary(), scorer=fuzz.ratio, score_cutoff=80)
    return match[0] if match else word


def words_of(text: str) -> list[str]:
    """Lower-case words with typos corrected against the vocabulary."""
    return [_corrected(w) for w in re.findall(r"[a-z][a-z\-]*", text.casefold())]


def recognise(text: str) -> Intent | None:
    """The flow a typed request asks for, or None when it is not a request we know."""
    words = words_of(text)
    present = set(words)
    if "time" in present and "zone" in present:
        present.add("timezone")
    if present & CLOSE_VERBS and present & ACCOUNT_WORDS:
        return Intent("close")
    fields = [FIELD_WORDS[w] for w in words if w in FIELD_WORDS]
    if "timezone" in present:
        fields.insert(0, "timezone")
    if present & EDIT_VERBS:
        return Intent("edit", {"field": fields[0]} if fields else {})
    if present & PACKAGE_WORDS:
        return Intent("package")
    if present & DETAIL_WORDS or present & ACCOUNT_WORDS or fields:
        return Intent("details")
    return None
