"""Drive the real engine on a real database the way a channel would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from flows.engine import Engine
from flows.settings import EngineSettings
from flows.types import ConversationKey, Inbound, Reply
from storage.identities import ensure_identity
from storage.models import Account
from storage.sandbox import FreshDatabase


class Clock:
    """A clock the test moves by hand, so expiry needs no waiting."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_engine(db: FreshDatabase, clock: Clock | None = None, **settings: Any) -> Engine:
    return Engine(db.stores, EngineSettings(**settings), clock=clock or Clock())


class Talk:
    """One user's chat with the engine; remembers the buttons of the latest screen."""

    def __init__(self, engine: Engine, key: ConversationKey) -> None:
        self.engine = engine
        self.key = key
        self.replies: list[Reply] = []
        self.screen: Reply | None = None

    @classmethod
    async def open(
        cls, engine: Engine, db: FreshDatabase, email: str, channel: str = "test"
    ) -> Talk:
        async with db.database.transaction() as connection:
            await ensure_identity(connection, channel, email, email)
        return cls(engine, ConversationKey(channel, email))

    async def say(self, text: str) -> list[Reply]:
        return self._seen(await self.engine.handle(Inbound.typed(self.key, text)))

    async def press(self, label: str) -> list[Reply]:
        """Press the one button of the latest screen whose label contains ``label``."""
        return self._seen(await self.engine.handle(Inbound.pressed(self.key, self.token(label))))

    async def press_token(self, token: str) -> list[Reply]:
        return self._seen(await self.engine.handle(Inbound.pressed(self.key, token)))

    def token(self, label: str) -> str:
        assert self.screen is not None, "no buttons on screen"
        found = [c for c in self.screen.choices if label.casefold() in c.label.casefold()]
        labels = [c.label for c in self.screen.choices]
        assert len(found) == 1, f"{label!r} matches {len(found)} of {labels}"
        return found[0].token

    @property
    def text(self) -> str:
        """All text of the latest replies, joined."""
        return "\n---\n".join(reply.text for reply in self.replies)

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.screen.choices] if self.screen else []

    def _seen(self, replies: list[Reply]) -> list[Reply]:
        self.replies = replies
        with_choices = [reply for reply in replies if reply.choices]
        self.screen = with_choices[-1] if with_choices else None
        return replies


async def account_named(db: FreshDatabase, name: str) -> Any:
    """The stored account row named ``name`` (columns as attributes)."""
    async with db.database.reading() as connection:
        query = select(*Account.__table__.columns).where(Account.name == name)
        account = (await connection.execute(query)).one_or_none()
    assert account is not None
    return account
