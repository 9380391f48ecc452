"""Wrong link codes lock a chat, then every chat, for a while; every refusal is audited."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select

from storage import models as m
from storage.identities import (
    REFUSED_ACTION,
    LinkOutcome,
    LinkResult,
    hash_code,
    issue_link_code,
    redeem_link_code,
)
from storage.link_limits import DEFAULT_LINK_LIMITS, LinkLimits
from storage.sandbox import FreshDatabase
from storage.unit_of_work import Database
from tests.storage.helpers import NOW, audit_rows, count

WINDOW = timedelta(minutes=15)  # the default LINK_LOCKOUT_SECONDS


def minutes(n: float) -> datetime:
    return NOW + timedelta(minutes=n)


async def _issue(db: FreshDatabase, email: str, ttl: int = 3600) -> str:
    async with db.database.transaction() as connection:
        return await issue_link_code(connection, email, NOW, ttl)


async def _redeem(
    db: FreshDatabase, chat: str, code: str, at: datetime, limits: LinkLimits = DEFAULT_LINK_LIMITS
) -> LinkResult:
    async with db.database.transaction() as connection:
        return await redeem_link_code(connection, "telegram", chat, code, at, limits)


async def _code_used(db: FreshDatabase, code: str) -> bool:
    async with db.database.reading() as connection:
        query = select(m.LinkCode.used_at).where(m.LinkCode.code_hash == hash_code(code))
        return (await connection.execute(query)).scalar_one() is not None


async def _five_wrong_codes(db: FreshDatabase, chat: str) -> list[LinkResult]:
    return [await _redeem(db, chat, f"wrong-{i}", minutes(i)) for i in range(5)]


async def test_five_wrong_codes_lock_the_chat_until_the_first_leaves_the_window(
    db: FreshDatabase,
) -> None:
    right = await _issue(db, "owner@acme.example")
    expired = await _issue(db, "admin@acme.example", ttl=60)
    used = await _issue(db, "viewer@acme.example")
    assert (await _redeem(db, "other", used, NOW)).outcome is LinkOutcome.LINKED

    # Every kind of wrong code counts: unknown, expired, already used.
    tries = [
        ("nope", LinkOutcome.UNKNOWN),
        (expired, LinkOutcome.EXPIRED),
        (used, LinkOutcome.USED),
        ("nope", LinkOutcome.UNKNOWN),
    ]
    for at, (code, outcome) in enumerate(tries):
        assert await _redeem(db, "42", code, minutes(at)) == LinkResult(outcome)
    # The fifth says at once how long the lock lasts: until the first failure is 15 min old.
    fifth = await _redeem(db, "42", "nope", minutes(4))
    assert fifth == LinkResult(LinkOutcome.UNKNOWN, locked_until=NOW + WINDOW)
    async with db.database.reading() as connection:
        outcomes = (await connection.execute(select(m.LinkAttempt.outcome))).scalars().all()
    assert sorted(outcomes) == ["expired", "unknown", "unknown", "unknown", "used"]

    # While locked, even the right code is refused and not used up.
    for at in (5, 14.99):
        locked = await _redeem(db, "42", right, minutes(at))
        assert locked == LinkResult(LinkOutcome.LOCKED, locked_until=NOW + WINDOW)
    assert not await _code_used(db, right)
    # Other chats are not locked by this one.
    assert await _redeem(db, "43", "nope", minutes(5)) == LinkResult(LinkOutcome.UNKNOWN)

    linked = await _redeem(db, "42", right, NOW + WINDOW)
    assert linked.outcome is LinkOutcome.LINKED and linked.user is not None
    assert linked.user.email == "owner@acme.example"


async def test_the_lock_holds_for_a_restarted_process(db: FreshDatabase) -> None:
    await _five_wrong_codes(db, "42")
    right = await _issue(db, "owner@acme.example")
    database = Database(db.url)  # a new one: nothing is remembered in memory
    try:
        async with database.transaction() as connection:
            result = await redeem_link_code(connection, "telegram", "42", right, minutes(6))
    finally:
        await database.dispose()
    assert result.outcome is LinkOutcome.LOCKED


async def test_every_refusal_is_audited_without_the_code(db: FreshDatabase) -> None:
    right = await _issue(db, "owner@acme.example")
    await _five_wrong_codes(db, "42")
    await _redeem(db, "42", right, minutes(6))
    await _redeem(db, "42", "wrong-again", minutes(7))

    rows = await audit_rows(db, REFUSED_ACTION)
    assert [r.changes["reason"] for r in rows] == ["unknown"] * 5 + ["locked"] * 2
    assert {(r.account_id, r.user_id, r.channel) for r in rows} == {(None, None, "telegram")}
    assert {r.changes["chat"] for r in rows} == {"42"}
    assert [r.created_at for r in rows] == [minutes(i) for i in (0, 1, 2, 3, 4, 6, 7)]
    assert "locked_by" not in rows[3].changes
    lock = {"locked_by": "chat", "locked_until": (NOW + WINDOW).isoformat()}
    assert all(r.changes.items() >= lock.items() for r in rows[4:])
    everything = json.dumps([r.changes for r in rows])
    for secret in (right, hash_code(right), "wrong-", hash_code("wrong-0")):
        assert secret not in everything


async def test_the_total_cap_locks_every_chat(db: FreshDatabase) -> None:
    limits = LinkLimits(per_chat=5, total=3, window_seconds=900)
    right = await _issue(db, "owner@acme.example")
    # One wrong code each from three chats: guessing spread thin still adds up.
    results = [await _redeem(db, chat, "nope", minutes(i), limits) for i, chat in enumerate("abc")]
    assert [r.locked_until for r in results] == [None, None, NOW + WINDOW]

    locked = await _redeem(db, "d", right, minutes(5), limits)
    assert locked == LinkResult(LinkOutcome.LOCKED, locked_until=NOW + WINDOW)
    assert not await _code_used(db, right)
    assert (await audit_rows(db, REFUSED_ACTION))[-1].changes["locked_by"] == "total"

    # When the first of the three leaves the window, the cap lifts for everyone.
    assert (await _redeem(db, "d", right, NOW + WINDOW, limits)).outcome is LinkOutcome.LINKED


async def test_successful_links_do_not_count(db: FreshDatabase) -> None:
    limits = LinkLimits(per_chat=2, total=2, window_seconds=900)
    assert (await _redeem(db, "9", "nope", NOW, limits)).outcome is LinkOutcome.UNKNOWN
    for i in range(1, 4):
        code = await _issue(db, "viewer@acme.example")
        assert (await _redeem(db, "9", code, minutes(i), limits)).outcome is LinkOutcome.LINKED
    assert await count(db, m.LinkAttempt) == 1
    assert len(await audit_rows(db, REFUSED_ACTION)) == 1  # the one failure, only


async def test_failures_older_than_the_window_are_forgotten(db: FreshDatabase) -> None:
    await _redeem(db, "a", "nope", NOW)
    await _redeem(db, "b", "nope", minutes(1))
    assert await count(db, m.LinkAttempt) == 2
    await _redeem(db, "c", "nope", minutes(16))  # both earlier ones no longer count
    async with db.database.reading() as connection:
        left = (await connection.execute(select(m.LinkAttempt.external_id))).scalars().all()
    assert left == ["c"]
