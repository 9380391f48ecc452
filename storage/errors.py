"""Exceptions raised by storage; callers may catch them without importing SQLAlchemy."""

from __future__ import annotations


class ConcurrentUpdate(Exception):
    """Someone else saved the same conversation since it was loaded; retry the update."""


class UnknownUser(LookupError):
    """No user has the given e-mail address (or phone number)."""
