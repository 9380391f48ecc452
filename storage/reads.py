"""Read-side queries that build the immutable views declared in ``flows.ports``."""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    Date,
    Integer,
    Row,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.exc import NoResultFound
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.ports import (
    ACCOUNT_DETAILS,
    PACKAGES,
    AccountDetails,
    AccountStatus,
    Catalogue,
    Meter,
    MeterUsage,
    Money,
    PackageInfo,
    Subscription,
    UsageReport,
)
from flows.types import Role
from storage import models as m
from storage.capabilities import TurnScope, provides

_ACCOUNT = m.Account.__table__.c


def member_role(user_id: Any) -> Any:
    """A correlated subquery: ``user_id``'s role (a value or a bound parameter) on the
    account of the outer query."""
    return (
        select(m.Membership.role)
        .where(m.Membership.account_id == m.Account.id, m.Membership.user_id == user_id)
        .scalar_subquery()
    )


def _details_statement() -> Any:
    """The account with package name, owner and one user's role: built once (building a
    statement costs more than running it); each call binds ``account_id`` and ``user_id``."""
    owner = select(m.Membership.user_id).where(
        m.Membership.account_id == m.Account.id, m.Membership.role == Role.OWNER.value
    )
    owner_id = owner.order_by(m.Membership.id).limit(1).scalar_subquery()
    role = member_role(bindparam("user_id", type_=Integer))  # NULL: no member, no role
    return (
        select(
            *_ACCOUNT,
            m.Package.name.label("package_name"),
            m.User.name.label("owner_name"),
            m.User.email.label("owner_email"),
            role.label("role"),
        )
        .join(m.Package, m.Package.code == m.Account.package_code)
        .outerjoin(m.User, m.User.id == owner_id)
        .where(m.Account.id == bindparam("account_id", type_=Integer))
    )


_DETAILS = _details_statement()


async def details_and_role(
    connection: AsyncConnection, account_id: int, user_id: int | None = None
) -> tuple[AccountDetails, Role | None]:
    """The account's details and, when ``user_id`` is given, that user's role on it."""
    parameters = {"account_id": account_id, "user_id": user_id}
    row = (await connection.execute(_DETAILS, parameters)).one()
    return _details(row), (Role(row.role) if row.role else None)


def _details(row: Row[Any, *tuple[Any, ...]]) -> AccountDetails:
    return AccountDetails(
        account_id=row.id,
        name=row.name,
        legal_name=row.legal_name,
        registration_number=row.registration_number,
        address=row.address,
        contact_name=row.contact_name,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        country=row.country,
        timezone=row.timezone,
        billing_currency=row.billing_currency,
        package_code=row.package_code,
        package_name=row.package_name,
        status=AccountStatus(row.status),
        created_at=row.created_at,
        owner_name=row.owner_name or "",
        owner_email=row.owner_email or "",
        version=row.version,
    )


async def catalogue(connection: AsyncConnection) -> Catalogue:
    """Every package (in upgrade order) with features and allowances, and every meter."""
    features: dict[str, list[str]] = defaultdict(list)
    for code, feature in await connection.execute(
        select(m.PackageFeature.package_code, m.PackageFeature.feature).order_by(
            m.PackageFeature.package_code, m.PackageFeature.position
        )
    ):
        features[code].append(feature)
    allowances: dict[str, dict[str, int]] = defaultdict(dict)
    for code, meter, included in await connection.execute(
        select(
            m.PackageAllowance.package_code,
            m.PackageAllowance.meter_code,
            m.PackageAllowance.included,
        )
    ):
        allowances[code][meter] = included
    packages = tuple(
        PackageInfo(
            code=p.code,
            name=p.name,
            monthly_price=Money(p.monthly_price, p.currency),
            features=tuple(features[p.code]),
            allowances=dict(allowances[p.code]),
            self_service_closure=p.self_service_closure,
        )
        for p in await connection.execute(
            select(*m.Package.__table__.c).order_by(m.Package.position)
        )
    )
    meters = tuple(
        Meter(code=r.code, label=r.label, unit=r.unit)
        for r in await connection.execute(
            select(m.Meter.code, m.Meter.label, m.Meter.unit).order_by(m.Meter.position)
        )
    )
    return Catalogue(packages=packages, meters=meters)


def month_bounds(today: date) -> tuple[date, date]:
    """First and last day (inclusive) of the calendar month containing ``today``."""
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


def subscription(row: Row[Any]) -> Subscription:
    """A subscription view from a row with the ``subscriptions`` columns."""
    return Subscription(
        id=row.id,
        name=row.name,
        price=Money(Decimal(row.price), row.currency),
        interval=row.interval,
        status=row.status,
    )


def _account_overview_statement() -> Any:
    """The account, its usage in one period and its active subscriptions, in one statement.

    Three SELECTs joined by UNION ALL, one row kind each (``kind`` 0: the account
    with balance and member count; 1: a meter's usage; 2: an active subscription),
    each on an index: the account and its balance by primary key, members and
    subscriptions by ``account_id``, usage by the ``(account_id, meter_code,
    period_start)`` key. Built once with bound parameters, so each call only binds
    ``account_id`` and ``period_start`` (NULL for no usage rows).
    """
    account_id: BindParameter[Any] = bindparam("account_id", type_=Integer)
    period: BindParameter[Any] = bindparam("period_start", type_=Date)
    members = (
        select(func.count())
        .select_from(m.Membership)
        .where(m.Membership.account_id == m.Account.id)
        .scalar_subquery()
    )
    usage_columns = (m.UsageRecord.meter_code.label("u_meter"), m.UsageRecord.used.label("u_used"))
    sub = m.SubscriptionRow
    sub_columns = (
        sub.id.label("s_id"),
        sub.name.label("s_name"),
        sub.price.label("s_price"),
        sub.currency.label("s_currency"),
        sub.interval.label("s_interval"),
        sub.status.label("s_status"),
    )
    account_columns = (
        m.Account.name.label("name"),
        m.Account.package_code.label("package_code"),
        func.coalesce(m.Balance.amount, Decimal("0.00")).label("amount"),
        func.coalesce(m.Balance.currency, m.Account.billing_currency, m.Package.currency).label(
            "currency"
        ),
        members.label("members"),
    )
    # NULLs cast to their column's type: the first SELECT of a UNION gives the result
    # its types (PostgreSQL would take two untyped NULLs for text).
    account = (
        select(
            _kind(_ACCOUNT_ROW).label("kind"),
            *account_columns,
            *(cast(null(), c.type).label(c.name) for c in (*usage_columns, *sub_columns)),
        )
        .join(m.Package, m.Package.code == m.Account.package_code)
        .outerjoin(m.Balance, m.Balance.account_id == m.Account.id)
        .where(m.Account.id == account_id)
    )
    no_account = [null() for _ in account_columns]
    usage = select(
        _kind(_USAGE_ROW), *no_account, *usage_columns, *(null() for _ in sub_columns)
    ).where(m.UsageRecord.account_id == account_id, m.UsageRecord.period_start == period)
    subscriptions = select(
        _kind(_SUBSCRIPTION_ROW), *no_account, *(null() for _ in usage_columns), *sub_columns
    ).where(sub.account_id == account_id, sub.status == "active")
    return union_all(account, usage, subscriptions)


def _kind(kind: int) -> Any:
    return literal_column(str(kind), Integer)  # inline: the same statement text every time


_ACCOUNT_ROW, _USAGE_ROW, _SUBSCRIPTION_ROW = 0, 1, 2
_ACCOUNT_OVERVIEW = _account_overview_statement()


@dataclass(frozen=True, slots=True)
class AccountOverview:
    """What the package and closure screens show of one account, read in one statement."""

    name: str
    package_code: str
    balance: Money
    members: int
    used: dict[str, int]  # meter code -> quantity, in the period asked for (empty if none)
    subscriptions: tuple[Subscription, ...]  # active ones, oldest first


async def account_overview(
    connection: AsyncConnection, account_id: int, period_start: date | None = None
) -> AccountOverview:
    """Name, package, balance (zero when none is stored), member count, usage in the
    period starting ``period_start`` (none if None) and active subscriptions of an
    account, in one statement. Raises ``NoResultFound`` for an unknown account."""
    rows = await connection.execute(
        _ACCOUNT_OVERVIEW, {"account_id": account_id, "period_start": period_start}
    )
    account: Any = None
    used: dict[str, int] = {}
    subscriptions: list[Subscription] = []
    for row in rows:
        if row.kind == _ACCOUNT_ROW:
            account = row
        elif row.kind == _USAGE_ROW:
            used[row.u_meter] = row.u_used
        else:
            subscriptions.append(
                Subscription(
                    id=row.s_id,
                    name=row.s_name,
                    price=Money(Decimal(row.s_price), row.s_currency),
                    interval=row.s_interval,
                    status=row.s_status,
                )
            )
    if account is None:
        raise NoResultFound(f"no account {account_id}")
    subscriptions.sort(key=lambda s: s.id)
    return AccountOverview(
        name=account.name,
        package_code=account.package_code,
        balance=Money(Decimal(account.amount), account.currency),
        members=account.members,
        used=used,
        subscriptions=tuple(subscriptions),
    )


async def usage_report(
    connection: AsyncConnection, account_id: int, today: date, cat: Catalogue | None = None
) -> UsageReport:
    """Usage this calendar month against the package, with balance and subscriptions.

    One statement (:func:`account_overview`) besides the catalogue, which is cached.
    Meters the package does not include are shown only when something was used.
    """
    start, end = month_bounds(today)
    account = await account_overview(connection, account_id, start)
    cat = cat or await catalogue(connection)
    package = next(p for p in cat.packages if p.code == account.package_code)
    used = account.used
    meters = tuple(
        MeterUsage(meter=meter, used=used.get(meter.code, 0), included=included)
        for meter in cat.meters
        if (included := package.allowances.get(meter.code, 0)) > 0 or used.get(meter.code, 0) > 0
    )
    return UsageReport(
        package=package,
        period_start=start,
        period_end=end,
        meters=meters,
        balance=account.balance,
        subscriptions=account.subscriptions,
        as_of=today,
    )


@provides(ACCOUNT_DETAILS)
class SqlAccountDetails:
    """:class:`flows.ports.AccountDetailsReader` on committed data."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def account_details(self, account_id: int) -> AccountDetails:
        """Every stored field of the account, with package name and owner."""
        found = await self._turn.read(lambda connection: details_and_role(connection, account_id))
        return found[0]


@provides(PACKAGES)
class SqlPackages:
    """:class:`flows.ports.PackageReader`: the cached catalogue and this month's usage."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def catalogue(self) -> Catalogue:
        """Every package (in upgrade order) with features and allowances, and every meter."""
        return await self._turn.catalogue()

    async def usage_report(self, account_id: int, today: date) -> UsageReport:
        """Usage in the calendar month of ``today`` against the package, with balance and
        active subscriptions."""
        catalogue = await self._turn.catalogue()
        return await self._turn.read(
            lambda connection: usage_report(connection, account_id, today, catalogue)
        )
