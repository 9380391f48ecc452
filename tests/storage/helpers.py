"""Small look-ups the storage tests share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from storage import models as m
from storage.sandbox import FreshDatabase

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


async def user_id(db: FreshDatabase, email: str) -> int:
    async with db.database.reading() as connection:
        query = select(m.User.id).where(m.User.email == email)
        return (await connection.execute(query)).scalar_one()


async def account_id(db: FreshDatabase, name: str) -> int:
    async with db.database.reading() as connection:
        query = select(m.Account.id).where(m.Account.name == name)
        return (await connection.execute(query)).scalar_one()


async def account_row(db: FreshDatabase, account: int) -> Any:
    async with db.database.reading() as connection:
        query = select(*m.Account.__table__.c).where(m.Account.id == account)
        return (await connection.execute(query)).one()


async def audit_rows(db: FreshDatabase, action: str | None = None) -> list[Any]:
    async with db.database.reading() as connection:
        query = select(*m.AuditEntry.__table__.c).order_by(m.AuditEntry.id)
        if action is not None:
            query = query.where(m.AuditEntry.action == action)
        return list((await connection.execute(query)).all())


async def count(db: FreshDatabase, model: type[m.Base]) -> int:
    async with db.database.reading() as connection:
        return (await connection.execute(select(func.count()).select_from(model))).scalar_one()
