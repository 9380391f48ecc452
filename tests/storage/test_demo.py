"""Demo data: the contract in docs/architecture.md, and seeding twice adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import phonenumbers
from sqlalchemy import select

from flows.ports import ACCOUNT_DETAILS, CLOSING, PACKAGES
from storage import models as m
from storage.demo import seed_demo
from storage.sandbox import FreshDatabase
from tests.storage.helpers import account_id, count

TABLES: list[type[m.Base]] = [
    m.Package,
    m.PackageFeature,
    m.Meter,
    m.PackageAllowance,
    m.User,
    m.Account,
    m.Membership,
    m.SubscriptionRow,
    m.Balance,
    m.UsageRecord,
]


async def test_seed_is_idempotent(db: FreshDatabase) -> None:
    before = {t.__tablename__: await count(db, t) for t in TABLES}
    assert all(before.values()), before
    for _ in range(2):
        async with db.database.transaction() as connection:
            await seed_demo(connection, datetime.now(UTC).date())
    after = {t.__tablename__: await count(db, t) for t in TABLES}
    assert after == before
    assert after["accounts"] == 3 and after["users"] == 5


async def test_acme_matches_the_contract(db: FreshDatabase) -> None:
    acme = await account_id(db, "Acme Trading Ltd")
    today = datetime.now(UTC).date()
    async with db.stores.transaction() as store:
        details = await store.get(ACCOUNT_DETAILS).account_details(acme)
        report = await store.get(PACKAGES).usage_report(acme, today)
    assert (details.package_code, details.package_name) == ("interact", "Interact")
    assert details.billing_currency == "USD"
    assert details.owner_email == "owner@acme.example"
    assert report.balance.amount == Decimal("125.40") and report.balance.currency == "USD"
    assert str(report.balance) == "125.40 USD"
    assert {(s.name, str(s.price), s.interval) for s in report.subscriptions} == {
        ("WhatsApp Business number", "49.00 USD", "month"),
        ("Chat Desk extra agent seat", "25.00 USD", "month"),
    }
    assert report.period_start == today.replace(day=1) and report.period_end.month == today.month
    ratios = [u.used / u.included for u in report.meters if u.included]
    assert any(0.8 <= r < 1.0 for r in ratios)
    assert any(r > 1.0 for r in ratios)
    assert any(r < 0.5 for r in ratios)
    assert "payments" not in {u.meter.code for u in report.meters}  # not in Interact, unused

    async with db.database.reading() as connection:
        roles = dict(
            (
                await connection.execute(
                    select(m.User.email, m.Membership.role)
                    .join(m.Membership, m.Membership.user_id == m.User.id)
                    .where(m.Membership.account_id == acme)
                )
            ).all()
        )
        phones = (await connection.execute(select(m.User.phone))).scalars().all()
        contact_phones = (await connection.execute(select(m.Account.contact_phone))).scalars().all()
    assert roles == {
        "owner@acme.example": "owner",
        "admin@acme.example": "admin",
        "viewer@acme.example": "viewer",
    }
    for phone in [*phones, *contact_phones]:
        assert phone and phonenumbers.is_valid_number(phonenumbers.parse(phone)), phone


async def test_catalogue_and_other_accounts(db: FreshDatabase) -> None:
    # Ids first: on SQLite every transaction holds the write lock until it ends.
    globex_id = await account_id(db, "Globex Retail")
    initech_id = await account_id(db, "Initech Payments")
    async with db.stores.transaction() as store:
        catalogue = await store.get(PACKAGES).catalogue()
        globex = await store.get(ACCOUNT_DETAILS).account_details(globex_id)
        initech = await store.get(CLOSING).closure_preview(initech_id)
    assert [p.code for p in catalogue.packages] == ["connect", "interact", "transact"]
    assert [p.self_service_closure for p in catalogue.packages] == [False, True, True]
    assert "Chat Desk shared inbox" in catalogue.packages[1].features
    assert "Payments in chat" in catalogue.packages[2].features
    assert [x.code for x in catalogue.meters] == [
        "conversations",
        "agent_seats",
        "bot_sessions",
        "campaign_messages",
        "payments",
    ]
    assert (globex.package_code, globex.owner_email) == ("connect", "owner@globex.example")
    assert initech.package_code == "transact" and len(initech.subscriptions) == 1
    assert initech.balance.amount > 0
