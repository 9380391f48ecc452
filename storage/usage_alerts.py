"""Deciding usage alerts, exactly once per account, meter, billing period and threshold.

Runs inside the transaction that records the usage. Each threshold the period's total
has reached is claimed with one ``INSERT … ON CONFLICT DO NOTHING RETURNING``: the
transaction that inserts a row owns that threshold, and only it queues the alert.
However many workers record at once, PostgreSQL lets one insert win (the others wait
for it on the unique key, then insert nothing); SQLite has one writer anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.i18n import use_language
from flows.ports import Notice
from flows.types import ConversationKey, Role
from flows.usage_alerts import THRESHOLDS, AlertFacts, see_usage_choice, usage_alert_text
from storage import models as m
from storage.languages import reader_language
from storage.outbox import enqueue
from storage.sql import insert_for
from storage.usage_lookup import Target


@dataclass(frozen=True, slots=True)
class Alerted:
    """What a recording alerted: the threshold its message was about (None: no alert)
    and how many chats it was queued for."""

    threshold: int | None = None
    notices: int = 0


NO_ALERT = Alerted()


def reached(used: int, included: int) -> tuple[int, ...]:
    """The thresholds (percent) ``used`` has reached of ``included``; none for a meter
    the package does not include (everything used there is overage from the start)."""
    if included <= 0:
        return ()
    return tuple(t for t in THRESHOLDS if used * 100 >= t * included)


async def decide_alerts(
    connection: AsyncConnection,
    target: Target,
    period: tuple[date, date],
    used: int,
    now: datetime,
) -> Alerted:
    """Claim the thresholds ``used`` reached in ``period`` (first and last day); if this
    transaction claimed any, queue one alert about the highest on every chat of the
    account's owners and admins who have usage alerts on."""
    due = reached(used, target.included)
    if not due:
        return NO_ALERT
    rows = [
        {
            "account_id": target.account_id,
            "meter_code": target.meter_code,
            "period_start": period[0],
            "threshold": threshold,
            "created_at": now,
        }
        for threshold in due
    ]
    claim = (
        insert_for(connection, m.UsageAlert)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(m.UsageAlert.threshold)
    )
    won = (await connection.execute(claim)).scalars().all()
    if not won:
        return NO_ALERT
    threshold = max(won)  # 0 -> 120 %: one message, about 100 % (80 % is marked too)
    facts = AlertFacts(
        account_name=target.account_name,
        meter_label=target.meter_label,
        unit=target.unit,
        used=used,
        included=target.included,
        threshold=threshold,
        period_end=period[1],
    )
    notices = []
    for chat, language in await recipients(connection, target.account_id):
        # Worded for each reader: the language they chose in chat, else the one their
        # app last said (kept by the engine), else English.
        with use_language(language):
            notices.append(
                Notice(to=chat, text=usage_alert_text(facts), choices=(see_usage_choice(),))
            )
    await enqueue(connection, notices, now)
    return Alerted(threshold, len(notices))


async def recipients(
    connection: AsyncConnection, account_id: int
) -> list[tuple[ConversationKey, str | None]]:
    """Every chat linked to an owner or admin of the account with usage alerts on
    (no setting stored means on), with its user's language: chosen, else the app's
    (None: neither).
    Viewers are never alerted."""
    setting = m.NotificationSetting
    query = (
        select(m.ChatIdentity.channel, m.ChatIdentity.external_id, reader_language())
        .join(m.Membership, m.Membership.user_id == m.ChatIdentity.user_id)
        .join(m.User, m.User.id == m.ChatIdentity.user_id)
        .outerjoin(setting, setting.user_id == m.Membership.user_id)
        .where(
            m.Membership.account_id == account_id,
            m.Membership.role.in_((Role.OWNER.value, Role.ADMIN.value)),
            func.coalesce(setting.usage_alerts, True).is_(True),
        )
        .order_by(m.Membership.id, m.ChatIdentity.channel, m.ChatIdentity.external_id)
    )
    rows = await connection.execute(query)
    return [
        (ConversationKey(channel, chat_id), language) for channel, chat_id, language in rows
    ]
