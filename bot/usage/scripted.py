"""The conversation scripts' ``usage:`` step: usage recorded for a demo user's account.

It goes through the one recording service (:func:`storage.usage_service.record`), as
``POST /usage`` does, so a script sees the alerts the platform's usage would bring.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from storage import models as m
from storage.errors import UnknownUser
from storage.unit_of_work import Database
from storage.usage import UsageRequest, UsageResult
from storage.usage_service import record


async def record_for(
    database: Database, email: str, meter: str, quantity: int, now: datetime
) -> UsageResult:
    """Add ``quantity`` of ``meter`` (label or code, any case) to the account of the demo
    user ``email``. Raises ``UnknownUser`` and ``UsageRefused``."""
    async with database.reading() as connection:
        account = await connection.scalar(
            select(m.Membership.account_id)
            .join(m.User, m.User.id == m.Membership.user_id)
            .where(m.User.email == email)
            .order_by(m.Membership.id)
            .limit(1)
        )
    if account is None:
        raise UnknownUser(email)
    request = UsageRequest(
        account=int(account), meter=meter, quantity=quantity,
        idempotency_key=f"script-{uuid.uuid4()}", source="script", loose=True,
    )
    return await record(database, request, now)


def transcript_line(result: UsageResult) -> str:
    """How the step shows in a script's transcript."""
    target = result.target
    share = f" ({result.used * 100 // target.included}%)" if target.included else ""
    return (f"usage: +{result.quantity:,} {target.meter_label} recorded for "
            f"{target.account_name}, now {result.used:,} / {target.included:,}{share}")
