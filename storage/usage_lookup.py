"""Which account and meter a usage event is for: by id or name, by code or label.

The API names an account by id or exact name and a meter by its code; the command line
and conversation scripts, typed by people, also take names in any case and meter labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
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
    or with ``loose`` its label or code in any case). Raises :class:`UsageRefused`."""
    row = await _account(connection, account, loose=loose)
    code, label, unit = await _meter(connection, meter, loose=loose)
    included = await connection.scalar(
        select(m.PackageAllowance.included).where(
            m.PackageAllowance.package_code == row.package_code,
            m.PackageAllowance.meter_code == code,
        )
    )
    return Target(
        account_id=row.id,
        account_name=row.name,
        account_open=row.status == "open",
        meter_code=code,
        meter_label=label,
        unit=unit,
        included=included or 0,
    )


async def _account(connection: AsyncConnection, account: int | str, *, loose: bool) -> m.Account:
    query = select(m.Account.id, m.Account.name, m.Account.status, m.Account.package_code)
    if isinstance(account, int):
        query = query.where(m.Account.id == account)
    elif loose and account.strip().isdigit():
        query = query.where(m.Account.id == int(account))
    elif loose:
        query = query.where(func.lower(m.Account.name) == account.strip().lower())
    else:
        query = query.where(m.Account.name == account)
    rows = (await connection.execute(query.order_by(m.Account.id).limit(2))).all()
    if len(rows) != 1:
        why = "two accounts have that name; use its id" if rows else "no such account"
        raise UsageRefused(Refusal.UNKNOWN_ACCOUNT, f"{why}: {account!r}")
    return rows[0]  # type: ignore[return-value]  # a Row with the Account's columns


async def _meter(connection: AsyncConnection, meter: str, *, loose: bool) -> tuple[str, str, str]:
    meters = (
        await connection.execute(
            select(m.Meter.code, m.Meter.label, m.Meter.unit).order_by(m.Meter.position)
        )
    ).all()
    for code, label, unit in meters:
        if code == meter:
            return code, label, unit
    wanted = meter.strip().lower()
    if loose:
        for code, label, unit in meters:
            if wanted in (code.lower(), label.lower()):
                return code, label, unit
    known = ", ".join(code for code, _label, _unit in meters)
    raise UsageRefused(Refusal.UNKNOWN_METER, f"no meter {meter!r}; the meters are: {known}")
