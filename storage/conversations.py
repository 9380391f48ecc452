"""What every update reads and writes: its conversation record and its user.

Both are statements over many chats at once, so updates that arrive together
share a round trip (see ``storage.batching``); one chat alone is a batch of one.

- :func:`read_turns`: for each chat, the stored conversation record and the user
  linked to it (with account and role), in one SELECT.
- :func:`save_conversations`: insert or update each record if it is still at the
  version that was loaded, in one INSERT … ON CONFLICT DO UPDATE … RETURNING.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    bindparam,
    func,
    literal,
    null,
    select,
    tuple_,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from flows.ports import AccountStatus, UserContext
from flows.types import ConversationKey, ConversationRecord, Role
from storage import models as m

TurnRead = tuple[ConversationRecord | None, UserContext | None]
"""A chat's stored record (None if never seen) and its user (None if unlinked)."""

_CONVERSATION = (
    m.Conversation.user_id,
    m.Conversation.flow,
    m.Conversation.state,
    m.Conversation.data,
    m.Conversation.menu_token,
    m.Conversation.version,
    m.Conversation.expires_at,
    m.Conversation.updated_at,
)


async def read_turns(
    connection: AsyncConnection, keys: Iterable[ConversationKey]
) -> dict[ConversationKey, TurnRead]:
    """Record and user of every chat in ``keys``, in one statement."""
    wanted = list(dict.fromkeys(keys))
    found: dict[ConversationKey, TurnRead] = {key: (None, None) for key in wanted}
    pairs = [(key.channel, key.chat_id) for key in wanted]
    for row in await connection.execute(_READ_TURNS, {"keys": pairs}):
        key = ConversationKey(row.channel, row.chat_id)
        record, user = found[key]
        if row.found_conversation:
            record = _record(key, row)
        else:
            user = _user(row)
        found[key] = (record, user)
    return found


def _read_turns_statement() -> Any:
    """Conversations UNION ALL users of the asked chats: at most two rows a chat.

    Built once with an expanding IN, so each call only binds the keys (a statement
    built per call, or a VALUES list of varying length, would be compiled each time).
    """
    asked: BindParameter[Any] = bindparam("keys", expanding=True)
    conversation, identity = m.Conversation, m.ChatIdentity
    user_columns = (
        m.User.id.label("u_id"),
        m.User.name.label("u_name"),
        m.User.email.label("u_email"),
        m.User.language.label("u_language"),
        m.User.app_language.label("u_app_language"),
        m.Account.id.label("a_id"),
        m.Account.name.label("a_name"),
        m.Membership.role.label("m_role"),
        m.Account.package_code.label("a_package"),
        m.Account.status.label("a_status"),
        m.Account.closed_at.label("a_closed_at"),
        m.Account.closure_reference.label("a_reference"),
        _owner_name().label("a_owner"),
    )
    conversations = select(
        literal(True).label("found_conversation"),
        conversation.channel,
        conversation.chat_id,
        *(c.label(f"c_{c.key}") for c in _CONVERSATION),
        # Typed NULLs: the first SELECT of a UNION gives the result its types.
        *(type_coerce(null(), c.type).label(c.name) for c in user_columns),
    ).where(tuple_(conversation.channel, conversation.chat_id).in_(asked))
    # A user in several accounts acts on the oldest membership.
    first_membership = (
        select(func.min(m.Membership.id))
        .where(m.Membership.user_id == m.User.id)
        .correlate(m.User)
        .scalar_subquery()
    )
    users = (
        select(
            literal(False),
            identity.channel,
            identity.external_id,
            *(null() for _ in _CONVERSATION),
            *user_columns,
        )
        .join(m.User, m.User.id == identity.user_id)
        .join(m.Membership, m.Membership.id == first_membership)
        .join(m.Account, m.Account.id == m.Membership.account_id)
        .where(tuple_(identity.channel, identity.external_id).in_(asked))
    )
    return union_all(conversations, users)


def _owner_name() -> Any:
    """The name of the account's (first) owner: a correlated subquery on the membership
    index by account, so the turn's one statement also says whom a refusal names."""
    owner = aliased(m.User)
    return (
        select(owner.name)
        .join(m.Membership, m.Membership.user_id == owner.id)
        .where(m.Membership.account_id == m.Account.id, m.Membership.role == Role.OWNER.value)
        .order_by(m.Membership.id)
        .limit(1)
        .correlate(m.Account)
        .scalar_subquery()
    )


_READ_TURNS = _read_turns_statement()


def _record(key: ConversationKey, row: Any) -> ConversationRecord | None:
    if row.c_version is None:
        return None
    return ConversationRecord(
        key=key,
        user_id=row.c_user_id,
        flow=row.c_flow,
        state=row.c_state,
        data=dict(row.c_data or {}),
        menu_token=row.c_menu_token,
        version=row.c_version,
        expires_at=row.c_expires_at,
        updated_at=row.c_updated_at,
    )


def _user(row: Any) -> UserContext:
    return UserContext(
        user_id=row.u_id,
        user_name=row.u_name,
        email=row.u_email,
        account_id=row.a_id,
        account_name=row.a_name,
        role=Role(row.m_role),
        package_code=row.a_package,
        account_status=AccountStatus(row.a_status),
        closed_at=row.a_closed_at,
        closure_reference=row.a_reference,
        owner_name=row.a_owner,
        language=row.u_language,
        app_language=row.u_app_language,
    )


async def save_conversations(
    connection: AsyncConnection, records: Sequence[ConversationRecord]
) -> set[ConversationKey]:
    """Store each record still at its loaded version; return the keys that were stored.

    A record of version 0 is new: it is inserted unless the chat got a record
    meanwhile. Otherwise the stored row is updated only while its version is the
    one that was loaded. A key missing from the result lost a race with another
    update of the same chat (the caller raises ``ConcurrentUpdate``). Stored
    records get ``version + 1``; ``records`` are not modified.
    """
    if not records:
        return set()
    rows = [
        {
            "channel": record.key.channel,
            "chat_id": record.key.chat_id,
            "user_id": record.user_id,
            "flow": record.flow,
            "state": record.state,
            "data": record.data,
            "menu_token": record.menu_token,
            "version": record.version + 1,
            "expires_at": record.expires_at,
            "updated_at": record.updated_at,
        }
        for record in records
    ]
    # Many parameter sets and RETURNING: SQLAlchemy sends them as one multi-row
    # statement ("insertmanyvalues"), compiled once and cached.
    stored = await connection.execute(_UPSERT[connection.dialect.name], rows)
    return {ConversationKey(channel, chat_id) for channel, chat_id in stored}


def _upsert(insert: Any) -> Any:
    statement = insert(m.Conversation)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[m.Conversation.channel, m.Conversation.chat_id],
        set_={c.key: new[c.key] for c in _CONVERSATION},
        where=m.Conversation.version == new.version - 1,
    ).returning(m.Conversation.channel, m.Conversation.chat_id)


# Built once: constructing a statement costs more than running it.
_UPSERT = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}
