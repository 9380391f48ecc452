"""SQLAlchemy models: the schema the Alembic migration creates.

Plain columns only, no ORM relationships: every read is an explicit query, so
nothing can lazy-load behind an ``await`` (which async sessions do not allow).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.sqltypes import UTCDateTime

# Deterministic constraint names keep migrations reproducible across backends.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Numeric(12, 2)


class Base(DeclarativeBase):
    """Declarative base; ``Base.metadata`` is what migrations are compared against."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Package(Base):
    __tablename__ = "packages"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    monthly_price: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    self_service_closure: Mapped[bool] = mapped_column(Boolean)


class PackageFeature(Base):
    __tablename__ = "package_features"

    package_code: Mapped[str] = mapped_column(ForeignKey("packages.code"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature: Mapped[str] = mapped_column(Text)


class Meter(Base):
    __tablename__ = "meters"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)


class PackageAllowance(Base):
    __tablename__ = "package_allowances"

    package_code: Mapped[str] = mapped_column(ForeignKey("packages.code"), primary_key=True)
    meter_code: Mapped[str] = mapped_column(ForeignKey("meters.code"), primary_key=True)
    included: Mapped[int] = mapped_column(Integer)  # 0 = not part of the package


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # E.164
    # The language chosen in chat ("es"); NULL follows the channel's hint, else English.
    language: Mapped[str | None] = mapped_column(String(8))
    # The supported language the user's app last said (Telegram's language_code, "es"),
    # for messages nobody asked for when no choice is stored; NULL: none said yet.
    app_language: Mapped[str | None] = mapped_column(String(8))


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_name: Mapped[str] = mapped_column(String(200))
    registration_number: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(500))
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(320))
    contact_phone: Mapped[str] = mapped_column(String(20))  # E.164
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name
    billing_currency: Mapped[str | None] = mapped_column(String(3))  # ISO 4217, set once
    package_code: Mapped[str] = mapped_column(ForeignKey("packages.code"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closure_reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "account_id"),
        CheckConstraint("role IN ('owner', 'admin', 'viewer')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))


class ChatIdentity(Base):
    """A chat on a channel (Telegram user id, terminal name...) linked to a user."""

    __tablename__ = "chat_identities"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LinkCode(Base):
    """A one-time code; only its SHA-256 is stored so a database leak reveals no codes."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LinkAttempt(Base):
    """A wrong link code sent from a chat; recent ones lock guessing (``storage.link_limits``).

    Only failures are stored: a successful link must never count against a chat.
    """

    __tablename__ = "link_attempts"
    # The two counts: one chat's latest failures, and everyone's latest failures.
    __table_args__ = (Index("ix_link_attempts_chat", "channel", "external_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # unknown | expired | used
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class UsageRecord(Base):
    __tablename__ = "usage_records"
    __table_args__ = (UniqueConstraint("account_id", "meter_code", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    meter_code: Mapped[str] = mapped_column(ForeignKey("meters.code"))
    period_start: Mapped[date] = mapped_column(Date)
    used: Mapped[int] = mapped_column(Integer)


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (CheckConstraint("status IN ('active', 'cancelled')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    interval: Mapped[str] = mapped_column(String(10))  # month | year
    status: Mapped[str] = mapped_column(String(10), default="active")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Balance(Base):
    __tablename__ = "balances"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Conversation(Base):
    """The engine's memory of one chat; epoch-second floats keep the hot path cheap."""

    __tablename__ = "conversations"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    flow: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    menu_token: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float | None] = mapped_column(Double)
    updated_at: Mapped[float | None] = mapped_column(Double)


class UsageEvent(Base):
    """One recorded use of a meter (``storage.usage``), kept so a retried post counts once.

    The idempotency key is unique per account. The result the first post was answered
    with (the period's total after it, the alert it queued) is kept with it, so a
    replay answers the same.
    """

    __tablename__ = "usage_events"
    __table_args__ = (
        UniqueConstraint("account_id", "idempotency_key"),
        CheckConstraint("quantity > 0", name="quantity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    meter_code: Mapped[str] = mapped_column(ForeignKey("meters.code"))
    quantity: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    period_start: Mapped[date] = mapped_column(Date)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of what was asked
    source: Mapped[str] = mapped_column(String(16))  # api | cli | script
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_after: Mapped[int | None] = mapped_column(Integer)
    alert_threshold: Mapped[int | None] = mapped_column(Integer)  # 80 | 100 when it alerted
    notices: Mapped[int] = mapped_column(Integer, default=0)


class UsageAlert(Base):
    """A usage alert decided: at most one per account, meter, period and threshold.

    Inserted with ``ON CONFLICT DO NOTHING`` in the recording transaction: only the
    transaction whose row went in sends the alert, however many record at once.
    """

    __tablename__ = "usage_alerts"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    meter_code: Mapped[str] = mapped_column(ForeignKey("meters.code"), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    threshold: Mapped[int] = mapped_column(Integer, primary_key=True)  # percent: 80 | 100
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationSetting(Base):
    """A user's choice about alerts; no row means the defaults (usage alerts on)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    usage_alerts: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
class OutboxMessage(Base):
    """A notice for a chat outside that chat's own turn (``flows.ports.Notice``), queued
    in the transaction that produced it and delivered afterwards (``storage.outbox``)."""

    __tablename__ = "outbox"
    # What delivery looks for: the channel's notices still to deliver, oldest first.
    __table_args__ = (
        Index(
            "ix_outbox_pending", "channel", "id",
            sqlite_where=text("delivered_at IS NULL AND gave_up_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL AND gave_up_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(64))
    thread_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[list[str]]] = mapped_column(JSON)  # [[label, token], ...]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gave_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)



class Ticket(Base):
    """A customer's request to talk to a person (``flows.handover``): one open per user.

    ``channel``/``chat_id`` is the customer's conversation, where agents' answers go;
    ``thread_id`` the ticket's topic in the support group, once it has one.
    """

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        # The database keeps "at most one open ticket per user", whatever races.
        Index(
            "uq_tickets_open_user",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="open")
    thread_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TicketMessage(Base):
    """One message of a ticket: the customer's, an agent's, or the bot's summary."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        CheckConstraint("author IN ('customer', 'agent', 'bot')", name="author"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))  # who wrote it, as shown to the other side
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in web chat (``bot.web``): only the SHA-256 of its cookie's token is kept,
    so a leaked table signs nobody in."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebMessage(Base):
    """One message of a web conversation as its page shows it; the id orders them and
    tells a page which ones it missed (``storage.web_chat``)."""

    __tablename__ = "web_messages"
    __table_args__ = (
        CheckConstraint("sender IN ('bot', 'you')", name="sender"),
        Index("ix_web_messages_chat", "chat_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    sender: Mapped[str] = mapped_column(String(3))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[list[str]]] = mapped_column(JSON)  # [[label, token], ...]
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_alt: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


__all__ = [
    "Account",
    "AuditEntry",
    "Balance",
    "Base",
    "ChatIdentity",
    "Conversation",
    "LinkAttempt",
    "LinkCode",
    "Membership",
    "Meter",
    "NotificationSetting",
    "OutboxMessage",
    "Package",
    "PackageAllowance",
    "PackageFeature",
    "SubscriptionRow",
    "Ticket",
    "TicketMessage",
    "UsageAlert",
    "UsageEvent",
    "UsageRecord",
    "User",
    "WebMessage",
    "WebSession",
]


# The account's history, a keyset page at a time (storage/history.py): the rows of one
# account in (time, id) order, so a page is one range scan, however far back it is.
Index("ix_audit_log_account_time", AuditEntry.account_id, AuditEntry.created_at, AuditEntry.id)
