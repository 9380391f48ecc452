"""Translation of what the bot says: the one place user-facing text is looked up.

Every user-facing string is written in English inside ``_()`` (translated where it is
used) or ``N_()`` (marked for the catalogue, translated later with ``_()``, for
labels kept in class attributes and tables). ``pybabel extract`` finds both.

This first version only marks strings: it answers in English. The catalogues, the
per-turn language and locale formatting come with Spanish.
"""

from __future__ import annotations

__all__ = ["N_", "_", "ngettext"]


def _(message: str) -> str:
    """``message`` in the language of the current turn."""
    return message


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the language of the current turn."""
    return singular if count == 1 else plural
