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

Every write re-checks what it depends on inside the writing transaction
(``version`` of the record and of the account, the closer's role, the account's
status), so a read outside it can be stale without anything going wrong.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from flows.ports import (
    AccountDetails,
    Catalogue,
    CloseResult,
    ClosurePreview,
    SaveResult,
    UsageReport,
    UserContext,
)
from flows.types import ConversationKey, ConversationRecord
from storage import audit, closure, conversations, details, reads
from storage.batching import Batcher
from storage.catalogue_cache import CatalogueCache
from storage.conversations import TurnRead
from storage.errors import ConcurrentUpdate
from storage.unit_of_work import Database

T = TypeVar("T")


class SqlStore:
    """:class:`flows.ports.AccountStore` for one turn; see the module docstring."""

    def __init__(self, factory: SqlStoreFactory, exits: AsyncExitStack) -> None:
        self._factory = factory
        self._exits = exits
        self._writing: AsyncConnection | None = None  # the shared writer, once taken
        self._users: dict[ConversationKey, UserContext | None] = {}
        self._unsaved: dict[ConversationKey, ConversationRecord] = {}  # saved on clean exit
        # Conversations loaded in this turn: the engine saves those itself, so
        # closing the account must not bump their version under its feet.
        self._loaded: set[ConversationKey] = set()

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
        return (await self._read(lambda c: conversations.read_turns(c, [key])))[key][1]

    async def account_details(self, account_id: int) -> AccountDetails:
        """Every stored field of the account, with package name and owner."""
        return (await self._read(lambda c: reads.details_and_role(c, account_id)))[0]

    async def catalogue(self) -> Catalogue:
        """The package catalogue and meters."""
        return await self._read(self._factory.catalogue.get)

    async def usage_report(self, account_id: int, today: date) -> UsageReport:
        """Usage in the calendar month of ``today``, balance and active subscriptions."""
        catalogue = await self.catalogue()
        return await self._read(lambda c: reads.usage_report(c, account_id, today, catalogue))

    async def closure_preview(self, account_id: int) -> ClosurePreview:
        """What closing would cancel and forfeit."""
        return await self._read(lambda c: reads.closure_preview(c, account_id))

    async def save_details(
        self,
        *,
        account_id: int,
        user_id: int,
        expected_version: int,
        changes: Mapping[str, str],
        channel: str,
        now: datetime,
    ) -> SaveResult:
        """See :func:`storage.details.save_details`."""
        return await details.save_details(
            await self._writer(),
            account_id=account_id,
            user_id=user_id,
            expected_version=expected_version,
            changes=changes,
            channel=channel,
            now=now,
        )

    async def close_account(
        self, *, account_id: int, user_id: int, channel: str, now: datetime
    ) -> CloseResult:
        """See :func:`storage.closure.close_account`."""
        return await closure.close_account(
            await self._writer(),
            account_id=account_id,
            user_id=user_id,
            channel=channel,
            now=now,
            keep=tuple(self._loaded),
        )

    async def record_audit(
        self,
        *,
        account_id: int,
        user_id: int | None,
        channel: str,
        action: str,
        changes: Mapping[str, Any],
        now: datetime,
    ) -> None:
        """Append one audit row, committed with the rest of this turn."""
        await audit.record_audit(
            await self._writer(),
            account_id=account_id,
            user_id=user_id,
            channel=channel,
            action=action,
            changes=changes,
            now=now,
        )

    async def _writer(self) -> AsyncConnection:
        if self._writing is None:
            self._writing = await self._exits.enter_async_context(
                self._factory.database.transaction()
            )
            for record in self._unsaved.values():  # from now on, all in one savepoint
                await _save(self._writing, record)
            self._unsaved.clear()
        return self._writing

    async def _read(self, query: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        if self._writing is not None:  # see this turn's own writes
            return await query(self._writing)
        async with self._factory.database.reading() as connection:
            return await query(connection)


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
