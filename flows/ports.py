"""What flows need from storage, declared here and implemented in ``storage/``.

flows/ never imports SQLAlchemy: it talks to these Protocols and reads these
plain, immutable views. One :class:`TurnStore` serves one inbound update: its
writes commit together when the update's ``transaction()`` block ends cleanly, and
none of them is kept if it raises; every write re-checks inside the writing
transaction what it depends on (versions, role, status).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from flows.types import Choice, ConversationKey, ConversationRecord, Role


class ConcurrentUpdate(Exception):
    """The conversation record changed since it was loaded (another process handled the
    same chat first). Raised by :meth:`TurnStore.save_conversation`; the engine rolls
    the turn back and runs it again on the fresh record."""


class AccountStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


@dataclass(frozen=True, slots=True)
class UserContext:
    """Who is writing, resolved from the chat identity, with their account and role."""

    user_id: int
    user_name: str
    email: str
    account_id: int
    account_name: str
    role: Role
    package_code: str
    account_status: AccountStatus
    closed_at: datetime | None = None
    closure_reference: str | None = None
    owner_name: str | None = None
    """The account owner's name, so a refusal can say whom to ask (None: no owner)."""
    language: str | None = None  # chosen in chat ("es"); None: the channel's hint decides
    app_language: str | None = None  # the supported language the user's app last said


@dataclass(frozen=True, slots=True)
class AccountDetails:
    """Every field of an account as stored. ``version`` drives optimistic locking."""

    account_id: int
    name: str
    legal_name: str
    registration_number: str
    address: str
    contact_name: str
    contact_email: str
    contact_phone: str
    country: str  # ISO 3166-1 alpha-2
    timezone: str  # IANA name
    billing_currency: str | None  # ISO 4217; read-only once set
    package_code: str
    package_name: str
    status: AccountStatus
    created_at: datetime
    owner_name: str
    owner_email: str
    version: int

    def value(self, field_name: str) -> str:
        """The stored value of an editable field, by name (see ``flows.fields``)."""
        value = getattr(self, field_name)
        return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """One package of the catalogue: features and included quantities per meter."""

    code: str  # connect | interact | transact
    name: str
    monthly_price: Money
    features: tuple[str, ...]
    allowances: Mapping[str, int]  # meter code -> included per billing period
    self_service_closure: bool


@dataclass(frozen=True, slots=True)
class Meter:
    code: str
    label: str
    unit: str


@dataclass(frozen=True, slots=True)
class MeterUsage:
    meter: Meter
    used: int
    included: int


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    name: str
    price: Money
    interval: str  # "month" | "year"
    status: str  # "active" | "cancelled"


@dataclass(frozen=True, slots=True)
class UsageReport:
    package: PackageInfo
    period_start: date
    period_end: date  # inclusive
    meters: tuple[MeterUsage, ...]
    balance: Money
    subscriptions: tuple[Subscription, ...]  # active ones only
    as_of: date | None = None
    """The day the report was made for: how far through the period we are (None: unknown)."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    packages: tuple[PackageInfo, ...]  # in upgrade order
    meters: tuple[Meter, ...]


@dataclass(frozen=True, slots=True)
class ClosurePreview:
    """What closing would cost, shown at step 1 of closure."""

    account_name: str
    package_code: str
    subscriptions: tuple[Subscription, ...]
    balance: Money
    members_losing_access: int


class SaveOutcome(StrEnum):
    SAVED = "saved"
    CONFLICT = "conflict"  # someone saved in between; ``details`` holds the current values
    FORBIDDEN = "forbidden"  # role no longer allows editing
    CLOSED = "closed"  # the account was closed meanwhile
    INVALID = "invalid"  # e.g. billing currency already set


@dataclass(frozen=True, slots=True)
class SaveResult:
    outcome: SaveOutcome
    details: AccountDetails | None = None


class CloseOutcome(StrEnum):
    CLOSED = "closed"
    ALREADY_CLOSED = "already_closed"
    FORBIDDEN = "forbidden"  # not (or no longer) the owner
    NOT_SELF_SERVICE = "not_self_service"  # package requires support


@dataclass(frozen=True, slots=True)
class CloseResult:
    outcome: CloseOutcome
    reference: str | None = None
    closed_at: datetime | None = None
    forfeited: Money | None = None
    cancelled_subscriptions: tuple[Subscription, ...] = field(default_factory=tuple)


P = TypeVar("P")


class Capability(Generic[P]):
    """The key a flow asks the turn's store for a piece of storage by.

    Declared next to the Protocol it stands for (here for the capabilities several
    flows share; a new flow declares its own beside it in its module). Storage
    registers what implements it (``storage.capabilities.provides``), so neither
    side needs a central list of methods: ``ctx.store.get(CLOSING).close_account(…)``.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Capability({self.name!r})"


class TurnStore(Protocol):
    """Storage as seen from one update: the conversation record and the user, and every
    capability flows declare, on committed data, with the update's writes atomic."""

    async def load_conversation(self, key: ConversationKey) -> ConversationRecord | None:
        """The stored record of ``key``, or None for a conversation never seen."""

    async def save_conversation(self, record: ConversationRecord) -> None:
        """Insert or update ``record``, at the latest when the transaction ends cleanly;
        then bumps ``record.version``. Raises :class:`ConcurrentUpdate` (here or when the
        transaction ends) if the stored record changed since it was loaded."""

    async def user_context(self, key: ConversationKey) -> UserContext | None:
        """The user linked to this chat, with account and role; None if unlinked."""

    def get(self, capability: Capability[P]) -> P:
        """This update's implementation of ``capability``."""


class StoreFactory(Protocol):
    """Opens one update's store; its writes commit when the block exits cleanly, and none
    is kept if it raises."""

    def transaction(self) -> AbstractAsyncContextManager[TurnStore]: ...


# -- capabilities more than one flow uses -----------------------------------------------


class AccountDetailsReader(Protocol):
    async def account_details(self, account_id: int) -> AccountDetails:
        """Every stored field of the account, with package name and owner."""


class PackageReader(Protocol):
    async def catalogue(self) -> Catalogue:
        """The package catalogue and meters."""

    async def usage_report(self, account_id: int, today: date) -> UsageReport:
        """Usage in the calendar month of ``today``, balance and active subscriptions."""


class DetailsEditor(Protocol):
    async def save_details(
        self,
        *,
        account_id: int,
        user_id: int,
        expected_version: int,
        changes: Mapping[str, str],
        channel: str,
        now: datetime,
    ) -> SaveResult:
        """Apply ``changes`` atomically if the account is still at ``expected_version``,
        still open, and the user may still edit it; audit every changed field."""


class Closer(Protocol):
    async def closure_preview(self, account_id: int) -> ClosurePreview:
        """What closing would cancel and forfeit."""

    async def close_account(
        self, *, account_id: int, user_id: int, channel: str, now: datetime
    ) -> CloseResult:
        """Close the account if the user is still its owner and it is still open:
        cancel subscriptions, forfeit the balance, audit, end other members' flows."""


class AuditLog(Protocol):
    async def record_audit(
        self,
        *,
        account_id: int,
        user_id: int | None,
        channel: str,
        action: str,
        changes: Mapping[str, Any],
        now: datetime,
    ) -> None:
        """Append one audit row, committed with the rest of the update."""


ACCOUNT_DETAILS = Capability[AccountDetailsReader]("account_details")
PACKAGES = Capability[PackageReader]("packages")
DETAILS_EDITING = Capability[DetailsEditor]("details_editing")
CLOSING = Capability[Closer]("closing")
AUDIT = Capability[AuditLog]("audit")


# -- messages to other chats ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for a chat other than the turn's own: a usage alert, an agent's answer,
    a customer's message relayed to support. It is queued in the outbox, committed with
    whatever produced it, and delivered afterwards by the channel of ``to``.

    ``choices`` are standing choices (:func:`flows.tokens.standing`): a notice arrives
    whatever screen the chat is on, so its buttons cannot belong to one menu.
    ``thread_id`` is a topic of a forum chat (a ticket's topic in the support group).
    """

    to: ConversationKey
    text: str
    choices: tuple[Choice, ...] = ()
    thread_id: int | None = None


class Outbox(Protocol):
    async def post(self, *notices: Notice) -> None:
        """Queue ``notices``; they are committed with the update and delivered only then."""


OUTBOX = Capability[Outbox]("outbox")
