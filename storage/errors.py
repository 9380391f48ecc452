"""Exceptions raised by storage; callers may catch them without importing SQLAlchemy."""

from __future__ import annotations

from flows.ports import ConcurrentUpdate  # declared by the port storage implements

__all__ = ["ConcurrentUpdate", "UnknownUser"]


class UnknownUser(LookupError):
    """No user has the given e-mail address (or phone number)."""
