"""The package and closure screens read an account in one statement: the same as the
separate reads they replaced (kept here as the reference), on edge cases too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.ports import CLOSING, PACKAGES, Money, Subscription
from storage import models as m
from storage.catalogue_cache import CatalogueCache
from storage.reads import account_overview, month_bounds
from storage.sandbox import FreshDatabase
from tests.storage.helpers import account_id, user_id

ACCOUNTS = ("Acme Trading Ltd", "Globex Retail", "Initech Payments")


async def reference(connection: AsyncConnection, account: int, start: date) -> dict[str, Any]:
    """What the screens showed before: one statement per part."""
    members = (
        select(func.count())
        .select_from(m.Membership)
        .where(m.Membership.account_id == m.Account.id)
        .scalar_subquery()
    )
    money = (
        await connection.execute(
            select(
                m.Account.name,
                m.Account.package_code,
                func.coalesce(m.Balance.amount, Decimal("0.00")).label("amount"),
                func.coalesce(
                    m.Balance.currency, m.Account.billing_currency, m.Package.currency
                ).label("currency"),
                members.label("members"),
            )
            .join(m.Package, m.Package.code == m.Account.package_code)
            .outerjoin(m.Balance, m.Balance.account_id == m.Account.id)
            .where(m.Account.id == account)
        )
    ).one()
    subscriptions = tuple(
        Subscription(id=r.id, name=r.name, price=Money(Decimal(r.price), r.currency),
                     interval=r.interval, status=r.status)
        for r in await connection.execute(
            select(*m.SubscriptionRow.__table__.c)
            .where(m.SubscriptionRow.account_id == account, m.SubscriptionRow.status == "active")
            .order_by(m.SubscriptionRow.id)
        )
    )
    used = dict(
        (
            await connection.execute(
                select(m.UsageRecord.meter_code, m.UsageRecord.used).where(
                    m.UsageRecord.account_id == account, m.UsageRecord.period_start == start
                )
            )
        ).all()
    )
    return {
        "name": money.name,
        "package_code": money.package_code,
        "balance": Money(Decimal(money.amount), money.currency),
        "members": money.members,
        "used": used,
        "subscriptions": subscriptions,
    }


async def assert_same_as_reference(db: FreshDatabase, start: date) -> None:
    for name in ACCOUNTS:
        account = await account_id(db, name)
        async with db.database.reading() as connection:
            expected = await reference(connection, account, start)
            found = await account_overview(connection, account, start)
            without_usage = await account_overview(connection, account)
        assert vars_of(found) == expected, name
        assert vars_of(without_usage) == {**expected, "used": {}}, name


def vars_of(overview: Any) -> dict[str, Any]:
    return {field: getattr(overview, field) for field in overview.__slots__}


async def test_the_demo_accounts_read_as_before(db: FreshDatabase) -> None:
    await assert_same_as_reference(db, month_bounds(datetime.now(UTC).date())[0])


async def test_edge_cases_read_as_before(db: FreshDatabase) -> None:
    today = datetime.now(UTC).date()
    start = month_bounds(today)[0]
    last_month = month_bounds(start - timedelta(days=1))[0]
    acme = await account_id(db, "Acme Trading Ltd")
    globex = await account_id(db, "Globex Retail")
    initech = await account_id(db, "Initech Payments")
    async with db.database.transaction() as connection:
        # Acme: no balance row (zero, in its billing currency), a cancelled subscription,
        # usage last month too, a meter its package does not include used this month,
        # and a second member account for one of its users.
        await connection.execute(delete(m.Balance).where(m.Balance.account_id == acme))
        first = (
            await connection.execute(
                select(func.min(m.SubscriptionRow.id)).where(
                    m.SubscriptionRow.account_id == acme
                )
            )
        ).scalar_one()
        await connection.execute(
            update(m.SubscriptionRow)
            .where(m.SubscriptionRow.id == first)
            .values(status="cancelled", cancelled_at=datetime.now(UTC))
        )
        await connection.execute(
            insert(m.UsageRecord),
            [
                {"account_id": acme, "meter_code": "conversations", "period_start": last_month,
                 "used": 7},
                {"account_id": acme, "meter_code": "payments", "period_start": start, "used": 3},
            ],
        )
        # Globex: no subscriptions, no usage at all, and no billing currency.
        await connection.execute(
            delete(m.SubscriptionRow).where(m.SubscriptionRow.account_id == globex)
        )
        await connection.execute(delete(m.UsageRecord).where(m.UsageRecord.account_id == globex))
        await connection.execute(delete(m.Balance).where(m.Balance.account_id == globex))
        await connection.execute(
            update(m.Account).where(m.Account.id == globex).values(billing_currency=None)
        )
        # Initech: three more subscriptions, one added out of order of names.
        await connection.execute(
            insert(m.SubscriptionRow),
            [
                {"account_id": initech, "name": name, "price": Decimal(price),
                 "currency": "EUR", "interval": "year", "status": "active"}
                for name, price in (("Zeta", "1.50"), ("Alpha", "1200.00"), ("Mid", "0.01"))
            ],
        )
        await connection.execute(
            insert(m.Membership).values(
                user_id=await user_id(db, "owner@acme.example"), account_id=initech,
                role="viewer",
            )
        )
    await assert_same_as_reference(db, start)
    await assert_same_as_reference(db, last_month)


async def test_the_screens_show_what_the_reads_return(db: FreshDatabase) -> None:
    acme = await account_id(db, "Acme Trading Ltd")
    today = datetime.now(UTC).date()
    async with db.stores.transaction() as store:
        report = await store.get(PACKAGES).usage_report(acme, today)
        preview = await store.get(CLOSING).closure_preview(acme)
    async with db.database.reading() as connection:
        expected = await reference(connection, acme, month_bounds(today)[0])
    assert report.balance == preview.balance == expected["balance"]
    assert report.subscriptions == preview.subscriptions == expected["subscriptions"]
    assert preview.members_losing_access == expected["members"]
    assert {u.meter.code: u.used for u in report.meters if u.used} == expected["used"]


async def test_an_unknown_account_is_no_result(db: FreshDatabase) -> None:
    async with db.database.reading() as connection:
        with pytest.raises(NoResultFound):
            await account_overview(connection, 999_999)


async def test_a_fresh_catalogue_is_served_without_a_connection(db: FreshDatabase) -> None:
    now = [0.0]
    cache = CatalogueCache(ttl_seconds=60, clock=lambda: now[0])
    assert cache.current() is None  # nothing read yet
    async with db.database.reading() as connection:
        read = await cache.get(connection)
    assert cache.current() is read
    now[0] = 61.0
    assert cache.current() is None  # stale: the next screen reads it again
    async with db.database.reading() as connection:
        assert await cache.get(connection) == read
    assert cache.current() is not None
