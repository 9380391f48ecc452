"""Typed requests: map free text such as “chnage my email” to a flow, tolerating typos.

Each flow declares the words that ask for it, once, on its class: an
:class:`IntentRule` (``intent_rule``). This module holds what is no one flow's: the
words for the account and its fields, typo correction, and the recogniser. Each
typed word is corrected with rapidfuzz against the words of every registered rule,
then the rules are tried from the highest precedence down and the first that
matches names the flow. (The close flow's rule needs a verb *and* the word account,
so a stray “close” never starts the destructive flow by itself.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from flows.i18n import fold
from flows.registry import FLOWS


def words(text: str) -> frozenset[str]:
    """The words of ``text`` (split at spaces): a rule's word group, written compactly."""
    return frozenset(text.split())


ACCOUNT_WORDS = words("account acount cuenta")
"""Words for the account itself, which several flows' rules look for."""

FIELD_WORDS: Mapping[str, str] = {
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
    # Spanish, typed without accents or folded to it ("teléfono" reads "telefono")
    "correo": "contact_email",
    "telefono": "contact_phone",
    "movil": "contact_phone",
    "direccion": "address",
    "domicilio": "address",
    "pais": "country",
    "horaria": "timezone",
    "contacto": "contact_name",
    "registro": "registration_number",
    "moneda": "billing_currency",
    "divisa": "billing_currency",
}
"""Words that name an account field, and the field each names."""

TIME_ZONE = ("time", "zone")
"""Two words that, both typed, name the time zone (and it comes before other fields)."""


@dataclass(frozen=True, slots=True)
class Intent:
    """A recognised request: which flow, with which arguments."""

    flow: str
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Request:
    """Typed text as rules see it: corrected words, and the account fields they name."""

    words: tuple[str, ...]  # in the order typed
    present: frozenset[str]  # with "timezone" when "time" and "zone" were both typed
    fields: tuple[str, ...]  # field names, the time zone first, then as typed

    def has_any(self, words: frozenset[str]) -> bool:
        """Whether any of ``words`` was typed."""
        return not self.present.isdisjoint(words)


ArgumentReader = Callable[[Request], Mapping[str, str]]
"""Reads a flow's arguments from the request (the field to edit, say)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IntentRule:
    """Which typed words ask for a flow, and how; declared on the flow's class.

    It matches when every group in ``all_of`` has a word in the request and, when
    ``any_of`` is given, at least one of its groups has. Rules are tried from the
    highest ``precedence`` down (no two flows share one), so a request that fits
    several goes to the one that matters most. ``arguments`` reads the flow's
    arguments from the request; they reach ``FlowMachine.entry``.
    """

    precedence: int
    all_of: tuple[frozenset[str], ...] = ()
    any_of: tuple[frozenset[str], ...] = ()
    arguments: ArgumentReader | None = None

    def __post_init__(self) -> None:
        if not (self.all_of or self.any_of):
            raise ValueError("an intent rule needs words: all_of, any_of or both")

    @property
    def words(self) -> frozenset[str]:
        """Every word the rule looks for; typed words are corrected towards them."""
        return frozenset().union(*self.all_of, *self.any_of)

    def matches(self, request: Request) -> bool:
        """Whether the request asks for this rule's flow."""
        if not all(request.has_any(group) for group in self.all_of):
            return False
        return not self.any_of or any(request.has_any(group) for group in self.any_of)


def field_argument(request: Request) -> dict[str, str]:
    """``field``: the account field the request names first, if it names one."""
    return {"field": request.fields[0]} if request.fields else {}


def recognise(text: str) -> Intent | None:
    """The flow a typed request asks for, or None when it is not a request we know."""
    rules = FLOWS.intent_rules()
    request = read_request(text, _vocabulary(tuple(rule for _, rule in rules)))
    for flow, rule in rules:
        if rule.matches(request):
            arguments = rule.arguments(request) if rule.arguments is not None else {}
            return Intent(flow, dict(arguments))
    return None


def read_request(text: str, vocabulary: tuple[str, ...]) -> Request:
    """The words of ``text``, lower case, typos corrected against ``vocabulary``."""
    typed = re.findall(r"[a-z][a-z\-]*", fold(text))  # "Teléfono" -> "telefono"
    words = tuple(_corrected(w, vocabulary) for w in typed)
    present = set(words)
    if present.issuperset(TIME_ZONE):
        present.add("timezone")
    fields = [FIELD_WORDS[w] for w in words if w in FIELD_WORDS]
    if "timezone" in present:
        fields.insert(0, "timezone")
    return Request(words, frozenset(present), tuple(fields))


@lru_cache(maxsize=8)
def _vocabulary(rules: tuple[IntentRule, ...]) -> tuple[str, ...]:
    # Keyed by the rules, so a flow registered later (a test's) is corrected towards too.
    words = ACCOUNT_WORDS.union(FIELD_WORDS, TIME_ZONE, *(rule.words for rule in rules))
    return tuple(sorted(words))  # sorted: which of two equal scores wins never varies


def _corrected(word: str, vocabulary: tuple[str, ...]) -> str:
    if len(word) < 4:
        return word
    match = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=80)
    return match[0] if match else word
