"""The language each user chose in chat (``users.language``), for the Language flow."""

from __future__ import annotations

from sqlalchemy import update

from flows.language import LANGUAGE
from storage.capabilities import TurnScope, provides
from storage.models import User


@provides(LANGUAGE)
class SqlLanguages:
    """:class:`flows.language.LanguageStore` on the update's shared writer."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def set_language(self, *, user_id: int, language: str) -> None:
        """Store the choice; it commits with the turn, so the reply and it go together."""
        connection = await self._turn.writer()
        await connection.execute(
            update(User).where(User.id == user_id).values(language=language)
        )
