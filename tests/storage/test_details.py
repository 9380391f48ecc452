"""Saving account details: optimistic locking, permissions re-checked, audit from/to."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from flows.ports import CLOSING, DETAILS_EDITING, SaveOutcome, SaveResult
from storage import models as m
from storage.sandbox import FreshDatabase
from tests.storage.helpers import NOW, account_id, account_row, audit_rows, user_id


async def _save(
    db: FreshDatabase, email: str, changes: dict[str, str], version: int = 1
) -> SaveResult:
    acme, user = await account_id(db, "Acme Trading Ltd"), await user_id(db, email)
    async with db.stores.transaction() as store:
        return await store.get(DETAILS_EDITING).save_details(
            account_id=acme,
            user_id=user,
            expected_version=version,
            changes=changes,
            channel="telegram",
            now=NOW,
        )


async def test_admin_saves_and_every_change_is_audited(db: FreshDatabase) -> None:
    changes = {
        "contact_phone": "+442079460000",
        "timezone": "Europe/Dublin",
        "name": "Acme Trading Ltd",
    }
    result = await _save(db, "admin@acme.example", changes)
    assert result.outcome is SaveOutcome.SAVED
    assert result.details is not None and result.details.version == 2
    assert result.details.contact_phone == "+442079460000"

    row = await account_row(db, await account_id(db, "Acme Trading Ltd"))
    assert (row.contact_phone, row.timezone, row.version) == ("+442079460000", "Europe/Dublin", 2)
    [entry] = await audit_rows(db, "details.updated")
    assert entry.user_id == await user_id(db, "admin@acme.example")
    assert entry.channel == "telegram" and entry.created_at == NOW
    # Unchanged fields (the name) are not audited.
    assert entry.changes == {
        "contact_phone": {"from": "+442079460958", "to": "+442079460000"},
        "timezone": {"from": "Europe/London", "to": "Europe/Dublin"},
    }


async def test_conflict_returns_current_values_and_writes_nothing(db: FreshDatabase) -> None:
    first = await _save(db, "owner@acme.example", {"address": "1 New Street, London"})
    assert first.outcome is SaveOutcome.SAVED
    stale = await _save(db, "admin@acme.example", {"address": "2 Old Street, London"}, version=1)
    assert stale.outcome is SaveOutcome.CONFLICT
    assert stale.details is not None
    assert (stale.details.address, stale.details.version) == ("1 New Street, London", 2)
    row = await account_row(db, await account_id(db, "Acme Trading Ltd"))
    assert (row.address, row.version) == ("1 New Street, London", 2)
    assert len(await audit_rows(db, "details.updated")) == 1


async def test_viewer_is_forbidden(db: FreshDatabase) -> None:
    result = await _save(db, "viewer@acme.example", {"contact_name": "Vera"})
    assert result.outcome is SaveOutcome.FORBIDDEN
    row = await account_row(db, await account_id(db, "Acme Trading Ltd"))
    assert (row.contact_name, row.version) == ("Olivia Owner", 1)
    assert await audit_rows(db) == []


async def test_demoted_between_review_and_save_is_forbidden(db: FreshDatabase) -> None:
    admin = await user_id(db, "admin@acme.example")
    async with db.database.transaction() as connection:
        await connection.execute(
            update(m.Membership).where(m.Membership.user_id == admin).values(role="viewer")
        )
    result = await _save(db, "admin@acme.example", {"contact_name": "Adam"})
    assert result.outcome is SaveOutcome.FORBIDDEN
    assert (await account_row(db, await account_id(db, "Acme Trading Ltd"))).version == 1


async def test_closed_account_is_refused(db: FreshDatabase) -> None:
    acme, owner = await account_id(db, "Acme Trading Ltd"), await _owner(db)
    async with db.stores.transaction() as store:
        closer = store.get(CLOSING)
        await closer.close_account(account_id=acme, user_id=owner, channel="terminal", now=NOW)
    result = await _save(db, "owner@acme.example", {"contact_name": "Olivia"}, version=2)
    assert result.outcome is SaveOutcome.CLOSED
    row = await account_row(db, acme)
    assert (row.contact_name, row.status) == ("Olivia Owner", "closed")
    assert await audit_rows(db, "details.updated") == []


async def test_billing_currency_is_read_only_once_set(db: FreshDatabase) -> None:
    result = await _save(db, "owner@acme.example", {"billing_currency": "EUR"})
    assert result.outcome is SaveOutcome.INVALID
    row = await account_row(db, await account_id(db, "Acme Trading Ltd"))
    assert (row.billing_currency, row.version) == ("USD", 1)


async def test_billing_currency_can_be_set_once_when_missing(db: FreshDatabase) -> None:
    acme = await account_id(db, "Acme Trading Ltd")
    async with db.database.transaction() as connection:
        await connection.execute(
            update(m.Account).where(m.Account.id == acme).values(billing_currency=None)
        )
    result = await _save(db, "owner@acme.example", {"billing_currency": "GBP"})
    assert result.outcome is SaveOutcome.SAVED
    assert (await account_row(db, acme)).billing_currency == "GBP"
    [entry] = await audit_rows(db, "details.updated")
    assert entry.changes == {"billing_currency": {"from": None, "to": "GBP"}}


async def test_unknown_field_is_a_programming_error(db: FreshDatabase) -> None:
    with pytest.raises(ValueError, match="status"):
        await _save(db, "owner@acme.example", {"status": "closed"})
    assert (await account_row(db, await account_id(db, "Acme Trading Ltd"))).status == "open"


async def _owner(db: FreshDatabase) -> int:
    return await user_id(db, "owner@acme.example")
