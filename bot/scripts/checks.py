"""The ``then:`` checks: read stored data straight from the database after a conversation.

These read the tables through SQLAlchemy, not through the engine, so a flow that
*says* it saved but did not is caught.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scripts.model import ScriptMistake, Then, Where
from storage.models import Account, Balance, Membership, SubscriptionRow, User
from storage.unit_of_work import Database

# Every stored account column a script may check, in table order.
ACCOUNT_FIELDS: tuple[str, ...] = tuple(
    column.name for column in Account.__table__.columns if column.name != "id"
)


async def account_of(connection: AsyncConnection, email: str, where: Where) -> Row[Any]:
    """The stored account row of the user with ``email`` (their oldest membership)."""
    account = (
        await connection.execute(
            select(*Account.__table__.columns)
            .join(Membership, Membership.account_id == Account.id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == email)
            .order_by(Membership.id)
            .limit(1)
        )
    ).one_or_none()
    if account is None:
        raise ScriptMistake(where, f"there is no demo user {email} with an account")
    return account


def _same(stored: object, expected: str | None) -> bool:
    if expected is None or stored is None:
        return expected is None and stored is None
    return str(stored).strip().casefold() == expected.strip().casefold()


async def check_then(
    then: Then, database: Database, default_user: str
) -> list[str]:
    """What differs from ``then``, one plain sentence per difference (empty: all good)."""
    problems: list[str] = []
    async with database.reading() as connection:
        account = await account_of(connection, then.of_user or default_user, then.where)
        for name, expected in then.account.items():
            stored = getattr(account, name)
            if not _same(stored, expected):
                line = then.account_lines.get(name, then.where.line)
                problems.append(
                    f'account {name} (line {line}): expected "{expected}", '
                    f'but it is stored as "{stored}"'
                )
        if then.subscriptions is not None:
            active = await connection.scalar(
                select(func.count())
                .select_from(SubscriptionRow)
                .where(SubscriptionRow.account_id == account.id, SubscriptionRow.status == "active")
            )
            if active != then.subscriptions:
                problems.append(
                    f"active subscriptions: expected {then.subscriptions}, but there are {active}"
                )
        if then.balance is not None:
            balance = await connection.scalar(
                select(Balance.amount).where(Balance.account_id == account.id)
            )
            if balance is None or balance != then.balance:
                problems.append(f"balance: expected {then.balance}, but it is {balance}")
    return problems
