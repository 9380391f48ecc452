"""The language each user chose in chat (``users.language``), for the Language flow, and
the one their app last said (``users.app_language``), for messages nobody asked for."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.language import LANGUAGE
from flows.types import ConversationKey
from storage.capabilities import TurnScope, provides
from storage.models import ChatIdentity, User


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

    async def set_app_language(self, *, user_id: int, language: str) -> None:
        """Store what the app said; only called when it changed, and commits with the turn."""
        connection = await self._turn.writer()
        await connection.execute(
            update(User).where(User.id == user_id).values(app_language=language)
        )


def reader_language() -> Any:
    """The language to word a message nobody asked for in: the user's choice, else what
    their app last said (NULL: neither, so English)."""
    return func.coalesce(User.language, User.app_language)


async def chat_language(connection: AsyncConnection, key: ConversationKey) -> str | None:
    """The language of the user linked to the chat ``key`` (:func:`reader_language`;
    None: neither known, or no user), to word a message for that chat outside its own
    turns (an agent's answer)."""
    return await connection.scalar(
        select(reader_language())
        .select_from(User)
        .join(ChatIdentity, ChatIdentity.user_id == User.id)
        .where(ChatIdentity.channel == key.channel, ChatIdentity.external_id == key.chat_id)
    )
