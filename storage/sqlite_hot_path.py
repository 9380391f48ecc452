"""The three statements of every update, on SQLite, straight through ``sqlite3``.

Every inbound update loads its conversation record and its user, and saves the
record. Through SQLAlchemy each of these costs a few hundred microseconds of
Python on this machine, against about ten for SQLite itself, so on SQLite they
go to the driver directly (inside the same transaction, on the same connection).
The semantics are those of ``storage.conversations`` and ``storage.reads``;
tests run both paths (SQLite here, PostgreSQL there) through the same suite.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from flows.ports import AccountStatus, UserContext
from flows.types import ConversationKey, ConversationRecord, Role
from storage.errors import ConcurrentUpdate

_LOAD = (
    "SELECT user_id, flow, state, data, menu_token, version, expires_at, updated_at "
    "FROM conversations WHERE channel = ? AND chat_id = ?"
)
_INSERT = (
    "INSERT INTO conversations (user_id, flow, state, data, menu_token, version, expires_at,"
    " updated_at, channel, chat_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (channel, chat_id) DO NOTHING"
)
_UPDATE = (
    "UPDATE conversations SET user_id = ?, flow = ?, state = ?, data = ?, menu_token = ?,"
    " version = ?, expires_at = ?, updated_at = ?"
    " WHERE channel = ? AND chat_id = ? AND version = ?"
)
_USER = (
    "SELECT u.id, u.name, u.email, a.id, a.name, m.role, a.package_code, a.status,"
    " a.closed_at, a.closure_reference"
    " FROM chat_identities AS ci"
    " JOIN users AS u ON u.id = ci.user_id"
    " JOIN memberships AS m ON m.user_id = u.id"
    " JOIN accounts AS a ON a.id = m.account_id"
    " WHERE ci.channel = ? AND ci.external_id = ?"
    " ORDER BY m.id LIMIT 1"  # a user in several accounts acts on the oldest membership
)


class SqliteHotPath:
    """Load and save conversation records and resolve users on one sqlite3 connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def load_conversation(self, key: ConversationKey) -> ConversationRecord | None:
        row = self._db.execute(_LOAD, (key.channel, key.chat_id)).fetchone()
        if row is None:
            return None
        user_id, flow, state, data, menu_token, version, expires_at, updated_at = row
        return ConversationRecord(
            key=key,
            user_id=user_id,
            flow=flow,
            state=state,
            data=json.loads(data) if data else {},
            menu_token=menu_token,
            version=version,
            expires_at=expires_at,
            updated_at=updated_at,
        )

    def save_conversation(self, record: ConversationRecord) -> None:
        """Insert (version 0) or update (same version), then bump ``record.version``."""
        values = (
            record.user_id,
            record.flow,
            record.state,
            json.dumps(record.data),
            record.menu_token,
            record.version + 1,
            record.expires_at,
            record.updated_at,
            record.key.channel,
            record.key.chat_id,
        )
        if record.version == 0:
            cursor = self._db.execute(_INSERT, values)
        else:
            cursor = self._db.execute(_UPDATE, (*values, record.version))
        if cursor.rowcount != 1:
            raise ConcurrentUpdate(
                f"conversation {record.key} changed since version {record.version}"
            )
        record.version += 1

    def user_context(self, key: ConversationKey) -> UserContext | None:
        row = self._db.execute(_USER, (key.channel, key.chat_id)).fetchone()
        if row is None:
            return None
        user_id, name, email, account_id, account_name, role, package, status, closed, ref = row
        return UserContext(
            user_id=user_id,
            user_name=name,
            email=email,
            account_id=account_id,
            account_name=account_name,
            role=Role(role),
            package_code=package,
            account_status=AccountStatus(status),
            closed_at=_utc(closed),
            closure_reference=ref,
        )


def _utc(value: str | None) -> datetime | None:
    # SQLAlchemy stores SQLite timestamps as naive UTC ISO text (see UTCDateTime).
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)
