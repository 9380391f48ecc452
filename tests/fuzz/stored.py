"""What the fuzzed bot has stored, read back after every step (:class:`Snapshot`).

The queries are written against the models and compiled once; they run through a
plain read-only sqlite3 connection, which costs a tenth of going through the async
engine, and WAL lets it read what the bot committed without blocking it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.sql import ClauseElement

from flows.fields import FIELDS
from storage.models import (
    Account,
    AuditEntry,
    Balance,
    ChatIdentity,
    Conversation,
    Package,
    SubscriptionRow,
)
from storage.sandbox import FreshDatabase

CHANNEL = "telegram"
DETAIL_FIELDS = tuple(f.name for f in FIELDS)


@dataclass(frozen=True, slots=True)
class AccountState:
    """One account as stored, with what closing touches."""

    id: int
    name: str
    status: str
    package_code: str
    self_service_closure: bool
    details: dict[str, str | None]
    closed_at: str | None  # as stored: only compared, never computed with
    closure_reference: str | None
    active_subscriptions: int
    balance: Decimal
    closure_audits: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the invariants compare between two steps."""

    accounts: dict[int, AccountState]
    menu_tokens: dict[int, str | None]  # chat id -> the engine's current menu token
    linked: frozenset[int]  # chat ids linked to a user
    flows: dict[int, tuple[str | None, str | None]]  # chat id -> (flow, state)


def _compiled(statement: ClauseElement) -> str:
    return str(statement.compile(dialect=sqlite.dialect(),
                                 compile_kwargs={"literal_binds": True}))


_SUBSCRIPTIONS = _compiled(
    select(SubscriptionRow.account_id, func.count())
    .where(SubscriptionRow.status == "active")
    .group_by(SubscriptionRow.account_id)
)
_BALANCES = _compiled(select(Balance.account_id, Balance.amount))
_AUDITS = _compiled(
    select(AuditEntry.account_id, func.count())
    .where(AuditEntry.action == "account.closed")
    .group_by(AuditEntry.account_id)
)
_ACCOUNTS = _compiled(
    select(Account.id, Account.status, Account.package_code, Account.closed_at,
           Account.closure_reference, Package.self_service_closure,
           *(getattr(Account, name) for name in DETAIL_FIELDS))
    .join(Package, Package.code == Account.package_code)
    .order_by(Account.id)
)
_LINKED = _compiled(
    select(ChatIdentity.external_id).where(ChatIdentity.channel == CHANNEL)
)
_CONVERSATIONS = _compiled(
    select(Conversation.chat_id, Conversation.menu_token, Conversation.flow,
           Conversation.state).where(Conversation.channel == CHANNEL)
)


class StoredState:
    """Reads :class:`Snapshot` s of one SQLite demo database, read-only."""

    def __init__(self, db: FreshDatabase) -> None:
        path = make_url(db.url).database
        assert path, db.url
        self._connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def close(self) -> None:
        self._connection.close()

    def read(self) -> Snapshot:
        """What is stored now: accounts with their subscriptions, balance and closure
        audit entries, and each chat's conversation record."""
        sql = self._connection
        subscriptions = dict(sql.execute(_SUBSCRIPTIONS).fetchall())
        balances = dict(sql.execute(_BALANCES).fetchall())
        audits = dict(sql.execute(_AUDITS).fetchall())
        accounts: dict[int, AccountState] = {}
        for row in sql.execute(_ACCOUNTS):
            account_id, status, package, closed_at, reference, self_service, *values = row
            details = dict(zip(DETAIL_FIELDS, map(_text, values), strict=True))
            accounts[account_id] = AccountState(
                id=account_id,
                name=str(details["name"]),
                status=status,
                package_code=package,
                self_service_closure=bool(self_service),
                details=details,
                closed_at=_text(closed_at),
                closure_reference=reference,
                active_subscriptions=int(subscriptions.get(account_id, 0)),
                balance=Decimal(str(balances.get(account_id, 0))),
                closure_audits=int(audits.get(account_id, 0)),
            )
        tokens: dict[int, str | None] = {}
        flows: dict[int, tuple[str | None, str | None]] = {}
        for chat_id, menu_token, flow, state in sql.execute(_CONVERSATIONS):
            if str(chat_id).lstrip("-").isdigit():
                tokens[int(chat_id)] = menu_token
                flows[int(chat_id)] = (flow, state)
        linked = frozenset(int(chat) for (chat,) in sql.execute(_LINKED)
                           if str(chat).lstrip("-").isdigit())
        sql.rollback()  # end the read transaction so the next read sees new commits
        return Snapshot(accounts, tokens, linked, flows)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


