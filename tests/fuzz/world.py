"""One fuzz example's world: the real bot on a private demo database, five linked chats.

The bot is the production stack minus the network: aiogram's dispatcher with every
router and middleware (``TelegramHarness``), the engine with a hand-moved clock, and
a fresh SQLite copy of the demo data. Usage charts are left out: drawing them with
matplotlib would take most of the time, and a failed chart is not an error the user
sees (the engine sends the text alone).

After every step the world reads back what is stored (:mod:`tests.fuzz.stored`) and
what every chat was sent, for :mod:`tests.fuzz.invariants` to judge.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from bot.scripts.clock import ManualClock
from flows.engine import Engine
from flows.settings import EngineSettings
from storage.models import Membership, User
from storage.sandbox import FreshDatabase, fresh_demo_database
from testkit.telegram.harness import SentMessage, TelegramHarness, TelegramTestClient
from tests.fuzz.stored import AccountState, Snapshot, StoredState

EMAILS = (
    "owner@acme.example",
    "admin@acme.example",
    "viewer@acme.example",
    "owner@globex.example",
    "owner@initech.example",
)
SETTINGS = EngineSettings()  # the defaults: 10-minute flows, a 3-minute close button
CLOSE_LABEL = re.compile(r"^Close .+ permanently$", re.DOTALL)
SAVE_LABELS = ("✅ Save", "✅ Save my changes")
HISTORY = 25  # steps shown when an invariant fails


@dataclass(frozen=True, slots=True)
class Member:
    """A demo user, their chat and their role on their one account."""

    email: str
    chat_id: int
    user_id: int
    account_id: int
    role: str


StepKind = Literal["setup", "type", "press", "wait", "relink"]


@dataclass(frozen=True, slots=True)
class Step:
    """One thing that happened, as it was actually done (texts resolved, data built).

    ``label_on_screen`` is the label of a button carrying exactly ``data`` somewhere in
    the chat when it was pressed (None when none does: the data was made up). A forgery
    equal to a shown button's data is, to the bot and to the checks, that button.
    """

    kind: StepKind
    rule: str
    email: str | None = None
    text: str | None = None
    data: str | None = None
    message_id: int | None = None
    seconds: int = 0
    label_on_screen: str | None = None

    @property
    def is_press(self) -> bool:
        return self.kind == "press"

    def describe(self) -> str:
        who = f"{self.email}: " if self.email else ""
        if self.kind in ("type", "setup"):
            return f"{self.rule} {who}types {short(self.text or '')}"
        if self.kind == "press":
            shown = f" (on screen: {self.label_on_screen!r})" if self.label_on_screen else ""
            return f"{self.rule} {who}presses {self.data!r} on #{self.message_id}{shown}"
        if self.kind == "wait":
            return f"wait {self.seconds} s"
        return f"{self.rule} {who}chat linked again"


@dataclass(slots=True)
class StepResult:
    """A step with the state before and after it and everything the bot said."""

    step: Step
    before: Snapshot
    after: Snapshot
    now: datetime
    sent: dict[int, list[SentMessage]]  # chat id -> bot messages sent or re-written
    answers: list[str]  # toast texts of answered button presses
    errors: list[BaseException]
    close_shown_at: datetime | None  # when the acting chat's close button appeared
    logged: list[str]  # errors the bot logged meanwhile (why an apology was sent)


def short(text: str, limit: int = 70) -> str:
    """A readable ``repr`` of possibly huge text."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} chars)"


class ErrorLog(logging.Handler):
    """Keeps the errors the bot logs (with their exception), to explain a failed step."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = f"{record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line += f" ({type(error).__name__}: {error})"
        self.lines.append(line)


class World:
    """The bot, its database and clock, and one client per demo user (see module doc)."""

    def __init__(
        self,
        db: FreshDatabase,
        stored: StoredState,
        workdir: Path,
        clock: ManualClock,
        harness: TelegramHarness,
        clients: dict[str, TelegramTestClient],
        members: dict[str, Member],
    ) -> None:
        self.db = db
        self.stored = stored
        self.workdir = workdir
        self.clock = clock
        self.harness = harness
        self.clients = clients
        self.members = members
        self.snapshot: Snapshot | None = None
        self.initial: Snapshot | None = None
        # Every button each chat was ever shown: (message id, data, label).
        self.seen: dict[int, list[tuple[int, str, str]]] = {m.chat_id: [] for m in
                                                            members.values()}
        self.close_shown_at: dict[int, datetime | None] = dict.fromkeys(self.seen)
        self.history: deque[str] = deque(maxlen=HISTORY)
        self.log = ErrorLog()
        logging.getLogger().addHandler(self.log)

    @classmethod
    async def open(cls) -> World:
        # tmpfs when there is one: every update ends in an fsync (synchronous=FULL).
        shm = Path("/dev/shm")
        workdir = Path(tempfile.mkdtemp(prefix="fuzz_", dir=shm if shm.is_dir() else None))
        db = await fresh_demo_database("sqlite", workdir)
        clock = ManualClock()
        engine = Engine(db.stores, SETTINGS, clock=clock)
        harness = TelegramHarness(engine, db.database, record=False)
        harness.telegram.record_calls = False
        clients: dict[str, TelegramTestClient] = {}
        for index, email in enumerate(EMAILS):
            client = harness.client(7000 + index, first_name=email.split("@")[0].title())
            await client.link_as(email)
            clients[email] = client
        members = await read_members(db, clients)
        stored = StoredState(db)
        world = cls(db, stored, workdir, clock, harness, clients, members)
        world.snapshot = world.initial = stored.read()
        return world

    async def close(self) -> None:
        logging.getLogger().removeHandler(self.log)
        self.stored.close()
        await self.harness.close()
        await self.db.dispose()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- what a chat shows ----------------------------------------------------------
    def member(self, email: str) -> Member:
        return self.members[email]

    def account_name(self, email: str) -> str:
        assert self.snapshot is not None
        return self.snapshot.accounts[self.member(email).account_id].name

    def other_account_names(self, email: str) -> list[str]:
        assert self.snapshot is not None
        own = self.member(email).account_id
        return [a.name for a in self.snapshot.accounts.values() if a.id != own]

    def current_menu(self, email: str) -> SentMessage | None:
        """The message whose buttons carry the engine's current menu token, or None.

        Usually the newest menu, but not always: a press on an old message re-draws
        the current step in that message, in place.
        """
        token = self.token(email)
        if token is None:
            return None
        prefix = f"m:{token}:"
        for message in reversed(self.clients[email].bot_messages):
            if any(b.data and b.data.startswith(prefix) for row in message.buttons for b in row):
                return message
        return None

    def menu(self, email: str) -> SentMessage | None:
        """The current menu, else the newest message with buttons (pressing it is stale)."""
        return self.current_menu(email) or self.clients[email].last_menu

    def buttons(self, email: str) -> list[tuple[str, str]]:
        """(label, data) of :meth:`menu` 's buttons."""
        menu = self.menu(email)
        if menu is None:
            return []
        return [(b.label, b.data) for row in menu.buttons for b in row if b.data]

    def label_shown(self, email: str, data: str) -> str | None:
        """The label of a button carrying exactly ``data`` anywhere in the chat now."""
        for message in reversed(self.clients[email].bot_messages):
            for row in message.buttons:
                for button in row:
                    if button.data == data:
                        return button.label
        return None

    def state(self, email: str) -> tuple[str | None, str | None]:
        assert self.snapshot is not None
        return self.snapshot.flows.get(self.member(email).chat_id, (None, None))

    def unlinked(self) -> list[str]:
        """Users whose chat is not linked now (someone typed /logout)."""
        assert self.snapshot is not None
        return [e for e in EMAILS if self.member(e).chat_id not in self.snapshot.linked]

    def token(self, email: str) -> str | None:
        assert self.snapshot is not None
        return self.snapshot.menu_tokens.get(self.member(email).chat_id)

    # -- acting -------------------------------------------------------------------
    def typing(self, email: str, text: str, rule: str) -> Step:
        return Step("type", rule, email=email, text=text)

    def pressing(self, email: str, message_id: int, data: str, rule: str) -> Step:
        return Step("press", rule, email=email, data=data, message_id=message_id,
                    label_on_screen=self.label_shown(email, data))

    async def run(self, step: Step) -> StepResult:
        """Do ``step``, read back what is stored, and collect what the bot sent."""
        before = self.snapshot
        assert before is not None
        marks = {c.chat_id: len(c.chat.events) for c in self.clients.values()}
        errors, logged = len(self.harness.errors), len(self.log.lines)
        chat_id = self.member(step.email).chat_id if step.email else None
        shown_at = self.close_shown_at.get(chat_id) if chat_id is not None else None
        if step.kind in ("type", "setup"):
            assert step.email is not None and step.text is not None
            await self.clients[step.email].send(step.text)
        elif step.kind == "press":
            assert step.email is not None and step.data is not None
            assert step.message_id is not None
            await self.clients[step.email].press(step.message_id, step.data)
        elif step.kind == "wait":
            self.clock.advance(step.seconds)
        else:
            assert step.email is not None
            await self.clients[step.email].link_as(step.email)
        after = self.snapshot = self.stored.read()
        sent: dict[int, list[SentMessage]] = {}
        answers: list[str] = []
        for client in self.clients.values():
            new = client.chat.events[marks[client.chat_id]:]
            sent[client.chat_id] = [e.message for e in new if e.kind in ("sent", "edited")
                                    and e.message is not None and e.message.from_bot]
            answers += [e.answer.text or "" for e in new if e.kind == "answered" and e.answer]
        if step.email is not None:  # only the acting chat's screen can have changed
            self._remember_buttons(step.email)
        self.history.append(_summary(step, sent.get(chat_id or 0, []), answers))
        return StepResult(step, before, after, self.clock(), sent, answers,
                          list(self.harness.errors[errors:]), shown_at,
                          self.log.lines[logged:])

    def _remember_buttons(self, email: str) -> None:
        chat_id = self.member(email).chat_id
        seen = self.seen[chat_id]
        known = {data for _, data, _ in seen}
        menu = self.menu(email)
        for label, data in self.buttons(email):
            if data not in known and menu is not None:
                seen.append((menu.message_id, data, label))
        current = self.current_menu(email)
        labels = current.labels if current is not None else []
        if not any(CLOSE_LABEL.match(label) for label in labels):
            self.close_shown_at[chat_id] = None
        elif self.close_shown_at[chat_id] is None:
            # The engine's deadline starts when the confirming step is entered; showing
            # that step again (help, a stale press) keeps the deadline, and so do we.
            self.close_shown_at[chat_id] = self.clock()


def _summary(step: Step, sent: list[SentMessage], answers: list[str]) -> str:
    lines = [step.describe()]
    for message in sent:
        labels = f"  [{' | '.join(message.labels)}]" if message.labels else ""
        lines.append(f"      bot: {short(message.text, 110)}{labels}")
    lines += [f"      toast: {text!r}" for text in answers if text]
    return "\n".join(lines)


async def read_members(
    db: FreshDatabase, clients: dict[str, TelegramTestClient]
) -> dict[str, Member]:
    async with db.database.reading() as connection:
        rows = await connection.execute(
            select(User.email, User.id, Membership.account_id, Membership.role)
            .join(Membership, Membership.user_id == User.id)
        )
        return {
            row.email: Member(row.email, clients[row.email].chat_id, row.id, row.account_id,
                              row.role)
            for row in rows
            if row.email in clients
        }


__all__ = ["EMAILS", "AccountState", "Member", "Snapshot", "Step", "StepResult", "World"]
