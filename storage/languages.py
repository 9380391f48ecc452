"""The language each user chose in chat (``users.language``), for the Language flow."""

from __future__ import annotations

from sqlalchemy import select, update
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


async def chat_language(connection: AsyncConnection, key: ConversationKey) -> str | None:
    """The language chosen by the user linked to the chat ``key`` (None: none, or no user),
    to word a message for that chat outside its own turns (an agent's answer)."""
    return await connection.scalar(
        select(User.language)
        .join(ChatIdentity, ChatIdentity.user_id == User.id)
        .where(ChatIdentity.channel == key.channel, ChatIdentity.external_id == key.chat_id)
    )
