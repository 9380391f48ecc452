"""Closing an account: owner only, self-service packages only, exactly once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy import select, update

from flows.ports import CLOSING, CloseOutcome, CloseResult
from flows.types import ConversationKey, ConversationRecord
from storage import models as m
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase
from tests.storage.helpers import NOW, account_id, account_row, audit_rows, user_id

ACME = "Acme Trading Ltd"


async def _close(db: FreshDatabase, email: str, account: str = ACME) -> CloseResult:
    target, user = await account_id(db, account), await user_id(db, email)
    async with db.stores.transaction() as store:
        return await store.get(CLOSING).close_account(
            account_id=target, user_id=user, channel="telegram", now=NOW
        )


async def _start_flow(db: FreshDatabase, key: ConversationKey, email: str) -> None:
    async with db.database.transaction() as connection:
        await ensure_identity(connection, key.channel, key.chat_id, email, now=NOW)
    record = ConversationRecord(
        key=key, user_id=await user_id(db, email), flow="edit", state="review", data={"x": 1}
    )
    record.menu_token = "m1"
    async with db.stores.transaction() as store:
        await store.save_conversation(record)


async def _conversation(db: FreshDatabase, key: ConversationKey) -> ConversationRecord | None:
    async with db.stores.transaction() as store:
        return await store.load_conversation(key)


async def test_owner_closes_and_everything_follows(db: FreshDatabase) -> None:
    admin_chat = ConversationKey("telegram", "2002")
    viewer_chat = ConversationKey("terminal", "vera")
    owner_other_chat = ConversationKey("terminal", "olivia")
    owner_chat = ConversationKey("telegram", "1001")
    globex_chat = ConversationKey("telegram", "4004")
    await _start_flow(db, admin_chat, "admin@acme.example")
    await _start_flow(db, viewer_chat, "viewer@acme.example")
    await _start_flow(db, owner_other_chat, "owner@acme.example")
    await _start_flow(db, owner_chat, "owner@acme.example")
    await _start_flow(db, globex_chat, "owner@globex.example")

    acme, owner = await account_id(db, ACME), await user_id(db, "owner@acme.example")
    async with db.stores.transaction() as store:
        current = await store.load_conversation(owner_chat)
        assert current is not None
        result = await store.get(CLOSING).close_account(
            account_id=acme, user_id=owner, channel="telegram", now=NOW
        )
        # The engine saves the closer's own chat afterwards: that must not conflict.
        current.flow = None
        await store.save_conversation(current)

    assert result.outcome is CloseOutcome.CLOSED
    assert result.reference is not None and len(result.reference) == len("CL-7KQ2-M9XD")
    assert result.forfeited is not None and str(result.forfeited) == "125.40 USD"
    assert {s.name for s in result.cancelled_subscriptions} == {
        "WhatsApp Business number",
        "Chat Desk extra agent seat",
    }

    row = await account_row(db, acme)
    assert (row.status, row.closed_at, row.closed_by_user_id) == ("closed", NOW, owner)
    assert (row.closure_reference, row.version) == (result.reference, 2)
    async with db.database.reading() as connection:
        statuses = (
            await connection.execute(
                select(m.SubscriptionRow.status, m.SubscriptionRow.cancelled_at).where(
                    m.SubscriptionRow.account_id == acme
                )
            )
        ).all()
        balance = (
            await connection.execute(select(m.Balance.amount).where(m.Balance.account_id == acme))
        ).scalar_one()
    assert statuses == [("cancelled", NOW), ("cancelled", NOW)]
    assert balance == Decimal("0.00")

    [entry] = await audit_rows(db, "account.closed")
    assert (entry.account_id, entry.user_id, entry.channel) == (acme, owner, "telegram")
    assert entry.changes["forfeited_balance"] == "125.40 USD"
    assert entry.changes["reference"] == result.reference
    assert sorted(entry.changes["cancelled_subscriptions"]) == [
        "Chat Desk extra agent seat",
        "WhatsApp Business number",
    ]

    for key in (admin_chat, viewer_chat, owner_other_chat):
        record = await _conversation(db, key)
        assert record is not None
        assert (record.flow, record.state, record.data, record.menu_token) == (None, None, {}, None)
        assert record.version == 2
    mine = await _conversation(db, owner_chat)
    assert mine is not None and mine.version == 2  # saved once by the engine, not reset
    untouched = await _conversation(db, globex_chat)
    assert untouched is not None and (untouched.flow, untouched.version) == ("edit", 1)


async def test_admin_and_viewer_are_forbidden(db: FreshDatabase) -> None:
    assert (await _close(db, "admin@acme.example")).outcome is CloseOutcome.FORBIDDEN
    assert (await _close(db, "viewer@acme.example")).outcome is CloseOutcome.FORBIDDEN
    assert (await account_row(db, await account_id(db, ACME))).status == "open"
    assert await audit_rows(db) == []


async def test_connect_package_needs_support(db: FreshDatabase) -> None:
    result = await _close(db, "owner@globex.example", "Globex Retail")
    assert result.outcome is CloseOutcome.NOT_SELF_SERVICE
    assert (await account_row(db, await account_id(db, "Globex Retail"))).status == "open"


async def test_owner_demoted_meanwhile_is_forbidden(db: FreshDatabase) -> None:
    owner = await user_id(db, "owner@acme.example")
    async with db.database.transaction() as connection:
        await connection.execute(
            update(m.Membership).where(m.Membership.user_id == owner).values(role="admin")
        )
    assert (await _close(db, "owner@acme.example")).outcome is CloseOutcome.FORBIDDEN
    row = await account_row(db, await account_id(db, ACME))
    assert (row.status, row.version) == ("open", 1)


async def test_closing_twice_reports_already_closed(db: FreshDatabase) -> None:
    first = await _close(db, "owner@acme.example")
    second = await _close(db, "owner@acme.example")
    assert second.outcome is CloseOutcome.ALREADY_CLOSED
    assert (second.reference, second.closed_at) == (first.reference, NOW)
    assert len(await audit_rows(db, "account.closed")) == 1


async def test_concurrent_closes_close_exactly_once(db: FreshDatabase) -> None:
    acme, owner = await account_id(db, ACME), await user_id(db, "owner@acme.example")

    async def close_after_preview() -> CloseResult:
        async with db.stores.transaction() as store:
            # Both have read the account as open (on PostgreSQL; SQLite queues the
            # second transaction at BEGIN IMMEDIATE) before either writes.
            await store.get(CLOSING).closure_preview(acme)
            await asyncio.sleep(0.05)
            return await store.get(CLOSING).close_account(
                account_id=acme, user_id=owner, channel="telegram", now=NOW
            )

    results = await asyncio.gather(close_after_preview(), close_after_preview())
    outcomes = sorted(r.outcome.value for r in results)
    assert outcomes == ["already_closed", "closed"]
    assert len(await audit_rows(db, "account.closed")) == 1
    row = await account_row(db, await account_id(db, ACME))
    assert (row.status, row.version) == ("closed", 2)
    winner = next(r for r in results if r.outcome is CloseOutcome.CLOSED)
    assert row.closure_reference == winner.reference
