"""Seed the demo data (see ``storage.demo_data``); running it again changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import models as m
from storage.demo_data import ACCOUNTS, ALLOWANCES, METERS, PACKAGES, USERS
from storage.reads import month_bounds

T = TypeVar("T", bound=m.Base)


async def seed_demo(sessionmaker: async_sessionmaker[AsyncSession], today: date) -> None:
    """Create whatever part of the demo data is missing, with usage for ``today``'s month.

    Rows are looked up by natural key (package code, e-mail, account name...), so
    a second run, or a run on a database edited since, adds nothing twice.
    """
    async with sessionmaker() as session, session.begin():
        await _catalogue(session)
        users = {email: await _user(session, email, name, phone) for email, name, phone in USERS}
        for spec in ACCOUNTS:
            await _account(session, spec, users, today)


async def _get_or_add(
    session: AsyncSession, model: type[T], key: dict[str, Any], **values: Any
) -> T:
    found = (await session.execute(select(model).filter_by(**key))).scalar_one_or_none()
    if found is not None:
        return found
    row = model(**key, **values)
    session.add(row)
    await session.flush()  # assigns ids needed by dependent rows
    return row


async def _catalogue(session: AsyncSession) -> None:
    for position, (code, name, price, self_service, features) in enumerate(PACKAGES):
        await _get_or_add(
            session,
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
                session,
                m.PackageFeature,
                {"package_code": code, "position": index},
                feature=feature,
            )
    for position, (code, label, unit) in enumerate(METERS):
        await _get_or_add(
            session, m.Meter, {"code": code}, label=label, unit=unit, position=position
        )
    for package, allowances in ALLOWANCES.items():
        for meter, included in allowances.items():
            await _get_or_add(
                session,
                m.PackageAllowance,
                {"package_code": package, "meter_code": meter},
                included=included,
            )


async def _user(session: AsyncSession, email: str, name: str, phone: str) -> int:
    user = await _get_or_add(session, m.User, {"email": email}, name=name, phone=phone)
    return user.id


async def _account(
    session: AsyncSession, spec: dict[str, Any], users: dict[str, int], today: date
) -> None:
    fields = {
        k: v
        for k, v in spec.items()
        if k not in {"name", "members", "balance", "subscriptions", "usage"}
    }
    account = await _get_or_add(
        session, m.Account, {"name": spec["name"]}, status="open", version=1, **fields
    )
    for email, role in spec["members"]:
        await _get_or_add(
            session, m.Membership, {"user_id": users[email], "account_id": account.id}, role=role
        )
    currency = spec["billing_currency"]
    await _get_or_add(
        session, m.Balance, {"account_id": account.id}, amount=spec["balance"], currency=currency
    )
    for name, price in spec["subscriptions"]:
        await _get_or_add(
            session,
            m.SubscriptionRow,
            {"account_id": account.id, "name": name},
            price=price,
            currency=currency,
            interval="month",
            status="active",
        )
    period_start, _ = month_bounds(today)
    for meter, used in spec["usage"].items():
        await _get_or_add(
            session,
            m.UsageRecord,
            {"account_id": account.id, "meter_code": meter, "period_start": period_start},
            used=used,
        )
