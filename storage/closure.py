"""Closing an account: one guarded UPDATE decides, the consequences follow in the same
transaction (subscriptions cancelled, balance forfeited, audit, other chats reset)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, exists, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.person import reaching_flows
from flows.ports import (
    CLOSING,
    AccountStatus,
    CloseOutcome,
    CloseResult,
    ClosurePreview,
    Money,
    Subscription,
)
from flows.types import ConversationKey, Role
from storage import models as m
from storage.audit import record_audit
from storage.capabilities import TurnScope, provides
from storage.reads import account_overview, member_role, subscription
from storage.sql import execute_dml

# No 0/O, 1/I/L: references are read out over the phone to support.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A random closure reference such as ``CL-7KQ2-M9XD``."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CL-{chars[:4]}-{chars[4:]}"


@provides(CLOSING)
class SqlCloser:
    """:class:`flows.ports.Closer`: the preview on committed data, closing on the writer."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def closure_preview(self, account_id: int) -> ClosurePreview:
        """What closing would cancel and forfeit, and how many lose access."""
        return await self._turn.read(lambda connection: _preview(connection, account_id))

    async def close_account(
        self, *, account_id: int, user_id: int, channel: str, now: datetime
    ) -> CloseResult:
        """Close the account if ``user_id`` owns it, it is open and its package allows
        self-service closure. The conversations this update loaded (the closer's chat,
        which the engine saves itself) are not reset.

        Concurrent calls are safe: the UPDATE takes the row lock (PostgreSQL) or the
        write lock (SQLite ``BEGIN IMMEDIATE``), and the loser re-evaluates
        ``status = 'open'`` as false, touches nothing and reports ALREADY_CLOSED.
        """
        connection = await self._turn.writer()
        keep = self._turn.loaded
        reference = new_reference()
        closed = await execute_dml(
            connection,
            update(m.Account)
            .where(
                m.Account.id == account_id,
                m.Account.status == AccountStatus.OPEN.value,
                exists().where(
                    m.Membership.account_id == m.Account.id,
                    m.Membership.user_id == user_id,
                    m.Membership.role == Role.OWNER.value,
                ),
                exists().where(
                    m.Package.code == m.Account.package_code,
                    m.Package.self_service_closure.is_(True),
                ),
            )
            .values(
                status=AccountStatus.CLOSED.value,
                closed_at=now,
                closed_by_user_id=user_id,
                closure_reference=reference,
                version=m.Account.version + 1,
            ),
        )
        if closed != 1:
            return await _why_not(connection, account_id, user_id)

        cancelled = await _cancel_subscriptions(connection, account_id, now)
        forfeited = await _forfeit_balance(connection, account_id)
        await record_audit(
            connection,
            account_id=account_id,
            user_id=user_id,
            channel=channel,
            action="account.closed",
            changes={
                "forfeited_balance": str(forfeited),
                "cancelled_subscriptions": [s.name for s in cancelled],
                "reference": reference,
            },
            now=now,
        )
        await _end_member_flows(connection, account_id, keep)
        return CloseResult(
            CloseOutcome.CLOSED,
            reference=reference,
            closed_at=now,
            forfeited=forfeited,
            cancelled_subscriptions=cancelled,
        )


async def _why_not(connection: AsyncConnection, account_id: int, user_id: int) -> CloseResult:
    role = member_role(user_id)
    row = (
        await connection.execute(
            select(
                m.Account.status,
                m.Account.closed_at,
                m.Account.closure_reference,
                m.Package.self_service_closure,
                role.label("role"),
            )
            .join(m.Package, m.Package.code == m.Account.package_code)
            .where(m.Account.id == account_id)
        )
    ).one()
    if row.status == AccountStatus.CLOSED.value:
        return CloseResult(
            CloseOutcome.ALREADY_CLOSED,
            reference=row.closure_reference,
            closed_at=row.closed_at,
        )
    if row.role != Role.OWNER.value:
        return CloseResult(CloseOutcome.FORBIDDEN)
    return CloseResult(CloseOutcome.NOT_SELF_SERVICE)


async def _cancel_subscriptions(
    connection: AsyncConnection, account_id: int, now: datetime
) -> tuple[Subscription, ...]:
    rows = await connection.execute(
        update(m.SubscriptionRow)
        .where(m.SubscriptionRow.account_id == account_id, m.SubscriptionRow.status == "active")
        .values(status="cancelled", cancelled_at=now)
        .returning(*m.SubscriptionRow.__table__.c)
    )
    return tuple(sorted((subscription(r) for r in rows), key=lambda s: s.id))


async def _forfeit_balance(connection: AsyncConnection, account_id: int) -> Money:
    row = (
        await connection.execute(
            select(m.Balance.amount, m.Balance.currency).where(m.Balance.account_id == account_id)
        )
    ).one_or_none()
    if row is None:
        currency = (
            await connection.execute(
                select(m.Account.billing_currency).where(m.Account.id == account_id)
            )
        ).scalar_one()
        return Money(Decimal("0.00"), currency or "USD")
    await execute_dml(
        connection,
        update(m.Balance).where(m.Balance.account_id == account_id).values(amount=Decimal("0.00")),
    )
    return Money(Decimal(row.amount), row.currency)


async def _end_member_flows(
    connection: AsyncConnection, account_id: int, keep: Iterable[ConversationKey]
) -> None:
    """Send every member's chats back to the menu so no half-done flow acts on a closed
    account; bumping the version makes an in-flight save of those chats fail loudly.
    A chat with a person goes on: a closed account's members may still talk to one."""
    members = select(m.Membership.user_id).where(m.Membership.account_id == account_id)
    conv = m.Conversation
    condition = or_(
        conv.user_id.in_(members),
        exists().where(
            m.ChatIdentity.channel == conv.channel,
            m.ChatIdentity.external_id == conv.chat_id,
            m.ChatIdentity.user_id.in_(members),
        ),
    )
    talking = reaching_flows()
    if talking:
        condition = and_(condition, or_(conv.flow.is_(None), conv.flow.not_in(talking)))
    for key in keep:
        condition = and_(
            condition, not_(and_(conv.channel == key.channel, conv.chat_id == key.chat_id))
        )
    await execute_dml(
        connection,
        update(conv)
        .where(condition)
        .values(flow=None, state=None, data={}, menu_token=None, version=conv.version + 1),
    )


async def _preview(connection: AsyncConnection, account_id: int) -> ClosurePreview:
    """What closing the account would cancel and forfeit, and how many lose access."""
    account = await account_overview(connection, account_id)  # one statement
    return ClosurePreview(
        account_name=account.name,
        package_code=account.package_code,
        subscriptions=account.subscriptions,
        balance=account.balance,
        members_losing_access=account.members,
    )
