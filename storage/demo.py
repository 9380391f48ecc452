"""Seed the demo data (see ``storage.demo_data``); running it again changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import models as m
from storage.demo_data import ACCOUNTS, ALLOWANCES, METERS, PACKAGES, USERS
from storage.reads import month_bounds


async def seed_demo(connection: AsyncConnection, today: date) -> None:
    """Create whatever part of the demo data is missing, with usage for ``today``'s month.

    Runs on ``connection`` inside the caller's transaction (``Database.transaction``).
    Rows are looked up by natural key (package code, e-mail, account name...), so
    a second run, or a run on a database edited since, adds nothing twice.
    """
    await seed_accounts(connection, USERS, ACCOUNTS, today)


async def seed_accounts(
    connection: AsyncConnection,
    users: list[tuple[str, str, str]],
    accounts: list[dict[str, Any]],
    today: date,
) -> None:
    """Add ``users`` (e-mail, name, phone) and ``accounts`` shaped like
    ``storage.demo_data.ACCOUNTS``, with the package catalogue; idempotent as above.

    Tests that need more accounts than the demo's (many closures at once) use this.
    """
    await _catalogue(connection)
    ids = {email: await _user(connection, email, name, phone) for email, name, phone in users}
    for spec in accounts:
        await _account(connection, spec, ids, today)


async def _get_or_add(
    connection: AsyncConnection, model: type[m.Base], key: dict[str, Any], **values: Any
) -> Any:
    """The first primary-key column of the row with ``key``, inserted when missing."""
    table = model.__table__
    assert isinstance(table, Table)
    primary = next(iter(table.primary_key))
    conditions = [table.c[name] == value for name, value in key.items()]
    found = (await connection.execute(select(primary).where(*conditions))).scalar_one_or_none()
    if found is not None:
        return found
    inserted = insert(table).values(**key, **values).returning(primary)
    return (await connection.execute(inserted)).scalar_one()


async def _catalogue(connection: AsyncConnection) -> None:
    for position, (code, name, price, self_service, features) in enumerate(PACKAGES):
        await _get_or_add(
            connection,
            m.Package,
            {"code": code},
            name=name,
            position=position,
            monthly_price=price,
            currency="USD",
            self_service_closure=self_service,
        )
        for index, feature in enumerate(features):
            await _get_or_add(
                connection,
                m.PackageFeature,
                {"package_code": code, "position": index},
                feature=feature,
            )
    for position, (code, label, unit) in enumerate(METERS):
        await _get_or_add(
            connection, m.Meter, {"code": code}, label=label, unit=unit, position=position
        )
    for package, allowances in ALLOWANCES.items():
        for meter, included in allowances.items():
            await _get_or_add(
                connection,
                m.PackageAllowance,
                {"package_code": package, "meter_code": meter},
                included=included,
            )


async def _user(connection: AsyncConnection, email: str, name: str, phone: str) -> int:
    user_id: int = await _get_or_add(
        connection, m.User, {"email": email}, name=name, phone=phone
    )
    return user_id


async def _account(
    connection: AsyncConnection, spec: dict[str, Any], users: dict[str, int], today: date
) -> None:
    fields = {
        k: v
        for k, v in spec.items()
        if k not in {"name", "members", "balance", "subscriptions", "usage"}
    }
    account_id = await _get_or_add(
        connection, m.Account, {"name": spec["name"]}, status="open", version=1, **fields
    )
    for email, role in spec["members"]:
        await _get_or_add(
            connection, m.Membership, {"user_id": users[email], "account_id": account_id}, role=role
        )
    currency = spec["billing_currency"]
    await _get_or_add(
        connection, m.Balance, {"account_id": account_id}, amount=spec["balance"], currency=currency
    )
    for name, price in spec["subscriptions"]:
        await _get_or_add(
            connection,
            m.SubscriptionRow,
            {"account_id": account_id, "name": name},
            price=price,
            currency=currency,
            interval="month",
            status="active",
        )
    period_start, _ = month_bounds(today)
    for meter, used in spec["usage"].items():
        await _get_or_add(
            connection,
            m.UsageRecord,
            {"account_id": account_id, "meter_code": meter, "period_start": period_start},
            used=used,
        )
