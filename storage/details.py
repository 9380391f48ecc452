"""Saving account details: one conditional UPDATE that re-checks everything at write time."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import exists, update

from flows.ports import DETAILS_EDITING, AccountStatus, SaveOutcome, SaveResult
from flows.types import Role
from storage.audit import record_audit
from storage.capabilities import TurnScope, provides
from storage.models import Account, Membership
from storage.reads import details_and_role
from storage.sql import execute_dml

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "legal_name",
        "registration_number",
        "address",
        "contact_name",
        "contact_email",
        "contact_phone",
        "country",
        "timezone",
        "billing_currency",
    }
)
EDITOR_ROLES = (Role.OWNER.value, Role.ADMIN.value)


@provides(DETAILS_EDITING)
class SqlDetailsEditor:
    """:class:`flows.ports.DetailsEditor` on the update's shared writer."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

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
        """Apply ``changes`` if the account is open, at ``expected_version``, and editable
        by ``user_id``; audit every field that really changed. Raises ValueError for a
        field that is not editable at all.
        """
        connection = await self._turn.writer()
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        # The values as they are now: the audit needs "from", and when the version still
        # matches, the conditional UPDATE below guarantees they are what it overwrites.
        current, role = await details_and_role(connection, account_id, user_id)
        refused = _refusal(current.status, role, current.version, expected_version)
        if refused is not None:
            return SaveResult(refused, current if refused is SaveOutcome.CONFLICT else None)
        if "billing_currency" in changes and current.billing_currency is not None:
            return SaveResult(SaveOutcome.INVALID, current)

        conditions = [
            Account.id == account_id,
            Account.version == expected_version,
            Account.status == AccountStatus.OPEN.value,
            exists().where(
                Membership.account_id == Account.id,
                Membership.user_id == user_id,
                Membership.role.in_(EDITOR_ROLES),
            ),
        ]
        if "billing_currency" in changes:
            conditions.append(Account.billing_currency.is_(None))
        values = {**changes, "version": Account.version + 1}
        statement = update(Account).where(*conditions).values(values)
        if await execute_dml(connection, statement) != 1:
            # Something changed between our read and the write (PostgreSQL read committed).
            current, role = await details_and_role(connection, account_id, user_id)
            refused = _refusal(current.status, role, current.version, expected_version)
            return SaveResult(refused or SaveOutcome.CONFLICT, current)

        # "from" keeps None (JSON null) for a field that was never set.
        diff = {
            name: {"from": getattr(current, name), "to": value}
            for name, value in changes.items()
            if getattr(current, name) != value
        }
        if diff:
            await record_audit(
                connection,
                account_id=account_id,
                user_id=user_id,
                channel=channel,
                action="details.updated",
                changes=diff,
                now=now,
            )
        fields: dict[str, Any] = {**changes, "version": current.version + 1}
        saved = dataclasses.replace(current, **fields)
        return SaveResult(SaveOutcome.SAVED, saved)


def _refusal(
    status: AccountStatus, role: Role | None, version: int, expected: int
) -> SaveOutcome | None:
    """Why a save cannot happen, most fundamental reason first; None if it can."""
    if status is AccountStatus.CLOSED:
        return SaveOutcome.CLOSED
    if role is None or not role.can_edit:
        return SaveOutcome.FORBIDDEN
    if version != expected:
        return SaveOutcome.CONFLICT
    return None
