"""Which account and meter a usage event is for: by id or name, by code or label.

The API names an account by id or exact name and a meter by its code; the command line
and conversation scripts, typed by people, also take names in any case and meter labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import models as m
from storage.usage_errors import Refusal, UsageRefused


@dataclass(frozen=True, slots=True)
class Target:
    """The account and meter an event counts against, with what the package includes."""

    account_id: int
    account_name: str
    account_open: bool
    meter_code: str
    meter_label: str
    unit: str
    included: int  # per billing period; 0 when the package does not include the meter


async def find_target(
    connection: AsyncConnection, account: int | str, meter: str, *, loose: bool
) -> Target:
    """The account (id, or name: exact, or any case when ``loose``) and the meter (code,
    or with ``loose`` its label or code in any case), with the package's allowance, in one
    statement. Raises :class:`UsageRefused` (saying which one is unknown)."""
    query = (
        select(
            m.Account.id, m.Account.name, m.Account.status, m.Meter.code, m.Meter.label,
            m.Meter.unit, func.coalesce(m.PackageAllowance.included, 0).label("included"),
        )
        .select_from(m.Account)
        .join(m.Meter, _meter_is(meter, loose=loose))
        .outerjoin(
            m.PackageAllowance,
            and_(
                m.PackageAllowance.package_code == m.Account.package_code,
                m.PackageAllowance.meter_code == m.Meter.code,
            ),
        )
        .where(_account_is(account, loose=loose))
        .limit(2)
    )
    rows = (await connection.execute(query)).all()
    if len(rows) != 1:  # say which: only on this path, never for an event that counts
        await _account(connection, account, loose=loose)
        await _meter(connection, meter, loose=loose)
        raise UsageRefused(Refusal.INVALID, f"{meter!r} names more than one meter; use its code")
    row = rows[0]
    return Target(
        account_id=row.id,
        account_name=row.name,
        account_open=row.status == "open",
        meter_code=row.code,
        meter_label=row.label,
        unit=row.unit,
        included=row.included,
    )


def _account_is(account: int | str, *, loose: bool) -> ColumnElement[bool]:
    if isinstance(account, int):
        return m.Account.id == account
    if loose and account.strip().isdigit():
        return m.Account.id == int(account)
    if loose:
        return func.lower(m.Account.name) == account.strip().lower()
    return m.Account.name == account


def _meter_is(meter: str, *, loose: bool) -> ColumnElement[bool]:
    if not loose:
        return m.Meter.code == meter
    wanted = meter.strip().lower()
    return or_(func.lower(m.Meter.code) == wanted, func.lower(m.Meter.label) == wanted)


async def _account(connection: AsyncConnection, account: int | str, *, loose: bool) -> None:
    """Refuse an account that is unknown, or a name two accounts share."""
    query = select(m.Account.id).where(_account_is(account, loose=loose)).limit(2)
    found = (await connection.execute(query)).all()
    if len(found) != 1:
        why = "two accounts have that name; use its id" if found else "no such account"
        raise UsageRefused(Refusal.UNKNOWN_ACCOUNT, f"{why}: {account!r}")


async def _meter(connection: AsyncConnection, meter: str, *, loose: bool) -> None:
    """Refuse a meter that is unknown."""
    meters = (
        await connection.execute(
            select(m.Meter.code, m.Meter.label, m.Meter.unit).order_by(m.Meter.position)
        )
    ).all()
    wanted = meter.strip().lower()
    for code, label, _unit in meters:
        if code == meter or (loose and wanted in (code.lower(), label.lower())):
            return
    known = ", ".join(code for code, _label, _unit in meters)
    raise UsageRefused(Refusal.UNKNOWN_METER, f"no meter {meter!r}; the meters are: {known}")
