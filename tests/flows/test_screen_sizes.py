"""Every screen fits a phone: no message of any flow is longer than ten lines.

The walk goes through the real engine on a real database, as each demo member (all
three demo accounts): from the menu it presses every button and types what moves a
step on (an account name, a misspelt time zone, "yes", "back"), breadth first, and at
every screen also types nonsense, asks for help and presses an expired button. Each
branch goes on in a chat of its own (the conversation record copied to a new chat), so
what one branch did never leaks into another. Buttons that write (Save, the final
Close) are pressed at the end, once per member, and what follows is measured too.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator
from copy import deepcopy
from dataclasses import dataclass, field, replace
from itertools import count

import pytest

from flows.engine import Engine
from flows.registry import FLOWS
from flows.tokens import decode
from flows.types import Reply
from storage.sandbox import FreshDatabase, fresh_demo_database
from tests.flows.talk import Talk, make_engine

MAX_LINES = 10
"""Lines as a phone shows them: each line of the message text; buttons are not lines."""

MEMBERS = {
    "owner@acme.example": "Acme Trading Ltd",
    "admin@acme.example": "Acme Trading Ltd",
    "viewer@acme.example": "Acme Trading Ltd",
    "owner@globex.example": "Globex Retail",
    "owner@initech.example": "Initech Payments",
}
WRITES = frozenset(event for flow in FLOWS.values() for event in flow.commits)
PER_MEMBER = frozenset({"choose"})
"""Choices that change the member, not the chat (the language): a branch taking one would
change every other branch of the walk; the Language screen itself is still measured."""
MAX_DEPTH = 5

Step = tuple[str, str]  # ("press", label) | ("say", text) | ("stale", "")
STALE_PRESS = "expired0:start.details"  # a menu token that is never the current one


@dataclass
class Walk:
    """One member's walk: every message seen, with the steps that led to it."""

    db: FreshDatabase
    email: str
    engine: Engine
    chats: count[int] = field(default_factory=count)
    seen: dict[str, tuple[Step, ...]] = field(default_factory=dict)

    async def start(self) -> Talk:
        talk = await Talk.open(self.engine, self.db, self.email, channel=f"walk{next(self.chats)}")
        self.note(await talk.say("/start"), ())
        return talk

    async def fork(self, talk: Talk) -> Talk:
        """A new chat of the same member exactly where ``talk`` is (its conversation record
        copied), so each branch of the walk goes on from there on its own."""
        other = await Talk.open(self.engine, self.db, self.email, channel=f"walk{next(self.chats)}")
        async with self.db.stores.transaction() as store:
            record = await store.load_conversation(talk.key)
            assert record is not None
            copied = replace(record, key=other.key, version=0, data=deepcopy(record.data))
            await store.save_conversation(copied)
        other.screen, other.replies = talk.screen, talk.replies
        return other

    async def step(self, talk: Talk, path: tuple[Step, ...]) -> None:
        """Take the last step of ``path`` in ``talk``; keep every message it brings."""
        kind, value = path[-1]
        if kind == "press":
            replies = await talk.press(value)
        elif kind == "stale":
            replies = await talk.press_token(STALE_PRESS)
        else:
            replies = await talk.say(value)
        self.note(replies, path)

    def note(self, replies: list[Reply], path: tuple[Step, ...]) -> None:
        for reply in replies:
            self.seen.setdefault(reply.text, path)


def moves(talk: Talk, name: str) -> list[Step]:
    """The steps worth following from the screen ``talk`` is on: every button but those
    that write, and where the step asks for typing, what moves it on."""
    steps: list[Step] = []
    for choice in talk.screen.choices if talk.screen else []:
        pressed = decode(choice.token)
        event = pressed.action.partition(".")[0] if pressed is not None else ""
        if pressed is not None and event not in WRITES | PER_MEMBER:
            steps.append(("press", choice.label))
    text = talk.text.casefold()
    if "type" in text:
        steps += [("say", name), ("say", "Europe/Londn"), ("say", "Germny")]
    if "did you mean" in text:
        steps.append(("say", "yes"))
    return steps


LOOKS: tuple[Step, ...] = (("say", "xyzzy"), ("say", "help"), ("say", "/help"), ("stale", ""))
"""Steps that leave the conversation where it was: measured, not followed."""


async def signature(found: Walk, talk: Talk) -> str:
    """Where the chat is: its stored flow and step, and what in the flow's data changes
    the screen (the field being typed, a comparison page, whether changes are pending,
    suggestions on offer, wrong names so far); not which values were typed."""
    async with found.db.stores.transaction() as store:
        record = await store.load_conversation(talk.key)
    assert record is not None
    data = record.data.get("flow") or {}
    shown = [data.get(key) for key in ("field", "page", "suggestions", "attempts")]
    return json.dumps([record.flow, record.state, *shown, bool(data.get("pending"))])


async def walk(db: FreshDatabase, email: str) -> Walk:
    """Breadth first from the menu, each screen once, at most ``MAX_DEPTH`` steps deep."""
    found = Walk(db, email, make_engine(db))
    queue: deque[tuple[Talk, tuple[Step, ...]]] = deque([(await found.start(), ())])
    known: set[str] = set()
    while queue:
        talk, path = queue.popleft()
        place = await signature(found, talk)
        if place in known:
            continue
        known.add(place)
        looking = await found.fork(talk)
        for look in LOOKS:
            await found.step(looking, (*path, look))
        if len(path) >= MAX_DEPTH:
            continue
        for move in moves(talk, MEMBERS[email]):
            branch = await found.fork(talk)
            await found.step(branch, (*path, move))
            queue.append((branch, (*path, move)))
    return found


async def replay(found: Walk, path: tuple[Step, ...]) -> None:
    """A new chat taken along ``path`` from the menu, every message kept."""
    talk = await found.start()
    for index in range(len(path)):
        await found.step(talk, path[: index + 1])


def saving(email: str) -> tuple[Step, ...]:
    """Change the contact e-mail (to one of the editor's own) and save it."""
    return (
        ("say", "edit details"), ("press", "Contact e-mail"), ("say", f"billing.{email}"),
        ("press", "Save"), ("say", "menu"),
    )


CLOSING: tuple[Step, ...] = (("say", "close my account"), ("press", "Continue"))


@pytest.fixture
async def db() -> AsyncIterator[FreshDatabase]:
    """SQLite alone: what a screen says does not depend on the backend (the storage tests
    run on both), and the walk is a few thousand turns."""
    database = await fresh_demo_database("sqlite")
    try:
        yield database
    finally:
        await database.dispose()


async def test_no_screen_is_longer_than_ten_lines(db: FreshDatabase) -> None:
    walks = [await walk(db, email) for email in MEMBERS]
    by_email = {found.email: found for found in walks}
    # Then what writes, once: a save by each editor, then the two closable accounts closed
    # (their members see the closed notice from then on).
    for email in ("owner@acme.example", "admin@acme.example", "owner@initech.example"):
        await replay(by_email[email], saving(email))
    for email in ("owner@acme.example", "owner@initech.example"):
        name = MEMBERS[email]
        await replay(by_email[email], (*CLOSING, ("say", name), ("press", "permanently")))
    for found in walks:
        await replay(found, (("say", "menu"), ("say", "help")))
    too_long = [
        f"{found.email} after {list(path)}: {text.count(chr(10)) + 1} lines\n{text}"
        for found in walks
        for text, path in found.seen.items()
        if text.count("\n") + 1 > MAX_LINES
    ]
    assert not too_long, "\n\n".join(too_long)
    assert sum(len(found.seen) for found in walks) > 150  # the walk did go everywhere
