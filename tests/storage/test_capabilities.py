"""Capabilities: every one flows declare is provided, and a new one needs no central list."""

from __future__ import annotations

from typing import Protocol

import pytest
from sqlalchemy import select

from flows import ports
from flows.ports import Capability
from storage import models as m
from storage.capabilities import TurnScope, provider_of, provides
from storage.sandbox import FreshDatabase


def test_every_capability_flows_declare_has_an_implementation() -> None:
    declared = [value for value in vars(ports).values() if isinstance(value, Capability)]
    assert {c.name for c in declared} >= {"account_details", "packages", "closing", "audit"}
    for capability in declared:
        assert callable(provider_of(capability)), capability


def test_an_unknown_capability_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="no storage module provides"):
        provider_of(Capability[object]("nobody.provides.this"))


class AccountNames(Protocol):
    async def name_of(self, account_id: int) -> str: ...


ACCOUNT_NAMES = Capability[AccountNames]("test.account_names")


@provides(ACCOUNT_NAMES)
class SqlAccountNames:
    """What a new flow's storage module adds: a class, registered where it is defined."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def name_of(self, account_id: int) -> str:
        query = select(m.Account.name).where(m.Account.id == account_id)
        return str(await self._turn.read(lambda c: c.scalar(query)))


def test_a_capability_is_provided_once() -> None:
    with pytest.raises(ValueError, match="provided twice"):
        provides(ACCOUNT_NAMES)(type("Other", (SqlAccountNames,), {}))


async def test_a_new_capability_is_served_by_the_store_of_an_update(db: FreshDatabase) -> None:
    async with db.stores.transaction() as store:
        names = store.get(ACCOUNT_NAMES)
        assert store.get(ACCOUNT_NAMES) is names  # one instance per update
        assert await names.name_of(1) == "Acme Trading Ltd"
