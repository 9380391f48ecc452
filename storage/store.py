"""``flows.ports`` implemented over SQLAlchemy: one :class:`SqlStore` per transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

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
from storage.catalogue_cache import CatalogueCache
from storage.group_commit import GroupCommitter
from storage.inline_sqlite import InlineConnection, is_inline_sqlite
from storage.sqlite_hot_path import SqliteHotPath


class SqlStore:
    """:class:`flows.ports.AccountStore` over one connection in a transaction; never commits.

    The per-update hot path (conversation record, user) runs on the connection
    itself (straight through sqlite3 on SQLite, see ``storage.sqlite_hot_path``);
    everything else runs as Core statements on the same connection (no ORM session:
    repositories read columns, never entities).
    """

    def __init__(
        self,
        connection: AsyncConnection,
        hot_path: SqliteHotPath | None = None,
        catalogue: CatalogueCache | None = None,
    ) -> None:
        self.connection = connection
        self._hot_path = hot_path
        self._catalogue = catalogue or CatalogueCache(ttl_seconds=0)
        # Conversations loaded in this transaction: the engine saves those itself,
        # so closing the account must not bump their version under its feet.
        self._loaded: set[ConversationKey] = set()

    async def load_conversation(self, key: ConversationKey) -> ConversationRecord | None:
        """The stored record of ``key``, or None for a conversation never seen."""
        self._loaded.add(key)
        if self._hot_path is not None:
            return self._hot_path.load_conversation(key)
        return await conversations.load_conversation(self.connection, key)

    async def save_conversation(self, record: ConversationRecord) -> None:
        """Insert or update ``record``; bumps ``record.version``; may raise ConcurrentUpdate."""
        if self._hot_path is not None:
            self._hot_path.save_conversation(record)
        else:
            await conversations.save_conversation(self.connection, record)

    async def user_context(self, key: ConversationKey) -> UserContext | None:
        """The user linked to this chat, with account and role; None if unlinked."""
        if self._hot_path is not None:
            return self._hot_path.user_context(key)
        return await reads.user_context(self.connection, key)

    async def account_details(self, account_id: int) -> AccountDetails:
        """Every stored field of the account, with package name and owner."""
        return (await reads.details_and_role(self.connection, account_id))[0]

    async def catalogue(self) -> Catalogue:
        """The package catalogue and meters."""
        return await self._catalogue.get(self.connection)

    async def usage_report(self, account_id: int, today: date) -> UsageReport:
        """Usage in the calendar month of ``today``, balance and active subscriptions."""
        return await reads.usage_report(
            self.connection, account_id, today, await self._catalogue.get(self.connection)
        )

    async def closure_preview(self, account_id: int) -> ClosurePreview:
        """What closing would cancel and forfeit."""
        return await reads.closure_preview(self.connection, account_id)

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
            self.connection,
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
            self.connection,
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
        """Append one audit row in this transaction."""
        await audit.record_audit(
            self.connection,
            account_id=account_id,
            user_id=user_id,
            channel=channel,
            action=action,
            changes=changes,
            now=now,
        )


class SqlStoreFactory:
    """:class:`flows.ports.StoreFactory`: one connection and transaction per ``transaction()``."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        bind = sessionmaker.kw["bind"]
        assert isinstance(bind, AsyncEngine), (
            "SqlStoreFactory needs a sessionmaker bound to an engine"
        )
        self.engine = bind
        self.catalogue = CatalogueCache()
        self._group = GroupCommitter(bind) if is_inline_sqlite(bind) else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlStore]:
        """Yield a store; commit on clean exit, roll back if the block raises.

        On SQLite the commit is shared with the updates queued behind this one
        (storage.group_commit); either way the block's changes are committed
        when this returns.
        """
        if self._group is not None:
            async with self._group.unit() as connection:
                yield SqlStore(connection, await _hot_path(connection), self.catalogue)
            return
        async with self.engine.begin() as connection:
            yield SqlStore(connection, await _hot_path(connection), self.catalogue)


async def _hot_path(connection: AsyncConnection) -> SqliteHotPath | None:
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if isinstance(driver, InlineConnection):
        return SqliteHotPath(driver.sqlite)
    return None
