"""Recording usage on both backends: counting, idempotency and what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from storage import models as m
from storage.sandbox import FreshDatabase
from storage.usage_errors import Refusal, UsageRefused
from tests.storage.helpers import NOW, account_id
from tests.usage.helpers import ACME, add


async def test_events_add_up_in_the_period_counter(db: FreshDatabase) -> None:
    first = await add(db, "campaign_messages", 300)
    second = await add(db, "campaign_messages", 200)
    assert (first.used, second.used) == (300, 500)
    assert second.target.included == 10_000  # Interact
    assert (second.period_start.isoformat(), second.period_end.isoformat()) == (
        "2026-01-01", "2026-01-31")
    assert not first.replayed and first.alert is None


async def test_a_retried_event_counts_once_and_answers_the_same(db: FreshDatabase) -> None:
    first = await add(db, "campaign_messages", 300, key="evt-1")
    again = await add(db, "campaign_messages", 300, key="evt-1", now=NOW + timedelta(hours=1))
    assert again.replayed and again.event_id == first.event_id
    assert (again.used, again.occurred_at, again.alert) == (300, first.occurred_at, None)
    later = await add(db, "campaign_messages", 1)
    assert later.used == 301


async def test_the_same_event_named_by_id_is_a_replay(db: FreshDatabase) -> None:
    acme = await account_id(db, ACME)
    await add(db, "conversations", 5, key="evt-2")
    assert (await add(db, "conversations", 5, key="evt-2", account=acme)).replayed


async def test_the_same_key_for_another_event_is_refused(db: FreshDatabase) -> None:
    await add(db, "campaign_messages", 300, key="evt-3")
    with pytest.raises(UsageRefused) as refused:
        await add(db, "campaign_messages", 301, key="evt-3")
    assert refused.value.reason is Refusal.KEY_REUSED
    # Keys are per account: Globex may use the same one.
    assert not (await add(db, "conversations", 1, key="evt-3", account="Globex Retail")).replayed


async def test_people_may_name_account_and_meter_loosely(db: FreshDatabase) -> None:
    from storage.usage import UsageRequest
    from storage.usage_service import record

    request = UsageRequest(account="acme trading LTD", meter="Chatbot Sessions", quantity=3,
                           idempotency_key="loose", loose=True)
    result = await record(db.database, request, NOW)
    assert (result.target.account_name, result.target.meter_code) == (ACME, "bot_sessions")
    with pytest.raises(UsageRefused) as strict:
        await add(db, "Chatbot sessions", 1, account="acme trading ltd")
    assert strict.value.reason is Refusal.UNKNOWN_ACCOUNT


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"account": "Nobody Ltd"}, Refusal.UNKNOWN_ACCOUNT),
        ({"account": 9999}, Refusal.UNKNOWN_ACCOUNT),
        ({"meter": "sms"}, Refusal.UNKNOWN_METER),
        ({"quantity": 0}, Refusal.INVALID),
        ({"quantity": -5}, Refusal.INVALID),
        ({"key": " "}, Refusal.INVALID),
        ({"at": NOW.replace(tzinfo=None)}, Refusal.INVALID),
        ({"at": NOW + timedelta(hours=1)}, Refusal.IN_THE_FUTURE),
        ({"at": NOW - timedelta(days=30)}, Refusal.PERIOD_CLOSED),  # 16 Dec: invoiced
    ],
)
async def test_what_cannot_be_recorded_is_refused_and_nothing_is_kept(
    db: FreshDatabase, kwargs: dict[str, object], reason: Refusal
) -> None:
    values: dict[str, object] = {"meter": "conversations", "quantity": 1, **kwargs}
    with pytest.raises(UsageRefused) as refused:
        await add(db, **values)  # type: ignore[arg-type]
    assert refused.value.reason is reason
    assert (await add(db, "conversations", 1)).used == 1  # nothing was counted before


async def test_a_closed_account_takes_no_usage(db: FreshDatabase) -> None:
    async with db.database.transaction() as connection:
        await connection.execute(
            update(m.Account).where(m.Account.name == ACME).values(status="closed"))
    with pytest.raises(UsageRefused) as refused:
        await add(db, "conversations", 1)
    assert refused.value.reason is Refusal.ACCOUNT_CLOSED


async def test_a_time_a_little_ahead_counts_now_and_earlier_this_month_counts(
    db: FreshDatabase,
) -> None:
    ahead = await add(db, "conversations", 1, at=NOW + timedelta(minutes=2))
    earlier = await add(db, "conversations", 1, at=NOW - timedelta(days=14))  # 1 Jan
    assert ahead.period_start == earlier.period_start == NOW.date().replace(day=1)
    assert earlier.used == 2
