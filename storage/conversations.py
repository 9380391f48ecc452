"""The engine's conversation records: one SELECT to load, one statement to save."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, select, update

from flows.types import ConversationKey, ConversationRecord
from storage.errors import ConcurrentUpdate
from storage.models import Conversation
from storage.sql import Executor, execute_dml, insert_for

_COLUMNS = (
    Conversation.user_id,
    Conversation.flow,
    Conversation.state,
    Conversation.data,
    Conversation.menu_token,
    Conversation.version,
    Conversation.expires_at,
    Conversation.updated_at,
)


# Built once: constructing a statement costs more than running it on a warm cache.
_LOAD = select(*_COLUMNS).where(
    Conversation.channel == bindparam("channel"), Conversation.chat_id == bindparam("chat_id")
)


async def load_conversation(session: Executor, key: ConversationKey) -> ConversationRecord | None:
    """The stored record of ``key``, or None when the chat was never seen."""
    parameters = {"channel": key.channel, "chat_id": key.chat_id}
    row = (await session.execute(_LOAD, parameters)).one_or_none()
    if row is None:
        return None
    return ConversationRecord(
        key=key,
        user_id=row.user_id,
        flow=row.flow,
        state=row.state,
        data=dict(row.data or {}),
        menu_token=row.menu_token,
        version=row.version,
        expires_at=row.expires_at,
        updated_at=row.updated_at,
    )


async def save_conversation(session: Executor, record: ConversationRecord) -> None:
    """Insert (version 0) or update (same version) ``record``, then bump its version.

    Raises :class:`ConcurrentUpdate` when the stored version is not the one that
    was loaded: another update of the same chat got there first.
    """
    values = {
        "user_id": record.user_id,
        "flow": record.flow,
        "state": record.state,
        "data": record.data,
        "menu_token": record.menu_token,
        "version": record.version + 1,
        "expires_at": record.expires_at,
        "updated_at": record.updated_at,
    }
    key = record.key
    if record.version == 0:
        statement = (
            insert_for(session, Conversation)
            .values(channel=key.channel, chat_id=key.chat_id, **values)
            .on_conflict_do_nothing(index_elements=["channel", "chat_id"])
        )
        touched = await execute_dml(session, statement)
    else:
        parameters = {**values, "key_channel": key.channel, "key_chat_id": key.chat_id}
        result = await session.execute(_UPDATE, {**parameters, "loaded": record.version})
        touched = cast(CursorResult[Any], result).rowcount
    if touched != 1:
        raise ConcurrentUpdate(f"conversation {key} changed since version {record.version}")
    record.version += 1


_UPDATE = (
    update(Conversation)
    .where(
        Conversation.channel == bindparam("key_channel"),
        Conversation.chat_id == bindparam("key_chat_id"),
        Conversation.version == bindparam("loaded"),
    )
    .values({column.key: bindparam(column.key) for column in _COLUMNS})
)
