"""Linking chats to users: e-mail, one-time codes, phone numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from flows.types import ConversationKey
from storage import models as m
from storage.errors import UnknownUser
from storage.identities import (
    LinkOutcome,
    ensure_identity,
    hash_code,
    issue_link_code,
    link_by_phone,
    redeem_link_code,
    unlink,
)
from storage.sandbox import FreshDatabase
from tests.storage.helpers import NOW, user_id


async def _linked_user(db: FreshDatabase, channel: str, external_id: str) -> int | None:
    async with db.database.reading() as connection:
        return (
            await connection.execute(
                select(m.ChatIdentity.user_id).where(
                    m.ChatIdentity.channel == channel, m.ChatIdentity.external_id == external_id
                )
            )
        ).scalar_one_or_none()


async def _issue(db: FreshDatabase, email: str, ttl: int = 900) -> str:
    async with db.database.transaction() as connection:
        return await issue_link_code(connection, email, NOW, ttl)


async def _redeem(db: FreshDatabase, chat: str, code: str, later: int = 60) -> LinkOutcome:
    async with db.database.transaction() as connection:
        now = NOW + timedelta(seconds=later)
        return (await redeem_link_code(connection, "telegram", chat, code, now)).outcome


async def test_ensure_identity_links_by_email(db: FreshDatabase) -> None:
    async with db.database.transaction() as connection:
        uid = await ensure_identity(connection, "terminal", "local", "Viewer@Acme.example ")
        with pytest.raises(UnknownUser):
            await ensure_identity(connection, "terminal", "other", "nobody@acme.example")
    assert uid == await user_id(db, "viewer@acme.example")
    assert await _linked_user(db, "terminal", "local") == uid
    async with db.stores.transaction() as store:
        context = await store.user_context(ConversationKey("terminal", "local"))
    assert context is not None
    assert (context.account_name, context.role.value) == ("Acme Trading Ltd", "viewer")


async def test_link_code_is_single_use_and_stored_hashed(db: FreshDatabase) -> None:
    code = await _issue(db, "admin@acme.example")
    assert len(code) >= 8
    async with db.database.reading() as connection:
        [(stored, expires)] = (
            await connection.execute(select(m.LinkCode.code_hash, m.LinkCode.expires_at))
        ).all()
    assert stored == hash_code(code) and code not in stored and len(stored) == 64
    assert expires == NOW + timedelta(seconds=900)

    assert await _redeem(db, "42", code) is LinkOutcome.LINKED
    assert await _linked_user(db, "telegram", "42") == await user_id(db, "admin@acme.example")
    assert await _redeem(db, "43", code) is LinkOutcome.USED
    assert await _linked_user(db, "telegram", "43") is None
    assert await _redeem(db, "42", "not-a-code") is LinkOutcome.UNKNOWN


async def test_expired_code_links_nobody(db: FreshDatabase) -> None:
    code = await _issue(db, "owner@acme.example", ttl=60)
    assert await _redeem(db, "77", code, later=61) is LinkOutcome.EXPIRED
    assert await _linked_user(db, "telegram", "77") is None


async def test_redeeming_relinks_the_chat(db: FreshDatabase) -> None:
    assert await _redeem(db, "9", await _issue(db, "viewer@acme.example")) is LinkOutcome.LINKED
    assert await _redeem(db, "9", await _issue(db, "owner@globex.example")) is LinkOutcome.LINKED
    assert await _linked_user(db, "telegram", "9") == await user_id(db, "owner@globex.example")


async def test_phone_link_and_unlink(db: FreshDatabase) -> None:
    async with db.database.transaction() as connection:
        user = await link_by_phone(connection, "telegram", "31", "+442079460123")
        nobody = await link_by_phone(connection, "telegram", "32", "+15555550000")
    assert user is not None and user.email == "owner@acme.example"
    assert nobody is None
    assert await _linked_user(db, "telegram", "31") == user.id
    async with db.database.transaction() as connection:
        assert await unlink(connection, "telegram", "31") is True
        assert await unlink(connection, "telegram", "31") is False
    assert await _linked_user(db, "telegram", "31") is None
