"""The web chat's own data: sessions (signed-in browsers) and each conversation's messages.

A session is a random token the browser keeps in a cookie; only its SHA-256 is stored.
A web conversation's messages are kept (the newest :data:`KEPT_MESSAGES` of each) so that
a page that reconnects, or a second tab, shows the conversation as it is; their ids
order them and tell a page which ones it missed. Older ones are forgotten when a page
opens (:func:`forget_old`).

Every function works inside the caller's connection; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.types import Choice
from storage.models import WebMessage, WebSession
from storage.sql import execute_dml

KEPT_MESSAGES = 200
"""Messages kept per conversation; a page shows at most these."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live session: whose it is and which web conversation it shows."""

    id: int
    user_id: int
    chat_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to keep: from the bot (with its choices and picture) or from the user."""

    sender: str  # "bot" or "you"
    text: str
    choices: Sequence[Choice] = ()
    image: bytes | None = None
    image_alt: str | None = None


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A kept message as pages are sent it; ``has_image``: its picture can be fetched."""

    id: int
    sender: str
    text: str
    buttons: list[str] = field(default_factory=list)
    has_image: bool = False
    image_alt: str | None = None


def web_chat_id(user_id: int) -> str:
    """The one web conversation of a user, however many tabs or devices show it."""
    return f"user-{user_id}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(
    connection: AsyncConnection, user_id: int, now: datetime, ttl_seconds: int
) -> str:
    """A new session for ``user_id`` valid ``ttl_seconds``; returns its token (for the
    cookie; it is not stored). The user's sessions that ended or expired are forgotten."""
    await execute_dml(
        connection,
        delete(WebSession).where(
            WebSession.user_id == user_id,
            (WebSession.expires_at <= now) | WebSession.ended_at.is_not(None),
        ),
    )
    token = secrets.token_urlsafe(32)
    await connection.execute(
        insert(WebSession).values(
            token_hash=hash_token(token),
            user_id=user_id,
            chat_id=web_chat_id(user_id),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
    )
    return token


async def live_sessions(
    connection: AsyncConnection, session_ids: Sequence[int], now: datetime
) -> set[int]:
    """Which of ``session_ids`` are still live (neither ended nor expired)."""
    if not session_ids:
        return set()
    rows = await connection.execute(
        select(WebSession.id).where(WebSession.id.in_(session_ids),
                                    WebSession.ended_at.is_(None), WebSession.expires_at > now)
    )
    return set(rows.scalars().all())


async def find_session(connection: AsyncConnection, token: str, now: datetime) -> SignedIn | None:
    """The session of ``token`` if it has neither expired nor been ended, else None."""
    row = (
        await connection.execute(
            select(WebSession.id, WebSession.user_id, WebSession.chat_id, WebSession.expires_at)
            .where(WebSession.token_hash == hash_token(token), WebSession.ended_at.is_(None),
                   WebSession.expires_at > now)
        )
    ).one_or_none()
    return None if row is None else SignedIn(row.id, row.user_id, row.chat_id, row.expires_at)


async def end_session(connection: AsyncConnection, token: str, now: datetime) -> int | None:
    """End the session of ``token`` (signing out); its id, or None if it was not live."""
    ended = (
        await connection.execute(
            update(WebSession)
            .where(WebSession.token_hash == hash_token(token), WebSession.ended_at.is_(None))
            .values(ended_at=now)
            .returning(WebSession.id)
        )
    ).scalar_one_or_none()
    return ended


@dataclass(frozen=True, slots=True)
class Kept:
    """Messages just kept, and the conversation's newest id before them (0: none): a page
    that had shown that one is missing exactly ``messages``."""

    after: int
    messages: list[StoredMessage]


# Built once: constructing a statement costs more than running it. Many parameter sets
# with RETURNING go as one multi-row INSERT, the ids in the order of the rows.
_KEEP = insert(WebMessage).returning(WebMessage.id, sort_by_parameter_order=True)


async def append_messages(
    connection: AsyncConnection, chat_id: str, messages: Sequence[NewMessage], now: datetime
) -> Kept:
    """Keep ``messages`` (in order) in the conversation: one statement to learn the newest
    id before them, one to insert them all. Call it with the chat held, so that nothing
    else of this chat is kept in between."""
    before = await connection.scalar(
        select(func.max(WebMessage.id)).where(WebMessage.chat_id == chat_id)
    )
    if not messages:
        return Kept(before or 0, [])
    rows = [
        {
            "chat_id": chat_id,
            "sender": message.sender,
            "text": message.text,
            "choices": [[choice.label, choice.token] for choice in message.choices],
            "image": message.image,
            "image_alt": message.image_alt,
            "created_at": now,
        }
        for message in messages
    ]
    ids = (await connection.execute(_KEEP, rows)).scalars().all()
    stored = [
        StoredMessage(id=new_id, sender=message.sender, text=message.text,
                      buttons=[choice.label for choice in message.choices],
                      has_image=message.image is not None, image_alt=message.image_alt)
        for new_id, message in zip(ids, messages, strict=True)
    ]
    return Kept(before or 0, stored)


async def forget_old(connection: AsyncConnection, chat_id: str) -> int:
    """Remove the conversation's messages older than the newest :data:`KEPT_MESSAGES`
    (done when a page opens, not on every turn); how many were removed."""
    # Ids grow per database, not per chat, so the cut is found, not computed: the id of
    # the newest message no longer kept. Both statements use (chat_id, id).
    cut = await connection.scalar(
        select(WebMessage.id)
        .where(WebMessage.chat_id == chat_id)
        .order_by(WebMessage.id.desc())
        .offset(KEPT_MESSAGES)
        .limit(1)
    )
    if cut is None:
        return 0
    return await execute_dml(
        connection, delete(WebMessage).where(WebMessage.chat_id == chat_id, WebMessage.id <= cut)
    )


async def messages_after(
    connection: AsyncConnection, chat_id: str, after: int, limit: int = KEPT_MESSAGES
) -> tuple[list[StoredMessage], bool]:
    """The conversation's messages after id ``after``, oldest first, and whether they
    replace what the page shows (it showed none, or missed more than ``limit``)."""
    rows = (
        await connection.execute(
            select(WebMessage.id, WebMessage.sender, WebMessage.text, WebMessage.choices,
                   (WebMessage.image.is_not(None)).label("has_image"), WebMessage.image_alt)
            .where(WebMessage.chat_id == chat_id, WebMessage.id > after)
            .order_by(WebMessage.id.desc())
            .limit(limit + 1)
        )
    ).all()
    reset = after <= 0 or len(rows) > limit
    messages = [
        StoredMessage(
            id=row.id, sender=row.sender, text=row.text,
            buttons=[label for label, _token in row.choices],
            has_image=bool(row.has_image), image_alt=row.image_alt,
        )
        for row in reversed(rows[:limit])
    ]
    return messages, reset


async def message_choice(
    connection: AsyncConnection, chat_id: str, message_id: int, index: int
) -> Choice | None:
    """Button ``index`` of the bot's message ``message_id`` in this conversation, if any."""
    choices = await connection.scalar(
        select(WebMessage.choices).where(
            WebMessage.id == message_id, WebMessage.chat_id == chat_id, WebMessage.sender == "bot"
        )
    )
    if choices is None or not 0 <= index < len(choices):
        return None
    label, token = choices[index]
    return Choice(label=label, token=token)


async def message_image(
    connection: AsyncConnection, chat_id: str, message_id: int
) -> bytes | None:
    """The picture of message ``message_id`` in this conversation, if it has one."""
    image: bytes | None = await connection.scalar(
        select(WebMessage.image).where(WebMessage.id == message_id, WebMessage.chat_id == chat_id)
    )
    return image


async def newest_ids(connection: AsyncConnection, chat_ids: Sequence[str]) -> dict[str, int]:
    """The newest message id of each of ``chat_ids`` that has messages."""
    if not chat_ids:
        return {}
    rows = await connection.execute(
        select(WebMessage.chat_id, func.max(WebMessage.id))
        .where(WebMessage.chat_id.in_(chat_ids))
        .group_by(WebMessage.chat_id)
    )
    return {chat_id: newest for chat_id, newest in rows.all()}
