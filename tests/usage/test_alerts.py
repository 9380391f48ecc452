"""Usage alerts on both backends: 80 % and 100 %, once per period, to owners and admins."""

from __future__ import annotations

from datetime import timedelta

from flows.tokens import standing
from storage.sandbox import FreshDatabase
from storage.usage_notifications import set_usage_alerts, usage_alerts_on
from tests.storage.helpers import NOW, user_id
from tests.usage.helpers import OWNER_AND_ADMIN_CHATS, add, alert_rows, link_acme_chats, outbox

SEE_USAGE = [["📊 See usage", standing("start.package")]]


async def test_80_then_100_percent_each_alert_once(db: FreshDatabase) -> None:
    await link_acme_chats(db)
    assert (await add(db, "conversations", 799)).alert is None  # 79.9 %
    at_80 = await add(db, "conversations", 1)
    assert (at_80.alert, at_80.notices) == (80, len(OWNER_AND_ADMIN_CHATS))
    assert (await add(db, "conversations", 150)).alert is None  # 95 %: 80 % was sent
    at_100 = await add(db, "conversations", 50)
    assert (at_100.used, at_100.alert) == (1000, 100)
    assert (await add(db, "conversations", 500)).alert is None  # 150 %: nothing more
    notices = await outbox(db)
    assert [(n.channel, n.chat_id) for n in notices] == OWNER_AND_ADMIN_CHATS * 2
    nearly, over = notices[0], notices[-1]
    for words in ("Acme Trading Ltd", "Conversations", "800 / 1,000 conversations", "(80%)",
                  "ends on 31 Jan 2026", "overage"):
        assert words in nearly.text
    for words in ("Conversations used up", "1,000 / 1,000 conversations", "(100%)", "overage"):
        assert words in over.text
    assert all(n.choices == SEE_USAGE for n in notices)
    assert await alert_rows(db) == [
        ("conversations", "2026-01-01", 80), ("conversations", "2026-01-01", 100)]


async def test_crossing_both_at_once_sends_one_message_about_100_percent(
    db: FreshDatabase,
) -> None:
    await link_acme_chats(db)
    result = await add(db, "bot_sessions", 2400)  # 0 -> 120 % of 2,000
    assert result.alert == 100
    notices = await outbox(db)
    assert len(notices) == len(OWNER_AND_ADMIN_CHATS)
    assert "(120%)" in notices[0].text and "used up" in notices[0].text
    assert [t for _m, _p, t in await alert_rows(db)] == [80, 100]  # 80 % marked too


async def test_a_new_billing_period_alerts_again(db: FreshDatabase) -> None:
    await link_acme_chats(db)
    assert (await add(db, "conversations", 850)).alert == 80
    february = NOW + timedelta(days=31)
    fresh = await add(db, "conversations", 850, at=february, now=february)
    assert (fresh.used, fresh.alert, str(fresh.period_start)) == (850, 80, "2026-02-01")
    assert "ends on 28 Feb 2026" in (await outbox(db))[-1].text


async def test_only_owners_and_admins_with_alerts_on_are_told(db: FreshDatabase) -> None:
    await link_acme_chats(db)
    admin = await user_id(db, "admin@acme.example")
    async with db.database.transaction() as connection:
        await set_usage_alerts(connection, admin, False, NOW)
    result = await add(db, "conversations", 900)
    owner_chats = [key for key in OWNER_AND_ADMIN_CHATS if key[0] == "terminal" or key[1] == "1001"]
    assert result.notices == len(owner_chats)
    assert [(n.channel, n.chat_id) for n in await outbox(db)] == owner_chats


async def test_an_alert_nobody_can_receive_is_still_decided_once(db: FreshDatabase) -> None:
    # No chat is linked: the threshold is marked, so linking later sends no stale alert.
    assert (await add(db, "conversations", 900)).notices == 0
    await link_acme_chats(db)
    assert (await add(db, "conversations", 1)).alert is None
    assert await outbox(db) == []


async def test_a_meter_the_package_does_not_include_never_alerts(db: FreshDatabase) -> None:
    await link_acme_chats(db)
    result = await add(db, "payments", 10)  # Interact includes no payments
    assert (result.target.included, result.alert) == (0, None)
    assert await alert_rows(db) == []


async def test_usage_alerts_are_on_until_switched_off(db: FreshDatabase) -> None:
    admin = await user_id(db, "admin@acme.example")
    async with db.database.reading() as connection:
        assert await usage_alerts_on(connection, admin)
    for on in (False, True, False):
        async with db.database.transaction() as connection:
            await set_usage_alerts(connection, admin, on, NOW)
        async with db.database.reading() as connection:
            assert await usage_alerts_on(connection, admin) is on
