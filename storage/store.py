"""``flows.ports`` implemented over SQLAlchemy: one :class:`SqlStore` per transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


class SqlStore:
    """:class:`flows.ports.AccountStore` over one session; never commits itself."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Conversations loaded in this transaction: the engine saves those itself,
        # so closing the account must not bump their version under its feet.
        self._loaded: set[ConversationKey] = set()

    async def load_conversation(self, key: ConversationKey) -> ConversationRecord | None:
        """The stored record of ``key``, or None for a conversation never seen."""
        self._loaded.add(key)
        return await conversations.load_conversation(self.session, key)

    async def save_conversation(self, record: ConversationRecord) -> None:
        """Insert or update ``record``; bumps ``record.version``; may raise ConcurrentUpdate."""
        await conversations.save_conversation(self.session, record)

    async def user_context(self, key: ConversationKey) -> UserContext | None:
        """The user linked to this chat, with account and role; None if unlinked."""
        return await reads.user_context(self.session, key)

    async def account_details(self, account_id: int) -> AccountDetails:
        """Every stored field of the account, with package name and owner."""
        return (await reads.details_and_role(self.session, account_id))[0]

    async def catalogue(self) -> Catalogue:
        """The package catalogue and meters."""
        return await reads.catalogue(self.session)

    async def usage_report(self, account_id: int, today: date) -> UsageReport:
        """Usage in the calendar month of ``today``, balance and active subscriptions."""
        return await reads.usage_report(self.session, account_id, today)

    async def closure_preview(self, account_id: int) -> ClosurePreview:
        """What closing would cancel and forfeit."""
        return await reads.closure_preview(self.session, account_id)

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
            self.session,
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
            self.session,
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
            self.session,
            account_id=account_id,
            user_id=user_id,
            channel=channel,
            action=action,
            changes=changes,
            now=now,
        )


class SqlStoreFactory:
    """:class:`flows.ports.StoreFactory`: one session and transaction per ``transaction()``."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlStore]:
        """Yield a store; commit on clean exit, roll back if the block raises."""
        async with self.sessionmaker() as session, session.begin():
            yield SqlStore(session)
