"""Linking chats to users: e-mail (terminal), one-time codes (Telegram, web), phone numbers.

Wrong codes are limited per chat and in total (:mod:`storage.link_limits`).

Used by the channels in ``bot/``, not by flows. Every function works inside the
caller's connection and transaction; the caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.ports import Capability
from flows.types import ConversationKey
from storage.audit import record_audit
from storage.capabilities import TurnScope, provides
from storage.errors import UnknownUser
from storage.link_limits import (
    DEFAULT_LINK_LIMITS,
    LinkLimits,
    Lock,
    current_lock,
    record_failure,
)
from storage.models import ChatIdentity, LinkCode, User
from storage.outbox import drop_for_chat
from storage.sql import execute_dml, insert_for
from storage.tickets import end_tickets_in_chat


@dataclass(frozen=True, slots=True)
class LinkedUser:
    """A user as the channels need them: enough to greet and to log."""

    id: int
    name: str
    email: str


class LinkOutcome(StrEnum):
    LINKED = "linked"
    UNKNOWN = "unknown"  # no such code
    EXPIRED = "expired"
    USED = "used"  # codes are single use
    LOCKED = "locked"  # too many wrong codes lately: the code was not even looked at


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What redeeming a code did.

    ``locked_until`` is when this chat may try codes again: set when ``LOCKED``, and on
    the wrong code that reached a limit, so the user learns of the lock-out at once.
    """

    outcome: LinkOutcome
    user: LinkedUser | None = None
    locked_until: datetime | None = None


REFUSED_ACTION = "link.code_refused"


def hash_code(code: str) -> str:
    """SHA-256 hex of a link code; only this is stored, so a leaked table links nobody."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


async def find_user_by_email(connection: AsyncConnection, email: str) -> LinkedUser | None:
    """The user with this e-mail address (case-insensitive), or None."""
    row = (
        await connection.execute(
            select(User.id, User.name, User.email).where(User.email == email.strip().lower())
        )
    ).one_or_none()
    return None if row is None else LinkedUser(row.id, row.name, row.email)


async def _link(
    connection: AsyncConnection, channel: str, external_id: str, user_id: int, now: datetime
) -> None:
    """Point the chat at ``user_id``, replacing whatever it was linked to before."""
    statement = insert_for(connection, ChatIdentity).values(
        channel=channel, external_id=external_id, user_id=user_id, created_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "external_id"],
        set_={"user_id": user_id, "created_at": now},
    )
    await connection.execute(statement)


async def ensure_identity(
    connection: AsyncConnection,
    channel: str,
    external_id: str,
    email: str,
    now: datetime | None = None,
) -> int:
    """Link the chat to the user with ``email`` and return the user id.

    Raises :class:`UnknownUser` when nobody has that address.
    """
    user = await find_user_by_email(connection, email)
    if user is None:
        raise UnknownUser(email)
    await _link(connection, channel, external_id, user.id, now or _utcnow())
    return user.id


async def issue_link_code(
    connection: AsyncConnection, email: str, now: datetime, ttl_seconds: int
) -> str:
    """A fresh single-use code for the user with ``email``, valid ``ttl_seconds``.

    Raises :class:`UnknownUser` when nobody has that address.
    """
    user = await find_user_by_email(connection, email)
    if user is None:
        raise UnknownUser(email)
    code = secrets.token_urlsafe(6)  # 8 characters, 48 random bits, fits a /start payload
    await connection.execute(
        insert(LinkCode).values(
            code_hash=hash_code(code),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
    )
    return code


async def redeem_link_code(
    connection: AsyncConnection,
    channel: str,
    external_id: str,
    code: str,
    now: datetime,
    limits: LinkLimits = DEFAULT_LINK_LIMITS,
    *,
    chat_for: Callable[[int], str] | None = None,
) -> LinkResult:
    """Link the chat to the code's user if the code exists, is unused and unexpired.

    ``chat_for`` names the chat to link from the code's user, where the chat is not the
    one trying (the web chat: a visitor's address tries, the user's own chat is linked);
    wrong codes always count against ``external_id``.

    Wrong codes are limited per chat and in total (``limits``). While a limit is
    reached the code is not even looked up (the outcome is ``LOCKED``), so guessing
    stops rather than slows. Every refusal writes an audit row (``link.code_refused``,
    with the chat and the reason, never the code), in the caller's transaction.
    """
    lock = await current_lock(connection, channel, external_id, now, limits)
    if lock is not None:
        await _audit_refusal(connection, channel, external_id, LinkOutcome.LOCKED, lock, now)
        return LinkResult(LinkOutcome.LOCKED, locked_until=lock.until)
    result = await _redeem(connection, channel, external_id, code, now, chat_for)
    if result.outcome is LinkOutcome.LINKED:
        return result  # a success never counts against the chat
    await record_failure(connection, channel, external_id, result.outcome.value, now, limits)
    # Asked again so that the failure which reaches a limit already says so.
    lock = await current_lock(connection, channel, external_id, now, limits)
    await _audit_refusal(connection, channel, external_id, result.outcome, lock, now)
    return LinkResult(result.outcome, locked_until=None if lock is None else lock.until)


async def _redeem(
    connection: AsyncConnection,
    channel: str,
    external_id: str,
    code: str,
    now: datetime,
    chat_for: Callable[[int], str] | None,
) -> LinkResult:
    row = (
        await connection.execute(
            select(LinkCode.id, LinkCode.expires_at, LinkCode.used_at, User.id.label("user_id"))
            .join(User, User.id == LinkCode.user_id)
            .where(LinkCode.code_hash == hash_code(code))
        )
    ).one_or_none()
    if row is None:
        return LinkResult(LinkOutcome.UNKNOWN)
    if row.used_at is not None:
        return LinkResult(LinkOutcome.USED)
    if row.expires_at <= now:
        return LinkResult(LinkOutcome.EXPIRED)
    # Guarded on used_at so two chats redeeming at once cannot both win.
    marked = await execute_dml(
        connection,
        update(LinkCode)
        .where(LinkCode.id == row.id, LinkCode.used_at.is_(None))
        .values(used_at=now),
    )
    if marked != 1:
        return LinkResult(LinkOutcome.USED)
    chat = external_id if chat_for is None else chat_for(row.user_id)
    await _link(connection, channel, chat, row.user_id, now)
    user = (
        await connection.execute(
            select(User.id, User.name, User.email).where(User.id == row.user_id)
        )
    ).one()
    return LinkResult(LinkOutcome.LINKED, LinkedUser(user.id, user.name, user.email))


async def _audit_refusal(
    connection: AsyncConnection,
    channel: str,
    external_id: str,
    outcome: LinkOutcome,
    lock: Lock | None,
    now: datetime,
) -> None:
    # Nobody is known yet (account and user are NULL); the code itself is left out,
    # even hashed: a refused guess is worth nothing to keep, an almost-right one is.
    changes: dict[str, str] = {"chat": external_id, "reason": outcome.value}
    if lock is not None:
        changes.update(locked_by=lock.scope.value, locked_until=lock.until.isoformat())
    await record_audit(
        connection,
        account_id=None,
        user_id=None,
        channel=channel,
        action=REFUSED_ACTION,
        changes=changes,
        now=now,
    )


async def link_by_phone(
    connection: AsyncConnection,
    channel: str,
    external_id: str,
    phone_e164: str,
    now: datetime | None = None,
) -> LinkedUser | None:
    """Link the chat to the user whose phone is ``phone_e164`` (a shared contact)."""
    row = (
        await connection.execute(
            select(User.id, User.name, User.email)
            .where(User.phone == phone_e164)
            .order_by(User.id)
            .limit(1)
        )
    ).one_or_none()
    if row is None:
        return None
    await _link(connection, channel, external_id, row.id, now or _utcnow())
    return LinkedUser(row.id, row.name, row.email)


async def unlink(connection: AsyncConnection, channel: str, external_id: str) -> bool:
    """Forget the chat's link; True if there was one."""
    removed = await execute_dml(
        connection,
        delete(ChatIdentity).where(
            ChatIdentity.channel == channel, ChatIdentity.external_id == external_id
        ),
    )
    return removed > 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ChatLinking(Protocol):
    """Linking the chat of an update, in that update's unit of work (see
    ``flows.engine.Engine.handle``'s ``before``): the link and the turn that greets the
    user commit together, or neither does."""

    async def redeem_code(
        self, channel: str, external_id: str, code: str, now: datetime, limits: LinkLimits
    ) -> LinkResult: ...

    async def link_phone(
        self, channel: str, external_id: str, phone_e164: str, now: datetime
    ) -> LinkedUser | None: ...

    async def unlink(
        self, channel: str, external_id: str, *, now: datetime | None = None,
        to_group: bool = False,
    ) -> bool: ...


LINKING = Capability[ChatLinking]("linking")


@provides(LINKING)
class SqlChatLinking:
    """:class:`ChatLinking` on the update's shared writer."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def redeem_code(
        self, channel: str, external_id: str, code: str, now: datetime, limits: LinkLimits
    ) -> LinkResult:
        """See :func:`redeem_link_code`."""
        connection = await self._turn.writer()
        return await redeem_link_code(connection, channel, external_id, code, now, limits)

    async def link_phone(
        self, channel: str, external_id: str, phone_e164: str, now: datetime
    ) -> LinkedUser | None:
        """See :func:`link_by_phone`."""
        connection = await self._turn.writer()
        return await link_by_phone(connection, channel, external_id, phone_e164, now)

    async def unlink(
        self, channel: str, external_id: str, *, now: datetime | None = None,
        to_group: bool = False,
    ) -> bool:
        """See :func:`unlink`; a ticket answering in the chat is closed with it and the
        notices still queued for the chat are dropped (nothing meant for its user may reach
        a chat no longer linked), the support group told when ``to_group``."""
        connection = await self._turn.writer()
        removed = await unlink(connection, channel, external_id)
        if removed:
            key = ConversationKey(channel, external_id)
            await end_tickets_in_chat(connection, key, now or _utcnow(), to_group=to_group)
            await drop_for_chat(connection, key, now or _utcnow())
        return removed
