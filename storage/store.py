"""``flows.ports`` over SQLAlchemy: one :class:`SqlStore` per turn.

A turn reads committed data and writes atomically:

- its first read (conversation record and user) joins the reads of the turns that
  arrive with it in one statement (``storage.batching``);
- its other reads run on an autocommit connection;
- its conversation record, when that is its only write, is saved when the turn
  ends cleanly, joining the saves of the turns that end with it in one statement
  and one COMMIT;
- a turn that writes anything else (closing an account, saving details) takes
  the shared writer for the rest of the turn (``Database.transaction``): those
  writes, the reads after them and its record then commit or roll back together.

What flows need beyond the record and the user comes from capabilities
(``store.get(CLOSING)``, see ``storage.capabilities``), each implemented by the
storage module it belongs to on this store's connections.

Every write re-checks what it depends on inside the writing transaction
(``version`` of the record and of the account, the closer's role, the account's
status), so a read outside it can be stale without anything going wrong.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from flows.ports import Capability, Catalogue, UserContext
from flows.types import ConversationKey, ConversationRecord
from storage import conversations
from storage.batching import Batcher
from storage.capabilities import provider_of
from storage.catalogue_cache import CatalogueCache
from storage.conversations import TurnRead
from storage.errors import ConcurrentUpdate
from storage.unit_of_work import Database

T = TypeVar("T")
P = TypeVar("P")


class SqlStore:
    """:class:`flows.ports.TurnStore` for one update, and the
    :class:`storage.capabilities.TurnScope` its capabilities run in."""

    def __init__(self, factory: SqlStoreFactory, exits: AsyncExitStack) -> None:
        self._factory = factory
        self._exits = exits
        self._writing: AsyncConnection | None = None  # the shared writer, once taken
        self._users: dict[ConversationKey, UserContext | None] = {}
        self._unsaved: dict[ConversationKey, ConversationRecord] = {}  # saved on clean exit
        # Conversations loaded in this turn: the engine saves those itself, so
        # closing the account must not bump their version under its feet.
        self._loaded: set[ConversationKey] = set()
        self._capabilities: dict[str, Any] = {}

    async def load_conversation(self, key: ConversationKey) -> ConversationRecord | None:
        """The stored record of ``key``, or None for a conversation never seen."""
        self._loaded.add(key)
        if self._writing is not None:
            record, user = (await conversations.read_turns(self._writing, [key]))[key]
        else:
            record, user = await self._factory.turn_reads.submit(key, None)
        self._users[key] = user
        return record

    async def save_conversation(self, record: ConversationRecord) -> None:
        """Insert or update ``record`` when the turn ends cleanly; bumps ``record.version``.

        Raises ``ConcurrentUpdate`` (here or when the turn ends) if the stored record
        changed since it was loaded.
        """
        if self._writing is not None:
            await _save(self._writing, record)
        else:
            self._unsaved[record.key] = record

    async def finish(self) -> None:
        """Save the records left for the end of the turn, with those of other turns."""
        for record in self._unsaved.values():
            if not await self._factory.saves.submit(record.key, record):
                raise _conflict(record)
            record.version += 1
        self._unsaved.clear()

    async def user_context(self, key: ConversationKey) -> UserContext | None:
        """The user linked to this chat, with account and role; None if unlinked."""
        if key in self._users:
            return self._users[key]
        return (await self.read(lambda c: conversations.read_turns(c, [key])))[key][1]

    def get(self, capability: Capability[P]) -> P:
        """This update's implementation of ``capability`` (``storage.capabilities``)."""
        found = self._capabilities.get(capability.name)
        if found is None:
            found = self._capabilities[capability.name] = provider_of(capability)(self)
        return cast(P, found)

    # -- what capabilities use (storage.capabilities.TurnScope) ------------------------

    @property
    def loaded(self) -> frozenset[ConversationKey]:
        """Conversations loaded in this update: the engine saves those itself."""
        return frozenset(self._loaded)

    async def read(self, query: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``query`` on committed data, or on this update's writes once it wrote."""
        if self._writing is not None:
            return await query(self._writing)
        async with self._factory.database.reading() as connection:
            return await query(connection)

    async def writer(self) -> AsyncConnection:
        """The shared writer for the rest of the update: its writes commit together."""
        return await self._writer()

    async def catalogue(self) -> Catalogue:
        """The package catalogue, cached for the process (no connection while it is fresh)."""
        kept = self._factory.catalogue.current()
        return kept if kept is not None else await self.read(self._factory.catalogue.get)

    async def _writer(self) -> AsyncConnection:
        if self._writing is None:
            self._writing = await self._exits.enter_async_context(
                self._factory.database.transaction()
            )
            for record in self._unsaved.values():  # from now on, all in one savepoint
                await _save(self._writing, record)
            self._unsaved.clear()
        return self._writing


async def _save(connection: AsyncConnection, record: ConversationRecord) -> None:
    if record.key not in await conversations.save_conversations(connection, [record]):
        raise _conflict(record)
    record.version += 1


def _conflict(record: ConversationRecord) -> ConcurrentUpdate:
    return ConcurrentUpdate(f"conversation {record.key} changed since version {record.version}")


class SqlStoreFactory:
    """:class:`flows.ports.StoreFactory` over a :class:`Database`."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.catalogue = CatalogueCache()
        self.turn_reads: Batcher[ConversationKey, TurnRead, None] = Batcher(self._read_turns)
        self.saves: Batcher[ConversationKey, bool, ConversationRecord] = Batcher(self._save)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlStore]:
        """A store for one turn; its writes are committed when this returns.

        If the block raises, nothing the turn wrote is kept.
        """
        async with AsyncExitStack() as exits:
            store = SqlStore(self, exits)
            yield store
            await store.finish()

    async def _read_turns(
        self, batch: Sequence[tuple[ConversationKey, None]]
    ) -> dict[ConversationKey, TurnRead]:
        async with self.database.reading() as connection:
            return await conversations.read_turns(connection, [key for key, _ in batch])

    async def _save(
        self, batch: Sequence[tuple[ConversationKey, ConversationRecord]]
    ) -> dict[ConversationKey, bool]:
        records = [record for _, record in batch]
        stored = await self.database.writer.statement(
            lambda connection: conversations.save_conversations(connection, records)
        )
        return {key: key in stored for key, _ in batch}
