"""Which storage class implements each capability flows ask for (``flows.ports.Capability``).

A storage module registers its implementation with ``@provides(CAPABILITY)`` on a
class whose constructor takes the update's :class:`TurnScope`; mypy checks that the
class satisfies the capability's Protocol. The modules of the ``storage`` package are
imported the first time a capability is looked up, so a new storage module is found
without being listed anywhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from flows.ports import Capability, Catalogue
from flows.types import ConversationKey

P = TypeVar("P")
T = TypeVar("T")


class TurnScope(Protocol):
    """What a capability's implementation may use of the update it serves."""

    @property
    def loaded(self) -> frozenset[ConversationKey]:
        """Conversations this update loaded (and will save itself)."""

    async def read(self, query: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``query`` on committed data (or on this update's writes, once it wrote)."""

    async def writer(self) -> AsyncConnection:
        """The shared writer for the rest of the update: its writes commit together."""

    async def catalogue(self) -> Catalogue:
        """The package catalogue (reference data, cached for a while)."""


Provider = Callable[[TurnScope], Any]
_providers: dict[str, Provider] = {}
_discovered = False


def provides(capability: Capability[P]) -> Callable[[Callable[[TurnScope], P]], Any]:
    """Register the decorated class as the implementation of ``capability``."""

    def register(provider: Callable[[TurnScope], P]) -> Any:
        if _providers.get(capability.name, provider) is not provider:
            raise ValueError(f"{capability!r} is provided twice")
        _providers[capability.name] = provider
        return provider

    return register


def provider_of(capability: Capability[P]) -> Callable[[TurnScope], P]:
    """The registered implementation of ``capability``; LookupError if none."""
    _discover()
    try:
        return _providers[capability.name]
    except KeyError:
        raise LookupError(f"no storage module provides {capability!r}") from None


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    import storage

    for module in pkgutil.iter_modules(storage.__path__):
        if not module.ispkg:  # migrations/ is Alembic's, not ours to import
            importlib.import_module(f"storage.{module.name}")
    _discovered = True
