"""The account's history (:data:`flows.history.HISTORY`): audit rows, a keyset page at a time.

Each page is one SELECT on the index ``ix_audit_log_account_time`` (account, time,
id): the audit rows of the account beyond a cursor, in the history's order, with
the writer's name and the account's time zone joined in, one row more than a page
to know whether there is more. No OFFSET: a page costs the same however far back
it is, and entries added meanwhile never shift the pages being read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.history import HISTORY, PAGE_SIZE, HistoryCursor, HistoryEntry, HistoryPage
from storage.capabilities import TurnScope, provides
from storage.models import Account, AuditEntry, User
from storage.sqltypes import UTCDateTime

_KEY = tuple_(AuditEntry.created_at, AuditEntry.id)
_AT = tuple_(bindparam("at", type_=UTCDateTime()), bindparam("entry_id"))


def _statements() -> dict[str, Any]:
    """The three pages' statements, built once: newest, older than, newer than."""
    rows = (
        select(
            AuditEntry.id,
            AuditEntry.created_at,
            AuditEntry.action,
            AuditEntry.changes,
            AuditEntry.channel,
            User.name.label("user_name"),
            Account.timezone,
        )
        .join(Account, Account.id == AuditEntry.account_id)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.account_id == bindparam("account_id"))
        .limit(bindparam("limit"))
    )
    newest_first = (AuditEntry.created_at.desc(), AuditEntry.id.desc())
    return {
        "newest": rows.order_by(*newest_first),
        "older": rows.where(_KEY < _AT).order_by(*newest_first),
        # Nearest first (ascending), so the limit takes the entries just above the cursor.
        "newer": rows.where(_KEY > _AT).order_by(AuditEntry.created_at, AuditEntry.id),
    }


_PAGES = _statements()


async def history_page(
    connection: AsyncConnection,
    account_id: int,
    *,
    older_than: HistoryCursor | None = None,
    newer_than: HistoryCursor | None = None,
    size: int = PAGE_SIZE,
) -> HistoryPage:
    """See :meth:`flows.history.HistoryReader.history_page`."""
    if older_than is not None and newer_than is not None:
        raise ValueError("a page is older or newer than one cursor, not both")
    cursor = newer_than or older_than
    kind = "newer" if newer_than else "older" if older_than else "newest"
    parameters: dict[str, Any] = {"account_id": account_id, "limit": size + 1}
    if cursor is not None:
        parameters.update(at=cursor.created_at, entry_id=cursor.entry_id)
    rows = list(await connection.execute(_PAGES[kind], parameters))
    beyond = rows[size] if len(rows) > size else None  # the first entry past the page
    entries = tuple(_entry(row) for row in rows[:size])
    timezone = rows[0].timezone if rows else None
    if newer_than is not None:
        # Read upwards: this page is the next ``size`` above the cursor, shown newest
        # first; it is shown again by "older than the entry just above it", if any.
        return HistoryPage(
            entries=entries[::-1],
            has_older=True,  # the cursor's own entry, at least
            has_newer=beyond is not None,
            older_than=None if beyond is None else _entry(beyond).cursor,
            timezone=timezone,
        )
    return HistoryPage(
        entries=entries,
        has_older=beyond is not None,
        has_newer=older_than is not None,
        older_than=older_than,
        timezone=timezone,
    )


def _entry(row: Any) -> HistoryEntry:
    return HistoryEntry(
        entry_id=row.id,
        created_at=row.created_at,
        action=row.action,
        changes=dict(row.changes or {}),
        user_name=row.user_name,
        channel=row.channel,
    )


@provides(HISTORY)
class SqlHistory:
    """:class:`flows.history.HistoryReader` on committed data."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def history_page(
        self,
        account_id: int,
        *,
        older_than: HistoryCursor | None = None,
        newer_than: HistoryCursor | None = None,
        size: int = PAGE_SIZE,
    ) -> HistoryPage:
        """One page, in one statement (see :func:`history_page`)."""
        return await self._turn.read(
            lambda connection: history_page(
                connection, account_id, older_than=older_than, newer_than=newer_than, size=size
            )
        )
